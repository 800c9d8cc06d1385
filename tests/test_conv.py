"""Tests for npvae.layers.conv: the convolution's math.

1. Conv2DTranspose is the adjoint of Conv2D: ``<conv(x), y> == <x, conv_transpose(y)>``.
2. 'same' padding is TensorFlow's (the odd row at the bottom), checked against a slow,
   obvious convolution written here; the transpose's output sizes are Keras'.
3. Parameter layouts and Glorot-uniform initialisation are Keras'.
4. The book's model has the book's parameter count.

What every layer promises (input checks, caches, errors) is tests/test_layer_contract.py.
"""
import math

import numpy as np
import pytest

from npvae.layers import Conv2D, Conv2DTranspose, Dense
from npvae.models.vae import VAE

F64 = np.float64

# ------------------------------------------------------------- 1. the adjoint identity

ADJOINT_CASES = {
    # name: (H, W, kernel, stride, padding); the transpose must map (Ho, Wo) back to (H, W)
    "same-s1-odd": (7, 7, 3, 1, "same"),
    "same-s1-even-kernel": (5, 6, 4, 1, "same"),
    "same-s2-28to14": (28, 28, 3, 2, "same"),
    "same-s2-rectangular": (8, 6, 3, 2, "same"),
    "same-s3": (9, 6, 3, 3, "same"),
    "same-s2-kernel-3x2": (6, 6, (3, 2), 2, "same"),
    "valid-s1": (7, 6, 3, 1, "valid"),
    "valid-s2-odd": (7, 7, 3, 2, "valid"),
    "valid-s2-kernel-2": (8, 8, 2, 2, "valid"),
}


# Conv2D may take a different road when it narrows the channels (O < C); test both.
CHANNELS = pytest.mark.parametrize("channels, filters", [(2, 3), (3, 2)],
                                   ids=["widening", "narrowing"])


@CHANNELS
@pytest.mark.parametrize("name", list(ADJOINT_CASES))
def test_conv_transpose_is_the_adjoint_of_conv(name, channels, filters):
    height, width, kernel, stride, padding = ADJOINT_CASES[name]
    rng = np.random.default_rng(0)
    conv = Conv2D(channels, filters, kernel, stride, padding, rng=rng, dtype=F64)
    # The transpose of a C -> O convolution maps O -> C channels, with the *same* kernel:
    # Keras stores a transpose's kernel as (kh, kw, its outputs, its inputs) = (kh, kw, C, O).
    transpose = Conv2DTranspose(filters, channels, kernel, stride, padding, rng=rng, dtype=F64)
    assert transpose.params["W"].shape == conv.params["W"].shape
    transpose.params["W"] = conv.params["W"]
    assert not conv.params["b"].any() and not transpose.params["b"].any()

    x = rng.standard_normal((2, height, width, channels))
    conv_x = conv.forward(x)
    y = rng.standard_normal(conv_x.shape)
    transpose_y = transpose.forward(y)
    assert transpose_y.shape == x.shape
    lhs, rhs = np.vdot(conv_x, y), np.vdot(x, transpose_y)
    assert lhs == pytest.approx(rhs, rel=1e-10)


# --------------------------------------------------- 2. TensorFlow's 'same', by hand


def reference_conv(x, W, b, stride, pads):
    """y[n,i,j,o] = b[o] + sum_{p,q,c} x_pad[n, i*s+p, j*s+q, c] W[p,q,c,o], by loops."""
    top, bottom, left, right = pads
    x_pad = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    kh, kw = W.shape[:2]
    out_h = (x_pad.shape[1] - kh) // stride + 1
    out_w = (x_pad.shape[2] - kw) // stride + 1
    y = np.empty((x.shape[0], out_h, out_w, W.shape[3]))
    for i in range(out_h):
        for j in range(out_w):
            window = x_pad[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            y[:, i, j, :] = np.einsum("npqc,pqco->no", window, W) + b
    return y


def reference_conv_transpose(x, W, b, stride, pads, out_hw):
    """Each input pixel paints W[:, :, o, c] * x[n, i, j, c] at (i*s, j*s) of the padded
    output; overlaps add; then the padding is cropped off (TensorFlow's definition)."""
    top, bottom, left, right = pads
    kh, kw, out_channels, _ = W.shape
    n, height, width, _ = x.shape
    canvas = np.zeros((n, max(out_hw[0] + top + bottom, (height - 1) * stride + kh),
                       max(out_hw[1] + left + right, (width - 1) * stride + kw), out_channels))
    for i in range(height):
        for j in range(width):
            canvas[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :] += (
                np.einsum("nc,pqoc->npqo", x[:, i, j, :], W))
    return canvas[:, top:top + out_hw[0], left:left + out_hw[1], :] + b


# TensorFlow's 'same': pad_total = max((ceil(H/s) - 1)*s + k - H, 0), top = pad_total // 2,
# bottom = the rest. Worked out by hand for each case:
SAME_CASES = {
    # name: (H, W, kernel, stride, (top, bottom, left, right))
    "28x28-k3-s2": (28, 28, 3, 2, (0, 1, 0, 1)),  # total 1: the odd row at the bottom
    "14x14-k3-s2": (14, 14, 3, 2, (0, 1, 0, 1)),
    "7x8-k3-s2": (7, 8, 3, 2, (1, 1, 0, 1)),      # 7: total 2, even; 8: total 1
    "5x5-k4-s1": (5, 5, 4, 1, (1, 2, 1, 2)),      # even kernel: total 3
    "6x6-k3-s1": (6, 6, 3, 1, (1, 1, 1, 1)),
    "10x9-k4-s3": (10, 9, 4, 3, (1, 2, 0, 1)),    # 10: total 3; 9: total 1
}


@CHANNELS
@pytest.mark.parametrize("name", list(SAME_CASES))
def test_conv_same_padding_matches_tensorflow(name, channels, filters):
    height, width, kernel, stride, pads = SAME_CASES[name]
    rng = np.random.default_rng(1)
    conv = Conv2D(channels, filters, kernel, stride, "same", rng=rng, dtype=F64)
    conv.params["b"][...] = rng.standard_normal(filters)
    x = rng.standard_normal((2, height, width, channels))
    y = conv.forward(x)
    assert y.shape == (2, math.ceil(height / stride), math.ceil(width / stride), filters)
    expected = reference_conv(x, conv.params["W"], conv.params["b"], stride, pads)
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-12)


def test_conv_same_stride_2_is_not_symmetric_padding():
    """The test above can fail: padding (1, 1) for 28x28 shifts every window by a pixel."""
    rng = np.random.default_rng(2)
    conv = Conv2D(1, 2, 3, 2, "same", rng=rng, dtype=F64)
    x = rng.standard_normal((1, 28, 28, 1))
    symmetric = reference_conv(x, conv.params["W"], conv.params["b"], 2, (1, 1, 1, 1))
    assert symmetric.shape == (1, 14, 14, 2)
    assert np.abs(conv.forward(x) - symmetric).max() > 1e-2


TRANSPOSE_SAME_CASES = {
    # name: (H, W, kernel, stride, the Conv2D padding of the (H*s, W*s) output)
    "14x14-k3-s2": (14, 14, 3, 2, (0, 1, 0, 1)),
    "4x3-k3-s2": (4, 3, 3, 2, (0, 1, 0, 1)),
    "5x5-k4-s1": (5, 5, 4, 1, (1, 2, 1, 2)),
    "3x3-k3-s3": (3, 3, 3, 3, (0, 0, 0, 0)),
}


@pytest.mark.parametrize("name", list(TRANSPOSE_SAME_CASES))
def test_conv_transpose_same_matches_tensorflow(name):
    height, width, kernel, stride, pads = TRANSPOSE_SAME_CASES[name]
    rng = np.random.default_rng(3)
    layer = Conv2DTranspose(2, 3, kernel, stride, "same", rng=rng, dtype=F64)
    layer.params["b"][...] = rng.standard_normal(3)
    x = rng.standard_normal((2, height, width, 2))
    y = layer.forward(x)
    out_hw = (height * stride, width * stride)
    assert y.shape == (2,) + out_hw + (3,)
    expected = reference_conv_transpose(x, layer.params["W"], layer.params["b"], stride, pads,
                                        out_hw)
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("kernel, stride", [(3, 2), (3, 1), (2, 2), (1, 2), (4, 3), (1, 3),
                                            ((3, 2), 2)])
def test_conv_transpose_output_sizes_are_keras(kernel, stride):
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    height, width = 5, 4
    x = np.random.default_rng(4).standard_normal((2, height, width, 2))
    same = Conv2DTranspose(2, 3, kernel, stride, "same", dtype=F64)
    assert same.forward(x).shape == (2, height * stride, width * stride, 3)
    valid = Conv2DTranspose(2, 3, kernel, stride, "valid", dtype=F64)
    expected_hw = (height * stride + max(kh - stride, 0), width * stride + max(kw - stride, 0))
    y = valid.forward(x)
    assert y.shape == (2,) + expected_hw + (3,)
    assert valid.output_shape((height, width, 2)) == expected_hw + (3,)
    expected = reference_conv_transpose(x, valid.params["W"], valid.params["b"], stride,
                                        (0, 0, 0, 0), expected_hw)
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("stride, channels, filters", [(2, 2, 3), (1, 2, 3), (1, 3, 1)])
def test_conv_valid_matches_the_reference(stride, channels, filters):
    conv = Conv2D(channels, filters, (3, 2), stride, "valid", dtype=F64)
    x = np.random.default_rng(5).standard_normal((1, 9, 8, channels))
    y = conv.forward(x)
    assert y.shape == (1, (9 - 3) // stride + 1, (8 - 2) // stride + 1, filters)
    np.testing.assert_allclose(
        y, reference_conv(x, conv.params["W"], conv.params["b"], stride, (0, 0, 0, 0)),
        rtol=0, atol=1e-12)


# ------------------------------------------------------- 3. Keras layouts and init


def test_parameter_layouts_are_keras():
    conv = Conv2D(3, 5, (3, 2))
    transpose = Conv2DTranspose(3, 5, (3, 2))
    dense = Dense(7, 4)
    assert conv.params["W"].shape == (3, 2, 3, 5)       # (kh, kw, in, out)
    assert transpose.params["W"].shape == (3, 2, 5, 3)  # (kh, kw, out, in)
    assert dense.params["W"].shape == (7, 4)            # (in, out)
    for layer, outputs in ((conv, 5), (transpose, 5), (dense, 4)):
        assert layer.params["b"].shape == (outputs,)
        assert not layer.params["b"].any()
        assert all(p.dtype == np.float32 for p in layer.params.values())


GLOROT_CASES = {
    # name: (layer, fan_in, fan_out) with Keras' fans: receptive field times channels
    "Conv2D": (lambda: Conv2D(64, 32, 3, rng=0), 9 * 64, 9 * 32),
    "Conv2DTranspose": (lambda: Conv2DTranspose(64, 32, 3, rng=0), 9 * 32, 9 * 64),
    "Conv2D-kernel-5x1": (lambda: Conv2D(48, 96, (5, 1), rng=0), 5 * 48, 5 * 96),
    "Dense": (lambda: Dense(256, 128, rng=0), 256, 128),
}


@pytest.mark.parametrize("name", list(GLOROT_CASES))
def test_glorot_uniform_init_has_the_keras_bound_and_variance(name):
    make_layer, fan_in, fan_out = GLOROT_CASES[name]
    W = make_layer().params["W"].astype(F64)
    assert W.size > 15_000
    bound = math.sqrt(6 / (fan_in + fan_out))
    assert np.abs(W).max() <= bound
    assert np.abs(W).max() > 0.99 * bound  # the whole interval is used, not a narrower one
    # U(-a, a) has variance a^2 / 3; the estimate's relative standard error is ~0.9/sqrt(n),
    # under 0.7% here, so 4% is a wide margin for chance and a tight one for a wrong fan.
    assert W.var() == pytest.approx(bound**2 / 3, rel=0.04)
    assert abs(W.mean()) < 0.02 * bound


def test_init_draws_from_the_given_generator():
    same_a = Conv2D(2, 3, 3, rng=np.random.default_rng(7)).params["W"]
    same_b = Conv2D(2, 3, 3, rng=np.random.default_rng(7)).params["W"]
    other = Conv2D(2, 3, 3, rng=np.random.default_rng(8)).params["W"]
    assert np.array_equal(same_a, same_b)
    assert not np.array_equal(same_a, other)


# -------------------------------------------------------------------- 4. the book's model


def test_book_model_has_the_books_parameter_count():
    weights = VAE().weights()
    encoder = sum(w.size for name, w in weights.items() if name.startswith("encoder/"))
    decoder = sum(w.size for name, w in weights.items() if name.startswith("decoder/"))
    assert (encoder, decoder) == (494_244, 56_385)
    assert VAE().count_params() == encoder + decoder == 550_629
