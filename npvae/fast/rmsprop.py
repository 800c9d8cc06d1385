"""RMSprop's update as one numba pass over the weights: the twin of ``npvae.optim.rmsprop_update``.

The formula as NumPy expressions makes one pass over every weight per operation (five
of them, and a temporary array for each), and those passes, not the arithmetic, are
what the update costs; this loop reads each weight, gradient and ``ms`` once and does
the same operations in the same order, so the two agree bit for bit
(``tests/test_fast_rmsprop.py``).

Most of a model's arrays are small (biases, kernels) and one is large (a dense layer's
weights), and a step updates them all: ``rmsprop_update_all`` does them in one loop.
The arrays are cut into chunks of ``CHUNK`` weights (a small array is one chunk), and
the threads share the chunks: one call and one wake-up of the other cores' threads
instead of one per array. Waking them costs more than a small update, so updates of
fewer than ``PARALLEL_MIN_SIZE`` weights in all run on one thread. ``rmsprop_update``,
of one array, is the same loop over a list of one. ``npvae.optim.RMSprop`` finds the
list form as ``rmsprop_update.rmsprop_update_all``.
"""
import numba
import numpy as np

# Below this many weights, waking a second thread costs more than it saves.
PARALLEL_MIN_SIZE = 1 << 16
# Weights per chunk: enough to outweigh a chunk's bookkeeping.
CHUNK = 1 << 14


def rmsprop_update(param, grad, ms, lr, rho, eps):
    """``npvae.optim.rmsprop_update`` in one pass, in place (``param`` C-contiguous)."""
    rmsprop_update_all([(param, grad, ms)], lr, rho, eps)


def rmsprop_update_all(updates, lr, rho, eps):
    """``rmsprop_update`` of every ``(param, grad, ms)`` of ``updates``, in one pass."""
    for update in updates:
        _check_in_place(*update)
    for group in _groups(updates):
        _update_group(group, lr, rho, eps)


rmsprop_update.rmsprop_update_all = rmsprop_update_all


def _check_in_place(param, grad, ms):
    if not (param.flags.c_contiguous and ms.flags.c_contiguous):
        # reshape(-1) of a strided array is a copy: the update would be lost.
        raise ValueError(f"RMSprop updates parameters and their ms in place; they must be "
                         f"C-contiguous arrays (got one of shape {param.shape})")
    if not param.shape == grad.shape == ms.shape:
        raise ValueError(f"a parameter, its gradient and its ms must have one shape; got "
                         f"{param.shape}, {grad.shape} and {ms.shape}")


def _groups(updates):
    """The updates as lists that one loop can run: one dtype for all the parameters of
    a list (and one for the gradients, one for the ms), and no array twice in a list,
    where two threads could update it at once (a list that names one twice goes one
    update at a time, in order, as the textbook does)."""
    if len({id(param) for param, _, _ in updates}) < len(updates):
        return [[update] for update in updates]
    groups = {}
    for update in updates:
        groups.setdefault(tuple(array.dtype for array in update), []).append(update)
    return list(groups.values())


def _update_group(updates, lr, rho, eps):
    params = tuple(param.reshape(-1) for param, _, _ in updates)
    grads = tuple(np.ascontiguousarray(grad).reshape(-1) for _, grad, _ in updates)
    mss = tuple(ms.reshape(-1) for _, _, ms in updates)
    chunks = np.array([(a, start, min(start + CHUNK, p.size)) for a, p in enumerate(params)
                       for start in range(0, p.size, CHUNK)], dtype=np.int64).reshape(-1, 3)
    # Scalars in the parameters' precision, so that float32 stays float32 throughout.
    dtype = params[0].dtype.type
    total = sum(p.size for p in params)
    loop = _rmsprop_chunks_parallel if total >= PARALLEL_MIN_SIZE else _rmsprop_chunks_serial
    loop(params, grads, mss, chunks, dtype(lr), dtype(rho), dtype(1 - rho), dtype(eps),
         np.finfo(dtype).tiny)


@numba.njit(inline="always")
def _rmsprop_one(i, param, grad, ms, lr, rho, one_minus_rho, eps, smallest_normal):
    # The same operations in the same order as the textbook: equal bits.
    ms[i] = ms[i] * rho + grad[i] * grad[i] * one_minus_rho
    if ms[i] < smallest_normal:
        ms[i] = 0
    param[i] -= grad[i] / np.sqrt(ms[i] + eps) * lr


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
