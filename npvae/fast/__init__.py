"""Fast algorithms for the convolutions of ``npvae.layers.conv``: the same sums, faster.

A learner never needs to read this package: ``npvae/layers/conv.py`` is the textbook
(one im2col and one matrix product), and every algorithm here is tested equal to it.
Each module opens with why it is faster:

    gather    im2col and a matrix product, a block of images at a time   (Conv2D)
    scatter   x @ W^T then col2im, in blocks                  (Conv2DTranspose; Conv2D
              at stride 1, with the kernel flipped)
    winograd  Winograd's F(2x2, 3x3): 2.25x fewer multiplications   (Conv2D, 3x3, stride 1)

Every module offers, for what it can run, ``conv2d_forward(x, W, b, stride, pads,
y_shape) -> (y, cache)`` and ``conv2d_backward(dy, W, cache) -> (dx, dW, db)`` (and
``conv2d_transpose_*`` alike), the textbook's signatures. The layer applies its own
ReLU after any of them, except where ``fuses_relu`` says the algorithm does it itself
(``relu=True``), inside passes it makes anyway.

The rule that ``algorithm="auto"`` applies is ``choose`` below, and only there.
"""
from npvae.fast import gather, scatter, winograd
from npvae.fast.allocation import keep_freed_pages

keep_freed_pages()  # see npvae.fast.allocation: work arrays reused warm, not faulted in anew

# name: {transposed?: the module that runs it}
ALGORITHMS = {
    "gather": {False: gather},
    "scatter": {False: scatter, True: scatter},
    "winograd": {False: winograd},
}
NAMES = ("auto", "textbook") + tuple(ALGORITHMS)

# Winograd's 16 matrix products are (tiles, C) @ (C, O) each: with a handful of
# channels they are too thin for BLAS to run at speed, and the transforms dominate.
WINOGRAD_MIN_CHANNELS = 16


def choose(transposed, kernel, stride, input_shape, out_channels):
    """The algorithm "auto" runs for a convolution of ``input_shape`` (H, W, C)."""
    if transposed:
        return "scatter"  # the textbook's own form, in blocks
    in_channels = input_shape[-1]
    if kernel == (3, 3) and stride == 1 and min(in_channels, out_channels) >= WINOGRAD_MIN_CHANNELS:
        return "winograd"
    if stride == 1 and out_channels < in_channels:
        return "scatter"  # a matrix product with C columns instead of one with O = few
    return "gather"


def fuses_relu(name):
    """Whether the algorithm applies a layer's ReLU, and its mask, itself (``relu=True``)."""
    return name == "winograd"  # in its output transform and that transform's adjoint


def cannot_run(name, transposed, kernel, stride):
    """Why the named algorithm cannot run this convolution, or None if it can."""
    if name in ("auto", "textbook"):
        return None
    if transposed not in ALGORITHMS[name]:
        return f"{name!r} runs Conv2D only"
    if name == "scatter" and not transposed and stride != 1:
        return f"{name!r} runs a Conv2D at stride 1 only; got stride {stride}"
    if name == "winograd" and (kernel != (3, 3) or stride != 1):
        return f"{name!r} runs 3x3 kernels at stride 1 only; got kernel {kernel}, stride {stride}"
    return None


def check_algorithm(name, transposed, kernel, stride, layer_name):
    """``name`` if it can run this convolution; a one-line ValueError if not."""
    if name not in NAMES:
        raise ValueError(f"{layer_name}: algorithm must be one of "
                         f"{', '.join(map(repr, NAMES))}; got {name!r}")
    problem = cannot_run(name, transposed, kernel, stride)
    if problem:
        raise ValueError(f"{layer_name}: algorithm {problem}; use 'auto' or 'textbook'")
    return name


def functions(name, transposed):
    """(forward, backward) of a fast algorithm, for a Conv2D or a Conv2DTranspose."""
    module = ALGORITHMS[name][transposed]
    if transposed:
        return module.conv2d_transpose_forward, module.conv2d_transpose_backward
    return module.conv2d_forward, module.conv2d_backward
