"""Exercise ``dense``: the Dense layer's forward and backward (guide, chapter 2)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises import reference
from npvae.exercises.exercise import Exercise
from npvae.layers.dense import Dense

STUB = '''"""Exercise dense: a fully connected layer, forward and backward (guide, chapter 2).

For a batch of N row vectors:

    y = x @ W + b          x (N, D_in)   W (D_in, D_out)   b (D_out,)   y (N, D_out)

Backward, from dy = dL/dy (N, D_out), by the chain rule on
y[n, o] = b[o] + sum_i x[n, i] W[i, o]:

    dW = x^T @ dy          (D_in, D_out)   each weight sums its effect over the batch
    db = sum_n dy[n]       (D_out,)
    dx = dy @ W^T          (N, D_in)

forward returns y and a cache: whatever backward will need (here, x). backward gets
that cache back, with dy and W. Keep the inputs' dtype.

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
'''

HINTS = (
    "The cache can be x itself: dW needs it, dx needs only dy and W.",
    "Check the shapes: dW must be (D_in, D_out) like W, so x^T (D_in, N) @ dy (N, D_out).",
    "db sums over the batch (axis 0): each example adds its own gradient; do not average.",
)

N, D_IN, D_OUT = 4, 5, 3


def checks(learner):
    x, W, b, dy = c.random_arrays(3, (N, D_IN), (D_IN, D_OUT), (D_OUT,), (N, D_OUT))
    y, cache = learner.dense_forward(x.copy(), W.copy(), b.copy())
    dx, dW, db = learner.dense_backward(dy.copy(), W.copy(), cache)
    line = c.shapes([("y", y, (N, D_OUT)), ("dx", dx, (N, D_IN)), ("dW", dW, (D_IN, D_OUT)),
                     ("db", db, (D_OUT,))], np.float64)
    yield line
    if line.status != "ok":
        return
    f32 = [a.astype(np.float32) for a in (x, W, b, dy)]
    y32, cache32 = learner.dense_forward(*f32[:3])
    dx32, dW32, db32 = learner.dense_backward(f32[3], f32[1], cache32)
    yield c.shapes([("y", y32, (N, D_OUT)), ("dx", dx32, (N, D_IN)),
                    ("dW", dW32, (D_IN, D_OUT)), ("db", db32, (D_OUT,))], np.float32)
    ref_y, ref_cache = reference.dense_forward(x, W, b)
    ref_dx, ref_dW, ref_db = reference.dense_backward(dy, W, ref_cache)
    batch = (1 / N, f"divided by the batch size N={N}: each example adds its gradient, "
                    f"the training code averages")
    yield c.values("y", y, ref_y, wrong=[("the bias b is missing", x @ W)])
    yield c.values("dx", dx, ref_dx)
    yield c.values("dW", dW, ref_dW, factors=[batch])
    yield c.values("db", db, ref_db, factors=[batch])
    for name, analytic, array in (("dx", dx, x), ("dW", dW, W), ("db", db, b)):
        loss = c.projected(lambda: learner.dense_forward(x, W, b)[0], dy)
        yield c.gradient(name, analytic, loss, array, factors=[batch])


EXERCISE = Exercise(
    name="dense", chapter=2, title="Dense forward and backward", stub=STUB,
    functions={"dense_forward": (reference.dense_forward, ("y", "cache")),
               "dense_backward": (reference.dense_backward, ("dx", "dW", "db"))},
    checks=checks, hints=HINTS,
    solution=(Dense.forward, Dense.backward))
