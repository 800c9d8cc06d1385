"""Writing a file so that nobody ever sees it half-written: a temporary file, then a rename.

Training runs for a long time and may be killed at any moment (Ctrl-C, out of memory, a
pre-empted machine). Writing straight onto ``checkpoint.npz`` or ``history.json``, a kill
halfway through would leave a truncated file *in place of* the last good one. So every
file npvae saves is written to a temporary file in the same folder, pushed to the disk
(``fsync``), and only then renamed onto its name with ``os.replace``. On POSIX a rename
within one filesystem is atomic: whoever opens the path sees the complete old file or the
complete new one. (That is why the temporary file sits in the *same* folder: a rename
across filesystems is a copy, not atomic.)

A writer killed before the rename leaves its temporary file behind. Temporary files are
named ``.<target name>.tmp-<16 hex digits>`` (for ``run/checkpoint.npz``:
``run/.checkpoint.npz.tmp-3f9c...``), hidden and never mistaken for the real file;
``remove_stale_temporaries`` deletes them.
"""
import contextlib
import os
import re
import secrets
from pathlib import Path

TEMPORARY_NAME = re.compile(r"\..+\.tmp-[0-9a-f]{16}")


@contextlib.contextmanager
def atomic_write(path, mode="wb", **open_args):
    """Open a temporary file beside ``path`` for writing; on leaving the block, put it at
    ``path`` (fsync, then rename). On an exception, delete it and leave ``path`` as it was.

        with atomic_write("run/history.json", "w") as f:
            f.write(text)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{secrets.token_hex(8)}")
    # "x" creates the file and fails if the name is taken, so the clean-up below never
    # deletes a file that is not ours. Unlike tempfile.mkstemp (owner-only files), open()
    # honours the umask: the result gets the permissions of any other file.
    file = open(temporary, mode.replace("w", "x"), **open_args)
    try:
        with file:
            yield file
            file.flush()
            os.fsync(file.fileno())  # the bytes are on disk before the name points at them
        os.replace(temporary, path)
    except BaseException:  # also KeyboardInterrupt: never leave a temporary file behind
        temporary.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory):
    """Make the rename itself durable by syncing the directory entry (best effort).

    Without this a power cut right after os.replace could still show the old file. Some
    platforms (Windows) cannot open a directory; there we accept that small window.
    """
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def remove_stale_temporaries(directory):
    """Delete temporary files left in ``directory`` by killed writers; return their paths.

    Only call this when no other process is saving into ``directory``: a temporary file
    that is being written right now looks exactly like a stale one.
    """
    stale = [path for path in Path(directory).iterdir()
             if TEMPORARY_NAME.fullmatch(path.name) and path.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale
