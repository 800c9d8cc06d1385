"""Sequential: a chain of layers, run forward in order and backward in reverse.

    forward:   x -> layer_1 -> layer_2 -> ... -> layer_k -> y
    backward:  dx <- layer_1.backward <- ... <- layer_k.backward <- dy

That reversal *is* backpropagation: the chain rule applied one layer at a time.
"""
from npvae.layers.base import Layer


class Sequential(Layer):
    """Named layers in order: ``Sequential([("dense", Dense(4, 3)), ("relu", ReLU())])``."""

    def __init__(self, named_layers):
        if not named_layers:
            raise ValueError("Sequential needs at least one (name, layer) pair")
        super().__init__(named_layers[0][1].dtype)
        self._layers = list(named_layers)

    def __repr__(self):
        return "Sequential(" + ", ".join(name for name, _ in self._layers) + ")"

    def named_layers(self):
        """The ``(name, layer)`` pairs, in order; a model inside (another Sequential, say)
        lists its own layers, named "outer/inner", so that an optimizer reaches them."""
        pairs = []
        for name, layer in self._layers:
            if type(layer).named_layers is Layer.named_layers:   # a single layer
                pairs.append((name, layer))
            else:
                pairs += [(f"{name}/{inner}", sub) for inner, sub in layer.named_layers()]
        return pairs

    def forward(self, x, trace=None):
        """Run every layer in order. ``trace(name, layer, output)``, if given, is called
        after each one: a way to watch the activations without rewiring the model."""
        for name, layer in self._layers:
            x = layer.forward(x)
            if trace is not None:
                trace(name, layer, x)
        return x

    def backward(self, dy, trace=None):
        """Run every layer's backward in reverse order; ``trace(name, layer, dL/dinput)``."""
        for name, layer in reversed(self._layers):
            dy = layer.backward(dy)
            if trace is not None:
                trace(name, layer, dy)
        return dy
