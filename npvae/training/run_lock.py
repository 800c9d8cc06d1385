"""One training run per folder: a lock file that a second run into the same folder sees.

Two ``npvae train`` runs into one ``--out`` would write over each other's checkpoint,
history and pictures. So a run holds ``DIR/train.lock`` while it runs: a file created
with ``O_CREAT | O_EXCL``, which the operating system creates for one caller only (a
second gets ``FileExistsError``, however close the two are in time), holding the
process id of its owner and, where Linux says it, when that process started. The file is
removed when the run ends, however it ends (an error, Ctrl-C).

A run killed with ``kill -9`` (or by the kernel, for memory) cannot remove its lock. The
next run finds the lock's process gone (or the id now used by a process that started
later) and clears the lock with a note, so that ``--resume`` just works.
"""
import os
import time
from pathlib import Path

LOCK_NAME = "train.lock"
FRESH_SECONDS = 10  # an unreadable lock this young may be being written: respect it


class FolderInUse(ValueError):
    """Another live process holds the folder's lock: one line, naming it."""


def process_start(pid):
    """When process ``pid`` started (clock ticks since boot, /proc/PID/stat's 22nd field),
    or None where there is no /proc or no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])  # fields after the command name


def is_running(pid, started=None):
    """Whether process ``pid`` lives (and, if ``started`` is given and known, is the one
    that started then, not a later process given the same id)."""
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by another user
    now = process_start(pid)
    return started is None or now is None or now == started


class RunLock:
    """``with RunLock(folder, say=print):`` holds ``folder/train.lock`` for the block.

    Raises FolderInUse if a live process holds it; a lock whose process is gone is
    removed first, and ``say`` is told so.
    """

    def __init__(self, folder, say=print):
        self.folder, self.say = Path(folder), say
        self.path = self.folder / LOCK_NAME
        self.created_folder = False

    def __enter__(self):
        if not self.folder.exists():
            self.folder.mkdir(parents=True)
            self.created_folder = True
        for _ in range(2):  # a second try after clearing a stale lock
            try:
                descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                self._clear_if_stale()
                continue
            with os.fdopen(descriptor, "w") as lock:
                lock.write(f"{os.getpid()} {process_start(os.getpid()) or ''}\n")
            return self
        raise FolderInUse(f"{self.folder} is in use: its lock {self.path} was taken again "
                          f"while clearing it; try once more")

    def __exit__(self, *exc):
        if self._owner() == (os.getpid(), process_start(os.getpid())):
            self.path.unlink()
        if self.created_folder and not any(self.folder.iterdir()):
            self.folder.rmdir()  # a run that stopped before writing anything leaves nothing
        return False

    def _owner(self):
        """(pid, start) written in the lock; None if it cannot be read (yet)."""
        try:
            fields = self.path.read_text().split()
            return int(fields[0]), (int(fields[1]) if len(fields) > 1 else None)
        except (OSError, ValueError, IndexError):
            return None

    def _clear_if_stale(self):
        owner = self._owner()
        if owner is None:
            try:
                age = time.time() - self.path.stat().st_mtime
            except FileNotFoundError:
                return  # its owner just removed it: try again
            if age < FRESH_SECONDS:
                raise FolderInUse(f"{self.folder} is in use by another 'npvae train' (its "
                                  f"lock {self.path} is being written); train into another "
                                  f"--out, or wait for that run to end")
        elif is_running(*owner):
            raise FolderInUse(f"{self.folder} is in use by another 'npvae train' (process "
                              f"{owner[0]}); wait for it to end or stop it, or train into "
                              f"another --out")
        self.path.unlink(missing_ok=True)
        what = f"process {owner[0]}, which is no longer running" if owner else "no process"
        self.say(f"removed {self.path}, a lock left by {what} (a killed run)")
