"""Which of numba's thread pools runs npvae's loops, chosen before the first of them runs.

A training step alternates between two kinds of parallel work: numba's loops (im2col,
Winograd's transforms, the ReLU, RMSprop) and numpy's matrix products, which OpenBLAS
runs on a pool of its own. On a machine with few cores the two pools take turns on the
same cores, so what matters is how each pool hands work out and what its idle threads
do while the other works.

numba picks its pool ("threading layer") when its first parallel loop runs: TBB if it
can load it, else OpenMP, else its own "workqueue". OpenMP's idle threads spin on the
cores for a while before they sleep, and OpenBLAS's do too: with both spinning, two
cores carry three busy threads, and every loop and every product waits for the
scheduler; and a library that is itself OpenMP (PyTorch) then runs on the OpenMP
runtime numba loaded instead of its own. TBB's calling thread does a share of every
loop itself and takes over the share of a worker the system has not scheduled yet, so
a loop does not wait for a worker to start; its idle workers soon sleep. The workqueue
pool hands every loop to its workers and waits, which costs a hand-over per loop, but
it always exists. ``benchmarks/no_ritual.py`` measures the pools side by side.

So npvae asks numba for TBB, else workqueue, once, when the fast room is first imported
(that is, when a fast model is first made), and only when nobody has chosen: if the
pool is already running, or the user chose a layer (``NUMBA_THREADING_LAYER``, its
priority list, or ``numba.config.THREADING_LAYER`` set in the script), their choice
stands. pip installs TBB's library (the ``tbb`` package, one of npvae's requirements on
Linux and Windows x86-64) beside Python, where the system does not look for it; npvae
loads it from there by its path, which is what lets numba find it by name. numba's
settings are put back afterwards; the pool it started stays for the process. One thing
the workqueue pool cannot do: run parallel loops from two Python threads at once (numba
stops the process). npvae never does; a program that trains in several threads where
TBB is not installed should choose ``omp`` itself, before making a model.
"""
import ctypes
import importlib.metadata
import os

import numba
from numba.np.ufunc import parallel

# numba wants all three named; workqueue always loads, so OpenMP is never reached.
PREFERRED = ["tbb", "workqueue", "omp"]
DEFAULT_PRIORITY = ["tbb", "omp", "workqueue"]
TBB_LIBRARIES = ("libtbb.so.12", "libtbb.12.dylib", "tbb12.dll")


def users_choice():
    """The threading layer the user chose, or None if they left numba's default."""
    for name in ("NUMBA_THREADING_LAYER", "NUMBA_THREADING_LAYER_PRIORITY"):
        if os.environ.get(name):
            return os.environ[name]
    if str(numba.config.THREADING_LAYER).lower() != "default":
        return numba.config.THREADING_LAYER
    if list(numba.config.THREADING_LAYER_PRIORITY) != DEFAULT_PRIORITY:
        return " ".join(numba.config.THREADING_LAYER_PRIORITY)
    return None


def load_tbb():
    """Load the TBB library the ``tbb`` package installed; True if it is loaded."""
    try:
        files = importlib.metadata.files("tbb") or []
    except importlib.metadata.PackageNotFoundError:
        return False
    for file in files:
        if file.name in TBB_LIBRARIES:
            try:
                ctypes.CDLL(str(file.locate()))
                return True
            except OSError:
                continue
    return False


def start_pool():
    """Start numba's pool as TBB's, else workqueue's, unless it is running or the user
    chose a layer; return the layer that runs npvae's loops."""
    load_tbb()  # so that numba can load TBB by name, whoever chose it
    if not parallel._is_initialized and users_choice() is None:
        found = numba.config.THREADING_LAYER_PRIORITY
        numba.config.THREADING_LAYER_PRIORITY = PREFERRED
        try:
            numba.get_num_threads()  # starts the first layer of the list that loads
        finally:
            numba.config.THREADING_LAYER_PRIORITY = found
    else:
        numba.get_num_threads()
    return numba.threading_layer()
