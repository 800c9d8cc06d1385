"""Exercise ``im2col``: unfold every window of an image into a row (guide, chapter 2).

Also the windows' geometry and the wrong orders both ``im2col`` and ``col2im`` are
checked against (``npvae/exercises/col2im.py`` folds with the same mistakes).
"""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises.exercise import Exercise, Function
from npvae.im2col import im2col, output_hw

HINTS = (
    "np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0))) pads only the two image axes.",
    "Build cols as an (N, Ho, Wo, kh, kw, C) array and reshape it at the end: the row and "
    "column orders then come out right by themselves.",
    "For each kernel offset (p, q), x_pad[:, p:p + s*Ho:s, q:q + s*Wo:s, :] is that offset "
    "of every window at once.",
)

HINTS_ZH = (   # the same hints in Simplified Chinese (npvae exercise hint NAME --lang zh)
    "np.pad(x, ((0, 0), (top, bottom), (left, "
    "right), (0, 0))) 只填充图像的两个轴。",
    "先把 cols 建成 (N, Ho, Wo, kh, kw, C) 的数组，最后再 "
    "reshape：行和列的顺序自然就对了。",
    "对每个卷积核偏移 (p, q)，x_pad[:, p:p + s*Ho:s, q:q"
    " + s*Wo:s, :] 一次取出所有窗口在这个偏移处的值。",
)

# Unequal sides and a stride of 2, so that a mistake in either shows.
X_SHAPE, KH, KW, STRIDE, PADDING = (2, 5, 6, 3), 3, 2, 2, (0, 1, 1, 0)
WRONG_SIDE = ("padding on the wrong side: padding is (top, bottom, left, right); 'same' puts "
              "the odd row at the bottom")


def out_shape(x_shape, kh, kw, stride, padding):
    """The shape of cols: (N*Ho*Wo, kh*kw*C)."""
    n, h, w, ch = x_shape
    ho, wo = output_hw(h, w, kh, kw, stride, padding)
    return n * ho * wo, kh * kw * ch


# The orders learners reach for, each as the axes that take the right (N, Ho, Wo, kh, kw, C)
# grid of windows to the wrong one.
ORDERS = [
    ("the columns run over (c, p, q): they run over (p, q, c), c fastest, the order of a "
     "Keras kernel W[p, q, c, o] flattened", (0, 1, 2, 5, 3, 4)),
    ("the columns run over (q, p, c): p, the kernel's row, comes first", (0, 1, 2, 4, 3, 5)),
    ("the rows run over (n, j, i): row r = (n*Ho + i)*Wo + j, so j, the window's column, "
     "runs fastest", (0, 2, 1, 3, 4, 5)),
    ("the rows run over (i, j, n): the image n comes first, r = (n*Ho + i)*Wo + j",
     (1, 2, 0, 3, 4, 5))]


def grid_shape(x_shape, stride=STRIDE):
    """(N, Ho, Wo, kh, kw, C): cols as a grid of windows."""
    n, h, w, ch = x_shape
    return (n, *output_hw(h, w, KH, KW, stride, PADDING), KH, KW, ch)


def unstrided(x, stride, padding):
    """The mistake of using the stride for the number of windows only: window (i, j)
    starting at (i, j) instead of (i*s, j*s). Its rows are some of stride 1's."""
    n, h, w, _ = x.shape
    ho, wo = output_hw(h, w, KH, KW, stride, padding)
    every = im2col(x, KH, KW, 1, padding).reshape(n, *output_hw(h, w, KH, KW, 1, padding), -1)
    return every[:, :ho, :wo].reshape(n * ho * wo, -1)


def mistakes(x, expected):
    """(what the mistake is, what it gives or a test of it) for im2col of ``x``."""
    top, bottom, left, right = PADDING
    wrong = [(WRONG_SIDE, im2col(x, KH, KW, STRIDE, (bottom, top, right, left))),
             ("the stride is ignored: window (i, j) starts at (i*s, j*s), not at (i, j)",
              unstrided(x, STRIDE, PADDING))]
    grid = expected.reshape(grid_shape(X_SHAPE))
    wrong += [(what, grid.transpose(axes).reshape(expected.shape)) for what, axes in ORDERS]
    return wrong + [
        ("the right rows in another order: row r = (n*Ho + i)*Wo + j holds the window at "
         "(i*s, j*s) of image n", c.reordered(expected, axis=0)),
        ("the right columns in another order: column (p*kw + q)*C + c holds x_pad[n, i*s + p, "
         "j*s + q, c]", c.reordered(expected, axis=1))]


def checks(learner):
    (x,) = c.random_arrays(5, X_SHAPE)
    cols = learner.im2col(x, KH, KW, STRIDE, PADDING)
    line = c.shapes([("cols", cols, out_shape(X_SHAPE, KH, KW, STRIDE, PADDING))], np.float64)
    if line.status != "ok" and np.shape(cols) == out_shape(X_SHAPE, KH, KW, 1, PADDING):
        line.diagnosis = "the stride is ignored: window (i, j) starts at (i*s, j*s)"
    yield line
    if line.status != "ok":
        return
    expected = im2col(x, KH, KW, STRIDE, PADDING)
    line = c.values("cols", cols, expected, wrong=mistakes(x, expected))
    yield line
    x32 = x.astype(np.float32)
    yield c.in_float32([("cols", learner.im2col(x32, KH, KW, STRIDE, PADDING),
                         im2col(x32, KH, KW, STRIDE, PADDING))], line.status == "ok")
    yield c.values("cols of a 'valid' convolution (no padding, stride 1)",
                   learner.im2col(x, 2, 3, 1, (0, 0, 0, 0)), im2col(x, 2, 3, 1, (0, 0, 0, 0)))


EXERCISE = Exercise(
    name="im2col", chapter=2, title="im2col",
    functions={"im2col": Function(im2col, ("cols",))},
    parts=(checks,), hints=HINTS, hints_zh=HINTS_ZH, solution=(im2col,))
