"""Keep the pages of freed work arrays, so that the next step does not fault them in again.

A convolution's intermediate arrays (window matrices, Winograd tiles, padded inputs)
are megabytes each and live for one call. glibc's malloc hands such large blocks to
the kernel on ``free`` (``munmap``, or trimming the top of the heap) and asks for them
again on the next ``malloc``: every page of every array is then zero-filled by the
kernel on first touch, a cost of the order of the arithmetic itself for these layers.
Raising malloc's mmap and trim thresholds keeps freed blocks in the process, where the
next call of the same shape reuses them warm. The process's resident memory then stays
at its peak instead of breathing, which a training loop reaches at its first step.

Only glibc has ``mallopt``; elsewhere this does nothing.
"""
import ctypes
import ctypes.util

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# glibc's largest mmap threshold on 64-bit systems (DEFAULT_MMAP_THRESHOLD_MAX): blocks
# up to this size come from the heap; larger ones (a whole large batch's window matrix)
# are still mapped and unmapped.
_MMAP_THRESHOLD = 32 * 2**20
_TRIM_THRESHOLD = 2**30


def keep_freed_pages():
    """Tell glibc's malloc to keep freed blocks up to its largest mmap threshold (the
    work arrays of a step at the book's batch size); True if it could."""
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
