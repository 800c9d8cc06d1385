"""Exercise dense: a fully connected layer, forward and backward (guide, chapter 2).

For a batch of N row vectors:

    y = x @ W + b          x (N, D_in)   W (D_in, D_out)   b (D_out,)   y (N, D_out)

Backward, from dy = dL/dy (N, D_out), by the chain rule on
y[n, o] = b[o] + sum_i x[n, i] W[i, o]:

    dW = x^T @ dy          (D_in, D_out)   each weight sums its effect over the batch
    db = sum_n dy[n]       (D_out,)
    dx = dy @ W^T          (N, D_in)

forward returns y and a cache: whatever backward will need (here, x). backward gets
that cache back, with dy and W. Keep the inputs' dtype (float32 in, float32 out: the
model trains in float32), and leave x, W, b and dy as they are: the model uses them again.

Check it:  npvae exercise check dense
A hint:    npvae exercise hint dense
"""
import numpy as np


def dense_forward(x, W, b):
    """y = x @ W + b: x (N, D_in) -> (y (N, D_out), cache)."""
    raise NotImplementedError("compute y = x @ W + b and return y and the cache backward needs")


def dense_backward(dy, W, cache):
    """Gradients of dense_forward: dy (N, D_out) -> (dx (N, D_in), dW, db)."""
    raise NotImplementedError("compute dx, dW and db from dy, W and the cache; return all three")
