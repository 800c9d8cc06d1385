"""Sequential: a chain of layers, run forward in order and backward in reverse.

    forward:   x -> layer_1 -> layer_2 -> ... -> layer_k -> y
    backward:  dx <- layer_1.backward <- ... <- layer_k.backward <- dy

That reversal *is* backpropagation: the chain rule applied one layer at a time.
"""
from npvae.layers.base import Layer


class Sequential(Layer):
    """Named layers in order. ``named_layers`` lists ``(name, layer)`` for optimizers."""

    def __init__(self, named_layers):
        if not named_layers:
            raise ValueError("Sequential needs at least one (name, layer) pair")
        super().__init__(named_layers[0][1].dtype)
        self.named_layers = list(named_layers)

    def __repr__(self):
        return "Sequential(" + ", ".join(name for name, _ in self.named_layers) + ")"

    def forward(self, x):
        for _, layer in self.named_layers:
            x = layer.forward(x)
        return x

    def backward(self, dy):
        for _, layer in reversed(self.named_layers):
            dy = layer.backward(dy)
        return dy
