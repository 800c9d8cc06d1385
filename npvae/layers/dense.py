"""Dense (fully connected) layer: every output is a weighted sum of every input.

Forward, for a batch of N row vectors::

    y = x @ W + b              x: (N, D_in)   W: (D_in, D_out)   b: (D_out,)   y: (N, D_out)

Backward, from ``dy = dL/dy`` of shape (N, D_out), by the chain rule on
``y[n, o] = b[o] + sum_i x[n, i] W[i, o]``::

    dW = x^T @ dy              (D_in, D_out)   each weight sums its effect over the batch
    db = sum_n dy[n]           (D_out,)
    dx = dy @ W^T              (N, D_in)

With ``activation="relu"`` (as in Keras), the output is ``max(y, 0)`` and backward
first takes the gradient through it: ``dy <- dy * [output > 0]``.
"""
import numpy as np

from npvae.layers.activations import check_activation, relu_backward, relu_in_place
from npvae.layers.base import Layer, as_generator, glorot_uniform


class Dense(Layer):
    """``y = x @ W + b``. Params ``W`` (D_in, D_out), Glorot-uniform; ``b`` (D_out,), zeros."""

    def __init__(self, in_features, out_features, rng=None, dtype=np.float32, activation=None):
        super().__init__(dtype)
        self.in_features, self.out_features = in_features, out_features
        self.activation = check_activation(activation, "Dense")
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
        y = x @ self.params["W"]
        y += self.params["b"]
        if self.activation == "relu":
            relu_in_place(y)
        self._cache = x, (y if self.activation else None)  # dW needs the input
        return y

    def backward(self, dy):
        """dy: (N, D_out) -> dx: (N, D_in); fills grads["W"], grads["b"]."""
        x, y_relu = self.cached()
        self.check_gradient(dy, (x.shape[0], self.out_features))
        if y_relu is not None:
            dy = relu_backward(dy, y_relu)         # through the ReLU first
        self.grads["W"] = x.T @ dy          # dW = x^T dy
        self.grads["b"] = dy.sum(axis=0)    # db = sum over the batch
        return dy @ self.params["W"].T      # dx = dy W^T
