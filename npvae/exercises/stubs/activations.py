"""Exercise activations: the backward passes of ReLU and of the sigmoid
(guide, chapter 2).

Both layers keep their OUTPUT y for backward, because both derivatives are cheapest
written in terms of it:

    ReLU     y = max(x, 0)          dx = dy * [y > 0]
    Sigmoid  y = 1 / (1 + e^-x)     dx = dy * y * (1 - y)

[y > 0] is 1 where the unit was active and 0 elsewhere, at the kink x = 0 too.
Shapes: any; dy, y and dx all have the shape of x. Keep the inputs' dtype (float32
in, float32 out: the model trains in float32), and leave dy and y as they are: return a
new array.

Check it:  npvae exercise check activations
A hint:    npvae exercise hint activations
"""
import numpy as np


def relu_backward(dy, y):
    """dx of a ReLU whose output was y, from dy."""
    raise NotImplementedError("pass dy where the ReLU's output was positive, 0 elsewhere")


def sigmoid_backward(dy, y):
    """dx of a sigmoid whose output was y, from dy."""
    raise NotImplementedError("multiply dy by the sigmoid's derivative, written with its output y")
