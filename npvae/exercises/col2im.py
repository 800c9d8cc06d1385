"""Exercise ``col2im``: fold rows back onto an image, adding overlaps (guide, chapter 2)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises import reference
from npvae.exercises.exercise import Exercise
from npvae.exercises.im2col import KH, KW, PADDING, STRIDE, X_SHAPE, out_shape

STUB = '''"""Exercise col2im: the adjoint of im2col, folding rows back onto an image
(guide, chapter 2).

im2col copied every window of x_pad into a row of cols (N*Ho*Wo, kh*kw*C):

    cols[r, (p*kw + q)*C + c] = x_pad[n, i*s + p, j*s + q, c],   r = (n*Ho + i)*Wo + j

col2im goes the other way: every entry of cols is ADDED to the pixel it was copied from.
Windows overlap when the stride is smaller than the kernel, so a pixel collects the sum
of all its copies. Entries that came from the padding are dropped: build the padded
image, add into it, then crop the padding off.

col2im is the transpose of im2col as a matrix: for any x and cols,
    sum(im2col(x) * cols) == sum(x * col2im(cols))
which is why it is the backward of a convolution (dx = col2im(dy @ W^T)) and the
forward of a transposed one.

Shapes: cols (N*Ho*Wo, kh*kw*C), x_shape = (N, H, W, C) -> x (N, H, W, C).
padding is (top, bottom, left, right), as for im2col.

Check it:  npvae exercise check col2im
A hint:    npvae exercise hint col2im
"""
import numpy as np


def col2im(cols, x_shape, kh, kw, stride, padding):
    """Add every row of cols back onto the pixels its window covers: (N, H, W, C)."""
    raise NotImplementedError("add each window's entries into a zero padded image, then "
                              "crop the padding")
'''

HINTS = (
    "Reshape cols to (N, Ho, Wo, kh, kw, C): windows[:, :, :, p, q, :] is offset (p, q) of "
    "every window.",
    "x_pad[:, p:p + s*Ho:s, q:q + s*Wo:s, :] += windows[:, :, :, p, q, :] adds offset (p, q); "
    "= instead of += would keep only the last copy where windows overlap.",
    "Crop at the end: x_pad[:, top:top + H, left:left + W, :].",
)


def assigned(cols, x_shape, kh, kw, stride, padding):
    """The common mistake: overlapping copies assigned (the last one wins), not added."""
    n, h, w, ch = x_shape
    top, bottom, left, right = padding
    ho, wo = (h + top + bottom - kh) // stride + 1, (w + left + right - kw) // stride + 1
    windows = cols.reshape(n, ho, wo, kh, kw, ch)
    x_pad = np.zeros((n, h + top + bottom, w + left + right, ch))
    for p in range(kh):
        for q in range(kw):
            x_pad[:, p:p + stride * ho:stride, q:q + stride * wo:stride, :] = windows[:, :, :, p, q]
    return x_pad[:, top:top + h, left:left + w, :]


def checks(learner):
    (cols,) = c.random_arrays(6, out_shape(X_SHAPE, KH, KW, STRIDE, PADDING))
    x = learner.col2im(cols.copy(), X_SHAPE, KH, KW, STRIDE, PADDING)
    line = c.shapes([("x", x, X_SHAPE)], np.float64)
    yield line
    if line.status != "ok":
        return
    yield c.shapes([("x", learner.col2im(cols.astype(np.float32), X_SHAPE, KH, KW, STRIDE,
                                         PADDING), X_SHAPE)], np.float32)
    top, bottom, left, right = PADDING
    swapped = (bottom, top, right, left)
    yield c.values("x", x, reference.col2im(cols, X_SHAPE, KH, KW, STRIDE, PADDING), wrong=[
        ("overlaps assigned instead of added: a pixel covered by two windows must get the "
         "sum of both (+=, not =)", assigned(cols, X_SHAPE, KH, KW, STRIDE, PADDING)),
        ("padding on the wrong side: (top, bottom, left, right); 'same' puts the odd row at "
         "the bottom", reference.col2im(cols, X_SHAPE, KH, KW, STRIDE, swapped))])
    (probe,) = c.random_arrays(7, X_SHAPE)
    left_side = np.sum(reference.im2col(probe, KH, KW, STRIDE, PADDING) * cols)
    right_side = np.sum(probe * x)
    if np.isclose(left_side, right_side, rtol=1e-10):
        yield c.Line("ok", "adjoint of im2col: sum(im2col(x) * cols) == sum(x * col2im(cols))")
    else:
        yield c.Line("fail", f"not the adjoint of im2col: sum(im2col(x) * cols) = "
                             f"{left_side:.6g} but sum(x * col2im(cols)) = {right_side:.6g}")


EXERCISE = Exercise(
    name="col2im", chapter=2, title="col2im", stub=STUB,
    functions={"col2im": (reference.col2im, ("x",))},
    checks=checks, hints=HINTS, solution=(reference.col2im,))
