"""Element-wise activations: ReLU and Sigmoid.

They have no parameters; each keeps its *output*, because both derivatives are
cheapest to write in terms of the output::

    ReLU     y = max(x, 0)          dx = dy * [y > 0]
    Sigmoid  y = 1 / (1 + e^-x)     dx = dy * y * (1 - y)

Shapes: any; ``y`` and ``dx`` have the shape of ``x``.
"""
import numpy as np

from npvae.layers.base import Layer


class ReLU(Layer):
    """``y = max(x, 0)``: passes positives, zeroes negatives (and their gradients)."""

    def forward(self, x):
        self.check_input(x)
        y = np.maximum(x, 0)
        self._cache = y
        return y

    def backward(self, dy):
        y = self.cached()
        self.check_gradient(dy, y.shape)
        # The gradient flows only where the unit was active (the kink at 0 gets 0).
        return dy * (y > 0)


class Sigmoid(Layer):
    """``y = 1 / (1 + exp(-x))``: squashes a logit into a probability in (0, 1)."""

    def forward(self, x):
        self.check_input(x)
        y = sigmoid(x)
        self._cache = y
        return y

    def backward(self, dy):
        y = self.cached()
        self.check_gradient(dy, y.shape)
        return dy * y * (1 - y)


def sigmoid(x):
    """Numerically safe logistic function: never evaluates ``exp`` of a large positive.

    ``exp(-x)`` overflows for x < -88 in float32, so for negative x we use the equal
    form ``e^x / (1 + e^x)``.
    """
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
