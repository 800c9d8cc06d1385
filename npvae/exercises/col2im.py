"""Exercise ``col2im``: fold rows back onto an image, adding overlaps (guide, chapter 2)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises.exercise import Exercise, Function
from npvae.exercises.im2col import KH, KW, ORDERS, PADDING, STRIDE, X_SHAPE, grid_shape, out_shape
from npvae.im2col import col2im, im2col

HINTS = (
    "Reshape cols to (N, Ho, Wo, kh, kw, C): windows[:, :, :, p, q, :] is offset (p, q) of "
    "every window.",
    "x_pad[:, p:p + s*Ho:s, q:q + s*Wo:s, :] += windows[:, :, :, p, q, :] adds offset (p, q); "
    "= instead of += would keep only the last copy where windows overlap.",
    "Crop at the end: x_pad[:, top:top + H, left:left + W, :].",
)

HINTS_ZH = (   # the same hints in Simplified Chinese (npvae exercise hint NAME --lang zh)
    "把 cols reshape 成 (N, Ho, Wo, kh, kw, "
    "C)：windows[:, :, :, p, q, :] 就是每个窗口在偏移 (p,"
    " q) 处的值。",
    "x_pad[:, p:p + s*Ho:s, q:q + s*Wo:s, :] +="
    " windows[:, :, :, p, q, :] 把偏移 (p, q) "
    "加回去；如果用 = 而不是 +=，窗口重叠的地方就只剩最后一份。",
    "最后裁掉填充：x_pad[:, top:top + H, left:left + "
    "W, :]。",
)


def assigned(cols):
    """Overlapping copies assigned (the last one wins), not added."""
    _, ho, wo, *_ = grid_shape(X_SHAPE)
    windows = cols.reshape(grid_shape(X_SHAPE))
    x_pad = padded(np.zeros(X_SHAPE))
    for p in range(KH):
        for q in range(KW):
            x_pad[:, p:p + STRIDE * ho:STRIDE, q:q + STRIDE * wo:STRIDE] = windows[:, :, :, p, q]
    top, _, left, _ = PADDING
    return x_pad[:, top:top + X_SHAPE[1], left:left + X_SHAPE[2], :]


def padded(x):
    top, bottom, left, right = PADDING
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))


def unstrided(cols):
    """Window (i, j) added at (i, j) instead of (i*s, j*s): the stride used only for
    the number of windows."""
    n, ho, wo, *_ = grid_shape(X_SHAPE)
    every = np.zeros(grid_shape(X_SHAPE, stride=1)[:3] + (cols.shape[1],))
    every[:, :ho, :wo] = cols.reshape(n, ho, wo, -1)
    return col2im(every.reshape(-1, cols.shape[1]), X_SHAPE, KH, KW, 1, PADDING)


def misread(cols, axes):
    """cols read as if its windows were in the wrong order ``axes`` (im2col.ORDERS)."""
    wrong_shape = tuple(np.array(grid_shape(X_SHAPE))[list(axes)])
    return cols.reshape(wrong_shape).transpose(np.argsort(axes)).reshape(cols.shape)


def mistakes(cols):
    top, bottom, left, right = PADDING
    right_answer = col2im(cols, X_SHAPE, KH, KW, STRIDE, PADDING)
    covered = col2im(np.ones_like(cols), X_SHAPE, KH, KW, STRIDE, PADDING)
    return [
        ("overlaps assigned instead of added: a pixel covered by two windows must get the "
         "sum of both (+=, not =)", assigned(cols)),
        ("overlaps averaged: a pixel covered by two windows gets the SUM of both, not their "
         "mean (col2im is im2col's adjoint)",
         np.divide(right_answer, covered, out=np.zeros_like(right_answer), where=covered > 0)),
        # Folded onto the same padded image, the two give the same x: cropped on one side
        # where the padding was added on the other.
        ("padding on the wrong side, or cropped on the wrong side: the image is x_pad[:, "
         "top:top + H, left:left + W], and 'same' puts the odd row at the bottom",
         col2im(cols, X_SHAPE, KH, KW, STRIDE, (bottom, top, right, left))),
        ("the stride is ignored: window (i, j) goes back to (i*s, j*s), not to (i, j)",
         unstrided(cols)),
        *[(what, col2im(misread(cols, axes), X_SHAPE, KH, KW, STRIDE, PADDING))
          for what, axes in ORDERS]]


def checks(learner):
    (cols,) = c.random_arrays(6, out_shape(X_SHAPE, KH, KW, STRIDE, PADDING))
    x = learner.col2im(cols, X_SHAPE, KH, KW, STRIDE, PADDING)
    line = c.shapes([("x", x, X_SHAPE)], np.float64)
    yield line
    if line.status != "ok":
        return
    line = c.values("x", x, col2im(cols, X_SHAPE, KH, KW, STRIDE, PADDING), wrong=mistakes(cols))
    yield line
    cols32 = cols.astype(np.float32)
    yield c.in_float32([("x", learner.col2im(cols32, X_SHAPE, KH, KW, STRIDE, PADDING),
                         col2im(cols32, X_SHAPE, KH, KW, STRIDE, PADDING))], line.status == "ok")
    (probe,) = c.random_arrays(7, X_SHAPE)
    left_side = np.sum(im2col(probe, KH, KW, STRIDE, PADDING) * cols)
    right_side = np.sum(probe * x)
    if np.isclose(left_side, right_side, rtol=1e-10):
        yield c.Line("ok", "adjoint of im2col: sum(im2col(x) * cols) == sum(x * col2im(cols))")
    else:
        yield c.Line("fail", f"not the adjoint of im2col: sum(im2col(x) * cols) = "
                             f"{left_side:.6g} but sum(x * col2im(cols)) = {right_side:.6g}")


EXERCISE = Exercise(
    name="col2im", chapter=2, title="col2im",
    functions={"col2im": Function(col2im, ("x",))},
    parts=(checks,), hints=HINTS, hints_zh=HINTS_ZH, solution=(col2im,))
