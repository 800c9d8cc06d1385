"""Optimizers: SGD (with momentum), RMSprop and Adam, with tf.keras' defaults.

An optimizer walks ``named_layers`` -- pairs ``(name, layer)`` -- and updates every
array in ``layer.params`` in place from the same key in ``layer.grads``. Its own
per-parameter memory (a running average, a velocity) lives in ``self.state``, keyed
``"<layer name>/<param name>/<slot>"``, so it can be saved and restored exactly.

RMSprop (Hinton's lecture 6e; Keras' ``rmsprop``, the book's optimizer)::

    ms <- rho * ms + (1 - rho) * g^2            running mean of squared gradients
    p  <- p - lr * g / sqrt(ms + eps)

Each weight gets its own step size, ``lr / RMS(g)``. ``eps`` (1e-7) sits inside the
square root, as in tf.keras (TensorFlow 2): at ``ms = 0`` it keeps the division finite.
The book's standalone Keras 2 put it outside, ``lr * g / (sqrt(ms) + 1e-8)``; the two
differ only for small gradients (docs/05-training.md compares them). Note the first
step: ``ms = (1 - rho) g^2``, so every weight with ``|g|`` above about 1e-3 (with Keras
2's eps, about 3e-8) moves by about ``lr / sqrt(1 - rho) ~ 3.2 lr``, whatever the size
of its gradient.

Adam (Kingma & Ba, 2015), with bias-corrected moments, eps placed as in the paper (Keras
folds the corrections into the step size instead, a tiny difference in where eps acts)::

    m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2
    p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)

SGD with momentum::

    v <- momentum * v - lr * g;   p <- p + v
"""
import inspect

import numpy as np


class Optimizer:
    """Base class: slot bookkeeping and (de)serialisation of ``state``."""

    slots = ()

    def __init__(self, lr):
        self.lr = _learning_rate(lr, type(self).__name__)
        self.iterations = 0
        self.state = {}

    def __repr__(self):
        # The settings its constructor took, each kept under its own name, and its steps.
        names = [name for name in inspect.signature(type(self).__init__).parameters
                 if name != "self"]
        settings = ", ".join(f"{name}={getattr(self, name):g}" for name in names)
        return f"{type(self).__name__}({settings}; {self.iterations} steps taken)"

    def step(self, named_layers):
        """Update every parameter of every layer in place, from its gradient."""
        _check_named_layers(named_layers, type(self).__name__)
        self.iterations += 1
        updates = []
        for layer_name, layer in named_layers:
            for key, param in layer.params.items():
                slots = [self._slot(f"{layer_name}/{key}/{s}", param) for s in self.slots]
                updates.append((param, layer.grads[key], *slots))
        self.update_all(updates)

    def update_all(self, updates):
        """``update(param, grad, *slots)`` for each tuple of ``updates``, in turn."""
        for args in updates:
            self.update(*args)

    def update(self, param, grad, *slots):
        raise NotImplementedError

    def _slot(self, key, param):
        slot = self.state.get(key)
        if slot is None:
            slot = self.state[key] = np.zeros_like(param)
        return slot

    def check_state(self, named_layers):
        """Raise ``ValueError`` unless ``state`` has every slot of every parameter of
        ``named_layers``, each of its parameter's shape (after the first step it must)."""
        expected = {f"{name}/{key}/{slot}": param.shape for name, layer in named_layers
                    for key, param in layer.params.items() for slot in self.slots}
        if self.iterations == 0 and not self.state:
            return
        missing = sorted(set(expected) - set(self.state))
        unexpected = sorted(set(self.state) - set(expected))
        wrong = [f"{key} {self.state[key].shape} instead of {shape}"
                 for key, shape in expected.items()
                 if key in self.state and self.state[key].shape != shape]
        if missing or unexpected or wrong:
            raise ValueError(f"the optimizer's state does not fit the model: missing "
                             f"{missing[:3]}, unexpected {unexpected[:3]}, wrong shape {wrong[:3]}")

    def state_dict(self):
        """Everything needed to continue exactly: the slots and the step count."""
        arrays = {key: value.copy() for key, value in self.state.items()}
        arrays["iterations"] = np.array(self.iterations, dtype=np.int64)
        return arrays

    def load_state_dict(self, arrays):
        """Restore what ``state_dict`` returned (from an optimizer of the same kind)."""
        arrays = dict(arrays)
        foreign = [key for key in arrays if key != "iterations"
                   and key.rsplit("/", 1)[-1] not in self.slots]
        if "iterations" not in arrays or foreign:
            raise ValueError(f"this state is not a {type(self).__name__}'s: it has "
                             f"{foreign[:3] or 'no iterations'}; expected slots {self.slots}")
        self.iterations = int(arrays.pop("iterations"))
        self.state = {key: np.array(value) for key, value in arrays.items()}


class SGD(Optimizer):
    """Stochastic gradient descent with (optional) momentum."""

    slots = ("velocity",)

    def __init__(self, lr=0.01, momentum=0.0):
        super().__init__(lr)
        self.momentum = float(momentum)

    def update(self, param, grad, velocity):
        velocity *= self.momentum
        velocity -= self.lr * grad
        param += velocity


class RMSprop(Optimizer):
    """RMSprop with tf.keras' defaults and eps placement: ``lr=1e-3, rho=0.9, eps=1e-7``
    inside the square root (the book's Keras 2 had ``eps=1e-8`` outside it)."""

    slots = ("ms",)

    def __init__(self, lr=1e-3, rho=0.9, eps=1e-7):
        super().__init__(lr)
        self.rho, self.eps = float(rho), float(eps)
        # None: the formula below, ``rmsprop_update``, or its twin (``TWINS``); give a
        # function (the formula itself, or one of yours) and the steps run exactly that.
        self.rmsprop_update = None

    def update(self, param, grad, ms):
        self.runs()(param, grad, ms, self.lr, self.rho, self.eps)

    def update_all(self, updates):
        # npvae.fast's twin carries a second function, ``rmsprop_update_all(updates, lr,
        # rho, eps)``, that updates every array in one call; the formula below, or a
        # function of your own, has none and goes array by array.
        update_all = getattr(self.runs(), "rmsprop_update_all", None)
        if update_all is None:
            super().update_all(updates)
        else:
            update_all(updates, self.lr, self.rho, self.eps)

    def runs(self):
        """The update function a step runs: the one you gave, else ``rmsprop_update`` or
        its twin (``TWINS``)."""
        if self.rmsprop_update is not None:
            return self.rmsprop_update
        return TWINS.get(rmsprop_update, rmsprop_update)


# Faster functions that compute a formula of this file with the very same operations in
# the same order, so the same bits, keyed by the formula. ``npvae.fast`` adds its one-pass
# RMSprop here when it first loads, that is when a fast model is first made in the
# process: from then on an RMSprop that was given no function of its own runs it, so a
# learner's own script trains as fast as the command. This file never imports it: in a
# process that made no fast model, RMSprop runs the formula.
TWINS = {}


def rmsprop_update(param, grad, ms, lr, rho, eps):
    """One RMSprop step, in place: the formula, one array operation at a time.

    An ``ms`` below the smallest normal number is set to 0. A weight whose gradient
    stays 0 (behind a ReLU that never fires) sees its ``ms`` shrink by rho per step into
    the subnormal numbers, and stay there: 0.9 times the smallest subnormal rounds back
    to itself. Arithmetic on subnormals is slow on x86 CPUs, and after a long run most of
    a model's ``ms`` can be subnormal. No update changes: ``eps`` (1e-7), added to ``ms``
    under the square root, is 10^31 times larger than any subnormal.
    """
    dtype = param.dtype.type  # scalars in the arrays' precision: float32 stays float32
    ms *= dtype(rho)
    ms += grad * grad * dtype(1 - rho)                     # ms <- rho ms + (1 - rho) g^2
    ms[ms < np.finfo(dtype).tiny] = 0                      # no subnormals (see above)
    param -= grad / np.sqrt(ms + dtype(eps)) * dtype(lr)   # p <- p - lr g / sqrt(ms + eps)


class Adam(Optimizer):
    """Adam with tf.keras' defaults: ``lr=1e-3, beta_1=0.9, beta_2=0.999, eps=1e-7``."""

    slots = ("m", "v")

    def __init__(self, lr=1e-3, beta_1=0.9, beta_2=0.999, eps=1e-7):
        super().__init__(lr)
        self.beta_1, self.beta_2, self.eps = float(beta_1), float(beta_2), float(eps)

    def update(self, param, grad, m, v):
        t = self.iterations
        m *= self.beta_1
        m += (1 - self.beta_1) * grad
        v *= self.beta_2
        v += (1 - self.beta_2) * np.square(grad)
        m_hat = m / (1 - self.beta_1**t)
        v_hat = v / (1 - self.beta_2**t)
        param -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


OPTIMIZERS = {"rmsprop": RMSprop, "adam": Adam, "sgd": SGD}


# ------------------------------------------------------------------ argument checks


def _learning_rate(lr, name):
    """``lr`` as a float if it is a positive number; a one-line ValueError if not."""
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating)):
        hint = (" (the parameters are not passed here: give them to step(), as in "
                "optimizer.step(model.named_layers()))" if isinstance(lr, (dict, list)) else "")
        raise ValueError(f"{name}: the learning rate must be a positive number; got a "
                         f"{type(lr).__name__}{hint}")
    if not 0 < lr < float("inf"):
        raise ValueError(f"{name}: the learning rate must be a positive number; got {lr!r}")
    return float(lr)


def _check_named_layers(named_layers, name):
    """Raise ``ValueError`` unless ``named_layers`` is a list of (name, layer) pairs with
    no name twice (two layers of one name would share the optimizer's memory)."""
    if callable(named_layers) or not isinstance(named_layers, (list, tuple)):
        hint = (": call it, as in optimizer.step(model.named_layers())"
                if callable(named_layers) else
                ": pass model.named_layers(), not model.weights()"
                if isinstance(named_layers, dict) else "")
        raise ValueError(f"{name}.step takes a list of (name, layer) pairs; got a "
                         f"{type(named_layers).__name__}{hint}")
    names = [layer_name for layer_name, _ in named_layers]
    if len(set(names)) != len(names):
        twice = sorted({layer_name for layer_name in names if names.count(layer_name) > 1})
        raise ValueError(f"{name}.step: two layers are named {twice[0]!r}, so they would "
                         f"share the optimizer's memory; give each its own name, e.g. "
                         f"Sequential([('first', ...), ('second', ...)])")
