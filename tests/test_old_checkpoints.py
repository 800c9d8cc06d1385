"""Checkpoints written by earlier versions of npvae keep loading, resuming and training.

``tests/data/checkpoint_mid_epoch_b4dcc8d.npz`` was written by the Trainer before it was
split into a run and its loop's state (``tests/data/README.md`` says how): a tiny VAE,
stopped at epoch 1, step 2 of 4 (its 6th step), with one epoch of history and its points
still called "steps". ``conditional_mid_epoch_e236215.npz`` is a conditional run stopped
there too, written before the conditional model took its labels as arguments and drew
its weights from streams of its own; ``numbers_e236215.npz`` holds the digests of fresh
models' initial weights as that code drew them.
"""
import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from npvae.datasets import load_mnist
from npvae.models import VAE
from npvae.models.conditional import ConditionalVAE
from npvae.storage.checkpoint import load_checkpoint
from npvae.train import train_step
from npvae.training.trainer import TrainConfig, Trainer, load_model

DATA = Path(__file__).with_name("data")
OLD = DATA / "checkpoint_mid_epoch_b4dcc8d.npz"
OLD_CONDITIONAL = DATA / "conditional_mid_epoch_e236215.npz"
TINY = dict(encoder_filters=(4, 8, 8, 8), dense_units=8, decoder_filters=4)
SETTINGS = dict(epochs=3, batch_size=16, seed=5, checkpoint_every=6, limit=64, test_limit=32)


@pytest.fixture(scope="module")
def mnist():
    (x_train, y_train), (x_test, y_test) = load_mnist(dtype=np.float32)
    return x_train[:64], x_test[:32], y_train[:64], y_test[:32]


@pytest.fixture(scope="module")
def images(mnist):
    return mnist[:2]


@pytest.fixture
def old_run(tmp_path):
    """The old checkpoint, copied where a resumed run may write, and resumed."""
    path = shutil.copy(OLD, tmp_path / "checkpoint.npz")
    return Trainer.resume(path)


def weights_in(arrays):
    return {key[len("model/"):]: value for key, value in arrays.items()
            if key.startswith("model/")}


def without_seconds(history):
    return [{k: v for k, v in record.items() if k != "seconds"} for record in history]


def test_an_old_checkpoint_loads_where_it_stopped(old_run):
    arrays, meta = load_checkpoint(OLD)
    for model in (old_run.model, load_model(OLD)):
        weights = model.weights()
        assert sorted(weights) == sorted(weights_in(arrays))
        for key, value in weights_in(arrays).items():
            assert weights[key].dtype == value.dtype and np.array_equal(weights[key], value), key
    state = old_run.state
    assert (state.epoch, state.step_in_epoch, old_run.optimizer.iterations) == (1, 2, 6)
    assert np.array_equal(state.order, arrays["data/order"])
    assert state.sums == meta["sums"] and old_run.history == meta["history"]
    assert old_run.points == meta["steps"] and len(old_run.points) == 5


def test_an_old_checkpoint_trains_a_step(old_run, images):
    batch = images[0][old_run.state.order[32:48]]
    stats = train_step(old_run.model, old_run.optimizer, batch)
    assert np.isfinite(stats["loss"]) and stats["images"] == 16
    assert old_run.optimizer.iterations == 7


def test_an_old_checkpoint_resumes_as_a_run_that_never_stopped(old_run, images, tmp_path):
    history = old_run.fit(*images, progress=False, on_spike=lambda spike: None)
    fresh = Trainer(VAE(seed=5, **TINY), TrainConfig(**SETTINGS), tmp_path / "fresh")
    expected = fresh.fit(*images, progress=False, on_spike=lambda spike: None)
    assert [record["epoch"] for record in history] == [1, 2, 3]
    assert old_run.optimizer.iterations == fresh.optimizer.iterations == 12
    # float32 sums in another order (a faster algorithm) may change the last bits
    for old, new in zip(without_seconds(history), without_seconds(expected)):
        assert old == pytest.approx(new, rel=1e-5)
    for key, value in fresh.model.weights().items():
        np.testing.assert_allclose(old_run.model.weights()[key], value, rtol=1e-4, atol=1e-6,
                                   err_msg=key)


def test_fresh_models_draw_the_initial_weights_they_drew_before():
    """The random seed's streams are the same as before the conditional model built its own
    halves: every weight of a fresh VAE and ConditionalVAE, to the bit."""
    digests = np.load(DATA / "numbers_e236215.npz")
    for name, model in (("fresh_vae", VAE(seed=7, **TINY)),
                        ("fresh_conditional", ConditionalVAE(num_classes=10, seed=7, **TINY))):
        for key, value in model.weights().items():
            assert hashlib.sha256(value.tobytes()).hexdigest() == digests[f"{name}/{key}"], key


def test_an_old_conditional_checkpoint_resumes_as_a_run_that_never_stopped(mnist, tmp_path):
    x_train, x_test, y_train, y_test = mnist
    old = Trainer.resume(shutil.copy(OLD_CONDITIONAL, tmp_path / "checkpoint.npz"))
    assert isinstance(old.model, ConditionalVAE) and old.optimizer.iterations == 6
    assert isinstance(load_model(OLD_CONDITIONAL), ConditionalVAE)
    history = old.fit(x_train, x_test, progress=False, y_train=y_train, y_test=y_test)
    fresh = Trainer(ConditionalVAE(num_classes=10, seed=5, **TINY), TrainConfig(**SETTINGS),
                    tmp_path / "fresh")
    expected = fresh.fit(x_train, x_test, progress=False, y_train=y_train, y_test=y_test)
    for old_record, new_record in zip(without_seconds(history), without_seconds(expected)):
        assert old_record == pytest.approx(new_record, rel=1e-5)   # as the VAE's, above
    for key, value in fresh.model.weights().items():
        np.testing.assert_allclose(old.model.weights()[key], value, rtol=1e-4, atol=1e-6,
                                   err_msg=key)
