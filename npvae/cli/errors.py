"""Whose fault a failure is, and what the command says of it.

A usage error is the user's to fix: an option's value, a file that cannot be read or
written, data a run cannot use, memory too small. It gets one line on stderr and exit
code 2. Any other exception is a bug in npvae: one line that says so, where to report it
and how to see the traceback (``--debug``, or ``NPVAE_DEBUG=1`` set in the environment by
the user; npvae sets no environment variable), and exit code 1.

The library checks the values it is given and raises ValueError, as Python does; so does
numpy for a shape that does not fit, which inside npvae is a bug. The command therefore
calls a value's owner inside ``users_values()`` only where that call checks what the user
gave (``TrainConfig(...)``, ``VAE(...)``, reading the data); a ValueError from the work
that follows is a bug.
"""
import contextlib
import os
import sys

from npvae.cli.options import PROG

DEBUG_VARIABLE = "NPVAE_DEBUG"
REPORT_TO = "npvae's issue tracker"  # the project publishes no address yet


class UsageError(Exception):
    """A problem the user can fix (a bad value, a missing file): one line, exit code 2."""


@contextlib.contextmanager
def users_values():
    """Around a call that checks values the user gave: its ValueError is a UsageError."""
    try:
        yield
    except UsageError:
        raise
    except ValueError as error:
        raise UsageError(str(error)) from error


def users_faults():
    """The exceptions that are the user's to fix, whatever raised them: UsageError, the
    library's own for a bad file or too little memory, and the operating system's."""
    # Imported when a command has failed: these modules load numpy.
    from npvae.datasets.idx import IDXError
    from npvae.datasets.image_folder import TooSmallPicture
    from npvae.storage.checkpoint import CheckpointError
    from npvae.training.memory import NotEnoughMemory
    from npvae.training.run_lock import FolderInUse
    faults = (UsageError, CheckpointError, IDXError, TooSmallPicture, NotEnoughMemory,
              FolderInUse, OSError)
    exercises = sys.modules.get("npvae.exercises")  # raises ExerciseError only once loaded
    return faults + ((exercises.ExerciseError,) if exercises else ())


def debugging(args):
    """Whether the user asked for tracebacks: ``--debug``, or NPVAE_DEBUG set (not 0)."""
    return getattr(args, "debug", False) or os.environ.get(DEBUG_VARIABLE, "0") not in ("", "0")


def fail(error, code):
    """Print ``error`` as one line on stderr; return ``code``."""
    message = " ".join(str(error).split())  # one line, whatever the message held
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        message = f"{error.filename}: {error.strerror}"
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def report_bug(error):
    """Say in one line that ``error`` is a bug, where to report it and how to see the
    traceback; return exit code 1."""
    what = " ".join(f"{type(error).__name__}: {error}".split())
    return fail(f"a bug in npvae, not in what you gave ({what[:200]}); please report it to "
                f"{REPORT_TO} with its traceback, which --debug (or {DEBUG_VARIABLE}=1 in the "
                f"environment) shows", code=1)
