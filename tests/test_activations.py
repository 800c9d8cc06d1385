"""The textbook ReLU (npvae/layers/activations.py) is its definition; a wrong activation
is a clear error. (Its numba twins: tests/test_fast_relu.py.)"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npvae.layers import Conv2D, Conv2DTranspose, Dense
from npvae.layers.activations import relu, relu_backward, relu_in_place


@st.composite
def arrays_with_zeros(draw):
    """An array of random shape and dtype, with some exact zeros (the kink) in it, and a
    second array of the same shape (a gradient)."""
    shape = tuple(draw(st.lists(st.integers(1, 6), min_size=1, max_size=4)))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal(shape).astype(dtype)
    x[rng.random(shape) < 0.1] = 0
    return x, rng.standard_normal(shape).astype(dtype)


@settings(max_examples=50, deadline=None)
@given(arrays_with_zeros())
def test_relu_is_its_definition(pair):
    x, _ = pair
    y = relu(x)
    assert y.dtype == x.dtype and y.shape == x.shape
    assert np.array_equal(y[x > 0], x[x > 0]) and not y[x <= 0].any()
    assert np.array_equal(relu_in_place(x.copy()), y)


@settings(max_examples=50, deadline=None)
@given(arrays_with_zeros())
def test_relu_backward_passes_the_gradient_where_the_unit_was_active(pair):
    x, dy = pair
    y = relu(x)
    dx = relu_backward(dy, y)
    assert dx.dtype == dy.dtype and dx.shape == dy.shape
    assert np.array_equal(dx[y > 0], dy[y > 0]) and not dx[y <= 0].any()


def test_relu_keeps_nan_so_divergence_stays_visible():
    x = np.array([np.nan, -1.0, 2.0], dtype=np.float32)
    assert np.isnan(relu(x)[0])
    assert relu_in_place(x) is x and np.isnan(x[0]) and x[1] == 0


@pytest.mark.parametrize("make", [lambda a: Conv2D(2, 3, 3, activation=a),
                                  lambda a: Conv2DTranspose(2, 3, 3, activation=a),
                                  lambda a: Dense(2, 3, activation=a)],
                         ids=["Conv2D", "Conv2DTranspose", "Dense"])
def test_an_activation_other_than_relu_is_a_clear_error(make):
    with pytest.raises(ValueError, match=r"activation must be None or 'relu'; got 'tanh'"):
        make("tanh")
