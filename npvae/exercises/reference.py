"""npvae's own code under the names and arguments of the exercises: what every exercise is
graded against, what ``npvae exercise solution`` points to, and what a learner's file may
import (the convolution exercises take im2col and col2im from here).

Most are npvae's functions themselves. Dense and Sampling are layers in npvae, not
functions; their forward and backward here run the layer itself (the cache is the layer),
so that the reference is npvae's code and not a copy of it.
"""
import numpy as np

from npvae.evaluation import logsumexp
from npvae.gradcheck import numerical_gradient, relative_error
from npvae.im2col import col2im, im2col
from npvae.layers.activations import relu_backward, sigmoid_backward
from npvae.layers.conv import (conv2d_backward, conv2d_forward, conv2d_transpose_backward,
                               conv2d_transpose_forward)
from npvae.layers.dense import Dense
from npvae.layers.sampling import Sampling
from npvae.losses import bernoulli_reconstruction, gaussian_kl
from npvae.optim import rmsprop_update

__all__ = ["bernoulli_reconstruction", "col2im", "conv2d_backward", "conv2d_forward",
           "conv2d_transpose_backward", "conv2d_transpose_forward", "dense_backward",
           "dense_forward", "gaussian_kl", "im2col", "log_mean_exp", "numerical_gradient",
           "relative_error", "relu_backward", "rmsprop_update", "sampling_backward",
           "sampling_forward", "sigmoid_backward"]


def dense_forward(x, W, b):
    """y = x @ W + b by npvae's Dense layer: x (N, D_in), W (D_in, D_out) -> (y, the layer)."""
    layer = Dense(*W.shape, rng=0, dtype=x.dtype)
    layer.params = {"W": W, "b": b}
    return layer.forward(x), layer


def dense_backward(dy, W, cache):
    """(dx, dW, db) of ``dense_forward`` by the layer it kept (which holds W already)."""
    dx = cache.backward(dy)
    return dx, cache.grads["W"], cache.grads["b"]


def sampling_forward(mean, log_var, eps):
    """z = mean + exp(0.5 log_var) eps by npvae's Sampling layer -> (z, the layer)."""
    layer = Sampling(rng=0, dtype=mean.dtype)
    return layer.forward(mean, log_var, eps), layer


def sampling_backward(dz, cache):
    """(dmean, dlog_var) of ``sampling_forward`` by the layer it kept."""
    return cache.backward(dz)


def log_mean_exp(log_w):
    """log (1/K sum_k exp(log_w[b, k])) of each row: (B, K) -> (B,), as IWAE needs it."""
    return logsumexp(log_w) - np.log(log_w.shape[1])
