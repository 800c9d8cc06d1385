"""Concatenate: put two batches of row vectors side by side.

Forward, for N rows::

    y = [a, b]           a: (N, Da)   b: (N, Db)   y: (N, Da + Db)
    y[n, i] = a[n, i]          for i < Da
    y[n, Da + j] = b[n, j]     for j < Db

Each output entry is one input entry, copied, so its gradient goes back to that entry
alone: backward cuts ``dy = dL/dy`` where forward joined, ::

    da = dy[:, :Da]      (N, Da)
    db = dy[:, Da:]      (N, Db)

The conditional VAE (``npvae.models.conditional``) joins a one-hot label to the
encoder's features and to the code z this way: the next Dense layer then computes
``[a, b] @ W = a @ W_a + b @ W_b``, each part of the input with its own rows of W.
"""
import numpy as np

from npvae.layers.base import Layer


class Concatenate(Layer):
    """``[a, b]`` along the last axis of two (N, D) arrays. No parameters."""

    def forward(self, a, b):
        """a: (N, Da), b: (N, Db) -> y: (N, Da + Db)."""
        self.check_input(a, ndim=2, what="a")
        self.check_input(b, ndim=2, what="b")
        if len(a) != len(b):
            raise ValueError(f"{self!r}: a and b must have the same number of rows; got "
                             f"{a.shape} and {b.shape}")
        self._cache = (a.shape[1], b.shape[1])
        return np.concatenate([a, b], axis=1)

    def backward(self, dy):
        """dy: (N, Da + Db) -> (da (N, Da), db (N, Db))."""
        width_a, width_b = self.cached()
        self.check_gradient(dy, (len(dy), width_a + width_b))
        return dy[:, :width_a], dy[:, width_a:]
