"""ReLU's numba loops (npvae/fast/relu.py) equal the textbook's NumPy expressions exactly."""
import numpy as np
import pytest
from hypothesis import given, settings
from test_activations import arrays_with_zeros

from npvae.fast import relu as fast
from npvae.layers import activations as textbook


@settings(max_examples=100, deadline=None)
@given(arrays_with_zeros())
def test_fast_relu_equals_the_textbook(pair):
    x, _ = pair
    y = fast.relu_in_place(x.copy())
    assert y.dtype == x.dtype and y.shape == x.shape
    assert np.array_equal(y, textbook.relu(x))


@settings(max_examples=100, deadline=None)
@given(arrays_with_zeros())
def test_fast_relu_backward_equals_the_textbook(pair):
    x, dy = pair
    y = textbook.relu(x)
    dx = fast.relu_backward(dy, y)
    assert dx.dtype == dy.dtype and dx.shape == dy.shape
    assert np.array_equal(dx, textbook.relu_backward(dy, y))


def test_fast_relu_keeps_nan_as_the_textbook_does():
    x = np.array([[np.nan, -1.0], [2.0, -0.0]], dtype=np.float32)
    expected = textbook.relu(x)
    assert fast.relu_in_place(x) is x
    assert np.array_equal(x, expected, equal_nan=True)


def test_fast_relu_backward_reads_non_contiguous_arrays():
    x = np.random.default_rng(3).standard_normal((6, 8)).astype(np.float32)[:, ::2]
    assert not x.flags.c_contiguous
    assert np.array_equal(fast.relu_backward(x, x), textbook.relu_backward(x, x))


def test_fast_relu_in_place_refuses_a_strided_array():
    x = np.zeros((4, 6), dtype=np.float32)[:, ::2]
    with pytest.raises(ValueError, match="C-contiguous"):
        fast.relu_in_place(x)
