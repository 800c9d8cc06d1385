"""What every layer promises: ``forward``, ``backward``, ``params`` and ``grads``.

A layer is a function ``y = f(x; params)`` that can also run backwards. Given the
gradient of a scalar loss ``L`` with respect to its output, ``dy = dL/dy``,
``backward(dy)`` returns ``dx = dL/dx`` and fills ``grads`` with ``dL/dparam``::

    y  = layer.forward(x)         # keeps what backward will need (its "cache")
    dx = layer.backward(dy)       # uses the cache; overwrites layer.grads

``params`` and ``grads`` are plain dicts with the same keys (``"W"``, ``"b"``), so an
optimizer can walk them without knowing what kind of layer it updates. Layers
without parameters have two empty dicts.

A layer whose sums could be computed another way (Dense, Sampling, the convolutions)
holds them as an ``Algorithm``: the pair of functions its forward and backward call.
The textbook's pair is the default; ``npvae.fast`` gives the convolutions faster ones,
and the exercises' capstone gives a learner's own.
"""
from typing import Callable, NamedTuple

import numpy as np


class Algorithm(NamedTuple):
    """How a layer computes: a named pair of functions, ``forward(...) -> (y, cache)``
    and ``backward(dy, ..., cache)``, with the signatures of the textbook's pair in the
    layer's module. If ``applies_relu`` (convolutions only), forward also takes
    ``relu=True`` and then applies the layer's ReLU itself (and backward its mask),
    inside passes it makes anyway; otherwise the layer applies it. ``memory(layer,
    x_shape, y_shape)`` (convolutions) says what the pair needs, as ``conv.textbook_memory``
    does: the memory estimate (``npvae.training.memory``) asks it, and counts a pair that does not
    say (None) as the textbook. ``for_input`` gives the pair that runs an input of shape
    (H, W, C): always this one, except for an algorithm that chooses by shape
    (``npvae.fast``'s "auto").
    """

    name: str
    forward: Callable
    backward: Callable
    applies_relu: bool = False
    memory: Callable = None

    def for_input(self, input_shape):
        return self


class Layer:
    """Base class: holds ``params``/``grads`` and checks inputs before ``forward``."""

    def __init__(self, dtype=np.float32):
        self.dtype = np.dtype(dtype)
        self.params = {}
        self.grads = {}
        self._cache = None  # what forward keeps for backward

    def __call__(self, *inputs, **kwargs):
        return self.forward(*inputs, **kwargs)

    def forward(self, x):
        raise NotImplementedError

    def backward(self, dy):
        raise NotImplementedError

    def named_layers(self):
        """``(name, layer)`` pairs of every layer (those without parameters too): what an
        optimizer walks (``optimizer.step(model.named_layers())``). A single layer is its
        own list, named after its type; models (``Sequential``, ``Encoder``, ``VAE``) list
        their layers."""
        return [(type(self).__name__.lower(), self)]

    def __repr__(self):
        return f"{type(self).__name__}()"

    # -- input checks: cheap, and they turn a confusing BLAS error into a clear one.

    def check_input(self, x, ndim=None, last_dim=None, what="x"):
        """Raise ``ValueError`` unless ``x`` is an array of this layer's dtype with
        ``ndim`` axes (any, if None) and ``last_dim`` entries on its last axis (if given)."""
        name = repr(self)
        if not isinstance(x, np.ndarray):
            raise ValueError(f"{name}: {what} must be a numpy array; got {type(x).__name__}")
        if x.dtype != self.dtype:
            hint = f"; convert it with {what}.astype(np.{self.dtype.name})"
            raise ValueError(
                f"{name}: {what} must have dtype {self.dtype.name}; got {x.dtype.name}{hint}"
            )
        if ndim is None:
            return
        if x.ndim != ndim or (last_dim is not None and x.shape[-1] != last_dim):
            expected = _describe_shape(ndim, last_dim)
            one_example = x.ndim == ndim - 1 and (last_dim is None or x.shape[-1] == last_dim)
            hint = f" (one example? add a batch axis: {what}[None])" if one_example else ""
            raise ValueError(f"{name}: {what} must have shape {expected}; got {x.shape}{hint}")

    def cached(self):
        """What the last ``forward`` kept for ``backward``; an error if there was none."""
        if self._cache is None:
            raise ValueError(f"{self!r}: backward called before forward")
        return self._cache

    def check_gradient(self, dy, expected_shape):
        """Raise ``ValueError`` unless ``backward`` got a gradient shaped like the output."""
        if not isinstance(dy, np.ndarray) or dy.shape != tuple(expected_shape):
            got = getattr(dy, "shape", type(dy).__name__)
            raise ValueError(
                f"{self!r}: the gradient must have the output's shape {tuple(expected_shape)}; "
                f"got {got}"
            )
        if dy.dtype != self.dtype:
            raise ValueError(f"{self!r}: the gradient must have dtype {self.dtype.name}; "
                             f"got {dy.dtype.name} (convert it with "
                             f"dy.astype(np.{self.dtype.name}))")


def _describe_shape(ndim, last_dim):
    names = {2: ["N"], 4: ["N", "H", "W"]}.get(ndim, [f"d{i}" for i in range(ndim - 1)])
    last = str(last_dim) if last_dim is not None else ("C" if ndim == 4 else "D")
    return "(" + ", ".join(names + [last]) + ")"


def glorot_uniform(shape, fan_in, fan_out, rng, dtype):
    """Keras' default kernel initializer: U(-a, a) with ``a = sqrt(6 / (fan_in + fan_out))``.

    It keeps the variance of activations and of gradients roughly constant from
    layer to layer (Glorot & Bengio, 2010).
    """
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def as_generator(rng):
    """The generator to draw from: ``rng`` itself, a new one seeded with ``rng`` if it is
    an int, or -- for ``None`` -- a new unseeded one (fresh OS entropy: not reproducible;
    pass a seed or a Generator to get the same numbers again)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    raise ValueError(f"rng must be a numpy.random.Generator, an int seed or None; got {rng!r}")
