"""Dense (fully connected) layer: every output is a weighted sum of every input.

Forward, for a batch of N row vectors::

    y = x @ W + b              x: (N, D_in)   W: (D_in, D_out)   b: (D_out,)   y: (N, D_out)

Backward, from ``dy = dL/dy`` of shape (N, D_out), by the chain rule on
``y[n, o] = b[o] + sum_i x[n, i] W[i, o]``::

    dW = x^T @ dy              (D_in, D_out)   each weight sums its effect over the batch
    db = sum_n dy[n]           (D_out,)
    dx = dy @ W^T              (N, D_in)

``dense_forward`` and ``dense_backward`` below are those formulas; the layer holds them as
its ``algorithm`` (``npvae.layers.base.Algorithm``). With ``activation="relu"`` (as in
Keras), the output is ``max(y, 0)`` and backward first takes the gradient through it:
``dy <- dy * [output > 0]``.
"""
import numpy as np

from npvae.layers.activations import check_activation, relu_backward, relu_in_place
from npvae.layers.base import Algorithm, Layer, as_generator, glorot_uniform


def dense_forward(x, W, b):
    """y = x @ W + b: x (N, D_in) -> (y (N, D_out), cache), the cache being x (dW needs it)."""
    y = x @ W
    y += b
    return y, x


def dense_backward(dy, W, cache):
    """(dx, dW, db) of ``dense_forward`` from dy (N, D_out)."""
    x = cache
    dW = x.T @ dy          # dW = x^T dy
    db = dy.sum(axis=0)    # db = sum over the batch
    return dy @ W.T, dW, db  # dx = dy W^T


class Dense(Layer):
    """``y = x @ W + b``. Params ``W`` (D_in, D_out), Glorot-uniform; ``b`` (D_out,), zeros.

    ``algorithm`` (an attribute): the pair of functions that computes it, ``textbook``
    until another is set."""

    textbook = Algorithm("textbook", dense_forward, dense_backward)

    def __init__(self, in_features, out_features, rng=None, dtype=np.float32, activation=None):
        super().__init__(dtype)
        self.in_features, self.out_features = in_features, out_features
        self.activation = check_activation(activation, "Dense")
        self.algorithm = self.textbook
        # The ReLU's backward, held as the algorithm is, so another function can take
        # its place (a learner's own, in the exercises' capstone).
        self.relu_backward = relu_backward
        rng = as_generator(rng)
        self.params = {
            "W": glorot_uniform((in_features, out_features), in_features, out_features,
                                rng, self.dtype),
            "b": np.zeros(out_features, dtype=self.dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def __repr__(self):
        activation = f", activation={self.activation!r}" if self.activation else ""
        return f"Dense({self.in_features}, {self.out_features}{activation})"

    def forward(self, x):
        """x: (N, D_in) -> y: (N, D_out)."""
        self.check_input(x, ndim=2, last_dim=self.in_features)
        y, cache = self.algorithm.forward(x, self.params["W"], self.params["b"])
        if self.activation == "relu":
            relu_in_place(y)
        self._cache = len(x), cache, (y if self.activation else None)
        return y

    def backward(self, dy):
        """dy: (N, D_out) -> dx: (N, D_in); fills grads["W"], grads["b"]."""
        batch, cache, y_relu = self.cached()
        self.check_gradient(dy, (batch, self.out_features))
        if y_relu is not None:
            dy = self.relu_backward(dy, y_relu)    # through the ReLU first
        dx, self.grads["W"], self.grads["b"] = self.algorithm.backward(dy, self.params["W"],
                                                                       cache)
        return dx
