"""How close a layer's own ReLU is to its kink: gradient checks must stay clear of it.

A central difference that straddles the kink of ``max(z, 0)`` measures half a slope,
not the derivative. A step of h in one entry of x, W or b moves a layer's sums ``z`` by
at most h times the largest |x|, |W| or 1, so a check is safe when every |z| is larger.
"""
import numpy as np


def kink_margin(layer, x):
    """The smallest |z| of the sums that the layer's ReLU receives on input x."""
    activation, layer.activation = layer.activation, None
    try:
        return np.abs(layer.forward(x)).min()
    finally:
        layer.activation = activation


def step_reach(layer, x, h):
    """How far one step of h in x or a parameter can move a sum."""
    return h * max([np.abs(x).max(), 1.0] + [np.abs(p).max() for p in layer.params.values()])
