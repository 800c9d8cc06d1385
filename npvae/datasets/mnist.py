"""MNIST, read from the original IDX files that ship with npvae.

The data
--------
The MNIST database of handwritten digits is by Yann LeCun, Corinna Cortes and
Christopher J.C. Burges, and is made available under the Creative Commons
Attribution-Share Alike 3.0 licence (CC BY-SA 3.0). npvae ships the four original
files, gzip-compressed, in ``npvae/datasets/mnist_data/``; no network is ever used.

The files are in the IDX format (``npvae.datasets.idx``). Every bad-input error is an
:class:`IDXError`, a ``ValueError``.
"""
import functools
import hashlib
import os
from pathlib import Path

import numpy as np

from npvae.datasets.idx import IDXError, gunzip_if_gzipped, parse_idx, read_idx
from npvae.datasets.pixels import as_float_images

SHIPPED_DIR = Path(__file__).parent / "mnist_data"

# SHA-256 of each shipped file *after* decompression (the bytes of the original
# distribution), so re-gzipping at another compression level does not change them.
SHIPPED_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10

FILE_STEMS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def load_mnist(path=None, dtype=np.uint8):
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``, like keras.

    Args:
        path: None for the copy shipped with npvae (checked against its SHA-256),
            or a directory holding the four files under their canonical names,
            e.g. ``train-images-idx3-ubyte``, each optionally gzipped with a
            ``.gz`` suffix. A user's copy gets every structural check but no
            checksum, as it may legitimately differ (e.g. be decompressed).
        dtype: uint8 (the default) for the pixels as stored, 0..255: a quarter of the
            memory of float32, and what the training loop takes (it scales each batch);
            or a float dtype for the pixels scaled to [0, 1] (the uint8 pixel / 255), as
            ``evaluate`` and the pictures take them.

    Returns:
        x_train: (60000, 28, 28, 1) in ``dtype``.
        y_train: (60000,) uint8 digits 0..9.
        x_test: (10000, 28, 28, 1) in ``dtype``; y_test: (10000,) uint8.
        All four are fresh arrays: the caller may modify them freely.

    Raises:
        FileNotFoundError: a file is missing; the message lists the names tried.
        IDXError: a file is malformed, corrupt, or not the MNIST file it is named after.
    """
    splits = []
    for split in ("train", "test"):
        (images, images_name), (labels, labels_name) = (
            _load_file(path, stem) for stem in FILE_STEMS[split]
        )
        _check_images(images, images_name)
        _check_labels(labels, labels_name)
        if len(images) != len(labels):
            raise IDXError(
                f"{split} split: {images_name} holds {len(images)} images but "
                f"{labels_name} holds {len(labels)} labels; they must match one to one"
            )
        # (N, 28, 28) -> (N, 28, 28, 1): the conv layers want a channel axis.
        x = images[..., np.newaxis]
        x = x.copy() if np.dtype(dtype) == np.uint8 else as_float_images(x, dtype)
        splits.append((x, labels.copy()))
    return tuple(splits)


def _load_file(path, stem):
    """Return ``(uint8 array, file name)`` for one of the four files."""
    if path is None:
        return _read_shipped(stem), f"{stem}.gz"
    file = _find_in_directory(Path(path), stem)
    return read_idx(file), os.fspath(file)


def _find_in_directory(directory, stem):
    """The path of ``stem`` or ``stem.gz`` in ``directory`` (gzipped tried first)."""
    candidates = [directory / f"{stem}.gz", directory / stem]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    tried = " or ".join(os.fspath(c) for c in candidates)
    raise FileNotFoundError(
        f"MNIST file not found: looked for {tried}. The directory must hold "
        f"train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte "
        f"and t10k-labels-idx1-ubyte, each optionally with .gz; or call "
        f"load_mnist() without a path to use the copy shipped with npvae"
    )


def _read_shipped(stem):
    """Read one file shipped with npvae: (N, ...) read-only uint8 array, checksum verified."""
    file = SHIPPED_DIR / f"{stem}.gz"
    if not file.is_file():
        raise FileNotFoundError(
            f"the MNIST file {file} that ships with npvae is missing; "
            f"reinstall npvae (it is package data: mnist_data/*.gz)"
        )
    return _read_verified(file.resolve(), stem)


# A cold load decompresses and hashes every file; training, tests and the CLI each load MNIST.
# Keyed on the file's resolved path, so pointing SHIPPED_DIR elsewhere (as the tests
# do) is never served stale arrays. Cached arrays are read-only; load_mnist copies.
@functools.lru_cache(maxsize=None)
def _read_verified(file, stem):
    """Decompress ``file``, check its SHA-256 against SHIPPED_SHA256[stem], parse it."""
    name = f"{stem}.gz"
    try:
        data = gunzip_if_gzipped(file.read_bytes(), name)
    except IDXError as err:
        raise IDXError(f"{err}. This is the copy shipped with npvae: reinstall npvae") from err
    expected = SHIPPED_SHA256[stem]
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise IDXError(
            f"{name}: the shipped copy is corrupt: SHA-256 of its uncompressed bytes "
            f"should be {expected} but is {actual}; reinstall npvae"
        )
    array = parse_idx(data, name)
    array.flags.writeable = False
    return array


def _check_images(images, name):
    """MNIST images are (N, 28, 28) uint8; anything else is the wrong file."""
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
        raise IDXError(
            f"{name}: expected MNIST images, N x 28 x 28 uint8 (type 0x08, 3 dims), "
            f"received {'x'.join(map(str, images.shape))} {images.dtype.name}"
        )


def _check_labels(labels, name):
    """MNIST labels are (N,) uint8 digits 0..9."""
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise IDXError(
            f"{name}: expected MNIST labels, N uint8 (type 0x08, 1 dim), "
            f"received {'x'.join(map(str, labels.shape))} {labels.dtype.name}"
        )
    bad = np.flatnonzero(labels >= NUM_CLASSES)
    if bad.size:
        raise IDXError(
            f"{name}: labels must be digits 0..9, but {bad.size} are not "
            f"(first: {labels[bad[0]]} at index {bad[0]})"
        )
