"""The IDX format: one n-dimensional array per file (MNIST and its cousins ship this way).

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
import gzip
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


class IDXError(ValueError):
    """A file is not a valid IDX file, or not the file it is named after."""



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
