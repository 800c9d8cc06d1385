"""Element-wise activations: ReLU and Sigmoid.

They have no parameters; each keeps its *output*, because both derivatives are
cheapest to write in terms of the output::

    ReLU     y = max(x, 0)          dx = dy * [y > 0]
    Sigmoid  y = 1 / (1 + e^-x)     dx = dy * y * (1 - y)

Shapes: any; ``y`` and ``dx`` have the shape of ``x``.

A NaN stays NaN through the ReLU (as in ``np.maximum``), so a diverging run shows up
in the loss instead of being zeroed here.
"""
import numpy as np

from npvae.layers.base import Layer


def sigmoid(x):
    """Numerically safe logistic function: never evaluates ``exp`` of a large positive.

    ``exp(-x)`` overflows for x < -88 in float32, so for negative x we use the equal
    form ``e^x / (1 + e^x)``.
    """
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def sigmoid_backward(dy, y):
    """``dy * y * (1 - y)``: the gradient through a sigmoid whose output was ``y``."""
    return dy * y * (1 - y)


# What a layer's ``activation`` may be: none, or a ReLU applied inside the layer
# (Conv2D, Conv2DTranspose, Dense). Any other activation is a layer of its own after it.
ACTIVATIONS = (None, "relu")


def check_activation(activation, layer_name):
    """``activation`` if it is one of ACTIVATIONS; a one-line ValueError if not."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"{layer_name}: activation must be None or 'relu'; got "
                         f"{activation!r} (for another, put its layer after this one)")
    return activation


def relu(x):
    """``max(x, 0)`` of an array of any shape, as a new array."""
    return np.maximum(x, 0)


def relu_backward(dy, y):
    """``dy * [y > 0]``: the gradient through a ReLU whose output was ``y``."""
    return dy * (y > 0)


def relu_in_place(y):
    """``y <- max(y, 0)``, in place: for a layer that applies its own ReLU to the output
    it has just written (no second array of the output's size)."""
    return np.maximum(y, 0, out=y)


# ------------------------------------------------------------------------ the layers


class Activation(Layer):
    """An element-wise ``y = f(x)`` that keeps its output ``y`` for backward, where
    ``dx = dy * f'(x)`` is written in terms of ``y``. A subclass names ``function`` (f)
    and ``gradient`` (dy, y -> dx)."""

    def forward(self, x):
        self.check_input(x)
        y = self.function(x)
        self._cache = y
        return y

    def backward(self, dy):
        y = self.cached()
        self.check_gradient(dy, y.shape)
        return self.gradient(dy, y)


class ReLU(Activation):
    """``y = max(x, 0)``: passes positives, zeroes negatives (and their gradients)."""

    function = staticmethod(relu)
    gradient = staticmethod(relu_backward)  # dy where the unit was active; 0 at the kink


class Sigmoid(Activation):
    """``y = 1 / (1 + exp(-x))``: squashes a logit into a probability in (0, 1)."""

    function = staticmethod(sigmoid)
    gradient = staticmethod(sigmoid_backward)
