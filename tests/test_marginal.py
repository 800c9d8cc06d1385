"""log p(x) on a grid (npvae/marginal.py), held to answers known without it.

- A linear-Gaussian model, p(z) = N(0, I) and p(x|z) = N(x; A z + b, s^2 I), has
  p(x) = N(x; b, A A^T + s^2 I) in closed form: the grid must find it, in 1 and 2
  dimensions (a cell's volume or the prior's density got wrong fails here).
- The grid's cells tile their box, and the prior is scipy's standard normal.
- On a tiny float64 VAE with a 2-number code, the grid's log p(x) is what IWAE with many
  draws approaches from below, and the decoder's log-likelihood is minus its loss.
"""
import numpy as np
import pytest
from scipy.stats import multivariate_normal

from npvae.evaluation import iwae_nll, log_prior
from npvae.losses import bernoulli_reconstruction
from npvae.marginal import (
    DECODE_BATCH,
    decoder_log_likelihood,
    grid_of_cells,
    log_marginal,
    log_marginal_on_grid,
)
from npvae.models import VAE


def linear_gaussian(latent, seed):
    """(log_likelihood of z, the exact log p(x), posterior mean, posterior sd) of a
    linear-Gaussian model with a 3-number x."""
    rng = np.random.default_rng(seed)
    a, b, s2 = rng.standard_normal((3, latent)), rng.standard_normal(3), 0.3
    x = rng.standard_normal(3)
    exact = multivariate_normal(b, a @ a.T + s2 * np.eye(3)).logpdf(x)
    precision = np.eye(latent) + a.T @ a / s2                    # of the posterior p(z|x)
    covariance = np.linalg.inv(precision)
    mean = covariance @ a.T @ (x - b) / s2

    def log_likelihood(z):                                       # (G, latent) -> (G,)
        residual = x - (z @ a.T + b)
        return -0.5 * np.sum(residual**2 / s2 + np.log(2 * np.pi * s2), axis=1)

    return log_likelihood, exact, mean, np.sqrt(np.diag(covariance))


@pytest.mark.parametrize("latent", [1, 2])
def test_the_grid_finds_the_exact_log_marginal(latent):
    log_likelihood, exact, mean, sd = linear_gaussian(latent, seed=latent)
    found = log_marginal_on_grid(log_likelihood, mean, 8 * sd, 61)
    assert abs(found - exact) < 1e-6, (found, exact)


def test_a_box_that_misses_the_posterior_finds_less():
    """The grid is a sum over its box only: moved off the posterior, it must lose mass."""
    log_likelihood, exact, mean, sd = linear_gaussian(2, seed=2)
    assert log_marginal_on_grid(log_likelihood, mean + 6 * sd, 2 * sd, 41) < exact - 1


def test_cells_tile_their_box():
    z, cell = grid_of_cells([1.0, -2.0], [0.5, 3.0], 4)
    assert z.shape == (16, 2)
    assert cell == pytest.approx((1.0 / 4) * (6.0 / 4))
    assert cell * len(z) == pytest.approx(1.0 * 6.0)             # the box's area
    assert np.allclose(z.mean(axis=0), [1.0, -2.0])
    assert np.allclose(np.unique(z[:, 0]), [0.625, 0.875, 1.125, 1.375])


def test_the_prior_is_the_standard_normal():
    z = np.random.default_rng(0).standard_normal((5, 2)) * 3
    assert np.allclose(log_prior(z), multivariate_normal(np.zeros(2)).logpdf(z))


@pytest.fixture(scope="module")
def tiny():
    """A float64 VAE with a 2-number code and a decoder that depends strongly on z."""
    model = VAE(input_shape=(4, 4, 1), latent_dim=2, encoder_filters=(2, 2, 2, 2),
                dense_units=3, decoder_filters=2, dtype=np.float64, seed=5)
    for name, param in model.weights().items():
        if name.startswith("decoder/dense"):
            param *= 4
    x = np.random.default_rng(1).uniform(size=(2, 4, 4, 1))
    return model, x


def test_decoder_log_likelihood_is_minus_the_loss(tiny):
    model, x = tiny
    z = np.random.default_rng(2).standard_normal((DECODE_BATCH + 44, 2))   # two passes
    logits = model.decoder.forward(z)
    loss, _ = bernoulli_reconstruction(logits, np.broadcast_to(x[0], logits.shape))
    assert np.allclose(decoder_log_likelihood(model, x[0])(z), -loss, rtol=0, atol=1e-12)


def test_iwae_approaches_the_grid_from_below(tiny):
    model, x = tiny
    for image in x:
        exact = log_marginal(model, image, width=8, points=81)
        assert log_marginal(model, image, width=12, points=121) == pytest.approx(exact, abs=1e-5)
        # The ELBO's expectation: the mean of many one-draw estimates (K = 1).
        one = -iwae_nll(model, np.repeat(image[None], 2000, axis=0), 1,
                        np.random.default_rng(3))
        many = np.mean([-iwae_nll(model, image[None], 2000, np.random.default_rng(seed))
                        for seed in range(4)])
        assert one < many - 0.01, (one, many, exact)    # a real gap, closed by K draws
        assert many <= exact + 0.005, (many, exact)     # from below, up to the draws' noise
        assert abs(many - exact) < 0.02, (many, exact)


def test_log_marginal_refuses_what_it_cannot_sum(tiny):
    model, x = tiny
    with pytest.raises(ValueError, match=r"the image must have pixels in \[0, 1\]"):
        log_marginal(model, x[0] * 255)                  # uint8-like pixels, not in [0, 1]
    wide = VAE(input_shape=(4, 4, 1), latent_dim=3, encoder_filters=(2, 2, 2, 2),
               dense_units=3, decoder_filters=2, dtype=np.float64, seed=5)
    with pytest.raises(ValueError, match="at most 2"):
        log_marginal(wide, x[0])
