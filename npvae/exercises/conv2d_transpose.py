"""Exercise ``conv2d_transpose``: the transposed convolution, forward and backward
(guide, chapter 3)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises import reference
from npvae.exercises.exercise import Exercise

STUB = '''"""Exercise conv2d_transpose: a convolution run backwards, forward and backward
(guide, chapter 3).

The transposed convolution is the linear map whose matrix is the transpose of a
Conv2D's: the Conv2D that maps an (Ho, Wo, O) image to an (H, W, C) one. It upsamples by
its stride. Its kernel W is (kh, kw, O, C), Keras' layout for it (output channels first).
Each input pixel paints a weighted kh x kw patch onto the output, and overlapping
patches add, which is exactly col2im:

    cols = x.reshape(N*H*W, C) @ W.reshape(kh*kw*O, C)^T    (N*H*W, kh*kw*O)
    y    = col2im(cols, y_shape, kh, kw, stride, pads) + b  (N, Ho, Wo, O)

Its backward uses im2col where Conv2D's used col2im:

    dcols = im2col(dy, kh, kw, stride, pads)    (N*H*W, kh*kw*O)
    dW    = dcols^T @ x_rows                    (kh*kw*O, C) -> reshape to W.shape
    db    = sum of dy over n, i, j              (O,)
    dx    = dcols @ W.reshape(kh*kw*O, C)       (N*H*W, C) -> reshape to x's shape

pads is (top, bottom, left, right) of the convolution this one transposes, the one that
gathers windows from the (larger) output. No zeros are inserted between pixels.

Check it:  npvae exercise check conv2d_transpose
A hint:    npvae exercise hint conv2d_transpose
"""
import numpy as np

# npvae's own; once your im2col and col2im pass, you may paste yours in here instead.
from npvae.exercises.reference import col2im, im2col


def conv2d_transpose_forward(x, W, b, stride, pads, y_shape):
    """y = col2im(x @ W^T) + b: x (N, H, W, C) -> (y (N, Ho, Wo, O), cache)."""
    raise NotImplementedError("multiply each pixel's channels by the kernel as a matrix, "
                              "paint the patches with col2im, add b; return y and the cache")


def conv2d_transpose_backward(dy, W, cache):
    """(dx, dW, db) of conv2d_transpose_forward, from dy (N, Ho, Wo, O)."""
    raise NotImplementedError("unfold dy with im2col; compute dW, db and dx from it")
'''

HINTS = (
    "With W (kh, kw, O, C), W.reshape(-1, C) is (kh*kw*O, C): its rows are in col2im's "
    "(p, q, o) order. Multiply by its transpose to go from C channels to kh*kw*O numbers.",
    "Keep x as rows, x.reshape(-1, C), in the cache: dW = dcols.T @ x_rows needs it.",
    "The backward has no col2im: the adjoint of col2im is im2col.",
)

X_SHAPE, W_SHAPE, STRIDE = (2, 3, 4, 4), (3, 3, 2, 4), 2
PADS, Y_SHAPE = (0, 1, 0, 1), (2, 6, 8, 2)   # 'same': the stride-2 convolution's padding


def run(forward, backward, x, W, b, dy, pads=PADS):
    y, cache = forward(x, W, b, STRIDE, pads, Y_SHAPE)
    return (y,) + tuple(backward(dy, W, cache))


def checks(learner):
    x, W, b, dy = c.random_arrays(9, X_SHAPE, W_SHAPE, W_SHAPE[2:3], Y_SHAPE)
    got = run(learner.conv2d_transpose_forward, learner.conv2d_transpose_backward,
              *(a.copy() for a in (x, W, b, dy)))
    names, shapes = ("y", "dx", "dW", "db"), (Y_SHAPE, X_SHAPE, W_SHAPE, W_SHAPE[2:3])
    line = c.shapes(list(zip(names, got, shapes)), np.float64)
    yield line
    if line.status != "ok":
        return
    single = run(learner.conv2d_transpose_forward, learner.conv2d_transpose_backward,
                 *(a.astype(np.float32) for a in (x, W, b, dy)))
    yield c.shapes(list(zip(names, single, shapes)), np.float32)
    reference_functions = (reference.conv2d_transpose_forward,
                           reference.conv2d_transpose_backward)
    expected = run(*reference_functions, x, W, b, dy)
    flipped = run(*reference_functions, x, W[::-1, ::-1].copy(), b, dy)
    top, bottom, left, right = PADS
    other_side = run(*reference_functions, x, W, b, dy, pads=(bottom, top, right, left))
    pixels = Y_SHAPE[0] * Y_SHAPE[1] * Y_SHAPE[2]
    for k, name in enumerate(names):
        wrong = [("the kernel is flipped: as the adjoint of Keras' Conv2D, the patch of "
                  "pixel (i, j) gets W[p, q] at (i*s + p, j*s + q), unflipped", flipped[k]),
                 ("padding on the wrong side: pads is (top, bottom, left, right) of the "
                  "output", other_side[k])]
        factors = [(1 / pixels, f"a mean over the {pixels} output pixels, where the sum "
                                f"belongs"),
                   (1 / X_SHAPE[0], f"divided by the batch size N={X_SHAPE[0]}")]
        yield c.values(name, got[k], expected[k], wrong=wrong if k < 3 else [], factors=factors)
    for k, (name, array) in enumerate(zip(("dx", "dW", "db"), (x, W, b)), start=1):
        loss = c.projected(lambda: learner.conv2d_transpose_forward(x, W, b, STRIDE, PADS,
                                                                    Y_SHAPE)[0], dy)
        yield c.gradient(name, got[k], loss, array)


EXERCISE = Exercise(
    name="conv2d_transpose", chapter=3, title="the transposed convolution, forward and backward",
    stub=STUB,
    functions={"conv2d_transpose_forward": (reference.conv2d_transpose_forward, ("y", "cache")),
               "conv2d_transpose_backward": (reference.conv2d_transpose_backward,
                                             ("dx", "dW", "db"))},
    checks=checks, hints=HINTS,
    solution=(reference.conv2d_transpose_forward, reference.conv2d_transpose_backward))
