"""What the learner has passed, remembered in the work folder, so that ``list`` is quick.

A pass is stored as the SHA-256 of the file that passed (in ``.progress.json``, written
atomically): an exercise counts as passed while its file is that file, and as started
again once it is edited, until the next ``check`` passes it.
"""
import hashlib
import json
from pathlib import Path

from npvae.storage.atomic import atomic_write

FILE = ".progress.json"


def fingerprint(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def passes(folder):
    """name -> fingerprint of the file that passed; {} if nothing was (or can be) read."""
    try:
        stored = json.loads((Path(folder) / FILE).read_text())
    except (OSError, ValueError):
        return {}
    return stored if isinstance(stored, dict) else {}


def record(folder, name, path, passed):
    """Remember that the file ``path`` of exercise ``name`` passed, or forget it."""
    stored = passes(folder)
    if passed:
        stored[name] = fingerprint(path)
    elif stored.pop(name, None) is None:
        return
    with atomic_write(Path(folder) / FILE, "w") as file:
        json.dump(stored, file, indent=1, sort_keys=True)


def status(folder, name, path):
    """"not started", "started" or "passed"."""
    if not Path(path).is_file():
        return "not started"
    return "passed" if passes(folder).get(name) == fingerprint(path) else "started"
