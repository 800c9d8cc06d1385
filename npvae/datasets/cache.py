"""The decoded pictures of a folder, kept in an .npz so that the next run need not decode.

The cache file's name is a hash of everything the decoded array depends on: each
picture's path, byte size and modification time, and the options (size, channels). So a
picture added, removed, edited or touched, or another option, means another name, and
the stale file is simply never read again. A file that cannot be read as a cache (a
killed write can leave none: it is written atomically, with ``npvae.storage.atomic``) is ignored
and written anew.
"""
import hashlib
import json
import os
import warnings
import zipfile

import numpy as np

from npvae.storage.atomic import atomic_write

VERSION = 1  # change it when what is stored changes: old files then never match
CACHE_FOLDER = ".npvae-cache"


def cache_path(folder, files, options, cache_dir=None):
    """Where the decoded array of ``files`` under ``folder`` with ``options`` is kept:
    ``cache_dir`` (default: a hidden ``.npvae-cache`` in ``folder``) / <hash>.npz."""
    listing = []
    for path in files:
        stat = path.stat()
        listing.append([os.fspath(path.relative_to(folder)), stat.st_size, stat.st_mtime_ns])
    key = json.dumps({"version": VERSION, "options": options, "files": listing})
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return (folder / CACHE_FOLDER if cache_dir is None else cache_dir) / f"{digest}.npz"


def read_cache(path):
    """The arrays stored at ``path`` as a dict, or None if there is no readable cache."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            return {key: stored[key] for key in stored.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None


def write_cache(path, arrays):
    """Store ``arrays`` (a dict) at ``path``, atomically. A folder that cannot be written
    only costs the next run its head start: a warning, not an error."""
    try:
        with atomic_write(path) as file:
            np.savez(file, **arrays)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        warnings.warn(f"could not cache the decoded pictures at {path} ({reason}); the next "
                      f"run decodes them again", stacklevel=3)
