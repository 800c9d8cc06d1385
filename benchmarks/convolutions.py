"""Time each convolution of the seed's model alone: npvae against PyTorch, same CPU.

A training step is mostly its five convolutions (``benchmarks/train_step.py --layers``).
This script times each of them on its own, forward and backward, in npvae and in
PyTorch (channels_last, float32, as many threads as cores), and prints what each
achieves in GFLOP/s: npvae's convolutions are BLAS matrix products after im2col, while
PyTorch's run oneDNN's direct convolution kernels.

    python benchmarks/convolutions.py                    # batch 16
    python benchmarks/convolutions.py --batch-size 128 --repeats 20

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

TORCH_CHILD = sys.argv[1:2] == ["--torch-child"]

if not TORCH_CHILD:  # no npvae beside PyTorch: they would share OpenMP's wait policy
    from npvae.layers import Conv2D, Conv2DTranspose
import numpy as np  # noqa: E402

# name: (input (H, W, C), output channels, stride, transposed?, input gradient needed?)
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


def npvae_layer(input_hwc, out_channels, stride, transposed, input_grad):
    if transposed:
        return Conv2DTranspose(input_hwc[2], out_channels, 3, stride=stride, rng=0)
    return Conv2D(input_hwc[2], out_channels, 3, stride=stride, rng=0, input_grad=input_grad)


def time_npvae(batch_size, repeats):
    """{name: (forward ms, backward ms)}, medians over ``repeats`` calls each."""
    rng = np.random.default_rng(0)
    times = {}
    for name, spec in CONVOLUTIONS.items():
        layer = npvae_layer(*spec)
        x = rng.random((batch_size,) + spec[0], dtype=np.float32)
        dy = rng.random(layer.forward(x).shape, dtype=np.float32)
        times[name] = _median_ms(layer.forward, _npvae_backward(layer), x, dy, repeats)
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
    print(f"batch {batch_size}: ms (GFLOP/s), forward / backward")
    print(f"{'':14}{'npvae fwd':>17}{'bwd':>17}" + (f"{'PyTorch fwd':>17}{'bwd':>17}"
                                                     if torch_ms else ""))
    for name, spec in CONVOLUTIONS.items():
        flop = batch_size * forward_flop(*spec[:4])
        backward_flop = flop * (2 if spec[4] else 1)  # dW, and dx when it is needed
        line = f"{name:14}"
        for times in (npvae_ms, torch_ms) if torch_ms else (npvae_ms,):
            fwd, bwd = times[name]
            line += f"{fwd:>9.2f} ({flop / fwd / 1e6:>4.0f})" \
                    f"{bwd:>9.2f} ({backward_flop / bwd / 1e6:>4.0f})"
        print(line)


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
    for batch_size in args.batch_size:
        npvae_ms = time_npvae(batch_size, args.repeats)
        torch_ms = time_torch_in_child(batch_size, args.repeats) if have_torch else None
        print_table(batch_size, npvae_ms, torch_ms)


if __name__ == "__main__":
    main()
