"""Bad numbers stop training loudly, and never reach the checkpoint on disk.

NaN or infinite pixels are refused before the first step, naming the images at fault. A loss
that becomes NaN or infinite mid-training raises ``TrainingDiverged`` (saying where, and what
to try), and leaves the last checkpoint exactly as it was saved: whole, finite, and with no
temporary file beside it.

The run is the small one of ``train_script.py``: 300 images, batches of 32, so 10 steps per
epoch; checkpoint_every=3 saves after steps 3, 6, 9, the end of epoch 1 (step 10), 12, ...
"""
import dataclasses
import re

import numpy as np
import pytest
from train_script import SMALL_MODEL, build_trainer

from npvae.models import VAE
from npvae.storage.checkpoint import load_checkpoint
from npvae.train import TrainingDiverged
from npvae.training.trainer import Trainer

SEED = 11
EVERY = 3
DIVERGE_AT = 14                   # epoch 2, its step 4
LAST_SAVE = 12                    # the last checkpoint before it: epoch 2, step 2
TEMPORARY = re.compile(r".*\.tmp(-[0-9a-f]{16})?")


pytestmark = pytest.mark.usefixtures("no_loss_curve")



def count_steps(trainer):
    """Count the calls of the model's forward/backward pass."""
    calls = {"n": 0}
    compute = trainer.model.forward

    def counted(x, *args, **kwargs):
        calls["n"] += "eps" not in kwargs  # the loop's model(batch, labels), not an evaluation
        return compute(x, *args, **kwargs)
    trainer.model.forward = counted
    return calls


def snapshot(arrays):
    return {key: np.array(value, copy=True) for key, value in arrays.items()}


def assert_bit_identical(expected, actual, what):
    assert sorted(actual) == sorted(expected), f"{what}: different keys"
    differ = [key for key in expected if actual[key].tobytes() != expected[key].tobytes()
              or actual[key].dtype != expected[key].dtype]
    assert not differ, f"{what}: these arrays differ: {differ}"


# --------------------------------------------------------------------------- bad images


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("split, image", [("training", 5), ("test", 3)])
def test_non_finite_images_are_refused_before_any_step(data, split, image, value, tmp_path):
    x_train, x_test = data[0].copy(), data[1].copy()
    (x_train if split == "training" else x_test)[image, 14, 9, 0] = value
    trainer = build_trainer(tmp_path / "run", SEED, 2, EVERY)
    initial = snapshot(trainer.model.weights())
    steps = count_steps(trainer)

    with pytest.raises(ValueError, match=rf"the {split} images contain NaN or infinite "
                                         rf"values \(the first in image {image}\)"):
        trainer.fit(x_train, x_test, progress=False)
    assert steps["n"] == 0 and trainer.optimizer.iterations == 0
    assert_bit_identical(initial, trainer.model.weights(), "weights")
    assert not (tmp_path / "run").exists(), "something was saved"


# --------------------------------------------------------------------------- NaN loss


def report_nan_loss(trainer):
    """The pass of step DIVERGE_AT runs, but reports its loss as NaN."""
    compute, calls = trainer.model.forward, {"n": 0}

    def forward(x, *args, **kwargs):
        calls["n"] += "eps" not in kwargs  # the loop's model(batch, labels), not an evaluation
        out = compute(x, *args, **kwargs)
        if calls["n"] == DIVERGE_AT:
            return dataclasses.replace(out, loss=np.full_like(out.loss, np.nan))
        return out
    trainer.model.forward = forward


def poison_a_weight(trainer):
    """A NaN appears in a weight just before step DIVERGE_AT: the loss really is NaN."""
    compute, calls = trainer.model.forward, {"n": 0}

    def forward(x, *args, **kwargs):
        calls["n"] += "eps" not in kwargs  # the loop's model(batch, labels), not an evaluation
        if calls["n"] == DIVERGE_AT:
            trainer.model.weights()["decoder/dense/W"][0, 0] = np.nan
        return compute(x, *args, **kwargs)
    trainer.model.forward = forward


# how -> (learning rate, how to break the run, (epoch, step) in the message, last save at)
DIVERGENCES = {
    "loss reported NaN": (1e-3, report_nan_loss, (2, 4), LAST_SAVE),
    "NaN weight": (1e-3, poison_a_weight, (2, 4), LAST_SAVE),
    # RMSprop moves every weight by about lr on the first step: with lr = 1e6 the second
    # forward pass overflows float32. Checkpoints after every step here, so the first exists.
    "learning rate 1e6": (1e6, None, (1, 2), 1),
}


@pytest.mark.parametrize("how", DIVERGENCES)
def test_a_nan_loss_stops_training_and_keeps_the_last_checkpoint(how, data, tmp_path):
    lr, breaks, (epoch, step), last_save = DIVERGENCES[how]
    trainer = build_trainer(tmp_path, SEED, 2, EVERY if breaks else 1, lr=lr)
    saved = {}  # optimizer iterations -> the weights and slots written at that save
    save = trainer.save

    def save_and_remember():
        saved[trainer.optimizer.iterations] = (snapshot(trainer.model.weights()),
                                               snapshot(trainer.optimizer.state_dict()))
        return save()
    trainer.save = save_and_remember
    if breaks:
        breaks(trainer)

    with pytest.raises(TrainingDiverged) as error, np.errstate(all="ignore"):
        trainer.fit(*data, progress=False)
    message = str(error.value)
    assert re.search(r"\bnan\b", message, re.IGNORECASE), message
    assert f"epoch {epoch}, step {step};" in message
    assert "lower learning rate" in message and f"now {lr:g}" in message
    assert str(trainer.checkpoint_path) in message
    # The diverged step was not taken, and nothing was saved after the last good save.
    assert trainer.optimizer.iterations == (epoch - 1) * 10 + step - 1
    assert max(saved) == last_save

    arrays, meta = load_checkpoint(trainer.checkpoint_path)
    weights, slots = saved[last_save]
    assert_bit_identical(weights, {k[6:]: v for k, v in arrays.items() if k.startswith("model/")},
                         "weights in the checkpoint")
    assert_bit_identical(slots, {k[6:]: v for k, v in arrays.items() if k.startswith("optim/")},
                         "optimizer slots in the checkpoint")
    assert all(np.isfinite(w).all() for w in weights.values())
    assert (meta["epoch"], meta["step_in_epoch"]) == divmod(last_save, 10)
    leftovers = [p.name for p in tmp_path.iterdir() if TEMPORARY.fullmatch(p.name)]
    assert not leftovers, f"temporary files remain: {leftovers}"
    Trainer.resume(trainer.checkpoint_path)  # and it is a checkpoint training can go on from


def test_divergence_before_any_checkpoint_says_there_is_none(data, tmp_path):
    trainer = build_trainer(tmp_path / "run", SEED, 2, None, lr=1e6)  # diverges at step 2
    with pytest.raises(TrainingDiverged, match="epoch 1, step 2;") as error, \
            np.errstate(all="ignore"):
        trainer.fit(*data, progress=False)
    assert "no checkpoint" in str(error.value)
    assert not (tmp_path / "run").exists()


def test_a_nan_gradient_never_reaches_the_checkpoint(data, tmp_path):
    trainer = build_trainer(tmp_path, SEED, 2, 1)
    compute, calls = trainer.model.backward, {"n": 0}

    def backward():  # finite loss, NaN gradient: e.g. an overflow in backward
        calls["n"] += 1  # backward runs only in training steps
        compute()
        if calls["n"] == DIVERGE_AT:
            trainer.model.decoder.named_layers()[0][1].grads["W"][0, 0] = np.nan
    trainer.model.backward = backward

    with pytest.raises(TrainingDiverged), np.errstate(all="ignore"):
        trainer.fit(*data, progress=False)
    arrays, _ = load_checkpoint(trainer.checkpoint_path)
    bad = [k for k, v in arrays.items() if not np.isfinite(v).all()]
    assert not bad, f"the checkpoint holds non-finite arrays: {bad}"


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_evaluation_refuses_non_finite_images(bad):
    from npvae.evaluation import iwae_nll, negative_elbo
    x = np.zeros((3, 28, 28, 1), np.float32)
    x[2, 5, 5, 0] = bad
    model = VAE(seed=0, **SMALL_MODEL)
    for evaluate in (lambda: negative_elbo(model, x, np.random.default_rng(0)),
                     lambda: iwae_nll(model, x, 2, np.random.default_rng(0))):
        with pytest.raises(ValueError, match="evaluation images contain NaN or infinite"):
            evaluate()
