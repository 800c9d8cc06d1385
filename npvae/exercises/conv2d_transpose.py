"""Exercise ``conv2d_transpose``: the transposed convolution, forward and backward
(guide, chapter 3)."""
import numpy as np

from npvae.exercises.convolution import ConvolutionChecks
from npvae.exercises.exercise import Exercise, Function
from npvae.layers.conv import conv2d_transpose_backward, conv2d_transpose_forward

HINTS = (
    "With W (kh, kw, O, C), W.reshape(-1, C) is (kh*kw*O, C): its rows are in col2im's "
    "(p, q, o) order. Multiply by its transpose to go from C channels to kh*kw*O numbers.",
    "Keep x as rows, x.reshape(-1, C), in the cache: dW = dcols.T @ x_rows needs it.",
    "The backward has no col2im: the adjoint of col2im is im2col.",
)

HINTS_ZH = (   # the same hints in Simplified Chinese (npvae exercise hint NAME --lang zh)
    "W 的形状是 (kh, kw, O, C)，W.reshape(-1, C) 就是 "
    "(kh*kw*O, C)：它的行顺序和 col2im 的 (p, q, o) "
    "顺序一致。乘以它的转置，就从 C 个通道变成 kh*kw*O 个数。",
    "把 x 按行存进缓存，即 x.reshape(-1, C)：dW = dcols.T"
    " @ x_rows 要用它。",
    "反向传播里没有 col2im：col2im 的伴随（adjoint）就是 "
    "im2col。",
)

X_SHAPE, W_SHAPE, STRIDE = (2, 3, 4, 4), (3, 3, 2, 4), 2
PADS, Y_SHAPE = (0, 1, 0, 1), (2, 6, 8, 2)   # 'same': the stride-2 convolution's padding


def mistakes(x, W, b, dy):
    """What each known mistake gives for y, dx, dW and db, by npvae's functions."""
    def run(kernel=W, pads=PADS, bias=b):
        return dict(zip(("y", "dx", "dW", "db"), CHECKS.run(
            conv2d_transpose_forward, conv2d_transpose_backward, x, kernel, bias, dy, pads)))
    top, bottom, left, right = PADS
    variants = [
        ("the kernel is flipped: as the adjoint of Keras' Conv2D, the patch of pixel (i, j) "
         "gets W[p, q] at (i*s + p, j*s + q), unflipped", run(W[::-1, ::-1].copy())),
        ("padding on the wrong side: pads is (top, bottom, left, right) of the output",
         run(pads=(bottom, top, right, left)))]
    found = {name: [(what, gives[name]) for what, gives in variants]
             for name in ("y", "dx", "dW")}
    found["y"].append(("the bias b is missing: add it to every output pixel, after col2im",
                       run(bias=np.zeros_like(b))["y"]))
    found["db"] = []
    return found


CHECKS = ConvolutionChecks("conv2d_transpose", conv2d_transpose_forward,
                           conv2d_transpose_backward, X_SHAPE, W_SHAPE, Y_SHAPE, STRIDE, PADS,
                           seed=9, mistakes=mistakes)

EXERCISE = Exercise(
    name="conv2d_transpose", chapter=3, title="the transposed convolution, forward and backward",
    functions={"conv2d_transpose_forward": Function(conv2d_transpose_forward, ("y", "cache")),
               "conv2d_transpose_backward": Function(conv2d_transpose_backward,
                                                     ("dx", "dW", "db"))},
    parts=CHECKS.parts, hints=HINTS, hints_zh=HINTS_ZH,
    solution=(conv2d_transpose_forward, conv2d_transpose_backward))
