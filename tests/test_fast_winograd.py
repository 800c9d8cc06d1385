"""Tests for npvae.fast.winograd: its matrices, its transforms, and their adjoints.

1. The 1-D F(2, 3) identity ``A^T [(G g) * (B^T d)]`` is two outputs of a correlation.
2. Each numba transform equals its plain-NumPy twin (float64 and float32).
3. Each backward transform is the adjoint of its forward one: ``<T a, b> == <a, T^T b>``.
(The whole algorithm against the textbook: ``tests/test_fast_algorithms.py``.)
"""
import numpy as np
import pytest

from npvae.fast import winograd
from npvae.fast import winograd_transforms as transforms
from npvae.fast.winograd_transforms import A_T, B_T

# id: (N, H, W, C, pads) of a 3x3 stride-1 convolution's input; the output is
# (H + top + bottom - 2) x (W + left + right - 2): odd sizes leave half-used tiles.
GEOMETRIES = {
    "same-odd": (2, 5, 7, 3, (1, 1, 1, 1)),
    "same-even": (1, 6, 4, 2, (1, 1, 1, 1)),
    "valid-odd": (2, 7, 5, 1, (0, 0, 0, 0)),
    "valid-one-row": (1, 3, 6, 2, (0, 0, 0, 0)),
}


def geometry(name, out_c=4):
    n, height, width, channels, pads = GEOMETRIES[name]
    out_h, out_w = height + pads[0] + pads[1] - 2, width + pads[2] + pads[3] - 2
    y_shape = (n, out_h, out_w, out_c)
    return (n, height, width, channels), pads, y_shape, winograd.tiles(y_shape)


def test_f23_is_two_outputs_of_a_three_tap_correlation():
    rng = np.random.default_rng(0)
    d, g = rng.standard_normal(4), rng.standard_normal(3)
    direct = np.array([d[0:3] @ g, d[1:4] @ g])
    assert np.allclose(A_T @ ((winograd.G @ g) * (B_T @ d)), direct, rtol=1e-14, atol=0)


def test_f2x2_3x3_is_a_2x2_block_of_a_3x3_correlation():
    rng = np.random.default_rng(1)
    d, g = rng.standard_normal((4, 4)), rng.standard_normal((3, 3))
    direct = np.array([[np.sum(d[i:i + 3, j:j + 3] * g) for j in range(2)] for i in range(2)])
    G = winograd.G
    assert np.allclose(A_T @ ((G @ g @ G.T) * (B_T @ d @ B_T.T)) @ A_T.T, direct,
                       rtol=1e-13, atol=0)


def twins_agree(got, expected, dtype):
    """Equal up to the order of a few additions: within a handful of roundings."""
    assert got.dtype == expected.dtype == dtype and got.shape == expected.shape
    tolerance = 8 * np.finfo(dtype).eps * np.abs(expected).max()
    assert np.abs(got - expected).max() <= tolerance


DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32])


def transform_arguments(transform, name, dtype):
    """Random arguments for one transform on one geometry."""
    x_shape, pads, y_shape, (th, tw) = geometry(name)
    rng = np.random.default_rng(2)

    def draw(shape):
        return rng.standard_normal(shape).astype(dtype)

    return {
        "input_transform": lambda: (winograd.pad_for_tiles(draw(x_shape), pads, th, tw), th, tw),
        "output_transform": lambda: (draw((16, y_shape[0] * th * tw, y_shape[3])),
                                     draw(y_shape[3]), y_shape, th, tw),
        "output_transform_adjoint": lambda: (draw(y_shape), th, tw),
        # With a ReLU's output (about half of it zero): dy masked where it is not > 0.
        "output_transform_adjoint relu": lambda: (draw(y_shape), th, tw,
                                                  np.maximum(draw(y_shape), 0)),
        "output_transform relu": lambda: (draw((16, y_shape[0] * th * tw, y_shape[3])),
                                          draw(y_shape[3]), y_shape, th, tw, True),
        "input_transform_adjoint": lambda: (draw((16, x_shape[0] * th * tw, x_shape[3])),
                                            x_shape, pads, th, tw),
    }[transform]()


@DTYPES
@pytest.mark.parametrize("name", list(GEOMETRIES))
@pytest.mark.parametrize("transform", ["input_transform", "output_transform",
                                       "output_transform relu", "output_transform_adjoint",
                                       "output_transform_adjoint relu",
                                       "input_transform_adjoint"])
def test_each_numba_transform_matches_its_numpy_twin(transform, name, dtype):
    args = transform_arguments(transform, name, dtype)
    function = transform.split()[0]
    got = getattr(transforms, function)(*args)
    twins_agree(got, getattr(transforms, function + "_numpy")(*args), dtype)
    if transform == "output_transform relu":
        assert (got == 0).any() and (got > 0).any()


def assert_adjoint(forward_a, a, backward_b, b):
    lhs, rhs = np.vdot(forward_a, b), np.vdot(a, backward_b)
    assert lhs == pytest.approx(rhs, rel=1e-12)


@pytest.mark.parametrize("name", list(GEOMETRIES))
def test_the_backward_transforms_are_the_adjoints_of_the_forward_ones(name):
    x_shape, pads, y_shape, (th, tw) = geometry(name)
    rng = np.random.default_rng(6)
    # The input side: pad, then B^T d B; its adjoint: B dV B^T, overlap-add, crop.
    x = rng.standard_normal(x_shape)
    dV = rng.standard_normal((16, x_shape[0] * th * tw, x_shape[3]))
    assert_adjoint(transforms.input_transform(winograd.pad_for_tiles(x, pads, th, tw), th, tw),
                   x, transforms.input_transform_adjoint(dV, x_shape, pads, th, tw), dV)
    # The output side (without the bias, which is not linear): A^T M A, crop.
    M = rng.standard_normal((16, y_shape[0] * th * tw, y_shape[3]))
    dy = rng.standard_normal(y_shape)
    zero_bias = np.zeros(y_shape[3])
    assert_adjoint(transforms.output_transform(M, zero_bias, y_shape, th, tw), M,
                   transforms.output_transform_adjoint(dy, th, tw), dy)


def test_the_kernel_transform_adjoint_is_its_transpose():
    rng = np.random.default_rng(7)
    W, dU = rng.standard_normal((3, 3, 2, 5)), rng.standard_normal((16, 2, 5))
    assert_adjoint(winograd.kernel_transform(W), W, winograd.kernel_transform_adjoint(dU), dU)


def test_the_kernel_transform_is_g_w_g_transposed_for_every_channel_pair():
    rng = np.random.default_rng(8)
    W = rng.standard_normal((3, 3, 2, 5))
    G = winograd.G
    U = winograd.kernel_transform(W)
    for c in range(2):
        for o in range(5):
            expected = (G @ W[:, :, c, o] @ G.T).reshape(16)   # position k = 4a + b
            np.testing.assert_allclose(U[:, c, o], expected, rtol=1e-14, atol=1e-15)
