"""Tests for npvae.optim: each update against its formula, written out again here.

The formulas below are the textbook/Keras ones, in plain NumPy, independent of the
library's code. A fake layer (just ``params`` and ``grads`` dicts) stands in for a real
one; a last test trains a real ``Dense`` layer to show the optimizer actually learns.
"""
import numpy as np
import pytest

from npvae import optim
from npvae.layers import Dense
from npvae.optim import SGD, Adam, RMSprop


@pytest.fixture(autouse=True)
def the_formulas_themselves(monkeypatch):
    """RMSprop runs its formula here, not a twin another test module's import of
    npvae.fast registered (tests/test_fast_rmsprop.py holds the twin to the formula)."""
    monkeypatch.setattr(optim, "TWINS", {})


class FakeLayer:
    """What an optimizer needs from a layer: ``params`` and ``grads`` with the same keys."""

    def __init__(self, rng):
        self.params = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}


def fake_layers(seed=0):
    rng = np.random.default_rng(seed)
    # Two layers with the same parameter names: their optimizer memories must not mix.
    return [("first", FakeLayer(rng)), ("second", FakeLayer(rng))]


def gradient_sequence(layers, steps, seed=1):
    """Per step, a dict (layer, key) -> gradient: random signs, sizes from 0.1 to 1000."""
    rng = np.random.default_rng(seed)
    return [{(name, key): rng.choice([-1.0, 1.0], p.shape) * 10.0 ** rng.uniform(-1, 3, p.shape)
             for name, layer in layers for key, p in layer.params.items()}
            for _ in range(steps)]


def run(optimizer, layers, gradients):
    for step in gradients:
        for name, layer in layers:
            for key in layer.params:
                layer.grads[key][...] = step[name, key]
        optimizer.step(layers)


# ------------------------------------------------------------ the formulas, by hand


def sgd_reference(params, gradients, lr, momentum):
    params, velocity = params.copy(), np.zeros_like(params)
    for g in gradients:
        velocity = momentum * velocity - lr * g
        params = params + velocity
    return params


def rmsprop_reference(params, gradients, lr, rho, eps):
    params, mean_square = params.copy(), np.zeros_like(params)
    for g in gradients:
        mean_square = rho * mean_square + (1 - rho) * g**2
        params = params - lr * g / np.sqrt(mean_square + eps)
    return params


def adam_reference(params, gradients, lr, beta_1, beta_2, eps):
    params, m, v = params.copy(), np.zeros_like(params), np.zeros_like(params)
    for t, g in enumerate(gradients, start=1):
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        m_hat, v_hat = m / (1 - beta_1**t), v / (1 - beta_2**t)
        params = params - lr * m_hat / (np.sqrt(v_hat) + eps)
    return params


CASES = {
    "SGD": (lambda: SGD(lr=0.05), lambda p, g: sgd_reference(p, g, 0.05, 0.0)),
    "SGD-momentum": (lambda: SGD(lr=0.05, momentum=0.9),
                     lambda p, g: sgd_reference(p, g, 0.05, 0.9)),
    "RMSprop-defaults": (lambda: RMSprop(),
                         lambda p, g: rmsprop_reference(p, g, 1e-3, 0.9, 1e-7)),
    "RMSprop": (lambda: RMSprop(lr=0.01, rho=0.8, eps=1e-3),
                lambda p, g: rmsprop_reference(p, g, 0.01, 0.8, 1e-3)),
    "Adam-defaults": (lambda: Adam(), lambda p, g: adam_reference(p, g, 1e-3, 0.9, 0.999, 1e-7)),
    "Adam": (lambda: Adam(lr=0.01, beta_1=0.5, beta_2=0.9, eps=1e-2),
             lambda p, g: adam_reference(p, g, 0.01, 0.5, 0.9, 1e-2)),
}


@pytest.mark.parametrize("steps", [1, 5])
@pytest.mark.parametrize("name", list(CASES))
def test_updates_follow_the_formula(name, steps):
    make_optimizer, reference = CASES[name]
    layers = fake_layers()
    initial = {(n, k): p.copy() for n, layer in layers for k, p in layer.params.items()}
    arrays = {(n, k): p for n, layer in layers for k, p in layer.params.items()}
    gradients = gradient_sequence(layers, steps)
    optimizer = make_optimizer()
    run(optimizer, layers, gradients)
    assert optimizer.iterations == steps
    for (layer_name, param_name), start in initial.items():
        key = layer_name, param_name
        # In place: the model (and model.weights()) hold these very arrays.
        assert dict(layers)[layer_name].params[param_name] is arrays[key]
        expected = reference(start, [step[key] for step in gradients])
        assert not np.allclose(expected, start)  # the check would be vacuous otherwise
        np.testing.assert_allclose(arrays[key], expected, rtol=1e-12, atol=1e-15)


def test_rmsprop_first_step_is_about_lr_over_sqrt_one_minus_rho():
    """ms = (1 - rho) g^2 after one step, so each weight moves by lr / sqrt(1 - rho) ~ 3.16 lr,
    against its gradient, whatever the gradient's size (while g^2 >> eps / (1 - rho))."""
    layers = fake_layers()
    before = {(n, k): p.copy() for n, layer in layers for k, p in layer.params.items()}
    gradients = gradient_sequence(layers, 1)
    run(RMSprop(lr=1e-3, rho=0.9), layers, gradients)
    for (name, key), start in before.items():
        step = dict(layers)[name].params[key] - start
        g = gradients[0][name, key]
        np.testing.assert_allclose(np.abs(step), 1e-3 / np.sqrt(0.1), rtol=1e-3)
        assert np.all(np.sign(step) == -np.sign(g))


def test_adam_first_step_is_about_lr():
    """m_hat = g and v_hat = g^2 after the bias correction: each weight moves by ~lr."""
    layers = fake_layers()
    before = dict(layers)["first"].params["W"].copy()
    run(Adam(lr=1e-3), layers, gradient_sequence(layers, 1))
    np.testing.assert_allclose(np.abs(dict(layers)["first"].params["W"] - before), 1e-3,
                               rtol=1e-4)


@pytest.mark.parametrize("name", list(CASES))
def test_state_dict_round_trip_continues_identically(name):
    make_optimizer = CASES[name][0]
    gradients = gradient_sequence(fake_layers(), 7)
    first_part, second_part = gradients[:4], gradients[4:]

    layers_a = fake_layers()
    optimizer_a = make_optimizer()
    run(optimizer_a, layers_a, first_part)
    saved = optimizer_a.state_dict()
    params_saved = {(n, k): p.copy() for n, layer in layers_a for k, p in layer.params.items()}
    run(optimizer_a, layers_a, second_part)
    # state_dict is a snapshot: the steps taken since have not changed it.
    assert int(saved["iterations"]) == 4

    layers_b = fake_layers()
    for n, layer in layers_b:
        for k in layer.params:
            layer.params[k][...] = params_saved[n, k]
    optimizer_b = make_optimizer()
    optimizer_b.load_state_dict(saved)
    run(optimizer_b, layers_b, second_part)
    assert optimizer_b.iterations == optimizer_a.iterations == 7
    for (n, layer_a), (_, layer_b) in zip(layers_a, layers_b):
        for k in layer_a.params:
            assert np.array_equal(layer_a.params[k], layer_b.params[k]), (n, k)


def test_state_dict_is_a_copy():
    layers = fake_layers()
    optimizer = RMSprop()
    run(optimizer, layers, gradient_sequence(layers, 2))
    saved = optimizer.state_dict()
    assert set(saved) == {"iterations", "first/W/ms", "first/b/ms", "second/W/ms", "second/b/ms"}
    snapshot = {key: value.copy() for key, value in saved.items()}
    run(optimizer, layers, gradient_sequence(layers, 1, seed=5))
    assert all(np.array_equal(saved[key], snapshot[key]) for key in saved)


def test_a_fresh_optimizer_is_not_a_restored_one():
    """Without load_state_dict, the continued updates differ: the round trip test can fail."""
    make_optimizer = CASES["RMSprop"][0]
    gradients = gradient_sequence(fake_layers(), 5)
    layers_a, layers_b = fake_layers(), fake_layers()
    optimizer_a = make_optimizer()
    run(optimizer_a, layers_a, gradients[:3])
    for (_, a), (_, b) in zip(layers_a, layers_b):
        for k in a.params:
            b.params[k][...] = a.params[k]
    run(optimizer_a, layers_a, gradients[3:])
    run(make_optimizer(), layers_b, gradients[3:])
    assert not np.array_equal(layers_a[0][1].params["W"], layers_b[0][1].params["W"])


@pytest.mark.parametrize("optimizer_class", [SGD, RMSprop, Adam])
@pytest.mark.parametrize("lr", [0.0, -1e-3, float("nan")])
def test_a_bad_learning_rate_is_refused(optimizer_class, lr):
    with pytest.raises(ValueError, match="learning rate"):
        optimizer_class(lr=lr)


def test_rmsprop_trains_a_dense_layer_on_least_squares():
    """A real learning test: fit y = X w + b through Dense's own forward and backward."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 5))
    true_w, true_b = rng.standard_normal((5, 2)), rng.standard_normal(2)
    y = x @ true_w + true_b
    layer = Dense(5, 2, rng=rng, dtype=np.float64)
    optimizer = RMSprop(lr=1e-2)

    def mean_squared_error():
        residual = layer.forward(x) - y
        return float(np.mean(residual**2)), 2 * residual / residual.size  # loss, dL/dy

    initial, _ = mean_squared_error()
    for _ in range(300):
        _, dy = mean_squared_error()
        layer.backward(dy)
        optimizer.step([("dense", layer)])
    final, _ = mean_squared_error()
    assert final < initial / 1000, (initial, final)
    np.testing.assert_allclose(layer.params["W"], true_w, atol=0.05)
