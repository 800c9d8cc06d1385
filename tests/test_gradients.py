"""Every hand-written backward pass against central differences, in float64.

Each check prints the worst relative error it measured (see it with ``pytest -s`` or
``-rA``). To collect them all in one file::

    NPVAE_GRADCHECK_REPORT=errors.json pytest tests/test_gradients.py

The bound is ``relative_error <= 1e-6`` everywhere (``npvae.gradcheck.relative_error``:
worst absolute error over the largest entry). A correct gradient measures ~1e-8 or
less; a wrong one (a missing factor, a transposed index) measures 1e-2 or more. Every check
also asserts that the gradient it compares is not all zeros, which would pass vacuously.
"""
import json
import os

import numpy as np
import pytest
from relu_kinks import kink_margin, step_reach

from npvae.gradcheck import check_layer, numerical_gradient, relative_error
from npvae.layers import Conv2D, Conv2DTranspose, Dense, Flatten, ReLU, Reshape, Sampling, Sigmoid
from npvae.losses import bernoulli_reconstruction, book_loss, gaussian_kl
from npvae.models.vae import VAE

BOUND = 1e-6
F64 = np.float64
# The finite-difference step. A central difference errs by ~h^2 |f'''| (truncation) plus
# ~1e-16 |f| / h (rounding), and rounding dominates here: at h = 1e-6 the book loss, whose
# KL gradients are ~5e-4 of a loss of order 1, measures 2-5e-7, too close to the bound to
# tell a bug from noise; at 1e-5 it measures ~3e-8. Every kink stays > 50 h away.
H = 1e-5

# ------------------------------------------------------- measured errors, for the lead

MEASURED = []  # (check name, worst relative error)


def record(name, errors):
    """Print and keep the worst of ``errors`` (dict part -> error); return the dict."""
    worst = max(errors.values())
    detail = ", ".join(f"{key} {value:.1e}" for key, value in errors.items())
    print(f"\n[gradcheck] {name}: max relative error {worst:.2e} ({detail})")
    MEASURED.append((name, worst))
    return errors


@pytest.fixture(scope="module", autouse=True)
def gradcheck_report():
    """After the module, write MEASURED as JSON if NPVAE_GRADCHECK_REPORT names a file."""
    yield
    path = os.environ.get("NPVAE_GRADCHECK_REPORT")
    if path:
        with open(path, "w") as f:
            json.dump({name: error for name, error in MEASURED}, f, indent=2, sort_keys=True)


def assert_all_within_bound(errors):
    too_big = {key: error for key, error in errors.items() if not error <= BOUND}
    assert not too_big, f"relative errors above {BOUND}: {too_big}"


def assert_not_all_zero(**arrays):
    zero = [name for name, array in arrays.items() if not np.any(array)]
    assert not zero, f"gradients that are all zero (the check would be vacuous): {zero}"


# ------------------------------------------------------------------------------ layers


def away_from_zero(rng, shape, margin=1000 * H):
    """Random values of both signs, with |x| >= margin: no ReLU kink within reach of h."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(margin, 2.0, size=shape)


def randomize_params(layer, rng):
    """Non-zero biases too, so that a bias that is never added would show."""
    for param in layer.params.values():
        param[...] = rng.standard_normal(param.shape)


# name: (layer class, positional arguments, keyword arguments, input shape). Every layer
# is built with rng=..., dtype=float64 added (the parameter-free ones take dtype only).
LAYER_CASES = {
    "Dense":                      (Dense, (4, 3), {}, (3, 4)),
    "Dense-relu":                 (Dense, (4, 3), dict(activation="relu"), (3, 4)),
    "Conv2D-same-s1-relu":        (Conv2D, (2, 3, 3), dict(activation="relu"), (2, 5, 5, 2)),
    "Conv2DTranspose-same-s2-relu": (Conv2DTranspose, (2, 3, 3),
                                     dict(stride=2, activation="relu"), (2, 3, 4, 2)),
    "Conv2D-same-s1":             (Conv2D, (2, 3, 3), {}, (2, 5, 5, 2)),
    "Conv2D-same-s2-odd":         (Conv2D, (2, 3, 3), dict(stride=2), (2, 5, 5, 2)),
    "Conv2D-same-s2-even":        (Conv2D, (2, 3, 3), dict(stride=2), (2, 6, 6, 2)),
    "Conv2D-valid-s1":            (Conv2D, (2, 3, 3), dict(padding="valid"), (2, 5, 6, 2)),
    "Conv2D-valid-s2":            (Conv2D, (2, 2, 3), dict(stride=2, padding="valid"),
                                   (2, 7, 6, 2)),
    "Conv2D-kernel-2x3-same-s2":  (Conv2D, (2, 3, (2, 3)), dict(stride=2), (2, 5, 6, 2)),
    # Fewer output than input channels: Conv2D may compute these another way.
    "Conv2D-same-s1-narrowing":   (Conv2D, (3, 2, 3), {}, (2, 5, 5, 3)),
    "Conv2D-valid-s1-narrowing":  (Conv2D, (3, 1, 3), dict(padding="valid"), (2, 5, 6, 3)),
    "Conv2D-kernel-4x3-same-s1-narrowing": (Conv2D, (3, 2, (4, 3)), {}, (2, 5, 4, 3)),
    "Conv2DTranspose-same-s1":    (Conv2DTranspose, (2, 3, 3), {}, (2, 4, 4, 2)),
    "Conv2DTranspose-same-s2":    (Conv2DTranspose, (2, 3, 3), dict(stride=2), (2, 3, 4, 2)),
    "Conv2DTranspose-valid-s1":   (Conv2DTranspose, (2, 3, 3), dict(padding="valid"), (2, 3, 4, 2)),
    "Conv2DTranspose-valid-s2":   (Conv2DTranspose, (2, 3, 3), dict(stride=2, padding="valid"),
                                   (2, 3, 3, 2)),
    "Conv2DTranspose-kernel-3x2-same-s2": (Conv2DTranspose, (2, 2, (3, 2)), dict(stride=2),
                                           (2, 3, 3, 2)),
    "ReLU":                       (ReLU, (), {}, (3, 2, 2, 3)),
    "Sigmoid":                    (Sigmoid, (), {}, (3, 2, 2, 3)),
    "Flatten":                    (Flatten, (), {}, (2, 3, 2, 2)),
    "Reshape":                    (Reshape, ((3, 2, 2),), {}, (2, 12)),
}
PARAMETER_FREE = (ReLU, Sigmoid, Flatten, Reshape)


def build_layer(name, rng):
    """The float64 layer of case ``name`` and the shape of its input."""
    cls, args, kwargs, input_shape = LAYER_CASES[name]
    if cls in PARAMETER_FREE:
        return cls(*args, dtype=F64, **kwargs), input_shape
    return cls(*args, rng=rng, dtype=F64, **kwargs), input_shape


@pytest.mark.parametrize("name", list(LAYER_CASES))
def test_layer_backward_matches_central_differences(name):
    rng = np.random.default_rng(1234)
    layer, input_shape = build_layer(name, rng)
    randomize_params(layer, rng)
    x = away_from_zero(rng, input_shape)
    if getattr(layer, "activation", None):  # no sum within reach of its ReLU's kink
        assert kink_margin(layer, x) > 2 * step_reach(layer, x, H)
    errors = record(name, check_layer(layer, x, rng, h=H))
    assert set(errors) == {"x"} | set(layer.params)
    # The same analytic gradients, once more, to make sure the check was not vacuous.
    dx = layer.backward(rng.standard_normal(layer.forward(x).shape))
    assert_not_all_zero(x=dx, **layer.grads)
    assert_all_within_bound(errors)


def test_gradcheck_catches_a_wrong_backward():
    """The checker itself: a backward that is off by 1% must measure far above the bound."""

    class SlightlyWrongDense(Dense):
        def backward(self, dy):
            dx = super().backward(dy)
            self.grads["W"] = self.grads["W"] * 1.01
            return dx

    rng = np.random.default_rng(0)
    layer = SlightlyWrongDense(4, 3, rng=rng, dtype=F64)
    errors = check_layer(layer, rng.standard_normal((3, 4)), rng)
    assert errors["x"] <= BOUND and errors["b"] <= BOUND
    assert errors["W"] == pytest.approx(0.01 / 1.01, rel=1e-3)


# ---------------------------------------------------------------------------- sampling


@pytest.mark.parametrize("book", [False, True], ids=["sigma", "book-variance"])
def test_sampling_backward_matches_central_differences(book):
    rng = np.random.default_rng(5)
    layer = Sampling(rng, dtype=F64, book=book)
    mean, log_var = rng.standard_normal((2, 4, 3))
    eps = rng.standard_normal((4, 3))
    projection = rng.standard_normal((4, 3))

    def loss():
        return float(np.sum(layer.forward(mean, log_var, eps) * projection))

    layer.forward(mean, log_var, eps)
    dmean, dlog_var = layer.backward(projection)
    assert_not_all_zero(dmean=dmean, dlog_var=dlog_var)
    errors = record(f"Sampling(book={book})", {
        "mean": relative_error(dmean, numerical_gradient(loss, mean, H)),
        "log_var": relative_error(dlog_var, numerical_gradient(loss, log_var, H)),
    })
    assert_all_within_bound(errors)


# ------------------------------------------------------------------------------ losses


def loss_inputs(rng):
    """Logits of all sizes (0 and +-20 included), targets in [0, 1] with exact 0s and 1s."""
    logits = rng.normal(0.0, 3.0, size=(3, 4, 4, 1))
    logits.flat[:3] = [0.0, 20.0, -20.0]
    x = rng.uniform(0.0, 1.0, size=logits.shape)
    x.flat[::3] = 0.0
    x.flat[1::3] = 1.0
    mean = rng.standard_normal((3, 2))
    log_var = rng.normal(0.0, 1.5, size=(3, 2))
    return logits, x, mean, log_var


def test_bernoulli_reconstruction_gradient():
    logits, x, _, _ = loss_inputs(np.random.default_rng(8))
    loss, dlogits = bernoulli_reconstruction(logits, x)
    assert loss.shape == (3,)
    assert_not_all_zero(dlogits=dlogits)

    def total():
        return float(bernoulli_reconstruction(logits, x)[0].sum())

    errors = record("bernoulli_reconstruction", {
        "logits": relative_error(dlogits, numerical_gradient(total, logits, H))})
    assert_all_within_bound(errors)


def test_gaussian_kl_gradient():
    _, _, mean, log_var = loss_inputs(np.random.default_rng(9))
    kl, (dmean, dlog_var) = gaussian_kl(mean, log_var)
    assert kl.shape == (3,)
    assert_not_all_zero(dmean=dmean, dlog_var=dlog_var)

    def total():
        return float(gaussian_kl(mean, log_var)[0].sum())

    errors = record("gaussian_kl", {
        "mean": relative_error(dmean, numerical_gradient(total, mean, H)),
        "log_var": relative_error(dlog_var, numerical_gradient(total, log_var, H))})
    assert_all_within_bound(errors)


def test_book_loss_gradient():
    logits, x, mean, log_var = loss_inputs(np.random.default_rng(10))
    loss, (dlogits, dmean, dlog_var) = book_loss(logits, x, mean, log_var)
    assert loss.shape == (3,)
    assert_not_all_zero(dlogits=dlogits, dmean=dmean, dlog_var=dlog_var)

    def total():
        return float(book_loss(logits, x, mean, log_var)[0].sum())

    errors = record("book_loss", {
        "logits": relative_error(dlogits, numerical_gradient(total, logits, H)),
        "mean": relative_error(dmean, numerical_gradient(total, mean, H)),
        "log_var": relative_error(dlog_var, numerical_gradient(total, log_var, H))})
    assert_all_within_bound(errors)


# -------------------------------------------------------------------------- end to end

TINY_VAE = dict(input_shape=(6, 6, 1), latent_dim=2, encoder_filters=(2, 3, 3, 3),
                dense_units=4, decoder_filters=2, dtype=F64)
VAE_CONFIGS = {"elbo": dict(loss="elbo"), "beta 0.3": dict(loss="elbo", beta=0.3),
               "book": dict(loss="book"),
               "book+book_sampling": dict(loss="book", book_sampling=True)}
VAE_SEED = 15  # chosen so that no ReLU input lies within 8e-4 of 0 (asserted below)
N_IMAGES = 3


def tiny_vae_problem(config):
    """The tiny model, a batch with exact 0s and 1s among its pixels, and fixed noise."""
    model = VAE(seed=VAE_SEED, **TINY_VAE, **VAE_CONFIGS[config])
    rng = np.random.default_rng(VAE_SEED + 1)
    # Biases start at zero, so a window of dead ReLU outputs gives the next ReLU an input
    # of exactly 0: a kink that a step in the bias would straddle. Random biases avoid it.
    for name, param in model.weights().items():
        if name.endswith("/b"):
            param[...] = rng.normal(0.0, 0.1, size=param.shape)
    x = rng.uniform(0.0, 1.0, size=(N_IMAGES, 6, 6, 1))
    x[x < 0.2], x[x > 0.8] = 0.0, 1.0
    eps = rng.standard_normal((N_IMAGES, 2))
    return model, x, eps


def relu_input_margin(model, x, eps):
    """The smallest |input| of any ReLU in the model: how far the nearest kink is."""
    margins = []

    def run(named_layers, h):
        for _, layer in named_layers:
            if getattr(layer, "activation", None) == "relu":  # the ReLU inside the layer
                margins.append(kink_margin(layer, h))
            h = layer.forward(h)
        return h

    h = run(model.encoder.named_layers()[:-2], x)   # convolutions, flatten, dense
    mean, log_var = model.encoder.z_mean.forward(h), model.encoder.z_log_var.forward(h)
    run(model.decoder.named_layers(), model.sampling.forward(mean, log_var, eps))
    return min(margins)


PARAM_NAMES = list(VAE(seed=VAE_SEED, **TINY_VAE).weights())


def test_tiny_vae_has_every_layer_kind():
    """The end-to-end checks below cover every parameterised layer of the real model."""
    layers = {name.rsplit("/", 1)[0] for name in PARAM_NAMES}
    assert layers == {"encoder/conv1", "encoder/conv2", "encoder/conv3", "encoder/conv4",
                      "encoder/dense", "encoder/z_mean", "encoder/z_log_var",
                      "decoder/dense", "decoder/deconv", "decoder/conv_out"}
    assert len(PARAM_NAMES) == 2 * len(layers)


@pytest.mark.parametrize("param_name", PARAM_NAMES)
@pytest.mark.parametrize("config", list(VAE_CONFIGS))
def test_vae_parameter_gradient_matches_central_differences(config, param_name):
    model, x, eps = tiny_vae_problem(config)
    # No ReLU input within 50 h of its kink: a step of h in one weight moves these inputs
    # by about h times an activation of order 1, so the loss is smooth where it is probed.
    assert relu_input_margin(model, x, eps) > 50 * H
    model(x, eps=eps)
    model.backward()
    layer_name, key = param_name.rsplit("/", 1)
    layer = dict(model.named_layers())[layer_name]
    analytic = layer.grads[key].copy()
    assert analytic.shape == layer.params[key].shape
    assert_not_all_zero(**{param_name: analytic})

    def loss():
        return float(model(x, eps=eps).loss.mean())

    numeric = numerical_gradient(loss, model.weights()[param_name], H)
    errors = record(f"VAE[{config}] {param_name}",
                    {param_name: relative_error(analytic, numeric)})
    assert_all_within_bound(errors)


@pytest.mark.parametrize("config", list(VAE_CONFIGS))
def test_vae_input_gradient_with_per_image_weights(config):
    """``backward(dloss)`` of sum_n dloss[n] * loss_n, with respect to the images: both
    paths of x (through the encoder and as the target) and the per-image weights."""
    model, _, eps = tiny_vae_problem(config)
    rng = np.random.default_rng(0)  # chosen so that no ReLU input lies within 1e-3 of 0
    x = rng.uniform(0.2, 0.8, size=(N_IMAGES, 6, 6, 1))  # inside [0, 1] by more than h
    assert relu_input_margin(model, x, eps) > 50 * H
    weights = rng.uniform(0.5, 2.0, size=N_IMAGES)
    model(x, eps=eps)
    assert model.backward(weights) is None  # dL/dx is kept, not returned
    analytic = model.input_gradient
    assert_not_all_zero(dx=analytic)

    def loss():
        return float(np.sum(weights * model(x, eps=eps).loss))

    if config.startswith("beta"):  # the objective the gradients above belong to
        out = model(x, eps=eps)
        np.testing.assert_allclose(out.loss, out.reconstruction + 0.3 * out.kl, rtol=1e-14)
    errors = record(f"VAE[{config}] dx", {"x": relative_error(analytic,
                                                             numerical_gradient(loss, x, H))})
    assert_all_within_bound(errors)
