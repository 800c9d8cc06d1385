"""A real, short training run on the shipped MNIST: does the book's VAE learn?

A few hundred RMSprop steps of the book's full model on a few thousand real digits must
take the test negative ELBO from about 543 nats (an untrained decoder says "every
pixel is a coin flip": 784 * log 2 = 543) to well below 250.
"""
import math

import numpy as np
import pytest

from npvae.datasets import load_mnist
from npvae.evaluation import negative_elbo
from npvae.models import VAE
from npvae.training.trainer import TrainConfig, Trainer

TRAIN_IMAGES, TEST_IMAGES = 4000, 1000


@pytest.fixture(scope="module")
def mnist():
    (x_train, _), (x_test, _) = load_mnist(dtype=np.float32)
    return x_train[:TRAIN_IMAGES], x_test[:TEST_IMAGES]


def test_a_short_run_lowers_the_test_negative_elbo(mnist, tmp_path):
    x_train, x_test = mnist
    model = VAE(seed=0)
    before = negative_elbo(model, x_test, np.random.default_rng(0))["neg_elbo"]
    # An untrained decoder outputs logits near 0: each pixel costs about log 2 nats.
    assert before == pytest.approx(784 * math.log(2), rel=0.02)

    config = TrainConfig(epochs=1, batch_size=16, seed=0)    # 250 steps
    history = Trainer(model, config, tmp_path).fit(x_train, x_test, progress=False)
    after = negative_elbo(model, x_test, np.random.default_rng(0))["neg_elbo"]
    print(f"test negative ELBO: {before:.1f} nats untrained, {after:.1f} after 250 steps")
    assert after < 250
    assert history[0]["test_loss"] == pytest.approx(after, rel=0.02)


def test_the_same_seed_gives_the_same_losses(mnist, tmp_path):
    x_train, x_test = mnist
    runs = []
    for name in ("a", "b"):
        config = TrainConfig(epochs=1, batch_size=32, seed=3, limit=640)
        trainer = Trainer(VAE(seed=3), config, tmp_path / name)
        runs.append((trainer.fit(x_train, x_test[:100], progress=False), trainer.model))
    (history_a, model_a), (history_b, model_b) = runs
    for record_a, record_b in zip(history_a, history_b):
        assert {k: v for k, v in record_a.items() if k != "seconds"} == \
               {k: v for k, v in record_b.items() if k != "seconds"}
    for key, weights in model_a.weights().items():
        assert np.array_equal(weights, model_b.weights()[key]), key
