"""ReLU's numba loops agree exactly with their NumPy twins, and with the definition."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npvae.layers import Conv2D, Conv2DTranspose, Dense
from npvae.layers.activations import (relu, relu_backward, relu_backward_numpy, relu_in_place,
                                      relu_numpy)


@st.composite
def arrays_with_zeros(draw):
    """An array of random shape and dtype, with some exact zeros (the kink) in it."""
    shape = tuple(draw(st.lists(st.integers(1, 6), min_size=1, max_size=4)))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal(shape).astype(dtype)
    x[rng.random(shape) < 0.1] = 0
    return x, rng.standard_normal(shape).astype(dtype)


@settings(max_examples=100, deadline=None)
@given(arrays_with_zeros())
def test_relu_matches_numpy_twin_and_definition(pair):
    x, _ = pair
    y = relu(x)
    assert y.dtype == x.dtype and y.shape == x.shape
    assert np.array_equal(y, relu_numpy(x))
    assert np.array_equal(y[x > 0], x[x > 0]) and not y[x <= 0].any()


@settings(max_examples=100, deadline=None)
@given(arrays_with_zeros())
def test_relu_backward_matches_numpy_twin_and_definition(pair):
    x, dy = pair
    y = relu_numpy(x)
    dx = relu_backward(dy, y)
    assert dx.dtype == dy.dtype and dx.shape == dy.shape
    assert np.array_equal(dx, relu_backward_numpy(dy, y))
    assert np.array_equal(dx[y > 0], dy[y > 0]) and not dx[y <= 0].any()


def test_relu_keeps_nan_so_divergence_stays_visible():
    x = np.array([np.nan, -1.0, 2.0], dtype=np.float32)
    assert np.array_equal(relu(x), relu_numpy(x), equal_nan=True)
    assert np.isnan(relu(x)[0])


@pytest.mark.parametrize("function", [relu, lambda x: relu_backward(x, x)],
                         ids=["relu", "relu_backward"])
def test_relu_loops_read_non_contiguous_arrays(function):
    x = np.random.default_rng(3).standard_normal((6, 8)).astype(np.float32)[:, ::2]
    assert not x.flags.c_contiguous
    expected = relu_numpy(x) if function is relu else relu_backward_numpy(x, x)
    assert np.array_equal(function(x), expected)


def test_relu_in_place_overwrites_its_array_with_relu_keeping_nan():
    x = np.array([[np.nan, -1.0], [2.0, -0.0]], dtype=np.float32)
    expected = relu_numpy(x)
    assert relu_in_place(x) is x
    assert np.array_equal(x, expected, equal_nan=True)


def test_relu_in_place_refuses_a_strided_array():
    x = np.zeros((4, 6), dtype=np.float32)[:, ::2]
    with pytest.raises(ValueError, match="C-contiguous"):
        relu_in_place(x)


@pytest.mark.parametrize("make", [lambda a: Conv2D(2, 3, 3, activation=a),
                                  lambda a: Conv2DTranspose(2, 3, 3, activation=a),
                                  lambda a: Dense(2, 3, activation=a)],
                         ids=["Conv2D", "Conv2DTranspose", "Dense"])
def test_an_activation_other_than_relu_is_a_clear_error(make):
    with pytest.raises(ValueError, match=r"activation must be None or 'relu'; got 'tanh'"):
        make("tanh")
