"""Fast algorithms for the convolutions of ``npvae.layers.conv``: the same sums, faster.

A learner never needs to read this package: ``npvae/layers/conv.py`` is the textbook
(one im2col and one matrix product), and every algorithm here is tested equal to it.
The arrow runs one way: this package uses the textbook, the textbook never uses it.
Each module opens with why it is faster:

    gather    im2col and a matrix product, a block of images at a time   (Conv2D)
    scatter   x @ W^T then col2im, in blocks                  (Conv2DTranspose; Conv2D
              at stride 1, with the kernel flipped)
    winograd  Winograd's F(2x2, 3x3): 2.25x fewer multiplications   (Conv2D, 3x3, stride 1)

and under them the loops: ``im2col`` (im2col and col2im), ``relu``, ``column_sums``; and
``rmsprop`` for the optimizer. Each is the twin of a textbook function, tested equal.

How speed is attached: a convolution layer holds an ``Algorithm`` (a forward and a
backward function; ``npvae.layers.conv``). ``speed_up(model)`` gives every convolution
"auto", which runs, for each input shape, the algorithm ``choose`` picks. Every
algorithm here applies the layer's ReLU itself (Winograd inside its transforms, the
others with the ReLU loop), so the layer does not.

Importing this package, which making a fast model does, readies the process for its
loops, with no setting the user has to make: numba's pool is chosen before any loop
runs (``threads``) and malloc keeps freed work arrays (``allocation``). Neither sets an
environment variable, and neither overrides a choice of the user's own. It also gives
every RMSprop, the learner's own included, the one-pass update: the same bits, registered
in ``npvae.optim.TWINS``.
"""
from npvae import optim
from npvae.fast import allocation, gather, rmsprop, scatter, threads, winograd
from npvae.fast.blocks import block_memory
from npvae.fast.relu import applying_relu
from npvae.layers.conv import Algorithm, Conv2D, Conv2DTranspose

threads.start_pool()
allocation.keep_freed_pages()
optim.TWINS[optim.rmsprop_update] = rmsprop.rmsprop_update

# Every algorithm by name, one table for each kind of convolution, each with the memory it
# needs (``npvae.training.memory`` asks it).
CONV2D = {
    "gather": Algorithm("gather", *applying_relu(gather.conv2d_forward,
                                                 gather.conv2d_backward), True, block_memory),
    "scatter": Algorithm("scatter", *applying_relu(scatter.conv2d_forward,
                                                   scatter.conv2d_backward), True, block_memory),
    "winograd": Algorithm("winograd", winograd.conv2d_forward, winograd.conv2d_backward, True,
                          winograd.memory),
}
CONV2D_TRANSPOSE = {
    "scatter": Algorithm("scatter", *applying_relu(scatter.conv2d_transpose_forward,
                                                   scatter.conv2d_transpose_backward), True,
                         block_memory),
}
NAMES = ("auto", "textbook") + tuple(CONV2D)

# Winograd's 16 matrix products are (tiles, C) @ (C, O) each: with a handful of
# channels they are too thin for BLAS to run at speed, and the transforms dominate.
WINOGRAD_MIN_CHANNELS = 16


def choose(transposed, kernel, stride, input_shape, out_channels):
    """The name of the algorithm "auto" runs for a convolution of ``input_shape`` (H, W, C)."""
    if transposed:
        return "scatter"  # the textbook's own form, in blocks
    in_channels = input_shape[-1]
    if kernel == (3, 3) and stride == 1 and min(in_channels, out_channels) >= WINOGRAD_MIN_CHANNELS:
        return "winograd"
    if stride == 1 and out_channels < in_channels:
        return "scatter"  # a matrix product with C columns instead of one with O = few
    return "gather"


class Auto:
    """The algorithm "auto" of one layer: for each input shape, the one ``choose`` picks."""

    name = "auto"

    def __init__(self, layer):
        self.layer = layer

    def for_input(self, input_shape):
        layer, g = self.layer, self.layer.geometry
        name = choose(layer.transposed, (g.kh, g.kw), g.stride, tuple(input_shape),
                      layer.out_channels)
        return table(layer)[name]


def table(layer):
    """The algorithms that can run ``layer``'s kind of convolution, by name."""
    return CONV2D_TRANSPOSE if layer.transposed else CONV2D


def cannot_run(name, layer):
    """Why the named algorithm cannot run ``layer``, or None if it can."""
    g = layer.geometry
    if name in ("auto", "textbook"):
        return None
    if name not in table(layer):
        return f"{name!r} runs Conv2D only"
    if name == "scatter" and not layer.transposed and g.stride != 1:
        return f"{name!r} runs a Conv2D at stride 1 only; got stride {g.stride}"
    if name == "winograd" and ((g.kh, g.kw) != (3, 3) or g.stride != 1):
        return (f"{name!r} runs 3x3 kernels at stride 1 only; got kernel {(g.kh, g.kw)}, "
                f"stride {g.stride}")
    return None


def use(layer, name="auto"):
    """Make a convolution ``layer`` compute with the algorithm called ``name`` ("auto",
    "textbook", or one of the tables' names); a one-line ValueError if it cannot."""
    if name not in NAMES:
        raise ValueError(f"{type(layer).__name__}: algorithm must be one of "
                         f"{', '.join(map(repr, NAMES))}; got {name!r}")
    problem = cannot_run(name, layer)
    if problem:
        raise ValueError(f"{type(layer).__name__}: algorithm {problem}; use 'auto' or 'textbook'")
    layer.algorithm = (Auto(layer) if name == "auto" else layer.textbook if name == "textbook"
                       else table(layer)[name])
    return layer


def speed_up(*things):
    """Give each convolution of each model or layer in ``things`` the algorithm "auto".
    (RMSprop needs nothing: loading this package gave it its one-pass twin.)"""
    for thing in things:
        if isinstance(thing, optim.Optimizer):
            raise TypeError("speed_up takes models and layers, not an optimizer: drop it "
                            "(RMSprop already runs its one-pass twin)")
        for _, layer in thing.named_layers():
            if isinstance(layer, (Conv2D, Conv2DTranspose)):
                use(layer, "auto")
