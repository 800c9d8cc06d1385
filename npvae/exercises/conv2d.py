"""Exercise ``conv2d``: Conv2D forward and backward as im2col and one matrix product
(guide, chapter 2)."""
from npvae.exercises.convolution import ConvolutionChecks
from npvae.exercises.exercise import Exercise, Function
from npvae.im2col import im2col
from npvae.layers.conv import conv2d_backward, conv2d_forward

HINTS = (
    "W.reshape(-1, O) is the kernel as a (kh*kw*C, O) matrix; its rows are in im2col's "
    "(p, q, c) order, so no transpose or flip is needed.",
    "Keep cols in the cache: dW = cols.T @ dy needs it, and recomputing it costs a pass.",
    "dy.reshape(-1, O) puts every output pixel on a row, matching the rows of cols.",
    "db sums dy over the batch and every output pixel: dy.reshape(-1, O).sum(axis=0).",
)

HINTS_ZH = (   # the same hints in Simplified Chinese (npvae exercise hint NAME --lang zh)
    "W.reshape(-1, O) 就是写成 (kh*kw*C, O) "
    "矩阵的卷积核；它的行顺序和 im2col 的 (p, q, c) "
    "顺序一致，所以不需要转置或翻转。",
    "把 cols 存进缓存：dW = cols.T @ dy "
    "要用它，重新计算又要多遍历一遍。",
    "dy.reshape(-1, O) 让每个输出像素占一行，正好对上 cols 的行。",
    "db 是 dy 在整个批次和所有输出像素上的和：dy.reshape(-1, "
    "O).sum(axis=0)。",
)

X_SHAPE, W_SHAPE, STRIDE = (2, 5, 6, 3), (3, 3, 3, 4), 2
PADS, Y_SHAPE = (1, 1, 0, 1), (2, 3, 3, 4)   # 'same' padding of this geometry


def mistakes(x, W, b, dy):
    """What each known mistake gives for y, dx, dW and db, by npvae's functions."""
    def run(kernel=W, pads=PADS):
        return dict(zip(("y", "dx", "dW", "db"), CHECKS.run(conv2d_forward, conv2d_backward,
                                                             x, kernel, b, dy, pads)))
    top, bottom, left, right = PADS
    out = W.shape[-1]
    variants = [
        ("the kernel is flipped: Keras' convolution is a cross-correlation, W[p, q] meets "
         "x_pad[i*s + p, j*s + q]", run(W[::-1, ::-1].copy())),
        ("the kernel's p and q axes are swapped (W transposed)", run(W.transpose(1, 0, 2, 3))),
        ("padding on the wrong side: pads is (top, bottom, left, right)",
         run(pads=(bottom, top, right, left))),
        ("PyTorch's kernel layout, W.reshape(O, -1).T: a Keras kernel (kh, kw, C, O) is "
         "already a matrix of (p, q, c) rows, W.reshape(-1, O)",
         run(W.reshape(out, -1).T.reshape(W.shape)))]
    found = {name: [(what, gives[name]) for what, gives in variants]
             for name in ("y", "dx", "dW")}
    found["db"] = []
    cols = im2col(x, *W.shape[:2], STRIDE, PADS)
    found["dW"].append(("dW as dy^T @ cols, (O, kh*kw*C) reshaped to W's shape: the kernel's "
                        "gradient is cols^T @ dy, (kh*kw*C, O)",
                        (dy.reshape(-1, out).T @ cols).reshape(W.shape)))
    return found


CHECKS = ConvolutionChecks("conv2d", conv2d_forward, conv2d_backward, X_SHAPE, W_SHAPE, Y_SHAPE,
                           STRIDE, PADS, seed=8, mistakes=mistakes)

EXERCISE = Exercise(
    name="conv2d", chapter=2, title="Conv2D forward and backward via im2col",
    functions={"conv2d_forward": Function(conv2d_forward, ("y", "cache")),
               "conv2d_backward": Function(conv2d_backward, ("dx", "dW", "db"))},
    parts=CHECKS.parts, hints=HINTS, hints_zh=HINTS_ZH, solution=(conv2d_forward, conv2d_backward))
