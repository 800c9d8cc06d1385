"""log p(x) by brute force: the integral over a short code, summed on a grid of cells.

The ELBO and the IWAE bound (``npvae/evaluation.py``) are bounds on log p(x) because the
integral that defines it cannot be computed for a long code. For a code of two numbers
(the book's model) it can, by summing over a grid::

    p(x) = integral p(x|z) p(z) dz  ~  sum_g p(x|z_g) p(z_g) * cell
    log p(x)  ~  logsumexp_g [ log p(x|z_g) + log p(z_g) ]  +  log cell

with z_g the centres of ``points^D`` equal cells (the midpoint rule) and ``cell`` the
area (in D dimensions, the volume) of one. The sum is kept in logs, as IWAE's is:
``log p(x|z_g) + log p(z_g)`` is tens to hundreds of nats below 0 (-40 to -360 on the
grids of chapter 1's three digits), whose exp float32, the model's precision, cannot
hold (it is 0 below about exp(-103)), and a larger image can pass even float64's limit
(about exp(-745)). ``logsumexp`` shifts every term by the largest, so that one is
exactly 1 and a term that still underflows is too small to change the sum.

Where to put the grid: p(x|z) p(z) is negligible except near the codes that explain x,
the true posterior p(z|x), and the encoder's q(z|x) = N(mean, sigma^2) says roughly
where that is. The grid is centred on the encoder's mean and reaches ``width`` of its
standard deviations each way. Whether that is wide and fine enough is checked, not
assumed: a grid both wider and finer must give the same number (chapter 1 compares the
default, 6 deviations each way in cells of 0.48, with 8 deviations in cells of 0.31).

Shapes: a grid is (points^D, D); one image is (H, W, C); log densities are (points^D,).
The grid grows as points^D, so this is for D = 1 or 2 only.
"""
import numpy as np

from npvae.evaluation import log_prior, logsumexp
from npvae.losses import bernoulli_reconstruction_loss
from npvae.models.base import in_batches

DECODE_BATCH = 256  # codes per decoder pass: bounds the memory of the layers' work arrays
MAX_LATENT_DIM = 2  # points^D cells: 625 at D = 2, 25^32 at the D = 32 a model may have


def grid_of_cells(center, half_widths, points):
    """The centres of ``points^D`` equal cells that tile the box center +- half_widths,
    (points^D, D), and the volume of one cell (the product of its D side lengths)."""
    center, half_widths = np.asarray(center, float), np.asarray(half_widths, float)
    sides = 2 * half_widths / points                                      # (D,)
    axes = [c - h + side * (np.arange(points) + 0.5)
            for c, h, side in zip(center, half_widths, sides)]
    z = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(center))
    return z, float(np.prod(sides))


def log_marginal_on_grid(log_likelihood, center, half_widths, points):
    """log p(x) = log integral p(x|z) N(z; 0, I) dz by the midpoint rule on the box
    center +- half_widths; ``log_likelihood`` maps codes (G, D) to log p(x|z) (G,)."""
    z, cell = grid_of_cells(center, half_widths, points)
    log_joint = log_likelihood(z) + log_prior(z)                          # log p(x, z_g)
    return float(logsumexp(log_joint[None, :])[0] + np.log(cell))


def decoder_log_likelihood(model, image):
    """The function z (G, D) -> log p(image | z) (G,), in float64, of a model's decoder:
    minus the Bernoulli reconstruction loss of the decoded logits."""
    target = image.astype(np.float64)

    def log_likelihood_of_batch(z):
        logits = model.decode(z.astype(model.dtype)).astype(np.float64)
        return -bernoulli_reconstruction_loss(logits, np.broadcast_to(target, logits.shape))

    return lambda z: in_batches(log_likelihood_of_batch, DECODE_BATCH, z)


def log_marginal(model, image, width=6.0, points=25):
    """log p(image) of a model with a short code, on a grid centred on the encoder's mean
    that reaches ``width`` of q(z|x)'s standard deviations each way, with
    ``points`` cells along each dimension."""
    model.check_images(image[None], "the image")      # one (H, W, C) image, pixels in [0, 1]
    model.check_labels(None, 1)          # p(x), not p(x|y): a conditional model refuses
    latent_dim = model.config["latent_dim"]
    if latent_dim > MAX_LATENT_DIM:
        raise ValueError(f"log_marginal sums over a grid of {points}^D cells, for a code of "
                         f"at most {MAX_LATENT_DIM} numbers; this model's has {latent_dim}: "
                         f"use iwae_nll (npvae/evaluation.py) for it")
    mean, log_var = model.encode(image[None])                             # (1, D) each
    sigma = model.sampling.scale(log_var[0]).astype(np.float64)   # the q it samples from
    return log_marginal_on_grid(decoder_log_likelihood(model, image),
                                mean[0].astype(np.float64), width * sigma, points)
