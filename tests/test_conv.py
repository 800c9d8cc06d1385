"""Tests for npvae.layers.conv, and the contract every layer keeps.

1. Conv2DTranspose is the adjoint of Conv2D: ``<conv(x), y> == <x, conv_transpose(y)>``.
2. 'same' padding is TensorFlow's (the odd row at the bottom), checked against a slow,
   obvious convolution written here; the transpose's output sizes are Keras'.
3. Parameter layouts and Glorot-uniform initialisation are Keras'.
4. The book's model has the book's parameter count.
5. Every layer checks its inputs and says what it expected and what it got.
"""
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npvae.layers import (Conv2D, Conv2DTranspose, Dense, Flatten, ReLU, Reshape, Sampling,
                          Sigmoid)
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


# ------------------------------------------------------------------ 5. the layer contract


def all_layers(dtype=np.float32):
    """One of each layer, with an input it accepts."""
    rng = np.random.default_rng(9)
    return {
        "Dense": (Dense(4, 3, rng=rng, dtype=dtype), (2, 4)),
        "Conv2D": (Conv2D(2, 3, 3, stride=2, rng=rng, dtype=dtype), (2, 5, 5, 2)),
        "Conv2D-valid": (Conv2D(2, 3, 3, padding="valid", rng=rng, dtype=dtype), (2, 5, 5, 2)),
        "Conv2D-narrowing": (Conv2D(3, 1, 3, rng=rng, dtype=dtype), (2, 4, 4, 3)),
        "Conv2DTranspose": (Conv2DTranspose(2, 3, 3, stride=2, rng=rng, dtype=dtype),
                            (2, 3, 3, 2)),
        "ReLU": (ReLU(dtype), (2, 3)),
        "Sigmoid": (Sigmoid(dtype), (2, 3)),
        "Flatten": (Flatten(dtype), (2, 3, 2)),
        "Reshape": (Reshape((2, 3), dtype), (2, 6)),
        "Sampling": (Sampling(rng, dtype), (2, 3)),
    }


LAYER_NAMES = list(all_layers())


def run_forward(layer, x):
    """Sampling takes (mean, log_var); every other layer one array."""
    return layer.forward(x, x) if isinstance(layer, Sampling) else layer.forward(x)


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_params_and_grads_have_the_same_keys_shapes_and_dtypes(name):
    layer, shape = all_layers()[name]
    y = run_forward(layer, np.ones(shape, dtype=np.float32))
    layer.backward(np.ones(y.shape, dtype=np.float32))
    assert layer.params.keys() == layer.grads.keys()
    for key, param in layer.params.items():
        assert layer.grads[key].shape == param.shape, key
        assert layer.grads[key].dtype == param.dtype, key


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_backward_before_forward_raises_value_error(name):
    layer, shape = all_layers()[name]
    with pytest.raises(ValueError, match=re.escape(f"{layer!r}") + ".*before forward"):
        layer.backward(np.ones(shape, dtype=np.float32))


WRONG_INPUTS = {
    # name: (layer name, wrong input shape, expected shape as the message writes it)
    "Dense-rank": ("Dense", (2, 1, 4), "(N, 4)"),
    "Dense-features": ("Dense", (2, 5), "(N, 4)"),
    "Conv2D-rank": ("Conv2D", (5, 5, 2), "(N, H, W, 2)"),
    "Conv2D-channels": ("Conv2D", (2, 5, 5, 3), "(N, H, W, 2)"),
    "Conv2DTranspose-rank": ("Conv2DTranspose", (2, 3, 3, 2, 1), "(N, H, W, 2)"),
    "Conv2DTranspose-channels": ("Conv2DTranspose", (2, 3, 3, 1), "(N, H, W, 2)"),
    "Reshape-size": ("Reshape", (2, 5), "(N, 6)"),
    "Reshape-rank": ("Reshape", (2, 2, 3), "(N, 6)"),
    "Sampling-rank": ("Sampling", (2, 3, 1), "(N, D)"),
}


@pytest.mark.parametrize("case", list(WRONG_INPUTS))
def test_a_wrong_shape_is_named_in_the_error(case):
    name, shape, expected = WRONG_INPUTS[case]
    layer = all_layers()[name][0]
    pattern = (re.escape(repr(layer)) + ".*" + re.escape(expected) + ".*got "
               + re.escape(str(shape)))
    with pytest.raises(ValueError, match=pattern):
        run_forward(layer, np.zeros(shape, dtype=np.float32))


def test_flatten_needs_a_batch_axis():
    with pytest.raises(ValueError, match=r"Flatten.*\(3,\)"):
        Flatten().forward(np.zeros(3, dtype=np.float32))


def test_conv_input_smaller_than_the_kernel_is_an_error():
    layer = all_layers()["Conv2D-valid"][0]
    with pytest.raises(ValueError, match=re.escape(repr(layer)) + r".*\(2, 2, 5, 2\)"):
        layer.forward(np.zeros((2, 2, 5, 2), dtype=np.float32))


@pytest.mark.parametrize("wrong_dtype", [np.int64, np.float64, np.float16])
@pytest.mark.parametrize("name", LAYER_NAMES)
def test_a_wrong_dtype_is_named_in_the_error(name, wrong_dtype):
    layer, shape = all_layers(np.float32)[name]
    got = np.dtype(wrong_dtype).name
    with pytest.raises(ValueError, match=re.escape(repr(layer)) + f".*float32.*got {got}"):
        run_forward(layer, np.ones(shape, dtype=wrong_dtype))


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_float32_into_a_float64_layer_is_an_error(name):
    layer, shape = all_layers(F64)[name]
    with pytest.raises(ValueError, match=re.escape(repr(layer)) + ".*float64.*got float32"):
        run_forward(layer, np.ones(shape, dtype=np.float32))


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_a_list_is_not_an_array(name):
    layer, shape = all_layers()[name]
    with pytest.raises(ValueError, match=re.escape(repr(layer)) + ".*numpy array.*list"):
        run_forward(layer, np.ones(shape, dtype=np.float32).tolist())


def accepts(name, shape):
    """Whether a layer of ``all_layers()`` is meant to take an input of this shape."""
    rank, last = len(shape), (shape[-1] if shape else None)
    return {
        "Dense": rank == 2 and last == 4,
        "Conv2D": rank == 4 and last == 2,
        "Conv2D-valid": rank == 4 and last == 2,
        "Conv2D-narrowing": rank == 4 and last == 3,
        "Conv2DTranspose": rank == 4 and last == 2,
        "ReLU": True,
        "Sigmoid": True,
        "Flatten": rank >= 2,
        "Reshape": rank == 2 and last == 6,
        "Sampling": rank == 2,
    }[name]


shapes = st.lists(st.integers(0, 6), max_size=5).map(tuple)


@settings(max_examples=100, deadline=None)
@given(name=st.sampled_from(LAYER_NAMES), shape=shapes, grad_shape=shapes)
def test_any_input_shape_gives_an_output_or_a_value_error(name, shape, grad_shape):
    """Random shapes: a wrong one is a ValueError, never an IndexError or a numba error;
    a right one (of rank and channels) gives an output, or a ValueError if too small."""
    layer = all_layers()[name][0]
    x = np.ones(shape, dtype=np.float32)
    if not accepts(name, shape):
        with pytest.raises(ValueError):
            run_forward(layer, x)
        return
    # The least H and W on which one window fits (0: the layer has no window).
    smallest_fitting = {"Conv2D": 1, "Conv2D-valid": 3, "Conv2D-narrowing": 1}.get(name, 0)
    if min(shape[1:3], default=0) < smallest_fitting:
        with pytest.raises(ValueError, match="smaller than the kernel"):
            run_forward(layer, x)
        return
    try:
        y = run_forward(layer, x)
    except ValueError:
        # An empty array may be refused (Flatten cannot size an empty batch); any other
        # input of the right rank and channels must be taken.
        assert x.size == 0, f"{name} refused an input of shape {shape}"
        return
    if hasattr(layer, "output_shape"):
        assert y.shape == (shape[0],) + layer.output_shape(shape[1:])
    if grad_shape != y.shape:
        with pytest.raises(ValueError):
            layer.backward(np.ones(grad_shape, dtype=np.float32))


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_outputs_are_not_overwritten_by_the_next_call(name):
    """Layers may reuse work arrays between calls, but never the arrays they return."""
    layer, shape = all_layers(F64)[name]
    rng = np.random.default_rng(10)
    x1, x2 = rng.standard_normal((2,) + shape)
    y1 = run_forward(layer, x1)
    dx1 = layer.backward(rng.standard_normal(y1.shape))
    returned = [y1, *dx1] if isinstance(dx1, tuple) else [y1, dx1]  # Sampling: 2 gradients
    saved = [array.copy() for array in returned]
    y2 = run_forward(layer, x2)
    layer.backward(rng.standard_normal(y2.shape))
    assert not np.array_equal(y1, y2)
    for before, now in zip(saved, returned):
        assert np.array_equal(before, now)


@pytest.mark.parametrize("name", ["Conv2D", "Conv2D-valid", "Conv2D-narrowing",
                                  "Conv2DTranspose", "Dense"])
def test_a_non_contiguous_input_gives_the_same_result(name):
    layer, shape = all_layers(F64)[name]
    rng = np.random.default_rng(11)
    big = rng.standard_normal(shape[:-1] + (2 * shape[-1],))
    x = big[..., ::2]  # every other channel: a strided view
    assert not x.flags.c_contiguous
    y = layer.forward(x)
    dy = rng.standard_normal(y.shape)
    dx = layer.backward(dy)
    grads = {key: grad.copy() for key, grad in layer.grads.items()}
    np.testing.assert_allclose(y, layer.forward(np.ascontiguousarray(x)), rtol=1e-12)
    np.testing.assert_allclose(dx, layer.backward(dy), rtol=1e-12)
    for key, grad in grads.items():
        np.testing.assert_allclose(grad, layer.grads[key], rtol=1e-12)
