"""Tests for im2col and col2im: the textbook (npvae/im2col.py) and its numba twins
(npvae/fast/im2col.py), which must agree with it exactly.

Agreement between the twins is not enough on its own (they could share a mistake), so
the layout is also checked against the formula of the module docstring, written out
as a slow loop here::

    cols[(n*Ho + i)*Wo + j, (p*kw + q)*C + c] = x_pad[n, i*s + p, j*s + q, c]

and col2im against its defining property, the adjoint identity
``<im2col(x), c> == <x, col2im(c)>``.
"""
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from npvae import im2col as textbook
from npvae.fast import im2col as fast
from npvae.im2col import output_size

SETTINGS = settings(max_examples=100, deadline=None)


@st.composite
def geometries(draw, dtypes=(np.float32, np.float64), channels=st.integers(1, 4)):
    """A random convolution geometry whose output has at least one pixel, and a seed."""
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 9)), draw(st.integers(1, 9)),
             draw(channels))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = draw(st.integers(1, 3))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(4))
    dtype = draw(st.sampled_from(dtypes))
    top, bottom, left, right = padding
    assume(output_size(shape[1], kh, stride, top, bottom) >= 1)
    assume(output_size(shape[2], kw, stride, left, right) >= 1)
    return dict(shape=shape, kh=kh, kw=kw, stride=stride, padding=padding, dtype=dtype,
                seed=draw(st.integers(0, 2**32 - 1)))


def random_array(shape, dtype, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def cols_shape(shape, kh, kw, stride, padding):
    n, height, width, channels = shape
    top, bottom, left, right = padding
    out_h = output_size(height, kh, stride, top, bottom)
    out_w = output_size(width, kw, stride, left, right)
    return (n * out_h * out_w, kh * kw * channels)


def im2col_by_formula(x, kh, kw, stride, padding):
    """The docstring's formula, one entry at a time: slow, and obviously right."""
    n_batch, height, width, channels = x.shape
    top, bottom, left, right = padding
    x_pad = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    out_h = output_size(height, kh, stride, top, bottom)
    out_w = output_size(width, kw, stride, left, right)
    cols = np.full((n_batch * out_h * out_w, kh * kw * channels), np.nan, dtype=x.dtype)
    for n in range(n_batch):
        for i in range(out_h):
            for j in range(out_w):
                for p in range(kh):
                    for q in range(kw):
                        for c in range(channels):
                            cols[(n * out_h + i) * out_w + j, (p * kw + q) * channels + c] = (
                                x_pad[n, i * stride + p, j * stride + q, c])
    return cols


# ---------------------------------------------------------------- fast == textbook, exactly


@SETTINGS
@given(geometries())
def test_fast_im2col_equals_the_textbook_exactly(g):
    x = random_array(g["shape"], g["dtype"], g["seed"])
    args = (g["kh"], g["kw"], g["stride"], g["padding"])
    expected = textbook.im2col(x, *args)
    actual = fast.im2col(x, *args)
    assert actual.dtype == x.dtype
    assert actual.shape == cols_shape(g["shape"], *args)
    assert np.array_equal(actual, expected)


@SETTINGS
@given(geometries())
def test_fast_col2im_equals_the_textbook_exactly(g):
    args = (g["kh"], g["kw"], g["stride"], g["padding"])
    cols = random_array(cols_shape(g["shape"], *args), g["dtype"], g["seed"])
    expected = textbook.col2im(cols, g["shape"], *args)
    actual = fast.col2im(cols, g["shape"], *args)
    assert actual.dtype == cols.dtype
    assert actual.shape == g["shape"]
    assert np.array_equal(actual, expected)


@SETTINGS
@given(geometries(channels=st.just(1)))
def test_one_channel_loops_equal_the_textbook_exactly(g):
    """One-channel images take loops of their own (along image rows): same numbers."""
    x = random_array(g["shape"], g["dtype"], g["seed"])
    args = (g["kh"], g["kw"], g["stride"], g["padding"])
    # Buffers full of NaN: every entry must be written, the padding's zeros included.
    cols_out = np.full(cols_shape(g["shape"], *args), np.nan, dtype=g["dtype"])
    assert np.array_equal(fast.im2col(x, *args, out=cols_out), textbook.im2col(x, *args))
    cols = random_array(cols_out.shape, g["dtype"], g["seed"] + 1)
    image_out = np.full(g["shape"], np.nan, dtype=g["dtype"])
    assert np.array_equal(fast.col2im(cols, g["shape"], *args, out=image_out),
                          textbook.col2im(cols, g["shape"], *args))


def test_one_channel_col2im_writes_only_its_slice_of_a_batch():
    """As a convolution calls it: out= is the block's slice of the whole batch's output."""
    shape, args = (3, 7, 6, 1), (3, 3, 2, (0, 1, 1, 1))
    cols = random_array(cols_shape(shape, *args), np.float64, 8)
    batch = np.full((7,) + shape[1:], np.nan)
    fast.col2im(cols, shape, *args, out=batch[2:5])
    assert np.array_equal(batch[2:5], textbook.col2im(cols, shape, *args))
    assert np.isnan(batch[:2]).all() and np.isnan(batch[5:]).all()


@SETTINGS
@given(geometries(dtypes=(np.float64,)))
def test_col2im_is_the_adjoint_of_im2col(g):
    """<im2col(x), c> == <x, col2im(c)> for every x and c: col2im is im2col's transpose."""
    args = (g["kh"], g["kw"], g["stride"], g["padding"])
    rng = np.random.default_rng(g["seed"])
    x = rng.standard_normal(g["shape"])
    c = rng.standard_normal(cols_shape(g["shape"], *args))
    x_cols, c_image = textbook.im2col(x, *args), textbook.col2im(c, g["shape"], *args)
    # fsum: exactly rounded sums, so the only error left is that of the products.
    lhs = math.fsum((x_cols * c).ravel())
    rhs = math.fsum((x * c_image).ravel())
    scale = math.fsum(np.abs(x_cols * c).ravel())  # 0 only if every window is padding
    assert abs(lhs - rhs) <= 1e-12 * max(abs(lhs), abs(rhs), scale * 1e-2)


# ----------------------------------------------------------- the layout, from the formula


@pytest.mark.parametrize("shape, kh, kw, stride, padding", [
    ((2, 5, 4, 3), 3, 3, 1, (1, 1, 1, 1)),
    ((1, 7, 6, 2), 3, 2, 2, (0, 1, 1, 0)),
    ((2, 4, 4, 1), 2, 3, 3, (2, 0, 0, 2)),
    ((1, 6, 6, 2), 3, 3, 2, (0, 1, 0, 1)),
])
@pytest.mark.parametrize("kernel", [fast.im2col, textbook.im2col], ids=["fast", "textbook"])
def test_im2col_layout_is_the_documented_formula(kernel, shape, kh, kw, stride, padding):
    x = random_array(shape, np.float64, 7)
    assert np.array_equal(kernel(x, kh, kw, stride, padding),
                          im2col_by_formula(x, kh, kw, stride, padding))


@pytest.mark.parametrize("height, out", [(28, 14), (14, 7)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stride_2_odd_same_padding_puts_the_extra_row_at_the_bottom(height, out, dtype):
    """TensorFlow's 'same' for 3x3 stride 2 on an even size: 0 rows on top, 1 at the bottom."""
    x = random_array((2, height, height, 3), dtype, 11)
    padding = (0, 1, 0, 1)
    cols = fast.im2col(x, 3, 3, 2, padding)
    assert cols.shape == (2 * out * out, 27)
    assert np.array_equal(cols, textbook.im2col(x, 3, 3, 2, padding))
    windows = cols.reshape(2, out, out, 3, 3, 3)
    # The first window starts at the image's corner: no padding above or to the left.
    assert np.array_equal(windows[1, 0, 0], x[1, 0:3, 0:3])
    # The last window's third row and column are the padding below and to the right.
    assert np.array_equal(windows[1, -1, -1, :2, :2], x[1, -2:, -2:])
    assert not windows[1, -1, -1, 2, :].any() and not windows[1, -1, -1, :, 2].any()
    dx = np.random.default_rng(1).standard_normal(cols.shape).astype(dtype)
    folded = fast.col2im(dx, x.shape, 3, 3, 2, padding)
    assert np.array_equal(folded, textbook.col2im(dx, x.shape, 3, 3, 2, padding))
    # Pixel (0, 0) is seen by exactly one window, at offset (0, 0).
    assert folded[0, 0, 0, 0] == dx[0, 0]


# -------------------------------------------------------------------- the out= buffers


def test_im2col_writes_into_the_given_buffer_and_returns_it():
    x = random_array((2, 6, 5, 3), np.float64, 3)
    args = (3, 3, 2, (0, 1, 1, 1))
    out = np.full(cols_shape(x.shape, *args), np.nan)  # stale contents must not survive
    result = fast.im2col(x, *args, out=out)
    assert result is out
    assert np.array_equal(out, textbook.im2col(x, *args))


def test_col2im_writes_into_the_given_buffer_and_returns_it():
    shape, args = (2, 6, 5, 3), (3, 3, 2, (0, 1, 1, 1))
    cols = random_array(cols_shape(shape, *args), np.float32, 4)
    out = np.full(shape, np.nan, dtype=np.float32)  # col2im must zero before it adds
    result = fast.col2im(cols, shape, *args, out=out)
    assert result is out
    assert np.array_equal(out, textbook.col2im(cols, shape, *args))


def test_im2col_reads_a_non_contiguous_input():
    x = random_array((2, 7, 8, 6), np.float64, 5)[:, ::2, 1:, ::2]
    assert not x.flags.c_contiguous
    assert np.array_equal(fast.im2col(x, 2, 3, 1, (1, 0, 0, 1)),
                          textbook.im2col(x, 2, 3, 1, (1, 0, 0, 1)))


def bad_buffers(shape, dtype):
    other = np.float32 if dtype == np.float64 else np.float64
    wider = (shape[0],) + shape[1:-1] + (shape[-1] + 1,)
    return {
        "wrong shape": np.empty(wider, dtype=dtype),
        "wrong dtype": np.empty(shape, dtype=other),
        "not contiguous": np.empty(shape, dtype=dtype, order="F"),
    }


@pytest.mark.parametrize("problem", ["wrong shape", "wrong dtype", "not contiguous"])
def test_im2col_rejects_a_bad_buffer(problem):
    x = random_array((2, 5, 5, 2), np.float64, 6)
    out = bad_buffers(cols_shape(x.shape, 3, 3, 1, (1, 1, 1, 1)), np.float64)[problem]
    with pytest.raises(ValueError, match="buffer"):
        fast.im2col(x, 3, 3, 1, (1, 1, 1, 1), out=out)


@pytest.mark.parametrize("problem", ["wrong shape", "wrong dtype", "not contiguous"])
def test_col2im_rejects_a_bad_buffer(problem):
    shape = (2, 5, 5, 2)
    cols = random_array(cols_shape(shape, 3, 3, 1, (1, 1, 1, 1)), np.float32, 6)
    out = bad_buffers(shape, np.float32)[problem]
    with pytest.raises(ValueError, match="buffer"):
        fast.col2im(cols, shape, 3, 3, 1, (1, 1, 1, 1), out=out)


@pytest.mark.parametrize("kernel", [fast.col2im, textbook.col2im], ids=["fast", "textbook"])
def test_col2im_rejects_cols_of_the_wrong_shape(kernel):
    shape = (2, 5, 5, 2)
    rows, width = cols_shape(shape, 3, 3, 2, (1, 1, 1, 1))
    cols = np.zeros((rows, width + 1))
    with pytest.raises(ValueError, match=rf"\({rows}, {width}\)"):
        kernel(cols, shape, 3, 3, 2, (1, 1, 1, 1))
