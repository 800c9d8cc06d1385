"""What the ``npvae`` command sets for its own process, and why; importing npvae sets none.

    from npvae import process
    process.tune()        # first thing in a script, before numpy is imported

npvae's work runs on two pools of threads: numba's (``npvae.fast``'s loops) and the BLAS
library's under numpy's matrix products. By default each keeps its threads spinning for
a while after its work, ready for more; but the next piece of work is usually the
*other* pool's, and a spinning thread steals the core it needs. So the command tells
both to sleep at once: ``OMP_WAIT_POLICY=passive`` for numba's OpenMP threads, the
shortest ``OPENBLAS_THREAD_TIMEOUT`` for OpenBLAS's. It also keeps the pages of freed
work arrays (``npvae.fast.allocation``). ``benchmarks/README.md`` shows what each
changes, with the commands that measure it.

It is a trade-off, which is why only the command makes it, or a script that asks for it,
never ``import npvae``: a library in the same process that shares the OpenMP runtime
(PyTorch does) would sleep between its loops too and run slower alone, though faster
beside a busy neighbour. A script of your own that trains the fast model should call
``tune()`` first, before it imports numpy, to run as the command does (the examples and
the test suite do).

Each runtime reads its setting from the environment once, when it loads: OpenBLAS when
numpy is first imported, numba's OpenMP when its pool starts, which ``tune`` does at
once. A setting of the user's own wins. Afterwards the environment is put back as it
was: the settings are for this process's pools, not for child processes.
"""
import os

SETTINGS = {"OMP_WAIT_POLICY": "passive",
            "OPENBLAS_THREAD_TIMEOUT": "4"}  # 2^4 cycles: OpenBLAS's minimum


def tune():
    """Put the settings in the environment, start numba's pool (numpy loads with it),
    restore the user's environment, and keep freed pages."""
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
    from npvae.fast.allocation import keep_freed_pages
    keep_freed_pages()
