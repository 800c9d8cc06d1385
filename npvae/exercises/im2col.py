"""Exercise ``im2col``: unfold every window of an image into a row (guide, chapter 2)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises import reference
from npvae.exercises.exercise import Exercise

STUB = '''"""Exercise im2col: copy every window of an image into a row of a matrix
(guide, chapter 2).

A convolution slides a kh x kw window over the zero-padded image x (N, H, W, C) with
stride s. im2col copies every window into one row, so that the whole convolution becomes
one matrix product (exercise conv2d):

    cols (N*Ho*Wo, kh*kw*C),   Ho = (H + top + bottom - kh) // s + 1   (Wo likewise)

Row r = (n*Ho + i)*Wo + j holds the window whose top-left corner is the padded pixel
(i*s, j*s); its columns run over (p, q, c) in that order, the order of a Keras kernel
W[p, q, c, o] flattened:

    cols[r, (p*kw + q)*C + c] = x_pad[n, i*s + p, j*s + q, c]

padding is (top, bottom, left, right): TensorFlow's 'same' padding puts an odd extra row
at the BOTTOM (and column at the right), so the two sides can differ.

Check it:  npvae exercise check im2col
A hint:    npvae exercise hint im2col
"""
import numpy as np


def im2col(x, kh, kw, stride, padding):
    """The windows of x (N, H, W, C) as rows: (N*Ho*Wo, kh*kw*C)."""
    raise NotImplementedError("pad x, then copy each window into one row of cols "
                              "(columns in (p, q, c) order)")
'''

HINTS = (
    "np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0))) pads only the two image axes.",
    "Build cols as an (N, Ho, Wo, kh, kw, C) array and reshape it at the end: the row and "
    "column orders then come out right by themselves.",
    "For each kernel offset (p, q), x_pad[:, p:p + s*Ho:s, q:q + s*Wo:s, :] is that offset "
    "of every window at once.",
)

# Unequal sides and a stride of 2, so that a mistake in either shows.
X_SHAPE, KH, KW, STRIDE, PADDING = (2, 5, 6, 3), 3, 2, 2, (0, 1, 1, 0)


def out_shape(x_shape, kh, kw, stride, padding):
    n, h, w, ch = x_shape
    top, bottom, left, right = padding
    return n * ((h + top + bottom - kh) // stride + 1) * ((w + left + right - kw) // stride + 1), \
        kh * kw * ch


def checks(learner):
    (x,) = c.random_arrays(5, X_SHAPE)
    cols = learner.im2col(x.copy(), KH, KW, STRIDE, PADDING)
    expected_shape = out_shape(X_SHAPE, KH, KW, STRIDE, PADDING)
    line = c.shapes([("cols", cols, expected_shape)], np.float64)
    if line.status != "ok" and np.shape(cols) == out_shape(X_SHAPE, KH, KW, 1, PADDING):
        line.diagnosis = "the stride is ignored: window (i, j) starts at (i*s, j*s)"
    yield line
    if line.status != "ok":
        return
    yield c.shapes([("cols", learner.im2col(x.astype(np.float32), KH, KW, STRIDE, PADDING),
                     expected_shape)], np.float32)
    expected = reference.im2col(x, KH, KW, STRIDE, PADDING)
    top, bottom, left, right = PADDING
    swapped = reference.im2col(x, KH, KW, STRIDE, (bottom, top, right, left))
    ch = X_SHAPE[3]
    channels_first = (expected.reshape(-1, KH, KW, ch).transpose(0, 3, 1, 2)
                      .reshape(expected.shape))
    yield c.values("cols", cols, expected, wrong=[
        ("padding on the wrong side: (top, bottom, left, right); 'same' puts the odd row at "
         "the bottom", swapped),
        ("columns in (c, p, q) order: they run over (p, q, c), c fastest", channels_first)])
    yield c.values("cols of a 'valid' convolution (no padding, stride 1)",
                   learner.im2col(x, 2, 3, 1, (0, 0, 0, 0)), reference.im2col(x, 2, 3, 1,
                                                                          (0, 0, 0, 0)))


EXERCISE = Exercise(
    name="im2col", chapter=2, title="im2col", stub=STUB,
    functions={"im2col": (reference.im2col, ("cols",))},
    checks=checks, hints=HINTS, solution=(reference.im2col,))
