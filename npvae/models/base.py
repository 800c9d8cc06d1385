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

Every pass takes the examples' labels too, ``model(x, labels)``, as nanoGPT's
``forward(idx, targets=None)`` takes its targets: a model that reads none (the VAE)
leaves them None, a conditional one (``npvae.models.conditional``) needs them. So the
code that trains, scores or draws a model hands the labels on, whichever model it is.
"""
import numpy as np

from npvae.layers.base import Layer


def in_batches(function, batch_size, *arrays):
    """``function`` run on consecutive batches of ``arrays`` (each (N, ...), cut alike; a
    None passes as None), its results joined along the first axis: the whole pass over N
    examples, in the memory of ``batch_size``'s work arrays."""
    n = len(next(array for array in arrays if array is not None))
    return np.concatenate([function(*(None if array is None else array[i:i + batch_size]
                                      for array in arrays))
                           for i in range(0, n, batch_size)])


class Model:
    """Base class of the models: ``named_layers`` by name, their ``weights``, the last
    forward's cache that ``backward`` starts from, and the labels it reads: none, here
    (a conditional model reads one of ``num_classes`` per example, and says so)."""

    num_classes = 0

    def __init__(self, dtype=np.float32):
        self.dtype = np.dtype(dtype)
        self.input_gradient = None  # dL/dx of the last backward
        self._cache = None          # what forward keeps for backward

    def __call__(self, *inputs, **kwargs):
        return self.forward(*inputs, **kwargs)

    def forward(self, x, labels=None):
        """Each example's loss (and whatever else the model reports)."""
        raise NotImplementedError

    def backward(self, dloss=None):
        """Backpropagate from the last forward's loss: the batch's mean, or
        ``sum_n dloss[n] * loss_n``; fill every layer's grads and ``input_gradient``."""
        raise NotImplementedError

    def named_layers(self):
        """``(name, layer)`` for every layer, as an optimizer walks them."""
        raise NotImplementedError

    cached = Layer.cached  # what the last forward kept for backward, as a layer's

    # ------------------------------------------------------------------ labels

    def check_labels(self, labels, n):
        """The labels of ``n`` examples as the model reads them: None, for a model that
        reads none; a ``ValueError`` if some were given."""
        if labels is not None:
            raise ValueError(f"labels were given, but this {type(self).__name__} is not "
                             f"conditional (it reads none): leave them out")
        return None

    def condition(self, labels, n, source="the images"):
        """The labels the model reads, out of those that came with ``source`` ((n,), or
        None): none, for a model that reads none (p(x) is the same whatever the label)."""
        return None

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
