"""Resuming training is exact: a run stopped anywhere, even by SIGKILL, ends bit-identical.

Every test trains the small VAE of ``train_script.py`` (the full 28x28 input, narrow layers)
on 300 MNIST images for 2 epochs of 10 steps (the last batch a partial one of 12 images),
evaluating on 200 test images: a whole run takes about a second.

The reference is one uninterrupted run. A run that is interrupted (by an exception in this
process, or by SIGKILL in another) and then resumed must end with the same weights, bit for
bit, the same optimizer slots, the same random generator states and the same history (all
but the wall-clock ``seconds`` of each epoch).
"""
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from train_script import SMALL_MODEL, build_trainer

import npvae.training.trainer
from npvae.models import VAE
from npvae.storage.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from npvae.training.trainer import TrainConfig, Trainer, load_model

SCRIPT = Path(__file__).with_name("train_script.py")
SEED = 7
STEPS_PER_EPOCH = 10
EPOCHS = 2
KILL_TIMEOUT = 60  # seconds to wait for a subprocess to reach its pause point

# What may lie in a run's folder besides the finished files: the temporary files of writers
# that were killed. Everything else must be whole.
# Every file of a run is written by npvae.storage.atomic.atomic_write, through one of these names.
TEMPORARY_NAMES = re.compile(r"\.(checkpoint\.npz|loss_curve\.png|history\.json|history\.csv)"
                             r"\.tmp-[0-9a-f]{16}")
PNG_START, PNG_END = b"\x89PNG\r\n\x1a\n", b"IEND\xaeB`\x82"


class Interrupted(Exception):
    """Raised inside a run to stop it, as a crash or a Ctrl-C would."""


# --------------------------------------------------------------------------- fixtures


pytestmark = pytest.mark.usefixtures("no_loss_curve")



@pytest.fixture(scope="module")
def data_file(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "small_mnist.npz"
    np.savez(path, x_train=data[0], x_test=data[1])
    return path


@pytest.fixture(scope="module")
def reference(data, tmp_path_factory):
    """The uninterrupted run: its trainer, after fit."""
    return train(data, tmp_path_factory.mktemp("reference"), SEED, checkpoint_every=1)


def train(data, out_dir, seed, epochs=EPOCHS, checkpoint_every=None):
    trainer = build_trainer(out_dir, seed, epochs, checkpoint_every)
    trainer.fit(*data, progress=False)
    return trainer


# --------------------------------------------------------------------------- comparisons


def assert_bit_identical(expected, actual, what):
    """Two dicts of arrays hold the same keys, dtypes, shapes and bytes."""
    assert sorted(actual) == sorted(expected), f"{what}: different keys"
    differ = [key for key in expected
              if actual[key].dtype != expected[key].dtype
              or actual[key].shape != expected[key].shape
              or actual[key].tobytes() != expected[key].tobytes()]
    assert not differ, f"{what}: {len(differ)} of {len(expected)} arrays differ: {differ}"


def without_seconds(history):
    return [{k: v for k, v in record.items() if k != "seconds"} for record in history]


def assert_same_run(expected, actual):
    """Everything the two trainers will ever compute from here on is the same."""
    assert_bit_identical(expected.model.weights(), actual.model.weights(), "weights")
    assert_bit_identical(expected.optimizer.state_dict(), actual.optimizer.state_dict(),
                         "optimizer state")
    assert without_seconds(actual.history) == without_seconds(expected.history)
    now, then = actual.state, expected.state
    assert (now.epoch, now.step_in_epoch) == (then.epoch, then.step_in_epoch)
    assert now.data_rng.bit_generator.state == then.data_rng.bit_generator.state
    assert (actual.model.sampling.rng.bit_generator.state
            == expected.model.sampling.rng.bit_generator.state)


def assert_same_checkpoint(expected_path, actual_path):
    expected_arrays, expected_meta = load_checkpoint(expected_path)
    actual_arrays, actual_meta = load_checkpoint(actual_path)
    assert_bit_identical(expected_arrays, actual_arrays, f"arrays of {actual_path}")
    for meta in (expected_meta, actual_meta):
        meta["history"] = without_seconds(meta["history"])
        meta["train"].pop("checkpoint_every")
    assert actual_meta == expected_meta


# --------------------------------------------------------------------------- same seed


def test_same_seed_same_run_and_another_seed_another(data, reference, tmp_path):
    again = train(data, tmp_path / "again", SEED)
    assert_same_run(reference, again)
    assert len(again.history) == EPOCHS

    other = train(data, tmp_path / "other", SEED + 1)
    weights, other_weights = reference.model.weights(), other.model.weights()
    assert all(not np.array_equal(weights[k], other_weights[k]) for k in weights
               if not k.endswith("/b")), "a weight matrix came out the same with another seed"
    assert without_seconds(other.history) != without_seconds(reference.history)


# --------------------------------------------------------------------------- in-process


def stop_at_step(trainer, step):
    """Make ``trainer`` raise Interrupted just before its ``step``-th optimizer step."""
    compute = trainer.model.forward
    calls = {"n": 0}

    def forward(x, *args, **kwargs):
        calls["n"] += "eps" not in kwargs  # the loop's model(batch, labels), not an evaluation
        if calls["n"] == step:
            raise Interrupted(f"stopped before step {step}")
        return compute(x, *args, **kwargs)
    trainer.model.forward = forward


# (checkpoint_every, stop before step, (epoch, step_in_epoch) in the checkpoint resumed from)
STOPS = {
    "mid-epoch-1": (3, 5, (0, 3)),
    "mid-epoch-2, steps redone": (4, 16, (1, 2)),   # saved at step 12: 13-15 done twice
    "epoch boundary": (None, 13, (1, 0)),           # only the end-of-epoch save
}


@pytest.mark.parametrize("name", STOPS)
def test_resume_after_an_exception_is_exact(name, data, reference, tmp_path):
    every, stop, saved_at = STOPS[name]
    stopped = build_trainer(tmp_path, SEED, EPOCHS, every)
    stop_at_step(stopped, stop)
    with pytest.raises(Interrupted):
        stopped.fit(*data, progress=False)

    resumed = Trainer.resume(tmp_path / "checkpoint.npz")
    assert (resumed.state.epoch, resumed.state.step_in_epoch) == saved_at
    assert resumed.optimizer.iterations == saved_at[0] * STEPS_PER_EPOCH + saved_at[1]
    history = resumed.fit(*data, progress=False)
    assert history is resumed.history
    assert_same_run(reference, resumed)  # the partial epoch's train sums are in the history
    assert_same_checkpoint(reference.checkpoint_path, resumed.checkpoint_path)


def test_resume_from_a_save_after_the_last_step_before_the_evaluation(
        data, reference, tmp_path, monkeypatch):
    """checkpoint_every=5 saves after step 10, the epoch's last, with the epoch not finished."""
    stopped = build_trainer(tmp_path, SEED, EPOCHS, 5)

    def evaluation_crashes(*args, **kwargs):
        raise Interrupted("stopped in the end-of-epoch evaluation")
    monkeypatch.setattr(npvae.training.trainer, "negative_elbo", evaluation_crashes)
    with pytest.raises(Interrupted):
        stopped.fit(*data, progress=False)
    monkeypatch.undo()

    resumed = Trainer.resume(tmp_path / "checkpoint.npz")
    assert (resumed.state.epoch, resumed.state.step_in_epoch) == (0, STEPS_PER_EPOCH)
    assert resumed.state.order is not None
    resumed.fit(*data, progress=False)
    assert_same_run(reference, resumed)


def test_resuming_a_finished_run_changes_nothing(data, reference, tmp_path):
    shutil.copy(reference.checkpoint_path, tmp_path / "checkpoint.npz")
    resumed = Trainer.resume(tmp_path / "checkpoint.npz")
    assert resumed.fit(*data, progress=False) == reference.history  # seconds too: restored
    assert_same_run(reference, resumed)


def test_resume_with_more_epochs_continues_as_if_never_stopped(data, reference, tmp_path):
    shutil.copy(reference.checkpoint_path, tmp_path / "checkpoint.npz")
    resumed = Trainer.resume(tmp_path / "checkpoint.npz", epochs=3)
    assert resumed.config.epochs == 3
    history = resumed.fit(*data, progress=False)
    assert [r["epoch"] for r in history] == [1, 2, 3]
    assert history[:2] == reference.history
    assert resumed.optimizer.iterations == 3 * STEPS_PER_EPOCH

    longer = train(data, tmp_path / "three_epochs", SEED, epochs=3)
    assert_same_run(longer, resumed)
    assert load_checkpoint(tmp_path / "checkpoint.npz")[1]["epoch"] == 3


def test_a_checkpoint_from_before_beta_warmup_and_points_still_resumes(data, reference,
                                                                      tmp_path):
    """Checkpoints written before VAE(beta=...), TrainConfig(lr_warmup=...) and the points
    within epochs existed hold none of them; they resume with the defaults."""
    arrays, meta = load_checkpoint(reference.checkpoint_path)
    del meta["model"]["beta"], meta["train"]["lr_warmup"], meta["points"]
    save_checkpoint(tmp_path / "checkpoint.npz", arrays, meta)
    resumed = Trainer.resume(tmp_path / "checkpoint.npz", epochs=3)
    assert (resumed.model.beta, resumed.config.lr_warmup, resumed.points) == (1.0, 0, [])
    assert resumed.fit(*data, progress=False)[:2] == reference.history


def test_resume_keeps_the_model_dtype(tmp_path):
    model = VAE(seed=SEED, dtype=np.float64, **SMALL_MODEL)
    trainer = Trainer(model, TrainConfig(seed=SEED), tmp_path)
    trainer.save()
    resumed = Trainer.resume(trainer.checkpoint_path)
    assert resumed.model.dtype == np.float64
    assert_bit_identical(model.weights(), resumed.model.weights(), "weights")


# --------------------------------------------------------------------------- other architecture


@pytest.fixture
def latent_checkpoints(reference, tmp_path):
    """(arrays, meta) of a latent_dim=2 checkpoint (the reference's) and of a latent_dim=3 one."""
    latent_2 = load_checkpoint(reference.checkpoint_path)
    other = Trainer(VAE(latent_dim=3, seed=SEED, **SMALL_MODEL), reference.config,
                    tmp_path / "latent_3")
    other.model(np.zeros((1, 28, 28, 1), np.float32))
    other.model.backward()
    other.optimizer.step(other.model.named_layers())  # so that it has optimizer slots too
    latent_3 = load_checkpoint(other.save())
    return {2: latent_2, 3: latent_3}


@pytest.mark.parametrize("weights_of, meta_of", [(3, 2), (2, 3)])
@pytest.mark.parametrize("load", ["Trainer.resume", "load_model"])
def test_weights_of_another_architecture_are_refused_clearly(
        latent_checkpoints, weights_of, meta_of, load, tmp_path):
    arrays, meta = latent_checkpoints[weights_of][0], latent_checkpoints[meta_of][1]
    assert meta["model"]["latent_dim"] == meta_of
    path = save_checkpoint(tmp_path / "mixed.npz", arrays, meta)
    with pytest.raises(CheckpointError) as error:
        Trainer.resume(path) if load == "Trainer.resume" else load_model(path)
    message = str(error.value)
    assert str(path) in message
    assert "z_mean/W" in message
    assert f"(16, {weights_of})" in message and f"(16, {meta_of})" in message


@pytest.mark.parametrize("damage", ["wrong shape", "missing"])
def test_optimizer_slots_that_do_not_fit_the_model_are_refused_clearly(
        latent_checkpoints, damage, tmp_path):
    arrays, meta = latent_checkpoints[2]
    slot = "optim/encoder/z_mean/W/ms"
    if damage == "wrong shape":
        arrays[slot] = latent_checkpoints[3][0][slot]
    else:
        del arrays[slot]
    path = save_checkpoint(tmp_path / "damaged.npz", arrays, meta)
    with pytest.raises(CheckpointError, match=re.escape(str(path))):
        Trainer.resume(path)


# --------------------------------------------------------------------------- SIGKILL


def start(data_file, out_dir, *args):
    log = open(Path(out_dir).with_name(Path(out_dir).name + ".log"), "w")
    with log:
        return subprocess.Popen([sys.executable, str(SCRIPT), str(data_file), str(out_dir),
                                 "--seed", str(SEED), "--epochs", str(EPOCHS),
                                 "--checkpoint-every", "1", *args],
                                stdout=log, stderr=subprocess.STDOUT)


def kill_when_paused(process, marker):
    """Wait for the subprocess to reach its pause point, SIGKILL it there; where it was."""
    deadline = time.monotonic() + KILL_TIMEOUT
    while not marker.exists():
        if process.poll() is not None:
            pytest.fail(f"the training subprocess ended (code {process.returncode}) "
                        f"before its pause point; see {process.args[3]}.log")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the training subprocess did not reach its pause in {KILL_TIMEOUT} s")
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL
    return json.loads(marker.read_text())


def check_run_folder(out_dir):
    """Every file in ``out_dir`` is whole, or a recognised temporary; returns the temporaries
    and the checkpoint's (arrays, meta)."""
    temporaries, checkpoint, history = [], None, None
    for path in sorted(Path(out_dir).iterdir()):
        if TEMPORARY_NAMES.fullmatch(path.name):
            temporaries.append(path)
        elif path.name == "checkpoint.npz":
            checkpoint = load_checkpoint(path)  # raises CheckpointError if half-written
        elif path.name == "history.json":
            history = json.loads(path.read_text())
        elif path.name == "history.csv":
            with open(path, newline="") as f:
                rows = list(csv.DictReader(f))
            assert all(None not in row and None not in row.values() for row in rows), path
        elif path.name == "loss_curve.png":
            picture = path.read_bytes()
            assert picture.startswith(PNG_START) and picture.endswith(PNG_END), path
        else:
            pytest.fail(f"unexpected file in the run folder: {path.name}")
    assert checkpoint is not None, "the kill left no checkpoint"
    if history is not None:  # written after the checkpoint: never ahead of it
        assert history == checkpoint[1]["history"][:len(history)]
    return temporaries, checkpoint


def resume_in_process(data, out_dir):
    resumed = Trainer.resume(Path(out_dir) / "checkpoint.npz")
    resumed.fit(*data, progress=False)
    return resumed


# pause point -> (epoch, step_in_epoch) of the checkpoint on disk after the kill. Saves are
# counted in the subprocess: with checkpoint_every=1, save k is after step k for k <= 10,
# save 11 is the end of epoch 1, save 12 is after step 11 (the first of epoch 2), ...
KILL_POINTS = {
    "after-save:4": (0, 4),      # mid-epoch, right after a checkpoint
    "epoch-end:1": (1, 0),       # at the epoch boundary, history written
    "in-write:7": (0, 6),        # the 7th checkpoint half-written: the 6th stays
    "before-rename:11": (0, 10),  # end-of-epoch checkpoint whole but not renamed into place
    "in-history:1": (1, 0),      # between the end-of-epoch checkpoint and its history.json
}


@pytest.mark.parametrize("point", KILL_POINTS)
def test_sigkill_at_a_chosen_point_then_resume_is_exact(
        point, data, data_file, reference, tmp_path):
    out_dir, marker = tmp_path / "run", tmp_path / "paused.json"
    where = kill_when_paused(start(data_file, out_dir, "--pause", point, "--marker",
                                   str(marker)), marker)
    temporaries, (_, meta) = check_run_folder(out_dir)
    assert (meta["epoch"], meta["step_in_epoch"]) == KILL_POINTS[point]

    if point.startswith(("in-write", "before-rename")):
        # The kill really landed inside the write: the temporary file is there beside the
        # previous checkpoint, half-written or whole but never renamed into place.
        temporary = Path(where["temporary"])
        assert temporaries == [temporary]
        if point.startswith("in-write"):
            with pytest.raises(CheckpointError):
                load_checkpoint(temporary)
        else:
            assert load_checkpoint(temporary)[1]["epoch"] == 1

    resumed = resume_in_process(data, out_dir)
    assert_same_run(reference, resumed)
    assert_same_checkpoint(reference.checkpoint_path, out_dir / "checkpoint.npz")
    # The killed writer's temporary is ignored (left for remove_stale_temporaries), and the
    # resumed run adds none of its own.
    assert set(check_run_folder(out_dir)[0]) <= set(temporaries)
    assert without_seconds(json.loads((out_dir / "history.json").read_text())) == \
        without_seconds(reference.history)


@pytest.mark.parametrize("delay", [0.05, 0.5])
def test_sigkill_at_an_unplanned_moment_then_resume_is_exact(
        delay, data, data_file, reference, tmp_path):
    """No pause: the kill lands wherever the run is ``delay`` s after its first checkpoint."""
    out_dir = tmp_path / "run"
    process = start(data_file, out_dir)
    deadline = time.monotonic() + KILL_TIMEOUT
    while not (out_dir / "checkpoint.npz").exists() and time.monotonic() < deadline:
        assert process.poll() is None, f"the training subprocess ended ({process.returncode})"
        time.sleep(0.005)
    time.sleep(delay)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)

    temporaries, (_, meta) = check_run_folder(out_dir)
    print(f"killed {delay} s after the first checkpoint: exit code {process.returncode}, "
          f"checkpoint at epoch {meta['epoch']} step {meta['step_in_epoch']}, "
          f"temporaries {[p.name for p in temporaries]}")  # shown by pytest -rP
    resumed = resume_in_process(data, out_dir)
    assert_same_run(reference, resumed)
    assert_same_checkpoint(reference.checkpoint_path, out_dir / "checkpoint.npz")


def test_a_resumed_run_killed_again_still_ends_exact(data, data_file, reference, tmp_path):
    """Killed while writing step 3's checkpoint; resumed in a new process and killed again
    while writing the end-of-epoch-1 checkpoint; resumed in this one."""
    out_dir, marker = tmp_path / "run", tmp_path / "paused.json"
    kill_when_paused(start(data_file, out_dir, "--pause", "in-write:3", "--marker", str(marker)),
                     marker)
    assert check_run_folder(out_dir)[1][1]["step_in_epoch"] == 2
    marker.unlink()

    # Resumed after step 2, this process saves after steps 3..10 (saves 1..8), then the end
    # of epoch 1 (save 9).
    where = kill_when_paused(start(data_file, out_dir, "--resume", "--pause", "in-write:9",
                                   "--marker", str(marker)), marker)
    assert (where["epoch"], where["iterations"]) == (1, STEPS_PER_EPOCH)
    temporaries, (_, meta) = check_run_folder(out_dir)
    assert len(temporaries) == 2
    assert (meta["epoch"], meta["step_in_epoch"]) == (0, STEPS_PER_EPOCH)

    resumed = resume_in_process(data, out_dir)
    assert_same_run(reference, resumed)
    assert_same_checkpoint(reference.checkpoint_path, out_dir / "checkpoint.npz")


def test_history_files_catch_up_after_a_kill_before_the_last_history_write(
        data, data_file, reference, tmp_path):
    out_dir, marker = tmp_path / "run", tmp_path / "paused.json"
    kill_when_paused(start(data_file, out_dir, "--pause", f"in-history:{EPOCHS}", "--marker",
                           str(marker)), marker)
    _, (_, meta) = check_run_folder(out_dir)
    assert meta["epoch"] == EPOCHS  # the checkpoint is final, history.json is not

    resumed = resume_in_process(data, out_dir)
    assert_same_run(reference, resumed)
    on_disk = json.loads((out_dir / "history.json").read_text())
    assert without_seconds(on_disk) == without_seconds(reference.history)
