"""Numerical gradients by central differences, to check a hand-written backward pass.

For a scalar function f and a small step h, each partial derivative is estimated by::

    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h)

The error of this estimate is O(h^2) (the even Taylor terms cancel), against O(h) for
a one-sided difference. Rounding adds about 1e-16 * |f| / h, so h trades one error for
the other; with float64, h = 1e-5 keeps both near 1e-10 for the layers here.
(In float32 rounding alone is ~1e-7 * |f| / h, useless for checking: always check in
float64.)

To check a layer's backward pass we make its output a scalar with a fixed random
projection ``f(x) = sum(layer.forward(x) * R)``: then ``dL/dy = R`` is what we feed to
``backward``, and every output entry takes part in the check.

R must be random, with entries of both signs and different sizes. With R all ones, a
backward that sends each image's gradient to another image (``dy[::-1]``) or to another
channel would pass: reversing a constant changes nothing. And ``backward`` is handed a
copy of R, so a backward that writes into its ``dy`` cannot change the function the
numerical gradient is taken of.
"""
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of the scalar ``f()`` with respect to the array ``x``.

    ``x`` is perturbed *in place*, one entry at a time, and restored; ``f`` takes no
    arguments and must read ``x`` (so it can be a layer's parameter as well as its input).

    Returns an array shaped like ``x``.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat_x, x):
        raise ValueError("numerical_gradient needs a contiguous array to perturb in place")
    for i in range(flat_x.size):
        original = flat_x[i]
        flat_x[i] = original + h
        f_plus = f()
        flat_x[i] = original - h
        f_minus = f()
        flat_x[i] = original
        flat_grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(analytic, numeric):
    """``max|a - n| / max(max|a|, max|n|)``: the worst error, relative to the gradient's scale.

    Measuring against the largest entry, rather than entry by entry, keeps an entry
    that is exactly zero (a dead ReLU) from turning a 1e-12 absolute error into a
    huge relative one. The scale is the gradients' own, never floored (at 1, say): a
    gradient of size 1e-4 that is 1% off measures 1e-2, as one of size 1 does.
    A NaN or infinite entry measures ``inf``, which every bound rejects.
    """
    analytic, numeric = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    if analytic.shape != numeric.shape:
        raise ValueError(f"shapes differ: {analytic.shape} vs {numeric.shape}")
    if not (np.isfinite(analytic).all() and np.isfinite(numeric).all()):
        return float("inf")
    scale = max(np.abs(analytic).max(initial=0.0), np.abs(numeric).max(initial=0.0))
    if scale == 0.0:
        return 0.0
    return float(np.abs(analytic - numeric).max() / scale)


def check_layer(layer, x, rng, h=1e-5):
    """Compare ``layer.backward`` with central differences, for the input and each param.

    Args:
        layer: a float64 layer with ``forward(x)`` returning one array.
        x: its float64 input.
        rng: a ``numpy.random.Generator`` for the random projection ``R``.

    Returns:
        dict name -> relative error, with "x" for the input and a key per parameter.
    """
    if layer.dtype != np.float64 or x.dtype != np.float64:
        raise ValueError(f"check {layer!r} in float64 (dtype=np.float64 and a float64 x): "
                         f"float32 rounding swamps the differences")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"check_layer needs a numpy.random.Generator for its random "
                         f"projection, e.g. np.random.default_rng(0); got {rng!r}")
    projection = rng.standard_normal(layer.forward(x).shape)  # R: random, see above

    def loss():
        return float(np.sum(layer.forward(x) * projection))

    layer.forward(x)
    dx = layer.backward(projection.copy())  # a copy: loss() must keep the R it was given
    errors = {"x": relative_error(dx, numerical_gradient(loss, x, h))}
    for key, param in layer.params.items():
        errors[key] = relative_error(layer.grads[key], numerical_gradient(loss, param, h))
    return errors
