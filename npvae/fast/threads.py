"""Which of numba's thread pools runs npvae's loops, chosen before the first of them runs.

A training step alternates between two kinds of parallel work: numba's loops (im2col,
Winograd's transforms, the ReLU, RMSprop) and numpy's matrix products, which OpenBLAS
runs on a pool of its own. On a machine with few cores the two pools take turns on the
same cores, so what matters is what each pool's idle threads do while the other works.

numba picks its pool ("threading layer") when its first parallel loop runs: TBB if
installed, else OpenMP, else its own "workqueue". OpenMP's idle threads spin on the
cores for a while before they sleep, and OpenBLAS's do too: with both spinning, two
cores carry three busy threads, and every loop and every product waits for the
scheduler. The command used to avoid that with environment variables read when the
runtimes load, a ritual a learner's own script never did. numba's own "workqueue" pool
needs none: its idle threads sleep on a condition variable the moment their work is
done, giving the cores back to OpenBLAS at once, and it is not OpenMP, so a library
that is (PyTorch) keeps the OpenMP runtime it came with instead of running on the one
numba loaded. ``benchmarks/no_ritual.py`` measures the pools side by side.

So npvae asks numba for the workqueue pool, once, when the fast room is first imported
(that is, when a fast model is first made), and only when nobody has chosen: if the
pool is already running, or the user chose a layer (``NUMBA_THREADING_LAYER``, its
priority list, or ``numba.config.THREADING_LAYER`` set in the script), their choice
stands. numba's setting is put back afterwards; the pool it started stays for the
process. One thing the workqueue pool cannot do: run parallel loops from two Python
threads at once (numba stops the process). npvae never does; a program that trains
in several threads should choose ``omp`` or ``tbb`` itself, before making a model.
"""
import os

import numba
from numba.np.ufunc import parallel

THREADING_LAYER = "workqueue"
DEFAULT_PRIORITY = ["tbb", "omp", "workqueue"]


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


def start_pool():
    """Start numba's pool as the workqueue layer, unless it is running or the user chose
    a layer; return the layer that runs npvae's loops."""
    if not parallel._is_initialized and users_choice() is None:
        numba.config.THREADING_LAYER = THREADING_LAYER
        try:
            numba.get_num_threads()  # starts the pool with the layer asked for
        finally:
            numba.config.THREADING_LAYER = "default"
    else:
        numba.get_num_threads()
    return numba.threading_layer()
