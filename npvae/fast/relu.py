"""The ReLU's two passes as numba loops: the twins of ``npvae.layers.activations``.

The textbook writes them as NumPy expressions, ``np.maximum(y, 0, out=y)`` and
``dy * (y > 0)``; the second makes a boolean array and then a product, two passes. These
loops make one pass each, split over the cores, with no temporary array.
``tests/test_fast_relu.py`` holds them equal to the textbook, NaNs included.
"""
import numba
import numpy as np


@numba.njit(parallel=True, cache=True)
def _relu_loop(x, y):
    for i in numba.prange(x.size):
        # "not x < 0" rather than "x > 0": a NaN stays NaN, as in np.maximum, so a
        # diverging run shows up in the loss instead of being zeroed here.
        y[i] = x[i] if not x[i] < 0 else 0


@numba.njit(parallel=True, cache=True)
def _relu_backward_loop(dy, y, dx):
    for i in numba.prange(dy.size):
        dx[i] = dy[i] * (y[i] > 0)


def relu_in_place(y):
    """``y <- max(y, 0)`` of a C-contiguous array, in place: ``activations.relu_in_place``."""
    if not y.flags.c_contiguous:
        raise ValueError("relu_in_place needs a C-contiguous array")
    flat = y.reshape(-1)
    _relu_loop(flat, flat)
    return y


def relu_backward(dy, y):
    """``dy * [y > 0]`` in one pass: ``activations.relu_backward``."""
    dy, y = np.ascontiguousarray(dy), np.ascontiguousarray(y)
    dx = np.empty_like(dy)
    _relu_backward_loop(dy.reshape(-1), y.reshape(-1), dx.reshape(-1))
    return dx


def applying_relu(forward, backward):
    """A convolution's (forward, backward) pair that also applies the layer's ReLU.

    ``forward(..., relu=True)`` applies it in place to the output with the loop above,
    and backward first applies its mask, ``dz = dy [y > 0]``: what the layer would do
    with the textbook's NumPy expressions, in one pass each.
    """
    def forward_relu(x, W, b, stride, pads, y_shape, relu=False):
        y, cache = forward(x, W, b, stride, pads, y_shape)
        return (relu_in_place(y) if relu else y), (cache, y if relu else None)

    def backward_relu(dy, W, cache):
        inner, y_relu = cache
        return backward(dy if y_relu is None else relu_backward(dy, y_relu), W, inner)

    return forward_relu, backward_relu
