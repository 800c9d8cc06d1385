"""A training run in its own process, for tests/test_resume.py to kill with SIGKILL.

    python tests/train_script.py DATA OUT_DIR [--resume] [--seed S] [--epochs E]
                                 [--checkpoint-every C] [--pause POINT:N --marker PATH]

DATA is an ``.npz`` with ``x_train`` and ``x_test`` (a small slice of MNIST, so that the
process does not spend its time reading the full data set). Without ``--resume`` a fresh
run of the tests' small VAE is trained into OUT_DIR; with it, OUT_DIR/checkpoint.npz is
resumed and trained to the end.

``--pause`` makes the kill land at a chosen moment. When the process reaches the point, it
writes a JSON description of where it is to ``--marker`` and then sleeps, so the test can
kill it there. The points (N counts from 1, in this process):

    after-save:N     the N-th checkpoint save has just finished
    epoch-end:N      epoch N has been completed, saved and its history written
    in-write:N       halfway through writing the N-th checkpoint's temporary file
    before-rename:N  the N-th checkpoint's temporary file is whole and synced, not renamed
    in-history:N     the N-th history.json is written to its temporary file, not renamed

Only timing changes: what is computed and saved is exactly what an unpaused run does.
This file is a helper, not a test module (its name does not start with ``test_``).
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

import npvae.storage.atomic
import npvae.training.trainer
from npvae.models import VAE
from npvae.training.trainer import TrainConfig, Trainer

# The tests' small model: the full 28x28 input, narrow layers, so a step takes milliseconds.
SMALL_MODEL = dict(encoder_filters=(8, 16, 16, 16), dense_units=16, decoder_filters=8)
LIMIT, BATCH_SIZE = 300, 32  # 10 steps per epoch, the last one a partial batch of 12
PAUSE_SECONDS = 120          # far longer than any test waits: the test kills us first


def build_trainer(out_dir, seed, epochs, checkpoint_every, lr=1e-3):
    """The run every resume test compares against, built the same way in and out of process."""
    config = TrainConfig(epochs=epochs, batch_size=BATCH_SIZE, limit=LIMIT, seed=seed,
                         checkpoint_every=checkpoint_every, lr=lr)
    return Trainer(VAE(seed=seed, **SMALL_MODEL), config, out_dir)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("out_dir")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--checkpoint-every", type=int, default=1)
    parser.add_argument("--pause", default=None, help="POINT:N, e.g. in-write:3")
    parser.add_argument("--marker", default=None, help="file written when the pause starts")
    args = parser.parse_args(argv)

    with np.load(args.data) as data:
        x_train, x_test = data["x_train"], data["x_test"]
    if args.resume:
        trainer = Trainer.resume(Path(args.out_dir) / npvae.training.trainer.CHECKPOINT_NAME)
    else:
        trainer = build_trainer(args.out_dir, args.seed, args.epochs, args.checkpoint_every)
    if args.pause:
        point, count = args.pause.split(":")
        install_pause(trainer, point, int(count), Path(args.marker))
    trainer.fit(x_train, x_test, progress=False)
    print(json.dumps({"done": True, "iterations": trainer.optimizer.iterations}))


# --------------------------------------------------------------------------- pause points


def install_pause(trainer, point, count, marker):
    """Patch ``trainer`` (or the module it saves with) so that it pauses at ``point`` #count."""
    calls = {"n": 0}

    def pause(**where):
        where.update(point=point, count=count, iterations=trainer.optimizer.iterations,
                     epoch=trainer.state.epoch,
                     step_in_epoch=trainer.state.step_in_epoch)
        temporary = marker.with_name(marker.name + ".tmp")
        temporary.write_text(json.dumps(where))
        os.replace(temporary, marker)  # the test never reads half a marker
        time.sleep(PAUSE_SECONDS)
        sys.exit("train_script: the pause was not ended by a kill")

    def reached():
        calls["n"] += 1
        return calls["n"] == count

    if point == "after-save":
        save = trainer.save

        def save_then_pause():
            path = save()
            if reached():
                pause()
            return path
        trainer.save = save_then_pause

    elif point == "epoch-end":
        finish_epoch = trainer._finish_epoch

        def finish_epoch_then_pause(*args):
            finish_epoch(*args)
            if reached():
                pause()
        trainer._finish_epoch = finish_epoch_then_pause

    elif point == "in-write":
        # npvae.storage.atomic opens its temporary files with the name ``open``; a module global of
        # that name shadows the builtin for npvae.storage.atomic alone.
        def open_slowly(path, mode, *args, **kwargs):
            file = open(path, mode, *args, **kwargs)
            if _is_checkpoint(path) and reached():
                return PausingFile(file, pause, path)
            return file
        npvae.storage.atomic.open = open_slowly

    elif point in ("before-rename", "in-history"):
        target_name = "checkpoint.npz" if point == "before-rename" else "history.json"

        def replace_after_pause(source, target):
            if Path(target).name == target_name and reached():
                pause(temporary=str(source))
            return os.replace(source, target)
        # A stand-in for ``os`` inside npvae.storage.atomic only; it pauses before one rename.
        npvae.storage.atomic.os = OsWith(replace=replace_after_pause)

    else:
        raise SystemExit(f"train_script: unknown pause point {point!r}")


class PausingFile:
    """A binary file that pauses once half the checkpoint's bytes have been written."""

    PAUSE_AFTER_BYTES = 200_000  # a small-model checkpoint is about 0.5 MB

    def __init__(self, file, pause, path):
        self._file, self._pause, self._path, self._written = file, pause, path, 0

    def write(self, data):
        written = self._file.write(data)
        self._written += len(data)
        if self._written >= self.PAUSE_AFTER_BYTES:
            self._file.flush()  # the bytes so far are in the file, as a kill would find them
            self._pause(temporary=str(self._path), bytes_written=self._written)
        return written

    def __getattr__(self, name):  # tell, seek, flush, fileno, close, ...: the real file's
        return getattr(self._file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._file.close()


def _is_checkpoint(path):
    return Path(path).name.startswith(f".{npvae.training.trainer.CHECKPOINT_NAME}.tmp-")


class OsWith:
    """The ``os`` module, with some functions replaced."""

    def __init__(self, **replacements):
        self.__dict__.update(replacements)

    def __getattr__(self, name):
        return getattr(os, name)


if __name__ == "__main__":
    main()
