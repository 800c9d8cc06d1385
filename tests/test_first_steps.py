"""RMSprop's first steps on the book's recipe: the spike, the note that explains it, and
the learning-rate warm-up that avoids it (real MNIST, the book's model and settings)."""
import numpy as np
import pytest

from npvae.datasets import load_mnist
from npvae.models import VAE
from npvae.optim import RMSprop
from npvae.train import train_epoch
from npvae.training.spikes import SpikeWatch
from npvae.training.trainer import TrainConfig, Trainer

STEPS = 30  # the spike of this run comes at step 8


@pytest.fixture(scope="module")
def first_images():
    (x_train, _), (x_test, _) = load_mnist()
    return x_train[:16 * STEPS], x_test[:100]


def largest_kl(x, warmup):
    config = TrainConfig(lr_warmup=warmup)
    model, optimizer = VAE(seed=0), RMSprop(lr=config.lr)
    order = np.random.default_rng([0, 1]).permutation(len(x))
    schedule = config.learning_rate if warmup else None
    return max(stats["kl"] for _, stats in train_epoch(model, optimizer, x, order, 16,
                                                       learning_rate=schedule))


def test_the_warm_up_rises_linearly_to_the_learning_rate():
    config = TrainConfig(lr=1e-3, lr_warmup=4)
    assert [config.learning_rate(i) for i in range(6)] == pytest.approx(
        [2.5e-4, 5e-4, 7.5e-4, 1e-3, 1e-3, 1e-3])
    assert TrainConfig(lr=1e-3).learning_rate(0) == 1e-3
    with pytest.raises(ValueError, match="lr_warmup"):
        TrainConfig(lr_warmup=-1)


def test_a_warm_up_keeps_the_kl_from_jumping(first_images):
    x_train, _ = first_images
    # Without it, one step's KL goes into the thousands of nats; with it, a few hundred.
    assert largest_kl(x_train, warmup=0) > 2000
    assert largest_kl(x_train, warmup=50) < 1000


def test_the_spike_is_said_once_with_its_explanation(first_images, tmp_path):
    notes = []
    trainer = Trainer(VAE(seed=0), TrainConfig(epochs=1), tmp_path)
    trainer.fit(*first_images, progress=False, on_spike=notes.append)
    assert len(notes) == 1, notes
    note = notes[0].note()
    assert "RMSprop's first steps" in note and "TrainConfig(lr_warmup=50)" in note
    assert notes[0].loss > 10 * notes[0].typical
    quiet = []
    warm = Trainer(VAE(seed=0), TrainConfig(epochs=1, lr_warmup=50), tmp_path / "warm")
    warm.fit(*first_images, progress=False, on_spike=quiet.append)
    assert quiet == []


def test_points_within_the_epoch_are_recorded_and_resumed(first_images, tmp_path):
    trainer = Trainer(VAE(seed=0), TrainConfig(epochs=1), tmp_path)
    trainer.fit(*first_images, progress=False, on_spike=lambda spike: None)
    # 30 steps in parts of 3: points after steps 3, 6, ..., 27 (the epoch's end is a record).
    assert [round(p["epoch"] * STEPS) for p in trainer.points] == list(range(3, 30, 3))
    assert Trainer.resume(trainer.checkpoint_path).points == trainer.points


def test_a_spike_is_watched_for_from_the_second_step():
    """Own colour pictures spiked at step 3 (loss 1e9 after 1e5): said at once, not after 5."""
    watch = SpikeWatch()
    seen = [watch.see(step, loss) for step, loss in enumerate((1.2e5, 9e4, 8e9, 7e9), 1)]
    assert seen[:2] == [None, None] and seen[3] is None
    assert seen[2].step == 3 and "loss is 8e+09" in seen[2].note()
