"""Keep the pages of freed work arrays, so that the next step does not fault them in again.

A convolution's intermediate arrays (window matrices, Winograd tiles, padded inputs)
are megabytes each and live for one call. glibc's malloc hands such large blocks to
the kernel on ``free`` (``munmap``, or trimming the top of the heap) and asks for them
again on the next ``malloc``: every page of every array is then zero-filled by the
kernel on first touch, a cost of the order of the arithmetic itself for these layers.
Raising malloc's mmap and trim thresholds keeps freed blocks in the process, where the
next call of the same shape reuses them warm. The process's resident memory then stays
at its peak instead of breathing, which a training loop reaches at its first step.

npvae makes this setting when its fast room is first imported (``npvae.fast``), because
a fast model needs it, whatever script or notebook made the model. It is the process's
malloc setting, not npvae's alone: a user who tuned malloc through its environment
variables (``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_`` or a ``glibc.malloc``
tunable) keeps their own. Only glibc has ``mallopt``; elsewhere this does nothing.
"""
import ctypes
import ctypes.util
import os

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# glibc's largest mmap threshold on 64-bit systems (DEFAULT_MMAP_THRESHOLD_MAX): blocks
# up to this size come from the heap; larger ones (a whole large batch's window matrix)
# are still mapped and unmapped.
_MMAP_THRESHOLD = 32 * 2**20
_TRIM_THRESHOLD = 2**30


def keep_freed_pages():
    """Tell glibc's malloc to keep freed blocks up to its largest mmap threshold (the
    work arrays of a step at the book's batch size); True if it did."""
    if users_malloc_settings():
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
                and mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))


def users_malloc_settings():
    """The names of the malloc settings the user made through the environment."""
    names = [n for n in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_") if n in os.environ]
    if "glibc.malloc" in os.environ.get("GLIBC_TUNABLES", ""):
        names.append("GLIBC_TUNABLES")
    return names
