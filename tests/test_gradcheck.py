"""The gradient checker, tested as hard as what it checks.

Every backward pass in npvae is trusted because ``check_layer`` passes it, so the checker
must fail every kind of wrong gradient: sent to the wrong images or channels, off by 1%
(at gradient scales 1e-4, 1 and 1e4), a transposed square dW, a dropped term, a zero
gradient where one is due, a backward that writes into the dy it was handed. A correct
backward passes at every scale, and ``relative_error`` reads the same at every scale.

Each wrong backward is the correct one with one mistake (``Mistaken`` below), so a
failure here means the checker, not the layer, is at fault.
"""
import numpy as np
import pytest

from npvae.gradcheck import check_layer, relative_error
from npvae.layers import Conv2D, Dense
from npvae.layers.base import Layer

BOUND = 1e-6        # the bound every gradient check in the project uses
CAUGHT = 1e-3       # a caught mistake measures 1e-2 or more: far above the bound
OFF_BY_1_PERCENT = 0.01 / 1.01  # |1.01 g - g| / (1.01 |g|), at any scale
SCALES = (1e-4, 1.0, 1e4)
F64 = np.float64


class Mistaken(Layer):
    """``scale * inner(x)``, whose backward makes the one mistake ``mistake`` names.

    Scaling the output scales every gradient by the same factor, so the same mistake can
    be checked on gradients of size 1e-4 and of size 1e4.
    """

    def __init__(self, inner, scale=1.0, mistake=None):
        super().__init__(F64)
        self.inner, self.scale, self.mistake = inner, scale, mistake
        self.params = inner.params

    def forward(self, x):
        return self.scale * self.inner.forward(x)

    def backward(self, dy):
        if self.mistake == "writes into dy":  # then computes from what it wrote
            dy *= 1.01
        dy = self.scale * dy
        if self.mistake == "wrong images":
            dy = dy[::-1]
        if self.mistake == "wrong channels":
            dy = dy[..., ::-1]
        dx = self.inner.backward(np.ascontiguousarray(dy))
        self.grads = dict(self.inner.grads)
        if self.mistake == "dx 1% off":
            dx = dx * 1.01
        if self.mistake == "dW 1% off":
            self.grads["W"] = self.grads["W"] * 1.01
        if self.mistake == "transposed dW":
            self.grads["W"] = self.grads["W"].T
        if self.mistake == "zero db":
            self.grads["b"] = np.zeros_like(self.grads["b"])
        if self.mistake == "zero dx":
            dx = np.zeros_like(dx)
        return dx


class Residual(Layer):
    """``y = x @ W + b + x``: a Dense layer with a skip connection. With ``drop_skip``,
    backward forgets the skip's term of dx = dy @ W^T + dy."""

    def __init__(self, width, rng, drop_skip=False):
        super().__init__(F64)
        self.dense, self.drop_skip = Dense(width, width, rng=rng, dtype=F64), drop_skip
        self.params = self.dense.params

    def forward(self, x):
        return self.dense.forward(x) + x

    def backward(self, dy):
        dx = self.dense.backward(dy)
        self.grads = self.dense.grads
        return dx if self.drop_skip else dx + dy


def dense(rng, width=4):
    """A square float64 Dense (so that dW can be transposed) with a non-zero bias; an input."""
    layer = Dense(width, width, rng=rng, dtype=F64)
    layer.params["b"][...] = rng.standard_normal(width)
    return layer, rng.standard_normal((3, width))


def conv(rng):
    """A float64 3x3 Conv2D from 2 to 3 channels with a non-zero bias; an input."""
    layer = Conv2D(2, 3, 3, rng=rng, dtype=F64)
    layer.params["b"][...] = rng.standard_normal(3)
    return layer, rng.standard_normal((2, 5, 5, 2))


def check(build, scale=1.0, mistake=None, seed=0):
    rng = np.random.default_rng(seed)
    inner, x = build(rng)
    return check_layer(Mistaken(inner, scale, mistake), x, rng)


# ------------------------------------------------------------------ a correct backward


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("build", [dense, conv], ids=["Dense", "Conv2D"])
def test_a_correct_backward_passes_at_every_scale(build, scale):
    errors = check(build, scale)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) <= BOUND, errors


# ------------------------------------------------------------------ every kind of mistake


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("mistake, key", [("dx 1% off", "x"), ("dW 1% off", "W")])
def test_a_gradient_1_percent_off_measures_1_percent_at_every_scale(mistake, key, scale):
    errors = check(dense, scale, mistake)
    assert errors[key] == pytest.approx(OFF_BY_1_PERCENT, rel=1e-3)
    assert all(error <= BOUND for name, error in errors.items() if name != key), errors


@pytest.mark.parametrize("build", [dense, conv], ids=["Dense", "Conv2D"])
@pytest.mark.parametrize("mistake", ["wrong images", "wrong channels"])
def test_a_gradient_sent_to_the_wrong_images_or_channels_is_caught(build, mistake):
    """With a constant projection R (every dy entry equal) these would pass: dy[::-1] == dy."""
    errors = check(build, mistake=mistake)
    assert errors["x"] > CAUGHT and errors["W"] > CAUGHT, errors


def test_a_transposed_square_dw_is_caught():
    errors = check(dense, mistake="transposed dW")
    assert errors["W"] > CAUGHT and errors["x"] <= BOUND


@pytest.mark.parametrize("mistake, key", [("zero db", "b"), ("zero dx", "x")])
def test_a_zero_gradient_where_one_is_due_is_caught(mistake, key):
    errors = check(dense, mistake=mistake)
    assert errors[key] == 1.0  # |0 - n| / |n|: all of the gradient is missing


def test_a_dropped_term_is_caught():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4))
    assert check_layer(Residual(4, np.random.default_rng(1)), x, rng)["x"] <= BOUND
    errors = check_layer(Residual(4, np.random.default_rng(1), drop_skip=True), x, rng)
    assert errors["x"] > CAUGHT and errors["W"] <= BOUND


def test_a_backward_that_writes_into_dy_is_checked_against_the_projection_it_was_given():
    """The numerical gradient must be of the same f(x) = sum(y * R) the analytic one is
    for: a backward that scales R in place must not scale the reference with it."""
    errors = check(dense, mistake="writes into dy")
    assert errors["x"] == pytest.approx(OFF_BY_1_PERCENT, rel=1e-3)


def test_the_projection_is_drawn_from_the_generator_given():
    """Two seeds, two projections: the same mistaken layer measures different errors."""
    first, second = (check(dense, mistake="wrong images", seed=seed)["x"] for seed in (0, 1))
    assert first != second
    assert check(dense, mistake="wrong images", seed=0)["x"] == first  # and seeded


def test_check_layer_refuses_a_generator_it_was_not_given():
    layer, x = dense(np.random.default_rng(0))
    with pytest.raises(ValueError, match="numpy.random.Generator"):
        check_layer(layer, x, 0)


# ------------------------------------------------------------------ relative_error itself


@pytest.mark.parametrize("scale", [1e-12, 1e-4, 1.0, 1e4, 1e12])
def test_relative_error_does_not_depend_on_scale(scale):
    rng = np.random.default_rng(4)
    numeric = rng.standard_normal((5, 3))
    analytic = numeric.copy()
    analytic[2, 1] += 0.01 * np.abs(numeric).max()
    expected = 0.01 * np.abs(numeric).max() / np.abs(analytic).max()
    assert relative_error(scale * analytic, scale * numeric) == pytest.approx(expected, rel=1e-9)


def test_relative_error_is_symmetric_and_zero_for_equal_gradients():
    a, b = np.array([1.0, -2.0, 3.0]), np.array([1.0, -2.0, 3.03])
    assert relative_error(a, b) == relative_error(b, a) > 0
    assert relative_error(a, a) == 0.0 and relative_error(np.zeros(3), np.zeros(3)) == 0.0


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_relative_error_of_a_non_finite_gradient_is_infinite(bad):
    """inf, not NaN: ``error > bound`` and ``not error <= bound`` both catch it."""
    a = np.array([1.0, bad, 3.0])
    assert relative_error(a, np.ones(3)) == np.inf
    assert relative_error(np.ones(3), a) == np.inf


def test_relative_error_refuses_different_shapes():
    with pytest.raises(ValueError, match=r"shapes differ: \(3,\) vs \(1, 3\)"):
        relative_error(np.ones(3), np.ones((1, 3)))
