"""Two thread pools, one pair of cores: tell both to sleep when their work is done.

npvae's work runs on two pools of threads: numba's (im2col, col2im, ReLU, the RMSprop
update) and the BLAS library's under numpy's matrix products. By default each keeps its
threads spinning for a while after its work, ready for more; but the next piece of work
is usually the *other* pool's, and a spinning thread steals the core it needs. So both
are told to sleep at once: ``OMP_WAIT_POLICY=passive`` for numba's OpenMP threads, the
shortest ``OPENBLAS_THREAD_TIMEOUT`` for OpenBLAS's. (``benchmarks/README.md`` shows the
difference it makes, with the command that measures it.)

Each runtime reads its setting from the environment once, when it loads: OpenBLAS when
numpy is first imported (so import npvae before numpy in a script of your own; the
``npvae`` command does), numba's OpenMP when its pool starts, which ``start`` does at
once. A setting of the user's own wins. Afterwards the environment is put back as it
was: the settings are for npvae's pools, not for child processes or other libraries.
(Whatever else in the process shares the same OpenMP runtime gets the passive policy
too: PyTorch does, which is why the benchmarks run PyTorch in a process of its own.)
"""
import os

SETTINGS = {"OMP_WAIT_POLICY": "passive",
            "OPENBLAS_THREAD_TIMEOUT": "4"}  # 2^4 cycles: OpenBLAS's minimum


def start():
    """Put the settings in the environment, start numba's pool, and restore the user's."""
    users = {name: os.environ.get(name) for name in SETTINGS}
    for name, value in SETTINGS.items():
        os.environ.setdefault(name, value)
    import numba
    numba.get_num_threads()  # starts the pool, which loads the OpenMP runtime
    for name, value in users.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
