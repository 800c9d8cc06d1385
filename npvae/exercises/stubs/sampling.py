"""Exercise sampling: the reparameterization trick, forward and backward
(guide, chapter 4).

The encoder gives the mean and the log-variance of a diagonal Gaussian q(z|x). Drawing
z ~ N(mean, sigma^2) directly would stop backpropagation, so the noise eps ~ N(0, I) is
drawn apart and z is COMPUTED from it. The layer draws eps from its seeded Generator and
passes it in: use that eps, and draw no noise of your own.

    sigma = exp(0.5 * log_var)            the standard deviation (not the variance)
    z     = mean + sigma * eps            (N, D)

z is now a smooth function of mean and log_var, with eps held fixed:

    dmean    = dz
    dlog_var = dz * eps * 0.5 * sigma     since d sigma / d log_var = sigma / 2

(The book writes exp(log_var) * eps, the variance where the standard deviation belongs:
chapter 4 measures what that costs.)

Shapes: mean, log_var, eps, z, dz, dmean, dlog_var: all (N, D). Keep the inputs' dtype
(float32 in, float32 out: the model trains in float32), and leave the arrays you are
given as they are.

Check it:  npvae exercise check sampling
A hint:    npvae exercise hint sampling
"""
import numpy as np


def sampling_forward(mean, log_var, eps):
    """z = mean + exp(0.5 * log_var) * eps -> (z, cache)."""
    raise NotImplementedError("compute sigma and z; return z and what backward needs")


def sampling_backward(dz, cache):
    """(dmean, dlog_var) of sampling_forward, from dz."""
    raise NotImplementedError("dmean is dz; dlog_var is dz * eps * d sigma / d log_var")
