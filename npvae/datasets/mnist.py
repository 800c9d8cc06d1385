"""MNIST, read from the original IDX files that ship with npvae.

The data
--------
The MNIST database of handwritten digits is by Yann LeCun, Corinna Cortes and
Christopher J.C. Burges, and is made available under the Creative Commons
Attribution-Share Alike 3.0 licence (CC BY-SA 3.0). npvae ships the four original
files, gzip-compressed, in ``npvae/datasets/mnist_data/``; no network is ever used.

The IDX format
--------------
Each file is one n-dimensional array: a short header, then the raw values.

    offset    bytes   meaning
    0         2       0x00 0x00 (the "magic": always two zero bytes)
    2         1       type code: 0x08 uint8, 0x09 int8, 0x0B int16,
                      0x0C int32, 0x0D float32, 0x0E float64
    3         1       d, the number of dimensions
    4         4*d     the size of each dimension, big-endian uint32
    4 + 4*d   ...     the values, big-endian, row-major (last index fastest)

So the MNIST training images start ``00 00 08 03 | 00 00 EA 60 | 00 00 00 1C |
00 00 00 1C``: uint8, 3 dimensions, 60000 x 28 x 28, followed by exactly
60000*28*28 = 47,040,000 pixel bytes. The labels file is uint8 with 1 dimension.

A file is accepted only if every one of these fields is consistent with its length,
so a damaged file fails loudly here, not as a strange loss curve later. Every
bad-input error is an :class:`IDXError`, a ``ValueError``.
"""
import functools
import gzip
import hashlib
import math
import os
import zlib
from pathlib import Path

import numpy as np

# Big-endian ('>'), as the format prescribes; read_idx converts to native order.
IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

GZIP_MAGIC = b"\x1f\x8b"

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


class IDXError(ValueError):
    """A file is not a valid IDX file, or not the MNIST file it should be."""


# --------------------------------------------------------------------------- IDX


def read_idx(source, *, name=None):
    """Read one IDX array from a file path or from bytes, gzipped or not.

    Args:
        source: a path (str or os.PathLike) or the file's bytes.
        name: what to call the file in error messages; defaults to the path,
            or ``"<bytes>"``.

    Returns:
        A new, writable, native-byte-order array with the shape the header gives,
        e.g. (60000, 28, 28) uint8 for the training images.

    Raises:
        IDXError: the bytes are not a valid IDX file (or a broken gzip stream).
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        raw, name = bytes(source), name or "<bytes>"
    else:
        raw, name = Path(source).read_bytes(), name or os.fspath(source)
    return parse_idx(gunzip_if_gzipped(raw, name), name)


def gunzip_if_gzipped(raw, name):
    """Decompress ``raw`` if it starts with the gzip magic 1f 8b, else return it.

    The magic decides, not the file name: a user's ``.gz`` may have been
    decompressed in place, and then its extension lies.
    """
    if not raw.startswith(GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise IDXError(
            f"{name}: starts like a gzip file (1f 8b) but cannot be decompressed "
            f"({type(err).__name__}: {err}); the file is probably truncated or "
            f"damaged, so fetch it again"
        ) from err


def parse_idx(data, name="<bytes>"):
    """Parse the uncompressed bytes of an IDX file (layout in the module docstring).

    Every header field is checked before anything is allocated, so a garbage
    header asking for 2**96 values is an error, not a MemoryError.
    """
    if len(data) < 4:
        raise IDXError(f"{name}: an IDX header needs at least 4 bytes, the file holds {len(data)}")
    if data[0] != 0 or data[1] != 0:
        raise IDXError(
            f"{name}: not an IDX file: the first two bytes must be 00 00, "
            f"received {data[0]:02x} {data[1]:02x}"
        )
    code, ndim = data[2], data[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X} {IDX_DTYPES[c].name}" for c in IDX_DTYPES)
        raise IDXError(f"{name}: unknown IDX type code 0x{code:02X}; expected one of {known}")
    if ndim == 0:
        raise IDXError(f"{name}: the header says 0 dimensions; an IDX array needs at least 1")
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise IDXError(
            f"{name}: the header says {ndim} dimensions, so it needs {header_size} "
            f"bytes, but the file holds only {len(data)}"
        )
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = IDX_DTYPES[code]
    # Python ints: the product of big dims must not overflow before we compare it.
    expected = math.prod(shape) * dtype.itemsize
    received = len(data) - header_size
    if received != expected:
        dims = "x".join(map(str, shape))
        raise IDXError(
            f"{name}: header says {dims} {dtype.name} = {expected} data bytes "
            f"but the file holds {received}"
        )
    values = np.frombuffer(data, dtype=dtype, offset=header_size, count=math.prod(shape))
    # astype copies: the result owns writable memory in the machine's byte order.
    return values.astype(dtype.newbyteorder("=")).reshape(shape)


# ------------------------------------------------------------------------- MNIST

FILE_STEMS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def load_mnist(path=None):
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``, like keras.

    Args:
        path: None for the copy shipped with npvae (checked against its SHA-256),
            or a directory holding the four files under their canonical names,
            e.g. ``train-images-idx3-ubyte``, each optionally gzipped with a
            ``.gz`` suffix. A user's copy gets every structural check but no
            checksum, as it may legitimately differ (e.g. be decompressed).

    Returns:
        x_train: (60000, 28, 28, 1) float32 in [0, 1] (the uint8 pixel / 255).
        y_train: (60000,) uint8 digits 0..9.
        x_test: (10000, 28, 28, 1) float32; y_test: (10000,) uint8.
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
        # (N, 28, 28) uint8 -> (N, 28, 28, 1) float32: the conv layers want a channel axis.
        x = images.astype(np.float32)[..., np.newaxis]
        x /= np.float32(255)  # in place: no second 188 MB array for the training images
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


# A cold load decompresses and hashes 55 MB; training, tests and the CLI each load MNIST.
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
