"""What the commands share: argparse types, the shared options and what they mean, the
error a command raises for a problem the user can fix.

The types only *parse* (text to a number); whether a number is allowed is checked by the
code that owns the value (``TrainConfig``, ``VAE``, ``npvae.report``, ...), whose one-line
ValueError the command line reports with exit code 2.
"""
import argparse
import inspect
import os
from pathlib import Path

from npvae.datasets import as_float_images, load_data, reload_data
from npvae.models import VAE
from npvae.models.trained import checkpoint_path, is_shipped
from npvae.trainer import TrainConfig, data_description, load_model

PROG = "npvae"
MODEL_DEFAULTS = {name: parameter.default
                  for name, parameter in inspect.signature(VAE).parameters.items()}
TRAIN_DEFAULTS = TrainConfig()   # the book's training settings


class CommandError(Exception):
    """A problem the user can fix (a missing file, a bad path): one line, exit code 2."""


# --------------------------------------------------------------------------- types

def whole_number(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def number(text):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


# --------------------------------------------------------------------------- shared options

def add_checkpoint(parser):
    parser.add_argument("--checkpoint", type=checkpoint_path, required=True, metavar="PATH",
                        help="a checkpoint.npz written by 'npvae train', or a model shipped "
                             "with npvae: 'book' or 'conditional'")


def picture_folder(checkpoint):
    """Where a picture goes by default: beside the checkpoint, or for a shipped model
    (inside the installed package) the current folder."""
    return Path(".") if is_shipped(checkpoint) else checkpoint.parent


def add_test_limit(parser, what="use"):
    parser.add_argument("--limit", type=whole_number, metavar="N",
                        help=f"{what} the first N test images only (default: all of them)")


def load_checkpoint_model(checkpoint):
    """The model stored in ``checkpoint``; CommandError if there is no such file."""
    if not checkpoint.is_file():
        raise CommandError(f"no checkpoint file at {checkpoint}"
                           + (" (that is a folder: give the checkpoint.npz inside it)"
                              if checkpoint.is_dir() else ""))
    return load_model(checkpoint)


def test_set(checkpoint, limit=None):
    """The test images (float in [0, 1]) of the data a checkpoint's run was trained on
    (its record of it; the shipped MNIST for a checkpoint that has none), their labels
    (or None) and the labels' names, the first ``limit`` of each (all for None)."""
    if limit is not None and limit < 1:
        raise CommandError(f"--limit must be at least 1 (a number of test images); got {limit}")
    data = reloaded_data(data_description(checkpoint), progress=False)
    labels = None if data.y_test is None else data.y_test[:limit]
    return as_float_images(data.x_test[:limit]), labels, data.description["label_names"]


def reloaded_data(description, progress):
    """The data a run was trained on, from the checkpoint's record (None: shipped MNIST)."""
    if description is None:
        return load_data(progress=progress)
    return reload_data(description, progress=progress)


def check_writable_folder(folder, target):
    """Raise CommandError unless ``folder`` (to hold ``target``) is writable or creatable."""
    existing = Path(os.path.abspath(folder))
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise CommandError(f"cannot write {target}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CommandError(f"cannot write {target}: no permission to write in {existing}")


def print_paths(*paths):
    for path in paths:
        print(f"wrote {path}", flush=True)
