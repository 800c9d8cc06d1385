"""A folder of IDX files laid out like MNIST's: Fashion-MNIST, KMNIST, EMNIST, your own.

These datasets ship as pairs of IDX files (``npvae.datasets.idx``) named for their split
and content, sometimes with a prefix, gzipped or not::

    train-images-idx3-ubyte.gz   train-labels-idx1-ubyte.gz      (MNIST, Fashion-MNIST,
    t10k-images-idx3-ubyte.gz    t10k-labels-idx1-ubyte.gz        KMNIST)
    emnist-letters-train-images-idx3-ubyte   emnist-letters-test-images-idx3-ubyte  (EMNIST)

A file is recognised by its name: ``[PREFIX-](train|t10k|test)-(images|labels)-idx<d>-ubyte``
with an optional ``.gz``. The labels are optional, and so is the test pair (then the
caller holds some training images out). Images may be any size: (N, H, W) arrays, or
(N, H, W, C) with 1 or 3 channels. (EMNIST stores each image transposed; it is read as
stored.)
"""
import os
import re
from pathlib import Path

import numpy as np

from npvae.datasets.idx import IDXError, read_idx

IDX_NAME = re.compile(r"(?:(?P<prefix>.+)-)?(?P<split>train|t10k|test)-(?P<content>images|labels)"
                      r"-idx\d-ubyte(?:\.gz)?")


def find_idx_files(folder):
    """{(split, content): path} of the IDX files in ``folder``, split "train" or "test",
    content "images" or "labels"; {} if it holds none. A folder holding two sets (two
    prefixes, or a file both gzipped and not) is an ``IDXError``."""
    matches = [(path, IDX_NAME.fullmatch(path.name)) for path in sorted(Path(folder).iterdir())]
    matches = [(path, match) for path, match in matches if match and path.is_file()]
    prefixes = {match["prefix"] for _, match in matches}
    if len(prefixes) > 1:
        names = ", ".join(sorted(p or "(none)" for p in prefixes))
        raise IDXError(f"{folder} holds IDX files of several sets (prefixes {names}); point "
                       f"--data at a folder holding one set")
    found = {}
    for path, match in matches:
        split = "train" if match["split"] == "train" else "test"
        key = (split, match["content"])
        if key in found:
            raise IDXError(f"{folder}: two files hold the {split} {match['content']} "
                           f"({found[key].name} and {path.name}); keep one")
        found[key] = path
    return found


def load_idx_folder(folder):
    """Read an IDX folder: {"train": (images, labels), "test": (images, labels)}, images
    (N, H, W, C) uint8, labels (N,) integers or None; no "test" key without test images."""
    files = find_idx_files(folder)
    if ("train", "images") not in files:
        raise IDXError(f"{folder} holds IDX files but no training images: expected a file "
                       f"named like train-images-idx3-ubyte[.gz]")
    splits = {}
    for split in ("train", "test"):
        if (split, "images") not in files:
            continue
        images = _images(files[(split, "images")])
        labels = files.get((split, "labels"))
        splits[split] = (images, None if labels is None else _labels(labels, len(images)))
    if "test" in splits and splits["test"][0].shape[1:] != splits["train"][0].shape[1:]:
        raise IDXError(f"{folder}: the training images are {_shape(splits['train'][0])} but "
                       f"the test images {_shape(splits['test'][0])}; they must match")
    return splits


def _images(path):
    images = read_idx(path)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise IDXError(f"{os.fspath(path)}: expected images, N x H x W (or N x H x W x 1|3) "
                       f"uint8, received {'x'.join(map(str, images.shape))} "
                       f"{images.dtype.name}")
    if len(images) == 0:
        raise IDXError(f"{os.fspath(path)} holds no images")
    return images


def _labels(path, count):
    labels = read_idx(path)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise IDXError(f"{os.fspath(path)}: expected labels, N integers (1 dim), received "
                       f"{'x'.join(map(str, labels.shape))} {labels.dtype.name}")
    if len(labels) != count:
        raise IDXError(f"{os.fspath(path)} holds {len(labels)} labels for {count} images; "
                       f"they must match one to one")
    return labels


def _shape(images):
    return "x".join(map(str, images.shape[1:]))
