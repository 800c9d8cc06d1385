"""The contract every layer keeps (npvae/layers/base.py): params and grads alike, a
backward only after a forward, inputs checked with errors that say what was expected and
what was received, outputs that the next call does not overwrite."""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npvae.layers import Conv2D, Conv2DTranspose, Dense, Flatten, ReLU, Reshape, Sampling, Sigmoid
from npvae.models import VAE

F64 = np.float64

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


# ------------------------------------------------------------ models made of layers

def test_a_model_inside_a_sequential_is_trained_too():
    from npvae.layers import Sequential
    from npvae.optim import SGD
    rng = np.random.default_rng(0)
    inner = Sequential([("dense", Dense(3, 3, rng=rng)), ("relu", ReLU())])
    outer = Sequential([("first", Dense(4, 3, rng=rng)), ("block", inner)])
    assert [name for name, _ in outer.named_layers()] == ["first", "block/dense", "block/relu"]
    x = rng.standard_normal((5, 4)).astype(np.float32)
    before = inner.named_layers()[0][1].params["W"].copy()
    outer.backward(np.ones_like(outer.forward(x)))
    SGD(lr=0.1).step(outer.named_layers())
    assert not np.array_equal(before, inner.named_layers()[0][1].params["W"])


def test_two_layers_of_one_name_are_refused_by_the_optimizer():
    from npvae.optim import RMSprop
    first, second = Dense(2, 2, rng=0), Dense(2, 2, rng=1)
    with pytest.raises(ValueError, match="two layers are named 'dense'"):
        RMSprop().step(first.named_layers() + second.named_layers())


@pytest.mark.parametrize("make, fragment", [
    (lambda: VAE(latent_dim="2"), "latent_dim must be a whole number"),
    (lambda: VAE(input_shape=(28, 28)), "input_shape must be (H, W, C)"),
])
def test_a_vae_of_a_wrong_shape_is_refused_in_words(make, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)):
        make()


@pytest.mark.parametrize("x, fragment", [
    (np.zeros((0, 28, 28, 1), np.float32), "with N >= 1"),
    (np.zeros((28, 28, 1), np.float32), "add a batch axis: x[None]"),
    (np.zeros((4, 28, 28), np.float32), "add one: x[..., None]"),
    (np.zeros((4, 28, 28, 1), np.uint8), "x.astype(np.float32) / 255"),
    (np.full((4, 28, 28, 1), 255, np.float32), "scale them with x / 255"),
])
def test_a_vae_says_what_to_do_with_a_batch_it_cannot_take(x, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)):
        VAE(seed=0)(x)


def test_backward_with_a_scalar_says_to_leave_it_out():
    model = VAE(seed=0, encoder_filters=(2, 2, 2, 2), dense_units=4, decoder_filters=2)
    out = model(np.zeros((3, 28, 28, 1), np.float32))
    with pytest.raises(ValueError, match=re.escape("call model.backward() without it")):
        model.backward(out.loss.mean())
