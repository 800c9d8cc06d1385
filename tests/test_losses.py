"""Values of the loss terms, against independent formulas (the gradients are checked in
test_gradients.py; a wrong constant applied to a loss and its gradient alike is not)."""
import numpy as np
import pytest
from scipy import stats

from npvae.losses import (
    bernoulli_reconstruction,
    bernoulli_reconstruction_loss,
    book_loss,
    gaussian_kl,
)


def naive_bce(logits, x):
    """The textbook form, through probabilities: fine for moderate logits only."""
    p = 1 / (1 + np.exp(-logits))
    return -(x * np.log(p) + (1 - x) * np.log(1 - p))


def test_reconstruction_equals_the_textbook_cross_entropy():
    rng = np.random.default_rng(0)
    logits, x = rng.normal(0, 3, (4, 5, 5, 1)), rng.random((4, 5, 5, 1))
    loss, dlogits = bernoulli_reconstruction(logits, x)
    np.testing.assert_allclose(loss, naive_bce(logits, x).reshape(4, -1).sum(axis=1),
                               rtol=1e-12)
    np.testing.assert_allclose(dlogits, 1 / (1 + np.exp(-logits)) - x, rtol=1e-12, atol=1e-15)


def test_the_loss_alone_is_the_loss_of_the_pair_and_checks_shapes_as_it_does():
    rng = np.random.default_rng(2)
    logits, x = rng.normal(0, 3, (3, 4, 4, 1)), rng.random((3, 4, 4, 1))
    np.testing.assert_array_equal(bernoulli_reconstruction_loss(logits, x),
                                  bernoulli_reconstruction(logits, x)[0])
    np.testing.assert_allclose(bernoulli_reconstruction_loss(logits, x),
                               naive_bce(logits, x).reshape(3, -1).sum(axis=1), rtol=1e-12)
    for loss in (bernoulli_reconstruction, bernoulli_reconstruction_loss):
        with pytest.raises(ValueError, match="same shape"):
            loss(logits, x[:, :3])


def test_reconstruction_is_finite_and_exact_for_extreme_logits():
    logits = np.array([[-1000.0, -50.0, 50.0, 1000.0]])
    x = np.array([[0.0, 1.0, 0.0, 1.0]])
    loss, dlogits = bernoulli_reconstruction(logits, x)
    # pixel by pixel: log(1 + e^-1000) ~ 0, 50, 50, ~0 nats; no log(0), no overflow
    assert loss[0] == pytest.approx(100.0, rel=1e-12)
    np.testing.assert_allclose(dlogits, [[0.0, -1.0, 1.0, 0.0]], atol=1e-20)


def test_untrained_reconstruction_is_log_2_per_pixel():
    loss, _ = bernoulli_reconstruction(np.zeros((2, 28, 28, 1)), np.full((2, 28, 28, 1), 0.3))
    np.testing.assert_allclose(loss, 784 * np.log(2))


def test_kl_matches_a_monte_carlo_estimate():
    rng = np.random.default_rng(1)
    mean, log_var = np.array([[0.7, -1.2]]), np.array([[-0.5, 0.8]])
    kl, _ = gaussian_kl(mean, log_var)
    std = np.exp(0.5 * log_var[0])
    z = mean[0] + std * rng.standard_normal((400_000, 2))
    log_q = stats.norm.logpdf(z, mean[0], std).sum(axis=1)
    log_p = stats.norm.logpdf(z).sum(axis=1)
    assert kl[0] == pytest.approx(np.mean(log_q - log_p), rel=0.01)


def test_kl_is_zero_only_at_the_prior():
    kl, _ = gaussian_kl(np.zeros((1, 3)), np.zeros((1, 3)))
    assert kl[0] == 0.0
    kl, _ = gaussian_kl(np.full((1, 3), 0.1), np.zeros((1, 3)))
    assert kl[0] == pytest.approx(0.5 * 3 * 0.01)


def test_book_loss_is_the_seeds_keras_formula():
    """Keras: mean binary cross-entropy over all pixels of the batch, plus
    -5e-4 * mean over latent dims of (1 + log_var - mean^2 - exp(log_var)), averaged."""
    rng = np.random.default_rng(2)
    logits, x = rng.normal(0, 2, (3, 28, 28, 1)), rng.random((3, 28, 28, 1))
    mean, log_var = rng.normal(0, 1, (3, 2)), rng.normal(0, 1, (3, 2))
    loss, _ = book_loss(logits, x, mean, log_var)
    xent = naive_bce(logits, x).mean()                    # K.flatten over the whole batch
    kl_term = -5e-4 * np.mean(1 + log_var - mean**2 - np.exp(log_var), axis=-1)
    assert loss.mean() == pytest.approx(np.mean(xent + kl_term), rel=1e-12)
