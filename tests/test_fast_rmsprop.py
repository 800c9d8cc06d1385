"""RMSprop's one-pass update (npvae/fast/rmsprop.py) equals the textbook formula
(npvae.optim.rmsprop_update) bit for bit, and both keep ms out of the subnormals."""
import numpy as np
import pytest

import npvae.fast  # noqa: F401  (loading it registers the twin)
from npvae import optim as textbook
from npvae.fast import rmsprop as fast
from npvae.fast.rmsprop import PARALLEL_MIN_SIZE
from npvae.layers import Dense


@pytest.mark.parametrize("shape", [(7, 9), (PARALLEL_MIN_SIZE + 7,)],
                         ids=["serial", "parallel"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_rmsprop_equals_the_textbook_exactly(dtype, shape):
    rng = np.random.default_rng(5)
    param = rng.standard_normal(shape).astype(dtype)
    ms = np.abs(rng.standard_normal(shape)).astype(dtype)
    twin_param, twin_ms = param.copy(), ms.copy()
    for _ in range(4):
        grad = rng.standard_normal(shape).astype(dtype)
        fast.rmsprop_update(param, grad, ms, 1e-3, 0.9, 1e-7)
        textbook.rmsprop_update(twin_param, grad, twin_ms, 1e-3, 0.9, 1e-7)
    assert param.dtype == dtype and ms.dtype == dtype
    np.testing.assert_array_equal(param, twin_param)
    np.testing.assert_array_equal(ms, twin_ms)


def _all_at_once(param, grad, ms, lr, rho, eps):
    fast.rmsprop_update_all([(param, grad, ms)], lr, rho, eps)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("update", [fast.rmsprop_update, _all_at_once, textbook.rmsprop_update],
                         ids=["fast", "fast-all-at-once", "textbook"])
def test_rmsprop_sets_subnormal_ms_to_zero_without_changing_the_update(dtype, update):
    """A weight whose gradient is 0 sees ms shrink into the subnormals, where it would
    stay (0.9 x the smallest subnormal rounds back to it) and slow every step down."""
    tiny = np.finfo(dtype).tiny
    smallest = np.nextafter(dtype(0), dtype(1))
    assert smallest * dtype(0.9) == smallest  # the trap: it would never leave by itself
    rng = np.random.default_rng(6)
    param = rng.standard_normal(6).astype(dtype)
    ms = np.array([smallest, tiny / 4, tiny * 1.5, tiny * 100, 0.5, 0.0], dtype=dtype)
    grad = np.array([0, 0, 0, tiny, 0.1, 1e-30], dtype=dtype)
    expected_ms = ms * dtype(0.9) + grad * grad * dtype(1 - 0.9)  # the formula, unflushed
    lr, eps = dtype(1e-3), dtype(1e-7)
    expected_param = param - grad / np.sqrt(expected_ms + eps) * lr
    update(param, grad, ms, 1e-3, 0.9, 1e-7)
    flushed = expected_ms < tiny
    assert flushed[:2].all() and not flushed[2:5].any()
    assert not ms[flushed].any()
    np.testing.assert_array_equal(ms[~flushed], expected_ms[~flushed])
    np.testing.assert_array_equal(param, expected_param)


the_formula = textbook.rmsprop_update


def test_once_the_fast_room_loaded_an_rmsprop_runs_the_twin_and_the_same_steps():
    """An RMSprop given no update runs the registered twin; one given the formula, or a
    function of its own, runs exactly that."""
    assert textbook.TWINS[textbook.rmsprop_update] is fast.rmsprop_update
    layers = [Dense(5, 3, rng=np.random.default_rng(s), dtype=np.float64) for s in (1, 1)]
    optimizers = [textbook.RMSprop(1e-2), textbook.RMSprop(1e-2)]
    optimizers[0].rmsprop_update = the_formula
    assert optimizers[0].runs() is the_formula
    assert optimizers[1].rmsprop_update is None
    assert optimizers[1].runs() is fast.rmsprop_update
    x = np.random.default_rng(2).standard_normal((4, 5))
    for layer, optimizer in zip(layers, optimizers):
        for _ in range(3):
            layer.forward(x)
            layer.backward(np.ones((4, 3)))
            optimizer.step([("dense", layer)])
    np.testing.assert_array_equal(layers[0].params["W"], layers[1].params["W"])


def test_fast_rmsprop_refuses_a_strided_parameter():
    param = np.zeros((4, 6))[:, ::2]
    with pytest.raises(ValueError, match="C-contiguous"):
        fast.rmsprop_update(param, np.ones_like(param), np.zeros((4, 3)), 1e-3, 0.9, 1e-7)


def arrays_of_a_model(rng, sizes, dtype):
    """(param, grad, ms) of several arrays, as an optimizer's step hands them over."""
    return [(rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype),
             np.abs(rng.standard_normal(shape)).astype(dtype)) for shape in sizes]


@pytest.mark.parametrize("sizes", [[(3, 4), (5,), (2, 2, 3)],
                                   [(7,), (fast.CHUNK * 3 + 5,), (PARALLEL_MIN_SIZE,), (1,)]],
                         ids=["serial", "parallel"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_updating_every_array_at_once_equals_the_textbook_array_by_array(dtype, sizes):
    rng = np.random.default_rng(7)
    updates = arrays_of_a_model(rng, sizes, dtype)
    twins = [tuple(a.copy() for a in update) for update in updates]
    for _ in range(3):
        fast.rmsprop_update_all(updates, 1e-3, 0.9, 1e-7)
        for twin in twins:
            textbook.rmsprop_update(*twin, 1e-3, 0.9, 1e-7)
    for update, twin in zip(updates, twins):
        np.testing.assert_array_equal(update[0], twin[0])   # param
        np.testing.assert_array_equal(update[2], twin[2])   # ms
        assert update[0].dtype == dtype


def test_empty_arrays_and_an_empty_list_are_updated_as_nothing():
    fast.rmsprop_update_all([], 1e-3, 0.9, 1e-7)
    rng = np.random.default_rng(9)
    updates = [tuple(np.zeros(0, np.float32) for _ in range(3))] + arrays_of_a_model(
        rng, [(5,)], np.float32)
    twin = tuple(a.copy() for a in updates[1])
    fast.rmsprop_update_all(updates, 1e-3, 0.9, 1e-7)
    textbook.rmsprop_update(*twin, 1e-3, 0.9, 1e-7)
    np.testing.assert_array_equal(updates[1][0], twin[0])


def test_a_gradient_in_another_memory_order_gives_the_same_update():
    rng = np.random.default_rng(10)
    param, grad, ms = arrays_of_a_model(rng, [(6, 4)], np.float64)[0]
    twin = param.copy(), grad.copy(), ms.copy()
    fast.rmsprop_update_all([(param, np.asfortranarray(grad), ms)], 1e-3, 0.9, 1e-7)
    textbook.rmsprop_update(*twin, 1e-3, 0.9, 1e-7)
    np.testing.assert_array_equal(param, twin[0])


def test_an_array_listed_twice_is_updated_twice_as_in_the_textbook():
    rng = np.random.default_rng(11)
    param, grad, ms = arrays_of_a_model(rng, [(PARALLEL_MIN_SIZE,)], np.float32)[0]
    twin = param.copy(), grad.copy(), ms.copy()
    fast.rmsprop_update_all([(param, grad, ms), (param, grad, ms)], 1e-3, 0.9, 1e-7)
    for _ in range(2):
        textbook.rmsprop_update(*twin, 1e-3, 0.9, 1e-7)
    np.testing.assert_array_equal(param, twin[0])


def test_a_gradient_of_another_shape_is_a_clear_error():
    updates = [(np.zeros(4), np.ones(3), np.zeros(4))]
    with pytest.raises(ValueError, match=r"one shape; got \(4,\), \(3,\) and \(4,\)"):
        fast.rmsprop_update_all(updates, 1e-3, 0.9, 1e-7)


def test_an_rmsprop_on_the_twin_steps_exactly_as_one_on_the_formula():
    """Through ``step``, with lr, rho and eps of its own, on layers large enough for the
    parallel loop: the same weights and ms, bit for bit."""
    optimizers = [textbook.RMSprop(lr=3e-3, rho=0.8, eps=1e-6) for _ in range(2)]
    optimizers[0].rmsprop_update = the_formula
    rng = np.random.default_rng(12)
    x = rng.standard_normal((4, 300)).astype(np.float32)
    models = [[("a", Dense(300, 256, rng=np.random.default_rng(1))),
               ("b", Dense(256, 3, rng=np.random.default_rng(2)))] for _ in range(2)]
    for layers, optimizer in zip(models, optimizers):
        for _ in range(3):
            h = layers[1][1].forward(layers[0][1].forward(x))
            layers[0][1].backward(layers[1][1].backward(np.cos(h)))
            optimizer.step(layers)
    for (_, mine), (_, twin) in zip(*models):
        for key in mine.params:
            np.testing.assert_array_equal(mine.params[key], twin.params[key])
    for key, value in optimizers[0].state.items():
        np.testing.assert_array_equal(optimizers[1].state[key], value)


def test_arrays_of_two_dtypes_are_updated_too_one_by_one():
    rng = np.random.default_rng(8)
    updates = (arrays_of_a_model(rng, [(4,)], np.float32)
               + arrays_of_a_model(rng, [(3,)], np.float64))
    twins = [tuple(a.copy() for a in update) for update in updates]
    fast.rmsprop_update_all(updates, 1e-3, 0.9, 1e-7)
    for update, twin in zip(updates, twins):
        textbook.rmsprop_update(*twin, 1e-3, 0.9, 1e-7)
        np.testing.assert_array_equal(update[0], twin[0])


def test_updating_at_once_refuses_a_strided_parameter():
    param = np.zeros((4, 6))[:, ::2]
    updates = [(np.zeros(3), np.ones(3), np.zeros(3)),
               (param, np.ones_like(param), np.zeros((4, 3)))]
    with pytest.raises(ValueError, match="C-contiguous"):
        fast.rmsprop_update_all(updates, 1e-3, 0.9, 1e-7)


def test_rmsprop_steps_through_the_at_once_form_only_for_the_fast_twin(monkeypatch):
    """An RMSprop on the twin updates every array in one call; one given another update (a
    learner's, in the exercises) calls that update for each array, as the textbook's does."""
    layer = Dense(5, 3, rng=np.random.default_rng(1), dtype=np.float64)
    layer.forward(np.ones((2, 5)))
    layer.backward(np.ones((2, 3)))
    calls = []
    monkeypatch.setattr(fast.rmsprop_update, "rmsprop_update_all",
                        lambda updates, *args: calls.append(len(updates)))
    quick = textbook.RMSprop()
    quick.step([("dense", layer)])
    assert calls == [2]  # W and b, in one call

    def yours(param, grad, ms, lr, rho, eps):
        calls.append(param.shape)

    quick.rmsprop_update = yours
    quick.step([("dense", layer)])
    assert calls == [2, (5, 3), (3,)]


def test_speed_up_says_what_to_do_with_an_optimizer():
    with pytest.raises(TypeError, match="not an optimizer: drop it"):
        npvae.fast.speed_up(textbook.RMSprop())
