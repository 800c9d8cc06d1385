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

A training step updates all of a model's arrays at once, so ``rmsprop_update_all``
does them in one parallel loop: the arrays are cut into chunks of ``CHUNK`` weights
(a small array is one chunk), and the threads share the chunks. One call and one
wake-up instead of one per array, and the small arrays no longer run on one thread
while the other waits. Each weight still sees the same operations: the same bits.
``npvae.optim.RMSprop`` finds it as ``rmsprop_update.rmsprop_update_all``.
"""
import numba
import numpy as np


def rmsprop_update(param, grad, ms, lr, rho, eps):
    """``npvae.optim.rmsprop_update`` in one pass, in place (``param`` C-contiguous)."""
    _check_in_place(param, grad, ms)
    grad = np.ascontiguousarray(grad)
    # Scalars in the arrays' precision, so that float32 stays float32 throughout.
    dtype = param.dtype.type
    loop = _rmsprop_parallel if param.size >= PARALLEL_MIN_SIZE else _rmsprop_serial
    loop(param.reshape(-1), grad.reshape(-1), ms.reshape(-1),
         dtype(lr), dtype(rho), dtype(1 - rho), dtype(eps), np.finfo(dtype).tiny)


def _check_in_place(param, grad, ms):
    if not (param.flags.c_contiguous and ms.flags.c_contiguous):
        # reshape(-1) of a strided array is a copy: the update would be lost.
        raise ValueError(f"RMSprop updates parameters and their ms in place; they must be "
                         f"C-contiguous arrays (got one of shape {param.shape})")
    if not param.shape == grad.shape == ms.shape:
        raise ValueError(f"a parameter, its gradient and its ms must have one shape; got "
                         f"{param.shape}, {grad.shape} and {ms.shape}")


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


# Weights per chunk of ``rmsprop_update_all``: enough to outweigh a chunk's bookkeeping.
CHUNK = 1 << 14


def rmsprop_update_all(updates, lr, rho, eps):
    """``rmsprop_update`` of every ``(param, grad, ms)`` of ``updates``, in one call."""
    for param, grad, ms in updates:
        _check_in_place(param, grad, ms)
    dtypes = {array.dtype for update in updates for array in update}
    different_arrays = len({id(param) for param, _, _ in updates}) == len(updates)
    if len(dtypes) != 1 or not different_arrays:
        # One loop runs one dtype; and an array listed twice would be updated twice at
        # once, by two threads. Such a list goes array by array, as the textbook does.
        for param, grad, ms in updates:
            rmsprop_update(param, grad, ms, lr, rho, eps)
        return
    params = tuple(param.reshape(-1) for param, _, _ in updates)
    grads = tuple(np.ascontiguousarray(grad).reshape(-1) for _, grad, _ in updates)
    mss = tuple(ms.reshape(-1) for _, _, ms in updates)
    chunks = np.array([(a, start, min(start + CHUNK, p.size)) for a, p in enumerate(params)
                       for start in range(0, p.size, CHUNK)], dtype=np.int64).reshape(-1, 3)
    dtype = dtypes.pop().type
    total = sum(p.size for p in params)
    loop = _rmsprop_chunks_parallel if total >= PARALLEL_MIN_SIZE else _rmsprop_chunks_serial
    loop(params, grads, mss, chunks, dtype(lr), dtype(rho), dtype(1 - rho), dtype(eps),
         np.finfo(dtype).tiny)


rmsprop_update.rmsprop_update_all = rmsprop_update_all


@numba.njit(inline="always")
def _rmsprop_chunk(c, params, grads, mss, chunks, lr, rho, one_minus_rho, eps, smallest_normal):
    a, start, stop = chunks[c, 0], chunks[c, 1], chunks[c, 2]
    _rmsprop_range(params[a], grads[a], mss[a], start, stop, lr, rho, one_minus_rho, eps,
                   smallest_normal)


@numba.njit(inline="always")
def _rmsprop_range(param, grad, ms, start, stop, lr, rho, one_minus_rho, eps, smallest_normal):
    # An unsigned index: with a signed one each access also checks for a negative index
    # (Python's a[-1]), and that check keeps the compiler from vectorizing the loop.
    for i in range(np.uint64(start), np.uint64(stop)):
        _rmsprop_one(i, param, grad, ms, lr, rho, one_minus_rho, eps, smallest_normal)


@numba.njit(parallel=True, cache=True)
def _rmsprop_chunks_parallel(params, grads, mss, chunks, lr, rho, one_minus_rho, eps,
                             smallest_normal):
    for c in numba.prange(len(chunks)):
        _rmsprop_chunk(c, params, grads, mss, chunks, lr, rho, one_minus_rho, eps,
                       smallest_normal)


@numba.njit(cache=True)
def _rmsprop_chunks_serial(params, grads, mss, chunks, lr, rho, one_minus_rho, eps,
                           smallest_normal):
    for c in range(len(chunks)):
        _rmsprop_chunk(c, params, grads, mss, chunks, lr, rho, one_minus_rho, eps,
                       smallest_normal)
