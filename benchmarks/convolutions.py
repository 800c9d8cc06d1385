"""Time each convolution of the book's model alone: every npvae algorithm against PyTorch.

A training step is mostly its five convolutions (``benchmarks/train_step.py --layers``).
This script times each of them on its own, forward and backward, with every algorithm
of ``npvae.fast`` that can run it (and the textbook), and in PyTorch (channels_last,
float32, as many threads as cores, oneDNN's direct kernels) in the same run. It prints
ms, GFLOP/s and, per algorithm, PyTorch's time over npvae's for forward + backward
(above 1: npvae is faster). The algorithm "auto" picks is marked with *.

    python benchmarks/convolutions.py                    # batch 16
    python benchmarks/convolutions.py --batch-size 16 128 --repeats 20

PyTorch (``pip install ".[bench]"``) runs in a child process without npvae, as in
``benchmarks/train_step.py``.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time

import instruction_sets  # noqa: E402  (benchmarks/, beside this file)

instruction_sets.at_their_best()  # before anything imports numpy
TORCH_CHILD = sys.argv[1:2] == ["--torch-child"]

if not TORCH_CHILD:  # npvae in a process of its own, PyTorch apart
    from npvae import fast
    from npvae.layers import Conv2D, Conv2DTranspose
import numpy as np  # noqa: E402

# name: (input (H, W, C), output channels, stride, transposed?, input gradient needed?)
# npvae's backward always returns dx; PyTorch skips it for conv1, as in a training step.
CONVOLUTIONS = {
    "conv1": ((28, 28, 1), 32, 1, False, False),  # the data needs no gradient
    "conv2": ((28, 28, 32), 64, 2, False, True),
    "conv3, conv4": ((14, 14, 64), 64, 1, False, True),
    "deconv": ((14, 14, 64), 32, 2, True, True),
    "conv_out": ((28, 28, 32), 1, 1, False, True),
}


def forward_flop(input_hwc, out_channels, stride, transposed):
    """FLOPs (2 per multiply-add) of one image through a 3x3 convolution."""
    height, width, channels = input_hwc
    # Every input pixel of a transposed convolution paints 3x3 outputs; every output
    # pixel of a convolution reads 3x3 inputs.
    pixels = height * width if transposed else -(-height // stride) * -(-width // stride)
    return 2 * pixels * 9 * channels * out_channels


def npvae_layer(input_hwc, out_channels, stride, transposed, algorithm):
    kind = Conv2DTranspose if transposed else Conv2D
    return fast.use(kind(input_hwc[2], out_channels, 3, stride=stride, rng=0), algorithm)


def algorithms(spec):
    """The algorithms that can run a convolution: "textbook" and the fitting fast ones."""
    _, _, stride, transposed, _ = spec
    layer = npvae_layer(spec[0], spec[1], stride, transposed, "textbook")
    return ["textbook"] + [name for name in fast.table(layer) if not fast.cannot_run(name, layer)]


def time_npvae(batch_size, repeats):
    """{name: {algorithm: (forward ms, backward ms)}}, medians over ``repeats`` calls."""
    rng = np.random.default_rng(0)
    times = {}
    for name, spec in CONVOLUTIONS.items():
        times[name] = {}
        x = rng.random((batch_size,) + spec[0], dtype=np.float32)
        for algorithm in algorithms(spec):
            layer = npvae_layer(*spec[:4], algorithm)
            dy = rng.random(layer.forward(x).shape, dtype=np.float32)
            times[name][algorithm] = _median_ms(layer.forward, _npvae_backward(layer), x, dy,
                                                repeats)
    return times


def time_torch(batch_size, repeats):
    """The same convolutions in PyTorch: {name: (forward ms, backward ms)}."""
    import torch
    from torch import nn

    torch.set_num_threads(os.cpu_count())
    times = {}
    for name, (hwc, out_c, stride, transposed, input_grad) in CONVOLUTIONS.items():
        if transposed:
            layer = nn.ConvTranspose2d(hwc[2], out_c, 3, stride, padding=1, output_padding=1)
        else:  # at stride 2, windows a pixel off TensorFlow's 'same'; the same work
            layer = nn.Conv2d(hwc[2], out_c, 3, stride, padding=1)
        layer = layer.to(memory_format=torch.channels_last)
        x = torch.rand(batch_size, hwc[2], hwc[0], hwc[1]).contiguous(
            memory_format=torch.channels_last).requires_grad_(input_grad)
        dy = torch.rand_like(layer(x))
        times[name] = _median_ms(layer, _torch_backward, x, dy, repeats,
                                 before=_torch_forgetting_grads(layer, x))
    return times


def _npvae_backward(layer):
    return lambda y, dy: layer.backward(dy)  # the layer kept what it needs from forward


def _torch_backward(y, dy):
    y.backward(dy)


def _torch_forgetting_grads(layer, x):
    """A function that drops the gradients PyTorch kept: backward would otherwise add
    into them, a pass over x and the weights that npvae's backward does not make."""
    def forget():
        layer.zero_grad(set_to_none=True)
        x.grad = None
    return forget


def _median_ms(forward, backward, x, dy, repeats, before=lambda: None):
    """Median ms of ``y = forward(x)`` and of ``backward(y, dy)`` right after it
    (``before`` runs first, untimed)."""
    forward_s, backward_s = [], []
    for i in range(repeats + 1):  # the first call warms up: numba's cache, BLAS buffers
        before()
        start = time.perf_counter()
        y = forward(x)
        middle = time.perf_counter()
        backward(y, dy)
        if i:
            forward_s.append(middle - start)
            backward_s.append(time.perf_counter() - middle)
    return 1e3 * float(np.median(forward_s)), 1e3 * float(np.median(backward_s))


def time_torch_in_child(batch_size, repeats):
    child = subprocess.run([sys.executable, __file__, "--torch-child", str(batch_size),
                            str(repeats)], check=True,
                           capture_output=True, text=True)
    return json.loads(child.stdout)


def print_table(batch_size, npvae_ms, torch_ms):
    print(f"batch {batch_size}: ms (GFLOP/s); ratio = PyTorch / npvae, forward + backward")
    print(f"{'':14}{'algorithm':<12}{'forward':>16}{'backward':>16}{'ratio':>7}")
    for name, spec in CONVOLUTIONS.items():
        flop = batch_size * forward_flop(*spec[:4])
        backward_flop = 2 * flop  # dW and dx (PyTorch skips dx for conv1)
        chosen = npvae_layer(*spec[:4], "auto").algorithm.for_input(spec[0]).name
        rows = dict(npvae_ms[name], **({"PyTorch": torch_ms[name]} if torch_ms else {}))
        for algorithm, (fwd, bwd) in rows.items():
            mark = "*" if algorithm == chosen else ""
            ratio = f"{sum(torch_ms[name]) / (fwd + bwd):>7.2f}" if torch_ms else ""
            print(f"{name:14}{algorithm + mark:<12}{fwd:>8.2f} ({flop / fwd / 1e6:>4.0f})"
                  f"{bwd:>8.2f} ({backward_flop / bwd / 1e6:>4.0f}){ratio}")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if TORCH_CHILD:
        print(json.dumps(time_torch(int(argv[1]), int(argv[2]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, nargs="+", default=[16])
    parser.add_argument("--repeats", type=int, default=50, help="timed calls (default 50)")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even if present")
    args = parser.parse_args(argv)
    have_torch = not args.no_torch and importlib.util.find_spec("torch") is not None
    print("\n".join(instruction_sets.describe(have_torch)))
    for batch_size in args.batch_size:
        npvae_ms = time_npvae(batch_size, args.repeats)
        torch_ms = time_torch_in_child(batch_size, args.repeats) if have_torch else None
        print_table(batch_size, npvae_ms, torch_ms)


if __name__ == "__main__":
    main()
