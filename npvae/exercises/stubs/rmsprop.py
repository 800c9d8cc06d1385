"""Exercise rmsprop: one step of RMSprop, Keras' and the book's optimizer
(guide, chapter 5).

Every weight keeps a running mean of its squared gradients, ms, and steps by its
gradient divided by their root:

    ms <- rho * ms + (1 - rho) * grad**2
    param <- param - lr * grad / sqrt(ms + eps)

Each weight gets its own step size, lr / RMS(grad). eps sits INSIDE the square root, as
in TensorFlow/Keras: where ms is 0 it bounds the step by lr / sqrt(eps).

Update param and ms IN PLACE (param -= ..., ms *= ..., ms += ... or ms[...] = ...): they
are the model's own arrays, and the function returns nothing. grad stays as it is. All
arrays have the parameter's shape and dtype (float32 in the model); lr, rho, eps are
numbers. Keep no memory of your own between calls: ms IS the parameter's memory, and
the optimizer gives each parameter its own.

Check it:  npvae exercise check rmsprop
A hint:    npvae exercise hint rmsprop
"""
import numpy as np


def rmsprop_update(param, grad, ms, lr, rho, eps):
    """One RMSprop step: update ms, then param, both in place."""
    raise NotImplementedError("update the running mean ms, then step param, both in place")
