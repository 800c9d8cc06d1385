"""Tests for npvae.fast: every fast algorithm computes what the textbook computes.

1. In float64 each algorithm's output, dx, dW and db equal the textbook's
   (``npvae.layers.conv``) to 1e-10, relative to the largest entry, with and without
   the layer's own ReLU; the textbook's own ReLU is a ReLU layer after it.
2. Each algorithm, forced on a layer, passes the central-difference gradient check,
   with and without its ReLU.
3. In float32, on the book's shapes, each stays within FLOAT32_BOUND of the float64
   textbook, as the float32 textbook does.
4. A batch of several image blocks gives what each image gives alone.
5. "auto" applies ``npvae.fast.choose``; a name that cannot run a layer is an error;
   ``speed_up`` gives a model's convolutions "auto" and a hand-built layer keeps the
   textbook.
"""
import numpy as np
import pytest
from relu_kinks import kink_margin, step_reach

from npvae import fast
from npvae.fast.blocks import IMAGES_PER_BLOCK
from npvae.gradcheck import check_layer
from npvae.layers import Conv2D, Conv2DTranspose, ReLU

F64 = np.float64
H = 1e-5  # the gradient checks' step

# id: (algorithm, transposed, (C, O), kernel, stride, padding, (N, H, W))
CASES = {
    "gather-s2-same": ("gather", False, (2, 3), 3, 2, "same", (2, 7, 6)),
    "gather-3x2-valid": ("gather", False, (3, 2), (3, 2), 1, "valid", (2, 7, 8)),
    "scatter-narrowing-same": ("scatter", False, (3, 2), 3, 1, "same", (2, 7, 5)),
    "scatter-4x3-valid": ("scatter", False, (2, 3), (4, 3), 1, "valid", (2, 7, 6)),
    "scatter-transpose-s2": ("scatter", True, (3, 2), 3, 2, "same", (2, 4, 3)),
    "scatter-transpose-3x2-valid": ("scatter", True, (2, 3), (3, 2), 1, "valid", (2, 5, 4)),
    "winograd-1-channel-same": ("winograd", False, (1, 1), 3, 1, "same", (2, 5, 7)),
    "winograd-odd-same": ("winograd", False, (3, 2), 3, 1, "same", (2, 7, 5)),
    "winograd-even-valid": ("winograd", False, (2, 3), 3, 1, "valid", (2, 8, 6)),
    "winograd-one-half-tile-valid": ("winograd", False, (1, 2), 3, 1, "valid", (1, 3, 4)),
}


ACTIVATIONS = pytest.mark.parametrize("activation", [None, "relu"])


def make_layer(case, algorithm, dtype=F64, seed=0, activation=None):
    _, transposed, (in_c, out_c), kernel, stride, padding, _ = CASES[case]
    kind = Conv2DTranspose if transposed else Conv2D
    layer = fast.use(kind(in_c, out_c, kernel, stride, padding, rng=seed, dtype=dtype,
                          activation=activation), algorithm)
    layer.params["b"][...] = np.linspace(-1, 1, out_c)  # a bias that is not zero
    return layer


def input_of(case, rng, n=None):
    _, _, (in_c, _), _, _, _, (batch, height, width) = CASES[case]
    return rng.standard_normal((n or batch, height, width, in_c))


def run(layer, x, dy_seed=1):
    """(y, dx, dW, db), with a fixed random dy of the layer's dtype."""
    y = layer.forward(x)
    dy = np.random.default_rng(dy_seed).standard_normal(y.shape).astype(layer.dtype)
    dx = layer.backward(dy)
    return y, dx, layer.grads["W"].copy(), layer.grads["b"].copy()


def relative(a, b):
    return np.abs(a - b).max() / np.abs(b).max()


@ACTIVATIONS
@pytest.mark.parametrize("case", list(CASES))
def test_fast_algorithm_equals_the_textbook_in_float64(case, activation):
    algorithm = CASES[case][0]
    x = input_of(case, np.random.default_rng(2))
    fast_layer = make_layer(case, algorithm, activation=activation)
    textbook = make_layer(case, "textbook", activation=activation)
    results = run(fast_layer, x)
    assert fast_layer.cached()[0].name == algorithm  # the named algorithm is what ran
    if activation:
        assert (results[0] == 0).any() and (results[0] > 0).any()  # the ReLU did cut
    for name, got, expected in zip(("y", "dx", "dW", "db"), results, run(textbook, x)):
        assert got.shape == expected.shape, name
        assert relative(got, expected) < 1e-10, name


@pytest.mark.parametrize("case", ["gather-s2-same", "scatter-transpose-s2"])
def test_the_textbook_relu_inside_is_a_relu_layer_after(case):
    x = input_of(case, np.random.default_rng(2))
    inside = make_layer(case, "textbook", activation="relu")
    plain, relu = make_layer(case, "textbook"), ReLU(F64)
    y = inside.forward(x)
    np.testing.assert_array_equal(y, relu.forward(plain.forward(x)))
    dy = np.random.default_rng(1).standard_normal(y.shape)
    np.testing.assert_array_equal(inside.backward(dy), plain.backward(relu.backward(dy)))
    for key in ("W", "b"):
        np.testing.assert_array_equal(inside.grads[key], plain.grads[key])


@pytest.mark.parametrize("case", list(CASES))
def test_a_nan_gradient_at_a_unit_the_relu_cut_stays_nan_as_in_the_textbook(case):
    """``dy * [y > 0]``: 0 times NaN is NaN, so a diverging run shows in the gradients of
    every algorithm alike instead of being zeroed by some."""
    x = input_of(case, np.random.default_rng(2))
    for algorithm in (CASES[case][0], "textbook"):
        layer = make_layer(case, algorithm, activation="relu")
        y = layer.forward(x)
        dy = np.ones_like(y)
        dy[tuple(np.argwhere(y == 0)[0])] = np.nan
        layer.backward(dy)
        assert np.isnan(layer.grads["W"]).any() and np.isnan(layer.grads["b"]).any(), algorithm


@ACTIVATIONS
@pytest.mark.parametrize("case", list(CASES))
def test_fast_algorithm_passes_the_gradient_check(case, activation):
    rng = np.random.default_rng(3)
    layer = make_layer(case, CASES[case][0], activation=activation)
    x = input_of(case, rng)
    if activation:  # no sum within reach of the ReLU's kink (twice over)
        assert kink_margin(layer, x) > 2 * step_reach(layer, x, H)
    errors = check_layer(layer, x, rng, h=H)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) <= 1e-6, errors


# Measured on these shapes at batch 2, and by ``benchmarks/float32_error.py`` at batch 16
# (``benchmarks/README.md``): Winograd up to 7.7e-7; at batch 16 the float32 textbook's
# own dW of conv_out, a longer sum, reaches 1.3e-6, close to this bound.
FLOAT32_BOUND = 1.5e-6

BOOK_SHAPES = {  # id: (C, O, kernel, stride, H): conv1 .. conv_out of the book's model
    "conv1": (1, 32, 3, 1, 28),
    "conv2": (32, 64, 3, 2, 28),
    "conv3": (64, 64, 3, 1, 14),
    "conv_out": (32, 1, 3, 1, 28),
}


@pytest.mark.parametrize("algorithm", ["textbook", "gather", "scatter", "winograd"])
@pytest.mark.parametrize("shape", list(BOOK_SHAPES))
def test_float32_stays_within_the_stated_bound(algorithm, shape):
    in_c, out_c, kernel, stride, size = BOOK_SHAPES[shape]
    single = Conv2D(in_c, out_c, kernel, stride, rng=5, dtype=np.float32)
    if fast.cannot_run(algorithm, single):
        pytest.skip(f"{algorithm} cannot run {shape}")
    fast.use(single, algorithm)
    rng = np.random.default_rng(4)
    # float32 numbers, which float64 holds exactly: both layers get the same x and dy.
    x = rng.random((2, size, size, in_c)).astype(np.float32)  # images, ReLU outputs: >= 0
    exact = Conv2D(in_c, out_c, kernel, stride, rng=5, dtype=F64)
    exact.params["W"][...] = single.params["W"]
    y = single.forward(x)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    dx = single.backward(dy)
    pairs = {"y": (y, exact.forward(x.astype(F64))), "dx": (dx, exact.backward(dy.astype(F64))),
             "dW": (single.grads["W"], exact.grads["W"]),
             "db": (single.grads["b"], exact.grads["b"])}
    for name, (got, want) in pairs.items():
        assert got.dtype == np.float32, name
        assert relative(got.astype(F64), want) < FLOAT32_BOUND, name


@ACTIVATIONS
@pytest.mark.parametrize("case", ["gather-s2-same", "scatter-narrowing-same",
                                  "scatter-transpose-s2", "winograd-odd-same"])
def test_a_batch_of_several_blocks_gives_what_each_image_gives_alone(case, activation):
    """Gather and scatter walk a batch IMAGES_PER_BLOCK images at a time (and a last,
    partial block): each image's output and input gradient must be its own, and the
    weight gradients the sum over all images."""
    layer = make_layer(case, CASES[case][0], activation=activation)
    n_images = 2 * IMAGES_PER_BLOCK + 3
    rng = np.random.default_rng(12)
    x = input_of(case, rng, n=n_images)
    y = layer.forward(x)
    dy = rng.standard_normal(y.shape)
    dx = layer.backward(dy)
    grads = {key: grad.copy() for key, grad in layer.grads.items()}
    summed = {key: np.zeros_like(grad) for key, grad in grads.items()}
    for n in range(n_images):
        np.testing.assert_allclose(layer.forward(x[n:n + 1])[0], y[n], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(layer.backward(dy[n:n + 1])[0], dx[n], rtol=1e-12,
                                   atol=1e-12)
        for key in summed:
            summed[key] += layer.grads[key]
    for key, grad in grads.items():
        np.testing.assert_allclose(grad, summed[key], rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------- 5. choosing an algorithm

BOOK_CHOICES = {  # the book's convolutions, and what "auto" runs for each
    "conv1": (Conv2D(1, 32, 3), (28, 28, 1), "gather"),
    "conv2": (Conv2D(32, 64, 3, stride=2), (28, 28, 32), "gather"),
    "conv3": (Conv2D(64, 64, 3), (14, 14, 64), "winograd"),
    "deconv": (Conv2DTranspose(64, 32, 3, stride=2), (14, 14, 64), "scatter"),
    "conv_out": (Conv2D(32, 1, 3), (28, 28, 32), "scatter"),
}


@pytest.mark.parametrize("name", list(BOOK_CHOICES))
def test_auto_runs_what_choose_picks(name):
    layer, input_shape, expected = BOOK_CHOICES[name]
    fast.use(layer, "auto")
    assert layer.algorithm.name == "auto"
    assert layer.algorithm.for_input(input_shape).name == expected
    layer.forward(np.zeros((1,) + input_shape, dtype=np.float32))
    assert layer.cached()[0].name == expected


def test_a_named_algorithm_is_used_whatever_the_input():
    layer = fast.use(Conv2D(64, 64, 3), "textbook")
    assert layer.algorithm is Conv2D.textbook
    assert layer.algorithm.for_input((14, 14, 64)).name == "textbook"
    winograd = fast.use(Conv2D(2, 3, 3), "winograd")
    assert winograd.algorithm.for_input((5, 5, 2)).name == "winograd"


def test_a_layer_built_by_hand_runs_the_textbook_and_speed_up_gives_a_model_auto():
    from npvae.models import VAE
    assert Conv2D(2, 3, 3).algorithm is Conv2D.textbook
    assert Conv2DTranspose(2, 3, 3).algorithm is Conv2DTranspose.textbook
    textbook = VAE(seed=0, fast=False)
    quick = VAE(seed=0)
    convolutions = [name for name, layer in quick.named_layers() if hasattr(layer, "geometry")]
    assert len(convolutions) == 6
    layers = dict(textbook.named_layers()), dict(quick.named_layers())
    for name in convolutions:
        assert layers[0][name].algorithm.name == "textbook"
        assert layers[1][name].algorithm.name == "auto"
    x = np.random.default_rng(1).random((2, 28, 28, 1), dtype=np.float32)
    eps = np.zeros((2, 2), dtype=np.float32)
    np.testing.assert_allclose(quick(x, eps=eps).loss, textbook(x, eps=eps).loss, rtol=1e-5)


BAD_ALGORITHMS = {
    # id: (the layer, the algorithm, what the message must say)
    "unknown": (lambda: Conv2D(2, 3, 3), "fft", r"one of 'auto'.*got 'fft'"),
    "winograd-stride-2": (lambda: Conv2D(2, 3, 3, stride=2), "winograd",
                          r"3x3 kernels at stride 1.*stride 2"),
    "winograd-5x5": (lambda: Conv2D(2, 3, 5), "winograd", r"kernel \(5, 5\)"),
    "scatter-stride-2": (lambda: Conv2D(2, 3, 3, stride=2), "scatter", "stride 2"),
    "gather-transpose": (lambda: Conv2DTranspose(2, 3, 3), "gather", "Conv2D only"),
    "winograd-transpose": (lambda: Conv2DTranspose(2, 3, 3), "winograd", "Conv2D only"),
}


@pytest.mark.parametrize("case", list(BAD_ALGORITHMS))
def test_an_algorithm_that_cannot_run_the_layer_is_a_clear_error(case):
    make, name, message = BAD_ALGORITHMS[case]
    with pytest.raises(ValueError, match=message):
        fast.use(make(), name)
