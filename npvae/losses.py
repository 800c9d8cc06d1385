"""The two terms of the VAE loss, each with its gradient.

A VAE maximises the evidence lower bound (ELBO) on log p(x)::

    log p(x) >= E_q[log p(x|z)] - KL(q(z|x) || p(z))  =  ELBO

so we *minimise* the negative ELBO, the sum of two terms, both in nats per image.

Reconstruction: -log p(x|z) for a Bernoulli decoder
----------------------------------------------------
The decoder outputs one logit ``l`` per pixel; the pixel is "on" with probability
``sigmoid(l)``. For a target ``x`` in [0, 1] (grey MNIST pixels are used as soft
targets, as Keras does), the binary cross-entropy of one pixel, written from the
logit so that it never takes log(0)::

    bce(l, x) = -x log sigmoid(l) - (1 - x) log(1 - sigmoid(l))
              = (1 - x) l + log(1 + exp(-l))         since log(1 - sigmoid(l)) = -l + log sigmoid(l)
              = max(l, 0) - x*l + log(1 + exp(-|l|))   the same, with no exp overflowing
    d bce / dl = (1 - x) - (1 - sigmoid(l)) = sigmoid(l) - x

(docs/02-layers-and-backprop.md derives it step by step and checks it.)

Summed over the 784 pixels of an image it is the reconstruction term.

KL: KL(N(mu, sigma^2) || N(0, 1)) for a diagonal Gaussian, in closed form
-------------------------------------------------------------------------
With ``log_var = log sigma^2``, summed over the D latent dimensions::

    kl = 0.5 * sum_d (exp(log_var) + mu^2 - 1 - log_var)
    d kl / d mu = mu        d kl / d log_var = 0.5 * (exp(log_var) - 1)

Every function returns ``(per_example, gradients)``: the loss of each image (N,) and
the gradient of their *sum*; the training code divides by N for a batch mean.
"""
from typing import Callable, NamedTuple

import numpy as np

from npvae.layers.activations import sigmoid

UNITS = "nats per image"  # each term is a sum over an image's pixels (or latent dims)


def bernoulli_reconstruction(logits, x):
    """-log p(x|z) of each image, from the decoder's logits, and its gradient.

    Args:
        logits: (N, ...) decoder outputs before the sigmoid.
        x: (N, ...) targets in [0, 1], same shape.

    Returns:
        loss: (N,) nats per image (sum over pixels); dlogits: (N, ...).
    """
    return bernoulli_reconstruction_loss(logits, x), sigmoid(logits) - x


def bernoulli_reconstruction_loss(logits, x):
    """The loss of ``bernoulli_reconstruction`` alone, (N,), for scoring a model: its
    gradient would be a sigmoid of every logit, computed for nothing."""
    if logits.shape != x.shape:
        raise ValueError(f"logits and targets must have the same shape; got "
                         f"{logits.shape} and {x.shape}")
    pixel_loss = np.maximum(logits, 0) - x * logits + np.log1p(np.exp(-np.abs(logits)))
    return pixel_loss.reshape(len(x), -1).sum(axis=1)


def gaussian_kl(mean, log_var):
    """KL(N(mean, exp(log_var)) || N(0, I)) of each example.

    Args:
        mean, log_var: (N, D).

    Returns:
        kl: (N,) nats; (dmean, dlog_var): each (N, D).
    """
    var = np.exp(log_var)
    kl = 0.5 * np.sum(var + mean**2 - 1 - log_var, axis=1)
    return kl, (mean, 0.5 * (var - 1))


class LossTerms(NamedTuple):
    """The two functions a model computes the negative ELBO's terms with, each returning
    ``(per_example, gradients)`` as the two above. A model holds them as a layer holds its
    algorithm, so that others can take their place (a learner's own, in the exercises'
    capstone)."""

    reconstruction: Callable = bernoulli_reconstruction
    kl: Callable = gaussian_kl


# ------------------------------------------------------------------ the book's loss

BOOK_KL_WEIGHT = 5e-4


def book_loss(logits, x, mean, log_var):
    """The book's loss: per-pixel *mean* BCE plus a KL scaled down by 5e-4.

    Chollet's book writes ``binary_crossentropy(flatten(x), flatten(x_decoded))`` (a mean
    over pixels, not a sum) plus ``-5e-4 * mean(1 + log_var - mean^2 - exp(log_var))``
    (a mean over the D latent dimensions). In terms of the ELBO's two terms::

        book = reconstruction / P + (1e-3 / D) * kl  =  (reconstruction + beta * kl) / P

    with P pixels and ``beta = 1e-3 * P / D`` (0.392 for MNIST and D = 2): up to the
    factor 1/P, the book trains a beta-VAE that counts the KL less than the ELBO does.
    (Keras computes the BCE from probabilities clipped to [1e-7, 1 - 1e-7]; from logits
    there is nothing to clip, which differs only where the decoder is almost certain.)

    Returns:
        loss: (N,); (dlogits, dmean, dlog_var), gradients of the sum of ``loss``.
    """
    n_pixels = x[0].size
    reconstruction, dlogits = bernoulli_reconstruction(logits, x)
    kl, (dmean, dlog_var) = gaussian_kl(mean, log_var)
    # -5e-4 * mean_d(1 + lv - mu^2 - e^lv) = (2 * 5e-4 / D) * kl
    kl_scale = 2 * BOOK_KL_WEIGHT / mean.shape[1]
    loss = reconstruction / n_pixels + kl_scale * kl
    return loss, (dlogits / n_pixels, kl_scale * dmean, kl_scale * dlog_var)
