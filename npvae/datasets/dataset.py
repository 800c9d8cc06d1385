"""Any data npvae trains on: ``load_data(path)`` for MNIST, an IDX folder or a picture folder.

What comes back is always the same: uint8 images (N, H, W, C) for training and for
testing (the training loop scales each batch to [0, 1]), their labels or None, and a
``description``: a small dict, saved in the checkpoint, that says where the data came
from and how it was split. ``reload_data(description)`` loads the same images with the
same split again, so that a resumed run, ``evaluate`` and the pictures see the data the
run was trained on.

The test set is the data's own when it has one (MNIST's t10k files, an IDX folder's
test files, a picture folder's ``test/`` subfolder). Otherwise a fraction of the
images is held out, chosen by a permutation drawn from ``numpy.random.default_rng(seed)``:
the same seed and the same files give the same split.
"""
import dataclasses
import os
from pathlib import Path

import numpy as np

from npvae.datasets import resize
from npvae.datasets.idx_folder import find_idx_files, load_idx_folder
from npvae.datasets.image_folder import load_image_folder
from npvae.datasets.mnist import load_mnist

SKIPPED_SHOWN = 3  # how many unreadable files a description names


@dataclasses.dataclass
class Dataset:
    """Training and test images, (N, H, W, C) uint8; labels (N,) integers or None."""

    x_train: np.ndarray
    y_train: np.ndarray | None
    x_test: np.ndarray
    y_test: np.ndarray | None
    description: dict


def load_data(path=None, image_size=None, channels=None, test_fraction=0.1, seed=0,
              progress=True, cache_dir=None):
    """Load the images at ``path`` for training and testing.

    Args:
        path: None for the MNIST shipped with npvae; a folder of IDX files named like
            MNIST's (``npvae.datasets.idx_folder``); or a folder of PNG, JPEG, BMP or GIF
            pictures, subfolders' names taken as labels (``npvae.datasets.image_folder``).
        image_size: None (keep the images' size: then they must all have one), N, (H, W)
            or "HxW": crop each image about its centre to that aspect ratio, then resize
            with Pillow's LANCZOS filter. Sides even and at least 8.
        channels: 1 (grayscale) or 3 (RGB); None: 1 if every image is grayscale, else 3.
        test_fraction, seed: the hold-out, for data without a test set of its own.
        progress: show a progress bar while pictures are decoded.
        cache_dir: where a picture folder's decoded array is cached (default: a hidden
            ``.npvae-cache`` folder inside it).

    Returns:
        a ``Dataset``.
    """
    size = resize.image_size(image_size)
    if channels not in (None, 1, 3):
        raise ValueError(f"channels must be 1 (grayscale) or 3 (colour); got {channels!r}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"the test fraction must be between 0 and 1; got {test_fraction}")
    options = {"path": None if path is None else os.path.abspath(path),
               "image_size": None if size is None else list(size), "channels": channels,
               "test_fraction": float(test_fraction), "seed": int(seed)}
    if path is None:
        (x, y), (x_test, y_test) = load_mnist()
        found = {"kind": "mnist", "train": (x, y), "test": (x_test, y_test)}
    else:
        found = _load_folder(_folder(path), size, channels, progress, cache_dir)
    return _split(found, size, channels, options)


def _folder(path):
    folder = Path(path)
    if not folder.exists():
        raise FileNotFoundError(f"no folder at {folder}: --data takes a folder of pictures "
                                f"or of IDX files")
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is a file, not a folder: --data takes a folder "
                                 f"of pictures or of IDX files (put a lone file in a folder)")
    return folder


def _load_folder(folder, size, channels, progress, cache_dir):
    """{"kind", "train": (x, y), "test": (x, y) or absent, ...} from a folder."""
    if find_idx_files(folder):
        return {"kind": "idx folder", **load_idx_folder(folder)}
    pictures = load_image_folder(folder, size, channels, progress, cache_dir)
    x, labels, n_train = pictures["x"], pictures["labels"], len(pictures["x"]) - pictures["n_test"]
    found = {"kind": "image folder", "label_names": pictures["label_names"],
             "skipped": pictures["skipped"], "cache": os.fspath(pictures["cache"]),
             "train": (x[:n_train], None if labels is None else labels[:n_train])}
    if pictures["n_test"]:
        found["test"] = (x[n_train:], None if labels is None else labels[n_train:])
    return found


def _split(found, size, channels, options):
    """The Dataset: images fitted to size and channels, the test set taken or held out."""
    x, y = found["train"]
    x = resize.fit_images(x, size, channels)
    resize.check_model_size(x.shape[1:3], f"the images' size (in {options['path'] or 'MNIST'})")
    if "test" in found:
        x_test, y_test = found["test"]
        x_test = resize.fit_images(x_test, size, channels)
        split = {"rule": "the data's own test set"}
    else:
        x, y, x_test, y_test = hold_out(x, y, options["test_fraction"], options["seed"])
        split = {"rule": "hold-out", "test_fraction": options["test_fraction"],
                 "seed": options["seed"]}
    split.update(train=len(x), test=len(x_test))
    skipped = found.get("skipped", [])
    description = {"kind": found["kind"], "path": options["path"],
                   "shape": [int(s) for s in x.shape[1:]], "split": split,
                   "label_names": found.get("label_names"),
                   "skipped": {"count": len(skipped), "first": skipped[:SKIPPED_SHOWN]},
                   "cache": found.get("cache"), "options": options}
    return Dataset(x, y, x_test, y_test, description)


def hold_out(x, y, fraction, seed):
    """Split (x, y) into training and test parts: round(fraction * N) images, at least
    one, chosen by ``default_rng(seed)``; both parts keep the images' order."""
    if len(x) < 2:
        raise ValueError(f"{len(x)} image is too few to hold some out for testing: add "
                         f"pictures, or a test/ folder")
    n_test = min(len(x) - 1, max(1, round(fraction * len(x))))
    is_test = np.zeros(len(x), bool)
    is_test[np.random.default_rng(seed).permutation(len(x))[:n_test]] = True
    labels = (None, None) if y is None else (y[~is_test], y[is_test])
    return x[~is_test], labels[0], x[is_test], labels[1]


def reload_data(description, progress=True, cache_dir=None):
    """The Dataset a ``description`` (from ``load_data``) was made from: the same images,
    the same split. A ``ValueError`` if the data changed on disk since, or moved."""
    path = description["options"].get("path")
    if path is not None and not Path(path).is_dir():
        raise ValueError(f"this run was trained on the pictures in {path}, which are no longer "
                         f"there: put them back (the checkpoint records that folder and "
                         f"how it was split)")
    data = load_data(**description["options"], progress=progress, cache_dir=cache_dir)
    then, now = description, data.description
    if then["shape"] != now["shape"] or then["split"] != now["split"]:
        raise ValueError(f"the data at {then['path'] or 'MNIST'} changed since this run began "
                         f"({_counts(then)} then, {_counts(now)} now): restore it, or start "
                         f"a new run")
    return data


def summary_line(description):
    """One line for people: what the data is, its size and split, what was skipped."""
    d, split = description, description["split"]
    where = "MNIST (shipped)" if d["kind"] == "mnist" else f"{d['kind']} {d['path']}"
    rule = ("its own test set" if split["rule"] != "hold-out" else
            f"{split['test_fraction']:.0%} held out, seed {split['seed']}")
    labels = f", {len(d['label_names'])} labels" if d.get("label_names") else ""
    line = f"{where}: {_counts(d)} ({rule}){labels}"
    if d["skipped"]["count"]:
        line += (f"; skipped {d['skipped']['count']} unreadable files "
                 f"({', '.join(d['skipped']['first'])}"
                 f"{', ...' if d['skipped']['count'] > SKIPPED_SHOWN else ''})")
    return line


def _counts(description):
    h, w, c = description["shape"]
    split = description["split"]
    return f"{split['train']:,} training and {split['test']:,} test images of {h}x{w}x{c}"
