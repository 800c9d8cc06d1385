"""What a model promises: a loss per example on the way forward, every parameter's
gradient on the way back, and its parameters by name.

A layer maps x to y, and its ``backward(dy)`` needs ``dy = dL/dy`` from the layer above.
A model has nothing above it: its forward ends in the loss of each example, (N,), and
its backward starts from that loss itself (by default the batch's mean), so it takes no
``dy``::

    out = model(x)                         # out.loss: one loss per example, (N,)
    model.backward()                       # d mean(out.loss) / d every parameter
    optimizer.step(model.named_layers())   # the layers' params and grads, by name

``backward`` fills every layer's ``grads`` and returns nothing; the gradient with respect
to the input, dL/dx, is kept in ``model.input_gradient`` for whoever needs it (a gradient
check, the curious), so that ``model.backward()`` typed at a prompt prints no array.
"""
import numpy as np


class Model:
    """Base class of the models: ``named_layers`` by name, their ``weights``, and the
    last forward's cache that ``backward`` starts from."""

    def __init__(self, dtype=np.float32):
        self.dtype = np.dtype(dtype)
        self.input_gradient = None  # dL/dx of the last backward
        self._cache = None          # what forward keeps for backward

    def __call__(self, *inputs, **kwargs):
        return self.forward(*inputs, **kwargs)

    def forward(self, x):
        """Each example's loss (and whatever else the model reports)."""
        raise NotImplementedError

    def backward(self, dloss=None):
        """Backpropagate from the last forward's loss: the batch's mean, or
        ``sum_n dloss[n] * loss_n``; fill every layer's grads and ``input_gradient``."""
        raise NotImplementedError

    def named_layers(self):
        """``(name, layer)`` for every layer, as an optimizer walks them."""
        raise NotImplementedError

    def cached(self):
        """What the last ``forward`` kept for ``backward``; an error if there was none."""
        if self._cache is None:
            raise ValueError(f"{self!r}: backward called before forward")
        return self._cache

    # ------------------------------------------------------------------ parameters

    def weights(self):
        """Flat dict "encoder/conv1/W" -> the parameter array itself (not a copy)."""
        return {f"{name}/{key}": param for name, layer in self.named_layers()
                for key, param in layer.params.items()}

    def load_weights(self, arrays):
        """Copy ``arrays`` (as returned by ``weights``) into the model, checking every shape."""
        own = self.weights()
        missing = sorted(set(own) - set(arrays))
        unexpected = sorted(set(arrays) - set(own))
        if missing or unexpected:
            raise ValueError(f"the weights do not fit this model: missing {missing[:4]}, "
                             f"unexpected {unexpected[:4]}")
        for key, param in own.items():
            if arrays[key].shape != param.shape:
                raise ValueError(f"the weights do not fit this model: {key} has shape "
                                 f"{arrays[key].shape}, the model expects {param.shape}")
            param[...] = arrays[key]

    def count_params(self):
        """The number of parameters: every entry of every array in ``weights``."""
        return sum(p.size for p in self.weights().values())
