"""Flatten and Reshape: change how the numbers are arranged, never the numbers.

    Flatten   (N, d1, d2, ...)  ->  (N, d1*d2*...)
    Reshape   (N, D)            ->  (N, *shape)        with prod(shape) == D

Their backward passes just undo the rearrangement: the gradient of a reshape is the
gradient reshaped back. Both are views of the same memory, so they cost nothing.
"""
import numpy as np

from npvae.layers.base import Layer


class Flatten(Layer):
    """Flatten every axis but the batch axis: ``(N, H, W, C) -> (N, H*W*C)``."""

    def forward(self, x):
        self.check_input(x)
        if x.ndim < 2:
            raise ValueError(f"Flatten: x must have a batch axis and at least one more; "
                             f"got shape {x.shape}")
        self._cache = x.shape
        return x.reshape(x.shape[0], int(np.prod(x.shape[1:])))

    def backward(self, dy):
        shape = self.cached()
        self.check_gradient(dy, (shape[0], int(np.prod(shape[1:]))))
        return dy.reshape(shape)


class Reshape(Layer):
    """Reshape each example: ``(N, D) -> (N, *shape)``, like ``keras.layers.Reshape``."""

    def __init__(self, shape, dtype=np.float32):
        super().__init__(dtype)
        self.shape = tuple(int(s) for s in shape)
        self.size = int(np.prod(self.shape))

    def __repr__(self):
        return f"Reshape({self.shape})"

    def forward(self, x):
        self.check_input(x, ndim=2, last_dim=self.size)
        self._cache = x.shape
        return x.reshape((x.shape[0],) + self.shape)

    def backward(self, dy):
        x_shape = self.cached()
        self.check_gradient(dy, (x_shape[0],) + self.shape)
        return dy.reshape(x_shape)
