"""What the ``npvae`` command sets for its own process, and why; importing npvae sets none.

    from npvae import process
    process.tune()        # first thing in a script, before numpy is imported

npvae's work runs on two pools of threads: numba's (``npvae.fast``'s loops) and the BLAS
library's under numpy's matrix products. By default each keeps its threads spinning for
a while after its work, ready for more (OpenBLAS's spin for 2^28 processor cycles, a
tenth of a second); but a spinning thread holds a core that the other pool, or another
program, needs. So the command shortens the waits: numba's OpenMP threads sleep at once
(``OMP_WAIT_POLICY=passive``: a parallel loop is usually followed by a matrix product,
not by another loop), OpenBLAS's spin for 2^16 cycles (``OPENBLAS_THREAD_TIMEOUT=16``,
some tens of microseconds): long enough to be awake for the next product of the same
layer (Winograd's sixteen come one after another), short enough to let go of the core
while numba's loops or another program run. Sleeping at once (2^4) made those runs of
small products wait for a wake-up each time. It also keeps the pages of freed work
arrays (``npvae.fast.allocation``). ``benchmarks/README.md`` shows what each setting
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
            "OPENBLAS_THREAD_TIMEOUT": "16"}  # spin 2^16 cycles, then sleep


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
