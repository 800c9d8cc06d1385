"""RMSprop's update as one numba pass over the weights: the twin of ``npvae.optim.rmsprop_update``.

The formula as NumPy expressions makes one pass over every weight per operation (five
of them, and a temporary array for each), and those passes, not the arithmetic, are
what the update costs; this loop reads each weight, gradient and ``ms`` once and does
the same operations in the same order, so the two agree bit for bit
(``tests/test_fast_rmsprop.py``).

Most of a model's arrays are small (biases, kernels) and one is large (a dense layer's
weights). A parallel loop has to wake the other cores' threads, which may sleep between
tasks (see ``npvae.process``); for a small array the wake-up takes longer than the
update, so arrays below ``PARALLEL_MIN_SIZE`` run on one thread.
"""
import numba
import numpy as np


def rmsprop_update(param, grad, ms, lr, rho, eps):
    """``npvae.optim.rmsprop_update`` in one pass, in place (``param`` C-contiguous)."""
    if not param.flags.c_contiguous:
        # reshape(-1) of a strided array is a copy: the update would be lost.
        raise ValueError(f"RMSprop updates parameters in place; they must be "
                         f"C-contiguous arrays (got one of shape {param.shape})")
    grad = np.ascontiguousarray(grad)
    # Scalars in the arrays' precision, so that float32 stays float32 throughout.
    dtype = param.dtype.type
    loop = _rmsprop_parallel if param.size >= PARALLEL_MIN_SIZE else _rmsprop_serial
    loop(param.reshape(-1), grad.reshape(-1), ms.reshape(-1),
         dtype(lr), dtype(rho), dtype(1 - rho), dtype(eps), np.finfo(dtype).tiny)


# Below this many weights, waking a second thread costs more than it saves.
PARALLEL_MIN_SIZE = 1 << 16


@numba.njit(inline="always")
def _rmsprop_one(i, param, grad, ms, lr, rho, one_minus_rho, eps, smallest_normal):
    # The same operations in the same order as the textbook: equal bits.
    ms[i] = ms[i] * rho + grad[i] * grad[i] * one_minus_rho
    if ms[i] < smallest_normal:
        ms[i] = 0
    param[i] -= grad[i] / np.sqrt(ms[i] + eps) * lr


@numba.njit(parallel=True, cache=True)
def _rmsprop_parallel(param, grad, ms, lr, rho, one_minus_rho, eps, smallest_normal):
    for i in numba.prange(param.size):
        _rmsprop_one(i, param, grad, ms, lr, rho, one_minus_rho, eps, smallest_normal)


@numba.njit(cache=True)
def _rmsprop_serial(param, grad, ms, lr, rho, one_minus_rho, eps, smallest_normal):
    for i in range(param.size):
        _rmsprop_one(i, param, grad, ms, lr, rho, one_minus_rho, eps, smallest_normal)
