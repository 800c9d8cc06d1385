"""How many bytes a batch needs, so that a batch that cannot fit is refused before it runs.

Why estimate at all: on Linux a process that asks for more memory than the machine has is
usually killed by the kernel (exit 137, no message) before numpy can raise MemoryError,
so catching MemoryError is not enough. The commands estimate first and refuse at once.

The estimate, for a batch of N images (counted in floats of the model's dtype), reads
each layer's per-image output shape off one blank image sent through ``model.forward``
(as the summary table does), then adds::

    kept(N)      = N * (x + sum_l y_l)                     every layer keeps its input or
                                                           output for backward
                 + N * sum_conv cache_conv                 what a convolution keeps beyond
                                                           them (below)
    loss(N)      = N * 4 x                                 logits, sigmoid, per-pixel loss
                                                           and its gradient, image-sized
    backward(N)  = N * (2 max_l y_l + max_conv work_conv)  the gradient flowing back (dy and
                                                           dx alive at once) and the largest
                                                           work array of one convolution
    bytes(N)     = itemsize * (kept + loss [+ backward, when training])

What a convolution keeps and works in (``cache``, ``work``, and work per block of images,
whatever the batch) depends on how it computes: each algorithm declares its own
(``Algorithm.memory``; the textbook's, its window matrices, in ``npvae/layers/conv.py``,
the fast ones' beside them in ``npvae/fast/``), and this module asks it.

A picture holds its ``n`` decoded images many times over: the decodes and the tiled
canvas in float32, then matplotlib's copies of the canvas as it scales, masks (the gaps
between tiles are NaN) and colours it, in float64, plus the figure itself, whose size
is capped. ``bytes_of_pictures`` counts a cost per decoded pixel and one for the figure,
each above what tests/test_picture_refusals.py measures a real picture to take.

The terms were checked against the peak resident memory of real runs
(``tests/test_memory.py``); the estimate errs high rather than low.
"""
from pathlib import Path

import numpy as np

from npvae.layers.conv import textbook_memory
from npvae.models.vae import trace_blank_image

MEMINFO = Path("/proc/meminfo")  # where Linux says how much memory is free to take
PICTURE_BYTES_PER_PIXEL = 96     # per decoded pixel, above the measured peak (see above)
PICTURE_DRAWING_BYTES = 192 * 2**20  # the figure itself, above its measured peak
LOSS_ARRAYS = 4                  # image-sized arrays of the loss: logits, sigmoid, loss, dloss


def layer_shapes(model):
    """(layer, input shape, output shape) of every layer, per image (no batch axis)."""
    shapes, previous = [], [tuple(model.config["input_shape"])]

    def keep(name, layer, out):
        shapes.append((layer, previous[-1], out.shape[1:]))
        previous.append(out.shape[1:])

    trace_blank_image(model, keep)
    return shapes


def convolution_floats(layer, x_shape, y_shape):
    """(cache, work, block_work): the floats a convolution keeps per image beyond its input
    and output, the largest work array per image, and the work of one block of images,
    as the algorithm that runs (H, W, C) says (one that does not say, as the textbook)."""
    algorithm = layer.algorithm.for_input(x_shape)
    return (algorithm.memory or textbook_memory)(layer, x_shape, y_shape)


def per_image_floats(model, training=True):
    """(floats per image, floats per batch whatever its size) of one forward pass, and of
    backward too if ``training``."""
    shapes = layer_shapes(model)
    image = int(np.prod(model.config["input_shape"]))
    outputs = [int(np.prod(y)) for _, _, y in shapes]
    convolutions = [convolution_floats(layer, x, y) for layer, x, y in shapes
                    if hasattr(layer, "geometry")]
    per_image = image + sum(outputs) + sum(cache for cache, _, _ in convolutions)
    per_image += LOSS_ARRAYS * image
    if training:
        per_image += 2 * max(outputs) + max((work for _, work, _ in convolutions), default=0)
    per_batch = max((block for _, _, block in convolutions), default=0)
    return per_image, per_batch


def batch_bytes(model, n, training=True):
    """The bytes a batch of ``n`` images needs (see the module docstring)."""
    return bytes_of_batches(model, training)(n)


def bytes_of_batches(model, training=True):
    """The function n -> ``batch_bytes(model, n, training)``, the model traced once."""
    per_image, per_batch = per_image_floats(model, training)
    return lambda n: model.dtype.itemsize * (n * per_image + per_batch)


def bytes_of_pictures(model, decode_batch):
    """The function n -> the bytes a picture of n decoded images needs, decoded
    ``decode_batch`` at a time."""
    pixels, decoding = int(np.prod(model.config["input_shape"])), bytes_of_batches(model, False)
    return lambda n: (n * pixels * PICTURE_BYTES_PER_PIXEL + PICTURE_DRAWING_BYTES
                      + decoding(min(n, decode_batch)))


class NotEnoughMemory(ValueError):
    """A batch or a picture that would not fit in the memory available: one line."""


def largest_count(bytes_of, available):
    """The largest n >= 0 with ``bytes_of(n) <= available`` (``bytes_of`` grows with n)."""
    low, high = 0, 1
    while bytes_of(high) <= available:
        low, high = high, 2 * high
    while high - low > 1:  # bytes_of(low) fits, bytes_of(high) does not
        middle = (low + high) // 2
        low, high = (middle, high) if bytes_of(middle) <= available else (low, middle)
    return low


def refuse_if_too_big(bytes_of, n, what, option):
    """Raise NotEnoughMemory if ``bytes_of(n)`` exceeds the memory available, naming the
    largest value of ``option`` that fits; do nothing where the memory is not known."""
    available = available_bytes()
    if available is None or bytes_of(n) <= available:
        return
    fits = largest_count(bytes_of, available)
    remedy = (f"{option} {fits:,} is the most that would fit" if fits else
              "not even one would: close other programs, or use smaller images")
    raise NotEnoughMemory(f"{what} needs about {gib(bytes_of(n))} of memory, more than the "
                          f"{gib(available)} available; {remedy}")


def refuse_training_batch(model, n):
    """NotEnoughMemory if a training step of ``n`` images would not fit."""
    refuse_if_too_big(bytes_of_batches(model), n, f"a training step of {n:,} images",
                      "--batch-size")


def available_bytes(meminfo=None):
    """MemAvailable from /proc/meminfo (``meminfo``: another file of that form), in
    bytes; None where there is no such file or line (not Linux)."""
    try:
        text = Path(meminfo or MEMINFO).read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024  # the kernel writes kB, meaning KiB
    return None


def gib(n_bytes):
    return f"{n_bytes / 2**30:.1f} GiB"
