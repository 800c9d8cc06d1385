"""Time im2col and col2im on the book's model's shapes: numba loops against the textbook.

For the one-channel images (the model's input, and the gradient of its one-channel
output) it also times the general per-pixel loop, which ``npvae.fast.im2col`` uses for
images with several channels, so the gain of the one-channel loops is visible.

    python benchmarks/im2col.py                    # batch 16
    python benchmarks/im2col.py --batch-size 128 --repeats 200
"""
import argparse  # noqa: I001
import time

import numpy as np

from npvae import im2col as textbook
from npvae.fast import im2col as kernels

# (name, input shape without the batch, stride, (top, bottom, left, right)) of every
# im2col/col2im in a training step of the book's model; all kernels are 3x3.
SHAPES = [
    ("conv1 x, conv_out y/dy", (28, 28, 1), 1, (1, 1, 1, 1)),  # conv_out: col2im paints y
    ("conv2 x, deconv y", (28, 28, 32), 2, (0, 1, 0, 1)),
    ("conv3/conv4 x", (14, 14, 64), 1, (1, 1, 1, 1)),
]


def median_ms(function, repeats):
    function()  # compile, or load from numba's cache
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def contenders(x, stride, padding):
    """{label: (im2col call, col2im call)} for an input x, 3x3 windows."""
    cols = kernels.im2col(x, 3, 3, stride, padding)
    back = np.empty_like(x)
    calls = {
        "numba": (lambda: kernels.im2col(x, 3, 3, stride, padding, out=cols),
                  lambda: kernels.col2im(cols, x.shape, 3, 3, stride, padding, out=back)),
        "textbook": (lambda: textbook.im2col(x, 3, 3, stride, padding),
                     lambda: textbook.col2im(cols, x.shape, 3, 3, stride, padding)),
    }
    if x.shape[-1] == 1:
        # The general loops, one pixel's channels at a time, which im2col and col2im
        # use when an image has several channels.
        top, bottom, left, right = padding
        out_h = textbook.output_size(x.shape[1], 3, stride, top, bottom)
        out_w = textbook.output_size(x.shape[2], 3, stride, left, right)
        calls["per-pixel loop"] = (
            lambda: kernels._im2col_loop(x, 3, 3, stride, top, left, out_h, out_w, cols),
            lambda: kernels._col2im_loop(cols, 3, 3, stride, top, left, out_h, out_w, back))
    return calls


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=100)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print(f"batch {args.batch_size}, median of {args.repeats} calls, ms")
    print(f"{'shape':22} {'':14} {'im2col':>8} {'col2im':>8}")
    for name, shape, stride, padding in SHAPES:
        x = rng.random((args.batch_size,) + shape, dtype=np.float32)
        for label, (unfold, fold) in contenders(x, stride, padding).items():
            print(f"{name:22} {label:14} {median_ms(unfold, args.repeats):8.3f} "
                  f"{median_ms(fold, args.repeats):8.3f}")


if __name__ == "__main__":
    main()
