"""Checkpoints written by earlier versions of npvae keep loading, resuming and training.

``tests/data/checkpoint_mid_epoch_b4dcc8d.npz`` was written by the Trainer before it was
split into a run and its loop's state (``tests/data/README.md`` says how): a tiny VAE,
stopped at epoch 1, step 2 of 4 (its 6th step), with one epoch of history and its points
still called "steps".
"""
import shutil
from pathlib import Path

import numpy as np
import pytest

from npvae.checkpoint import load_checkpoint
from npvae.datasets import load_mnist
from npvae.models import VAE
from npvae.train import train_step
from npvae.trainer import TrainConfig, Trainer, load_model

OLD = Path(__file__).with_name("data") / "checkpoint_mid_epoch_b4dcc8d.npz"
TINY = dict(encoder_filters=(4, 8, 8, 8), dense_units=8, decoder_filters=4)
SETTINGS = dict(epochs=3, batch_size=16, seed=5, checkpoint_every=6, limit=64, test_limit=32)


@pytest.fixture(scope="module")
def images():
    (x_train, _), (x_test, _) = load_mnist(dtype=np.float32)
    return x_train[:64], x_test[:32]


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
