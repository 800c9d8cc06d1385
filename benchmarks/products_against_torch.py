"""The matrix products of npvae's convolutions, run by numpy and by PyTorch's BLAS.

    python benchmarks/products_against_torch.py

npvae turns every convolution into matrix products that numpy hands to its BLAS
(OpenBLAS); PyTorch runs its convolutions as oneDNN's direct kernels, with no im2col.
This times the products of npvae's convolutions in one training step at the book's
batch of 16 images (one block of the gather and scatter forms; larger batches run the
same products block by block): the same shapes and memory layouts, float32, with
numpy's ``@`` and with ``torch.matmul`` (PyTorch's own BLAS), each product alone. Their
total says how much of npvae's step is these products at least (inside a step they
run between other work, not back to back), and how much a BLAS as fast as PyTorch's
would take off it.

Timed as ``train_step.py`` times steps: each side in a fresh process of its own (npvae's
as a fast model runs it), each product the median of
its calls, the sides alternating for ``--rounds`` rounds; a ratio is the median of the
rounds' ratios, PyTorch's time over numpy's (above 1: numpy is faster).
"""
import argparse
import json
import os
import statistics
import sys

import instruction_sets  # benchmarks/, beside this file
from child_process import run_child
from timing import median_ms

instruction_sets.at_their_best()  # before anything imports numpy

BATCH = 16


def shapes(n):
    """(name, batch of products, M, K, N, A as a transposed view, B as one) for a batch of
    n images: the products of the algorithm ``auto`` picks for each convolution (forward,
    and backward's two), each operand laid out in memory as npvae has it (``^T``: a
    transposed view of a C-contiguous array, which BLAS reads without a copy)."""
    return [
        ("conv1 gather  y = cols W", 1, n * 784, 9, 32, False, False),
        ("conv1 gather  dW = cols^T dy", 1, 9, n * 784, 32, True, False),
        ("conv1 gather  dcols = dy W^T", 1, n * 784, 32, 9, False, True),
        ("conv2 gather  y = cols W", 1, n * 196, 288, 64, False, False),
        ("conv2 gather  dW = cols^T dy", 1, 288, n * 196, 64, True, False),
        ("conv2 gather  dcols = dy W^T", 1, n * 196, 64, 288, False, True),
    ] + [
        (f"{layer} winograd  {product}", 16, m, k, cols, a_t, b_t)
        for layer in ("conv3", "conv4")
        for product, m, k, cols, a_t, b_t in (("M = V U", n * 49, 64, 64, False, False),
                                              ("dU = V^T dM", 64, n * 49, 64, True, False),
                                              ("dV = dM U^T", n * 49, 64, 64, False, True))
    ] + [
        ("deconv scatter  cols = x W^T", 1, n * 196, 64, 288, False, True),
        ("deconv scatter  dx = dcols W", 1, n * 196, 288, 64, False, False),
        ("deconv scatter  dW = dcols^T x", 1, 288, n * 196, 64, True, False),
        ("conv_out scatter  cols = x W^T", 1, n * 784, 32, 9, False, True),
        ("conv_out scatter  dx = dcols W", 1, n * 784, 9, 32, False, False),
        ("conv_out scatter  dW = dcols^T x", 1, 9, n * 784, 32, True, False),
    ]


def operand(rng, lead, rows, cols, transposed):
    """A float32 (lead..., rows, cols) operand, or a transposed view of a (cols, rows) one."""
    import numpy as np
    if transposed:
        return np.swapaxes(rng.standard_normal(lead + (cols, rows), dtype=np.float32), -1, -2)
    return rng.standard_normal(lead + (rows, cols), dtype=np.float32)


def child(side, n, calls):
    """{name: median ms} of every product, timed alone, on one side, in this process."""
    if side == "numpy":
        import npvae.fast  # noqa: F401  (npvae's process as a fast model finds it)
    import numpy as np
    rng = np.random.default_rng(0)
    if side == "torch":
        import torch
        torch.set_num_threads(os.cpu_count())
    times = {}
    for name, batch, m, k, cols, a_t, b_t in shapes(n):
        lead = (batch,) if batch > 1 else ()
        a, b = operand(rng, lead, m, k, a_t), operand(rng, lead, k, cols, b_t)
        if side == "torch":   # the same strides: from_numpy keeps a view's layout
            a, b = torch.from_numpy(a), torch.from_numpy(b)
            product = lambda: torch.matmul(a, b)  # noqa: E731
        else:
            product = lambda: a @ b  # noqa: E731
        times[name] = median_ms(product, calls, warmup=5)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=100, help="timed calls per product")
    parser.add_argument("--child", choices=["numpy", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, BATCH, args.calls)))
        return
    print("\n".join(instruction_sets.describe(have_torch=True)))
    rounds = []
    for r in range(args.rounds):
        sides = ("numpy", "torch") if r % 2 == 0 else ("torch", "numpy")
        rounds.append({side: run_child(__file__, side, "--calls", args.calls) for side in sides})
        print(f"  round {r + 1} done", file=sys.stderr)
    print(f"\nbatch {BATCH}: ms per product (median of {args.calls} calls; "
          f"medians of {args.rounds} rounds), GFLOP/s, ratio = PyTorch / numpy")
    print(f"{'product':<34}{'shape (M, K, N)':>22}{'numpy':>16}{'PyTorch':>16}{'ratio':>7}")
    totals = {"numpy": [0.0] * args.rounds, "torch": [0.0] * args.rounds}
    for name, batch, m, k, cols, _, _ in shapes(BATCH):
        flop = 2 * batch * m * k * cols
        ms = {side: [r[side][name] for r in rounds] for side in totals}
        for side in totals:
            totals[side] = [t + x for t, x in zip(totals[side], ms[side])]
        med = {side: statistics.median(ms[side]) for side in ms}
        ratio = statistics.median(t / n for t, n in zip(ms["torch"], ms["numpy"]))
        shape = f"{batch} x ({m}, {k}, {cols})" if batch > 1 else f"({m}, {k}, {cols})"
        print(f"{name:<34}{shape:>22}"
              + "".join(f"{med[s]:>8.3f} ({flop / med[s] / 1e6:>4.0f})" for s in totals)
              + f"{ratio:>7.2f}")
    ratio = statistics.median(t / n for t, n in zip(totals["torch"], totals["numpy"]))
    print(f"{'a step: all of them, each round':<56}"
          + "".join(f"{statistics.median(totals[s]):>8.3f}       " for s in totals)
          + f"{ratio:>7.2f}")


if __name__ == "__main__":
    main()
