"""The two estimates of -log p(x) pinned down: the negative ELBO and the IWAE bound.

On a model small enough to integrate (a 1-d latent), -log p(x) is known by quadrature,
and each estimator is held to what it must be:

- IWAE with K = 1 is the one-sample ELBO, log w of the same noise, computed here again
  from scipy's densities;
- its expectation is the negative ELBO (analytic KL), within the sampling error;
- as K grows it comes down to -log p(x) from above;
- its logsumexp equals scipy's.
A planted bias, ``log(K + 1)`` for ``log K``, must fail the K = 1 check.
"""
import numpy as np
import pytest
from scipy.special import logsumexp as scipy_logsumexp
from scipy.stats import norm

import npvae.evaluation
from npvae.evaluation import iwae_nll, logsumexp, negative_elbo
from npvae.losses import bernoulli_reconstruction
from npvae.models import VAE

TINY = dict(input_shape=(4, 4, 1), latent_dim=1, encoder_filters=(2, 2, 2, 2),
            dense_units=3, decoder_filters=2, dtype=np.float64)


@pytest.fixture(scope="module")
def problem():
    """A tiny float64 VAE whose decoder depends strongly on z, and three images."""
    model = VAE(seed=3, **TINY)
    for name, param in model.weights().items():
        if name.startswith("decoder/dense"):
            param *= 4  # a posterior narrower than the prior: a real gap to close
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(3, 4, 4, 1))
    x[x < 0.3], x[x > 0.7] = 0.0, 1.0
    return model, x


def brute_force_nll(model, x):
    """-log p(x) = -log integral p(x|z) N(z; 0, 1) dz per image, by the trapezoid rule."""
    z = np.linspace(-12, 12, 24001)
    logits = model.decoder.forward(z[:, None])
    nll = []
    for image in x:
        reconstruction, _ = bernoulli_reconstruction(logits, np.broadcast_to(image, logits.shape))
        log_integrand = -reconstruction + norm.logpdf(z)
        top = log_integrand.max()
        nll.append(-(top + np.log(np.trapezoid(np.exp(log_integrand - top), z))))
    return float(np.mean(nll))


def one_sample_log_weights(model, x, eps):
    """log p(x|z) + log p(z) - log q(z|x) for z = mean + sigma * eps, from scipy."""
    mean, log_var = model.encoder.forward(x)
    sigma = np.exp(0.5 * log_var)
    z = mean + sigma * eps
    reconstruction, _ = bernoulli_reconstruction(model.decoder.forward(z), x)
    return (-reconstruction + norm.logpdf(z).sum(axis=1)
            - norm.logpdf(z, loc=mean, scale=sigma).sum(axis=1))


def assert_k1_is_the_one_sample_elbo(model, x):
    # iwae_nll draws the noise of all images at once, one sample each: the same eps.
    eps = np.random.default_rng(7).standard_normal((len(x), 1))
    expected = -one_sample_log_weights(model, x, eps).mean()
    assert iwae_nll(model, x, 1, np.random.default_rng(7)) == pytest.approx(expected, rel=1e-12)


def test_k1_equals_the_one_sample_elbo_with_the_same_noise(problem):
    assert_k1_is_the_one_sample_elbo(*problem)


def test_a_planted_log_k_plus_1_fails_the_k1_check(problem, monkeypatch):
    true_logsumexp = npvae.evaluation.logsumexp
    # log(K + 1) in place of log K: the bound shifts by log((K + 1) / K), log 2 at K = 1.
    monkeypatch.setattr(npvae.evaluation, "logsumexp",
                        lambda a: true_logsumexp(a) - np.log(a.shape[1]) + np.log(a.shape[1] + 1))
    with pytest.raises(AssertionError):
        assert_k1_is_the_one_sample_elbo(*problem)


def test_k1_averages_to_the_negative_elbo(problem):
    model, x = problem
    many = np.repeat(x, 400, axis=0)  # 400 draws per image
    rng = np.random.default_rng(11)
    eps = rng.standard_normal((len(many), 1))
    log_w = one_sample_log_weights(model, many, eps)
    # E[-log w] = -ELBO with the analytic KL; 4 standard errors of the mean.
    tolerance = 4 * log_w.std() / np.sqrt(len(log_w))
    elbo = negative_elbo(model, many, np.random.default_rng(12))
    assert iwae_nll(model, many, 1, np.random.default_rng(11)) == pytest.approx(
        -log_w.mean(), rel=1e-12)
    assert abs(-log_w.mean() - elbo["neg_elbo"]) < tolerance


def test_the_bound_comes_down_to_minus_log_px(problem):
    model, x = problem
    truth = brute_force_nll(model, x)
    elbo = negative_elbo(model, np.repeat(x, 400, axis=0), np.random.default_rng(0))["neg_elbo"]
    assert elbo > truth + 0.03  # a gap that the importance weights must close
    # Averaged over 20 repetitions, so that the comparisons are not at the noise level.
    by_k = {k: np.mean([iwae_nll(model, x, k, np.random.default_rng(seed))
                        for seed in range(20)]) for k in (1, 10, 200)}
    assert by_k[1] > by_k[10] > by_k[200] > truth - 0.005
    assert by_k[200] - truth < 0.01


def test_logsumexp_equals_scipys():
    rng = np.random.default_rng(3)
    for scale, shift in ((1.0, 0.0), (50.0, -1000.0), (1e-3, 700.0)):
        a = rng.standard_normal((5, 37)) * scale + shift
        np.testing.assert_allclose(logsumexp(a), scipy_logsumexp(a, axis=1), rtol=1e-13,
                                   atol=0)
