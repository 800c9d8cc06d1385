"""The noise of the reparameterization trick: eps ~ N(0, I), fresh at every draw, seeded.

The gradient checks hold eps fixed, and a VAE still trains (worse) on uniform noise, so
only a test of the draws themselves tells N(0, 1) from something else. The sample is
large enough that a wrong distribution fails by many standard errors, and seeded, so the
test gives the same answer every run.
"""
import numpy as np
import pytest
from scipy.stats import kstest

from npvae.layers import Sampling

N, D = 4000, 5  # 20,000 draws: the mean's standard error is 0.007, the variance's 0.01


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_noise_is_standard_normal(dtype):
    layer = Sampling(np.random.default_rng(2024), dtype=dtype)
    zeros = np.zeros((N, D), dtype)
    eps = layer.forward(zeros, zeros).astype(np.float64)  # mean 0, sigma 1: z is eps
    assert eps.dtype == np.float64 and abs(eps.mean()) < 5 * 0.007
    assert abs(eps.var() - 1) < 5 * 0.01
    assert np.abs(eps.mean(axis=0)).max() < 5 * 0.016  # each latent dimension, too
    assert kstest(eps.ravel(), "norm").pvalue > 1e-3


def test_z_is_the_mean_plus_sigma_times_the_noise():
    """mean 2 and log_var log 9: z ~ N(2, 3^2), so (z - 2) / 3 is N(0, 1) again."""
    layer = Sampling(np.random.default_rng(7), dtype=np.float64)
    mean, log_var = np.full((N, D), 2.0), np.full((N, D), np.log(9.0))
    standardized = (layer.forward(mean, log_var) - 2.0) / 3.0
    assert kstest(standardized.ravel(), "norm").pvalue > 1e-3
    assert abs(standardized.std() - 1) < 0.02


def test_each_draw_is_fresh_and_a_seed_repeats_them():
    zeros = np.zeros((3, 4))
    layer = Sampling(np.random.default_rng(5), dtype=np.float64)
    first, second = layer.forward(zeros, zeros), layer.forward(zeros, zeros)
    assert not np.allclose(first, second)
    again = Sampling(np.random.default_rng(5), dtype=np.float64)
    np.testing.assert_array_equal(again.forward(zeros, zeros), first)


def test_switching_to_the_books_sampling_switches_what_is_computed():
    """``sampling.book = True`` after construction (chapter 4 does it on a loaded model)
    runs the book's exp(log_var), as ``Sampling(book=True)`` does."""
    from npvae.layers import Sampling
    mean = np.zeros((1, 2), np.float32)
    log_var, eps = np.full((1, 2), 2.0, np.float32), np.ones((1, 2), np.float32)
    layer = Sampling(0)
    layer.book = True
    np.testing.assert_allclose(layer.forward(mean, log_var, eps), np.exp(2.0), rtol=1e-6)
    layer.book = False
    np.testing.assert_allclose(layer.forward(mean, log_var, eps), np.exp(1.0), rtol=1e-6)
