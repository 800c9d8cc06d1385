"""npvae's own code under the names and arguments of the exercises: what a learner's file
may import (the convolution exercises take im2col and col2im from here), and what
``npvae exercise solution`` points to.

Each name is npvae's function itself, imported from its home when first used, so that a
learner's ``from npvae.exercises.reference import im2col`` loads im2col and no more.
``log_mean_exp`` is the one written here: npvae's IWAE takes log-sum-exp and subtracts
log K itself.
"""
import importlib

import numpy as np

# name -> the module that defines it
HOMES = {
    "gaussian_kl": "npvae.losses", "bernoulli_reconstruction": "npvae.losses",
    "dense_forward": "npvae.layers.dense", "dense_backward": "npvae.layers.dense",
    "relu_backward": "npvae.layers.activations", "sigmoid_backward": "npvae.layers.activations",
    "im2col": "npvae.im2col", "col2im": "npvae.im2col",
    **dict.fromkeys(["conv2d_forward", "conv2d_backward", "conv2d_transpose_forward",
                     "conv2d_transpose_backward"], "npvae.layers.conv"),
    "sampling_forward": "npvae.layers.sampling", "sampling_backward": "npvae.layers.sampling",
    "rmsprop_update": "npvae.optim",
    "numerical_gradient": "npvae.gradcheck", "relative_error": "npvae.gradcheck",
}

__all__ = sorted([*HOMES, "log_mean_exp"])


def __getattr__(name):
    if name not in HOMES:
        raise AttributeError(f"module 'npvae.exercises.reference' has no attribute {name!r}")
    return getattr(importlib.import_module(HOMES[name]), name)


def log_mean_exp(log_w):
    """log (1/K sum_k exp(log_w[b, k])) of each row: (B, K) -> (B,), as IWAE needs it."""
    from npvae.evaluation import logsumexp
    return logsumexp(log_w) - np.log(log_w.shape[1])
