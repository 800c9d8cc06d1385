"""Exercise ``conv2d``: Conv2D forward and backward as im2col and one matrix product
(guide, chapter 2)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises import reference
from npvae.exercises.exercise import Exercise

STUB = '''"""Exercise conv2d: a convolution as one matrix product, forward and backward
(guide, chapter 2).

A kernel W (kh, kw, C, O) slides over the zero-padded input x (N, H, W, C) with stride s:

    y[n, i, j, o] = b[o] + sum_{p, q, c} x_pad[n, i*s + p, j*s + q, c] * W[p, q, c, o]

(a cross-correlation, as in Keras: the kernel is not flipped). im2col copies every
window into a row, which turns the sum into one matrix product:

    cols = im2col(x)                          (N*Ho*Wo, kh*kw*C)
    y    = cols @ W.reshape(kh*kw*C, O) + b   (N*Ho*Wo, O) -> reshape to y_shape (N, Ho, Wo, O)

Backward is the matrix-product rule, then col2im (the transpose of im2col):

    dW    = cols^T @ dy                       (kh*kw*C, O) -> reshape to W.shape
    db    = sum of dy over n, i, j            (O,)
    dcols = dy @ W^T                          (N*Ho*Wo, kh*kw*C)
    dx    = col2im(dcols)                     (N, H, W, C)

pads is (top, bottom, left, right); stride and pads go to im2col and col2im as they are.
forward returns y and a cache (whatever backward needs: x's shape, stride, pads, cols).

Check it:  npvae exercise check conv2d
A hint:    npvae exercise hint conv2d
"""
import numpy as np

# npvae's own; once your im2col and col2im pass, you may paste yours in here instead.
from npvae.exercises.reference import col2im, im2col


def conv2d_forward(x, W, b, stride, pads, y_shape):
    """y = im2col(x) @ W + b: x (N, H, W, C) -> (y (N, Ho, Wo, O), cache)."""
    raise NotImplementedError("unfold x with im2col, multiply by the kernel as a matrix, "
                              "add b, reshape to y_shape; return y and the cache")


def conv2d_backward(dy, W, cache):
    """(dx, dW, db) of conv2d_forward, from dy (N, Ho, Wo, O)."""
    raise NotImplementedError("flatten dy to (N*Ho*Wo, O); compute dW, db and dcols; fold "
                              "dcols back with col2im")
'''

HINTS = (
    "W.reshape(-1, O) is the kernel as a (kh*kw*C, O) matrix; its rows are in im2col's "
    "(p, q, c) order, so no transpose or flip is needed.",
    "Keep cols in the cache: dW = cols.T @ dy needs it, and recomputing it costs a pass.",
    "dy.reshape(-1, O) puts every output pixel on a row, matching the rows of cols.",
    "db sums dy over the batch and every output pixel: dy.reshape(-1, O).sum(axis=0).",
)

X_SHAPE, W_SHAPE, STRIDE = (2, 5, 6, 3), (3, 3, 3, 4), 2
PADS, Y_SHAPE = (1, 1, 0, 1), (2, 3, 3, 4)   # 'same' padding of this geometry


def reference_run(forward, backward, x, W, b, dy, pads=PADS):
    y, cache = forward(x, W, b, STRIDE, pads, Y_SHAPE)
    return (y,) + tuple(backward(dy, W, cache))


def checks(learner):
    x, W, b, dy = c.random_arrays(8, X_SHAPE, W_SHAPE, W_SHAPE[-1:], Y_SHAPE)
    got = reference_run(learner.conv2d_forward, learner.conv2d_backward,
                        *(a.copy() for a in (x, W, b, dy)))
    names, shapes = ("y", "dx", "dW", "db"), (Y_SHAPE, X_SHAPE, W_SHAPE, W_SHAPE[-1:])
    line = c.shapes(list(zip(names, got, shapes)), np.float64)
    yield line
    if line.status != "ok":
        return
    single = reference_run(learner.conv2d_forward, learner.conv2d_backward,
                           *(a.astype(np.float32) for a in (x, W, b, dy)))
    yield c.shapes(list(zip(names, single, shapes)), np.float32)
    run = lambda *args, **kw: reference_run(reference.conv2d_forward,  # noqa: E731
                                            reference.conv2d_backward, *args, **kw)
    expected = run(x, W, b, dy)
    flipped, swapped_pq = run(x, W[::-1, ::-1].copy(), b, dy), run(x, W.transpose(1, 0, 2, 3),
                                                                  b, dy)
    top, bottom, left, right = PADS
    other_side = run(x, W, b, dy, pads=(bottom, top, right, left))
    pixels = Y_SHAPE[0] * Y_SHAPE[1] * Y_SHAPE[2]
    for k, name in enumerate(names):
        wrong = [("the kernel is flipped: Keras' convolution is a cross-correlation, "
                  "W[p, q] meets x_pad[i*s + p, j*s + q]", flipped[k]),
                 ("the kernel's p and q axes are swapped (W transposed)", swapped_pq[k]),
                 ("padding on the wrong side: pads is (top, bottom, left, right)",
                  other_side[k])]
        factors = [(1 / pixels, f"a mean over the {pixels} output pixels, where the sum "
                                f"belongs"),
                   (1 / X_SHAPE[0], f"divided by the batch size N={X_SHAPE[0]}")]
        yield c.values(name, got[k], expected[k], wrong=wrong if k < 3 else [], factors=factors)
    for k, (name, array) in enumerate(zip(("dx", "dW", "db"), (x, W, b)), start=1):
        loss = c.projected(lambda: learner.conv2d_forward(x, W, b, STRIDE, PADS, Y_SHAPE)[0],
                           dy)
        yield c.gradient(name, got[k], loss, array)


EXERCISE = Exercise(
    name="conv2d", chapter=2, title="Conv2D forward and backward via im2col", stub=STUB,
    functions={"conv2d_forward": (reference.conv2d_forward, ("y", "cache")),
               "conv2d_backward": (reference.conv2d_backward, ("dx", "dW", "db"))},
    checks=checks, hints=HINTS,
    solution=(reference.conv2d_forward, reference.conv2d_backward))
