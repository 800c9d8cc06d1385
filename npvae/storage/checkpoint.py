"""Saving and loading training state: atomic, pickle-free ``.npz`` checkpoints.

A checkpoint is everything needed to resume training exactly where it stopped: the model
parameters, the optimizer's running statistics, and a little metadata (the config, the epoch
and step counters, the state of the random number generator).

Why not pickle
--------------
``pickle.load`` runs whatever code the file tells it to, so loading a pickled checkpoint from
somewhere else is the same as running a program from there. An ``.npz`` file is a plain zip
archive of ``.npy`` files, each one a short header (dtype, shape) followed by raw bytes. We load
it with ``np.load(..., allow_pickle=False)``, so a malicious file can at worst fail to load.
Metadata is stored as JSON text, which describes data and cannot describe code.

Why atomic
----------
A kill in the middle of a save must never leave a truncated file in place of the last good
checkpoint, so the file is written through ``npvae.storage.atomic.atomic_write``: a hidden temporary
file in the same folder, fsync, then an atomic rename (that module explains why). A killed
writer leaves only ``.checkpoint.npz.tmp-<hex>`` behind, never mistaken for a checkpoint;
``remove_stale_temporaries`` deletes such files.

Layout of the archive
---------------------
Arrays are stored under flat, slash-separated keys chosen by the caller, for example::

    encoder/conv1/W              a parameter
    optim/encoder/conv1/W/ms     the optimizer's running mean square for that parameter

Keys starting with ``__`` are reserved for the format itself::

    __format__          0-d unicode array, always "npvae": marks the file as ours
    __format_version__  0-d int64 array, FORMAT_VERSION of the writer
    __meta__            1-d uint8 array, the metadata dict as UTF-8 JSON text

The metadata comes back as JSON gives it back: tuples become lists and dict keys become
strings. Python integers of any size survive exactly, which matters for the 128-bit state of
``numpy.random.PCG64``.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path

import numpy as np

from npvae.storage.atomic import atomic_write, remove_stale_temporaries  # noqa: F401  (re-exported)

FORMAT_VERSION = 1
FORMAT_MARKER = "npvae"

FORMAT_KEY = "__format__"
VERSION_KEY = "__format_version__"
META_KEY = "__meta__"
RESERVED_PREFIX = "__"

# np.savez(file, *args, allow_pickle=..., **arrays) has arguments with these names: an array
# passed under one of them would clash with the argument, or silently become it.
_SAVEZ_ARGUMENT_NAMES = ("file", "allow_pickle")

# Everything np.load and the zip reader raise on a damaged file. BadZipFile and zlib.error are
# not OSErrors; ValueError also covers JSONDecodeError and UnicodeDecodeError.
_READ_ERRORS = (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile, zlib.error,
                NotImplementedError)


class CheckpointError(ValueError):
    """A checkpoint file is missing, damaged, or not one this version of npvae can read."""


# --------------------------------------------------------------------------- saving


def save_checkpoint(path, arrays: dict[str, np.ndarray], meta: dict) -> Path:
    """Write ``arrays`` and ``meta`` to ``path`` atomically; return the path written.

    ``arrays`` maps flat string keys to numeric (or string) arrays; object arrays are refused
    because storing them would need pickle. ``meta`` is a JSON-serialisable dict; NumPy scalars
    in it (``np.int64(3)``) are stored as the equivalent Python number. The parent directory is
    created if needed. If anything fails, the previous file at ``path`` is left untouched and
    the temporary file is removed.

    Raises TypeError or ValueError, before touching the disk, if the input cannot be stored.
    """
    path = Path(path)
    # Validate first, so a bad call never leaves a directory or a half-written file behind.
    entries = _archive_entries(arrays, meta)
    with atomic_write(path) as file:
        # Through a file object np.savez writes the name as given, without adding ".npz".
        np.savez(file, **entries)
    return path


def _archive_entries(arrays, meta) -> dict[str, np.ndarray]:
    """Check the caller's arrays and meta and add the reserved format entries."""
    if not isinstance(arrays, dict):
        raise TypeError(f"arrays must be a dict of str -> ndarray, got {type(arrays).__name__}")
    entries = {key: _storable_array(key, value) for key, value in arrays.items()}
    entries[FORMAT_KEY] = np.array(FORMAT_MARKER)
    entries[VERSION_KEY] = np.array(FORMAT_VERSION, dtype=np.int64)
    entries[META_KEY] = _encode_meta(meta)
    return entries


def _storable_array(key, value) -> np.ndarray:
    """Return ``value`` as an ndarray, refusing keys and dtypes the format cannot hold."""
    if not isinstance(key, str) or not key:
        raise TypeError(f"array keys must be non-empty strings, got {key!r}")
    if key.startswith(RESERVED_PREFIX) or key in _SAVEZ_ARGUMENT_NAMES:
        raise ValueError(f"array key {key!r} is reserved (keys starting with "
                         f"{RESERVED_PREFIX!r}, and {_SAVEZ_ARGUMENT_NAMES}); rename it")
    array = np.asarray(value)
    if array.dtype.hasobject:
        raise ValueError(f"array {key!r} has dtype {array.dtype}, which can only be stored by "
                         f"pickling; convert it to a numeric dtype such as float32 or int64")
    return array


def _encode_meta(meta) -> np.ndarray:
    """JSON-encode ``meta`` into a 1-d uint8 array."""
    if not isinstance(meta, dict):
        raise TypeError(f"meta must be a dict, got {type(meta).__name__}")
    try:
        text = json.dumps(meta, default=_numpy_scalar_to_python)
    except TypeError as err:
        raise TypeError(f"meta must be JSON-serialisable (dict, list, str, int, float, bool, "
                        f"None): {err}; put arrays in `arrays` instead") from err
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _numpy_scalar_to_python(value):
    """Let json store NumPy scalars such as ``np.int64(7)`` (a step counter) as Python numbers."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"object of type {type(value).__name__} is not JSON serialisable")


# --------------------------------------------------------------------------- loading


def load_checkpoint(path) -> tuple[dict[str, np.ndarray], dict]:
    """Read a checkpoint written by :func:`save_checkpoint`; return ``(arrays, meta)``.

    Everything is read into memory and the file is closed before returning. Raises
    CheckpointError, naming the file and the problem, if the file is missing, damaged, not an
    npvae checkpoint, or of another format version.
    """
    path = Path(path)
    entries = _read_archive(path)
    _check_format(path, entries)
    meta = _decode_meta(path, entries.pop(META_KEY))
    return entries, meta


def _read_archive(path: Path) -> dict[str, np.ndarray]:
    """Load every array in the ``.npz`` at ``path``, translating read failures."""
    try:
        loaded = np.load(path, allow_pickle=False)
    except FileNotFoundError as err:
        raise CheckpointError(f"no checkpoint at {path}; check the path, or start training "
                              f"from scratch") from err
    except _READ_ERRORS as err:
        raise _damaged(path, err) from err
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise CheckpointError(f"{path} holds a single .npy array, not an .npz archive; "
                              f"it is not an npvae checkpoint")
    try:
        with loaded:  # closes the zip file, even if a member fails to read
            return {key: loaded[key] for key in loaded.files}
    except _READ_ERRORS as err:
        raise _damaged(path, err) from err


def _damaged(path: Path, cause: BaseException) -> CheckpointError:
    reason = str(cause).rstrip(".")  # numpy's messages end with a full stop, ours continues
    if "allow_pickle" in reason:
        # Neither a zip (.npz) nor an .npy header: numpy guesses pickle, and suggests loading
        # it so; this is some other file (a README, a PNG), not a damaged checkpoint.
        return CheckpointError(f"{path} is not a checkpoint: it is not a NumPy archive (an "
                               f"npvae checkpoint is the checkpoint.npz that 'npvae train' "
                               f"writes in its --out folder)")
    return CheckpointError(f"cannot read checkpoint {path}: {type(cause).__name__}: {reason}. "
                           f"The file is truncated or corrupt (was it copied while being "
                           f"written?); use an earlier checkpoint or retrain")


def _check_format(path: Path, entries: dict[str, np.ndarray]) -> None:
    """Check the marker and the version, removing both from ``entries``."""
    marker = entries.pop(FORMAT_KEY, None)
    if marker is None or marker.shape != () or marker.item() != FORMAT_MARKER:
        raise CheckpointError(f"{path} is an .npz archive but not an npvae checkpoint: "
                              f"expected {FORMAT_KEY!r} = {FORMAT_MARKER!r}, found "
                              f"{None if marker is None else marker!r}")
    version = entries.pop(VERSION_KEY, None)
    if version is None or version.shape != () or version.dtype.kind not in "iu":
        raise CheckpointError(f"{path}: expected an integer {VERSION_KEY!r} entry, found "
                              f"{None if version is None else version!r}; the file is corrupt")
    if int(version) != FORMAT_VERSION:
        raise CheckpointError(f"{path} has checkpoint format version {int(version)}, but this "
                              f"npvae reads format version {FORMAT_VERSION}; load it with the "
                              f"npvae release that wrote it")
    if META_KEY not in entries:
        raise CheckpointError(f"{path}: expected a {META_KEY!r} entry, found none; "
                              f"the file is corrupt")


def _decode_meta(path: Path, encoded: np.ndarray) -> dict:
    """Parse the JSON metadata stored as a uint8 array."""
    if encoded.dtype != np.uint8 or encoded.ndim != 1:
        raise CheckpointError(f"{path}: expected {META_KEY!r} as 1-d uint8 JSON text, found "
                              f"dtype {encoded.dtype} with shape {encoded.shape}")
    try:
        meta = json.loads(encoded.tobytes().decode("utf-8"))
    except ValueError as err:  # UnicodeDecodeError and JSONDecodeError are both ValueErrors
        raise CheckpointError(f"{path}: the metadata is not valid UTF-8 JSON ({err}); "
                              f"the file is corrupt") from err
    if not isinstance(meta, dict):
        raise CheckpointError(f"{path}: expected the metadata to be a JSON object, found "
                              f"{type(meta).__name__}")
    return meta
