"""What the commands read and write: a checkpoint's model, its run's test images, the
folder a result goes to, the line that says where it went."""
import os
from pathlib import Path

from npvae.cli.errors import UsageError, users_values
from npvae.datasets import as_float_images, load_data, reload_data
from npvae.models.trained import is_shipped
from npvae.pictures.report import decoder
from npvae.training.trainer import data_description, load_model


def load_checkpoint_model(checkpoint, fast=True):
    """The model stored in ``checkpoint`` (``fast``: ``load_model``'s); UsageError if there
    is no such file."""
    if not checkpoint.is_file():
        raise UsageError(f"no checkpoint file at {checkpoint}"
                         + (" (that is a folder: give the checkpoint.npz inside it)"
                            if checkpoint.is_dir() else ""))
    return load_model(checkpoint, fast)


def picture_folder(checkpoint):
    """Where a picture goes by default: beside the checkpoint, or for a shipped model
    (inside the installed package) the current folder."""
    return Path(".") if is_shipped(checkpoint) else checkpoint.parent


def test_set(checkpoint, limit=None):
    """The test images (float in [0, 1]) of the data a checkpoint's run was trained on
    (its record of it; the shipped MNIST for a checkpoint that has none), their labels
    (or None) and the labels' names, the first ``limit`` of each (all for None)."""
    check_test_limit(limit)
    data = reloaded_data(data_description(checkpoint), progress=False)
    labels = None if data.y_test is None else data.y_test[:limit]
    return as_float_images(data.x_test[:limit]), labels, data.description["label_names"]


def check_test_limit(limit):
    if limit is not None and limit < 1:
        raise UsageError(f"--test-limit must be at least 1 (a number of test images); "
                         f"got {limit}")


def reloaded_data(description, progress):
    """The data a run was trained on, from the checkpoint's record (None: shipped MNIST);
    what is wrong with a folder of the user's is theirs to fix (moved, changed)."""
    if description is None:
        return load_data(progress=progress)
    with users_values():
        return reload_data(description, progress=progress)


def check_label(model, label):
    """UsageError unless the decoder can draw ``label`` (--label, or None): none for an
    unconditional model, one of its labels for a conditional one. The decoder's own
    check, before any work."""
    with users_values():
        decoder(model, label)


def check_writable_folder(folder, target):
    """Raise UsageError unless ``folder`` (to hold ``target``) is writable or creatable."""
    existing = Path(os.path.abspath(folder))
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"cannot write {target}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write {target}: no permission to write in {existing}")


def print_paths(*paths):
    for path in paths:
        print(f"wrote {path}", flush=True)
