"""numpy's matrix products on this machine, and Winograd against gather on conv3.

    python benchmarks/products.py

1. One product of im2col's shape for conv3 at batch 16, ``(3136, 576) @ (576, 64)``, on
   one BLAS thread and on all: what numpy's BLAS kernels give per core.
2. Winograd's 16 products for conv3 at batch 16, ``(16, 784, 64) @ (16, 64, 64)``.
3. conv3 (64 -> 64 channels, 14x14, with its ReLU), forward and backward, Winograd and
   gather timed alternately in one process, ``--rounds`` rounds: the choice that
   ``npvae.fast.choose`` makes, seen side by side.
4. The products F(4x4, 3x3) would run for conv3 instead (36 of ``(T, 64) @ (64, 64)``,
   with T = 16 tiles of 4x4 per 14x14 image, 16x16 outputs computed for 14x14), against
   F(2x2, 3x3)'s 16 (T = 49 tiles of 2x2): forward, and backward's two.
5. Winograd's weight-gradient products ``dU = V^T dM``, ``(16, 64, T) @ (16, T, 64)``,
   three ways: as npvae runs them (numpy, BLAS's threads), on one BLAS thread, and
   split in a fixed way over two Python threads of one BLAS thread each; and whether
   each gives the bits of the first. The split's sums do not depend on how many
   threads BLAS has, which the first's may.
"""
import argparse
import time
from concurrent.futures import ThreadPoolExecutor

import instruction_sets  # benchmarks/, beside this file

instruction_sets.at_their_best()  # before anything imports numpy
import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from npvae import fast  # noqa: E402
from npvae.layers import Conv2D  # noqa: E402


def seconds(function, calls):
    """Seconds per call of ``function``, after two untimed calls."""
    function(), function()
    start = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - start) / calls


def gflops(flop, function, calls):
    return flop / seconds(function, calls) / 1e9


def products(rng):
    a = rng.standard_normal((3136, 576), dtype=np.float32)
    b = rng.standard_normal((576, 64), dtype=np.float32)
    flop = 2 * 3136 * 576 * 64
    with threadpool_limits(1, user_api="blas"):
        one = gflops(flop, lambda: a @ b, 100)
    print(f"(3136, 576) @ (576, 64): {one:.0f} GFLOP/s on one thread, "
          f"{gflops(flop, lambda: a @ b, 100):.0f} on all")
    V = rng.standard_normal((16, 784, 64), dtype=np.float32)
    U = rng.standard_normal((16, 64, 64), dtype=np.float32)
    flop = 2 * 16 * 784 * 64 * 64
    ms = 1e3 * seconds(lambda: np.matmul(V, U), 200)
    print(f"Winograd's 16 products, (16, 784, 64) @ (16, 64, 64): {ms:.3f} ms, "
          f"{flop / ms / 1e6:.0f} GFLOP/s")


def winograd_or_gather(rng, batch_size, rounds, calls):
    x = rng.random((batch_size, 14, 14, 64), dtype=np.float32)
    dy = rng.standard_normal((batch_size, 14, 14, 64)).astype(np.float32)
    layers = {name: fast.use(Conv2D(64, 64, 3, rng=1, activation="relu"), name)
              for name in ("winograd", "gather")}
    times = {name: [] for name in layers}

    def forward_and_backward(layer):
        layer.forward(x)
        layer.backward(dy)

    for _ in range(rounds):
        for name, layer in layers.items():
            times[name].append(1e3 * seconds(lambda: forward_and_backward(layer), calls))
    print(f"conv3 with ReLU, batch {batch_size}, forward + backward, median of {rounds} "
          f"alternating rounds: " + ", ".join(f"{name} {np.median(t):.2f} ms"
                                             for name, t in times.items()))


def winograd_sizes(rng, batch_size):
    """The Winograd domain's products of conv3 for F(2x2, 3x3) and for F(4x4, 3x3)."""
    for name, positions, tiles_per_image in (("F(2x2, 3x3)", 16, 49), ("F(4x4, 3x3)", 36, 16)):
        tiles = batch_size * tiles_per_image
        V = rng.standard_normal((positions, tiles, 64), dtype=np.float32)
        U = rng.standard_normal((positions, 64, 64), dtype=np.float32)
        dM = rng.standard_normal((positions, tiles, 64), dtype=np.float32)
        calls = max(1, 3200 // batch_size)
        forward = 1e3 * seconds(lambda: np.matmul(V, U), calls)
        backward = 1e3 * seconds(lambda: (np.matmul(V.transpose(0, 2, 1), dM),
                                          np.matmul(dM, U.transpose(0, 2, 1))), calls)
        print(f"batch {batch_size}, {name}: {positions} products of ({tiles}, 64) @ (64, 64): "
              f"forward {forward:.3f} ms, backward's two {backward:.3f} ms")


def weight_gradient_products(rng, batch_size):
    tiles = batch_size * 7 * 7
    V_T = rng.standard_normal((16, tiles, 64), dtype=np.float32).transpose(0, 2, 1)
    dM = rng.standard_normal((16, tiles, 64), dtype=np.float32)
    split = np.empty((16, 64, 64), dtype=np.float32)

    def half(ks):
        for k in ks:
            np.matmul(V_T[k], dM[k], out=split[k])

    calls = max(1, 3200 // batch_size)
    as_now = np.matmul(V_T, dM)
    now_ms = 1e3 * seconds(lambda: np.matmul(V_T, dM), calls)
    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(2) as pool:
        one = np.matmul(V_T, dM)
        one_ms = 1e3 * seconds(lambda: np.matmul(V_T, dM), calls)
        split_ms = 1e3 * seconds(
            lambda: list(pool.map(half, [range(0, 16, 2), range(1, 16, 2)])), calls)
    print(f"Winograd's dU products, batch {batch_size}, (16, 64, {tiles}) @ (16, {tiles}, 64): "
          f"numpy {now_ms:.3f} ms; one BLAS thread {one_ms:.3f} ms (same bits: "
          f"{np.array_equal(one, as_now)}); two halves on two threads {split_ms:.3f} ms "
          f"(same bits: {np.array_equal(split, as_now)})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(instruction_sets.numpy_side())
    products(rng)
    winograd_or_gather(rng, 16, args.rounds, 40)
    winograd_or_gather(rng, 128, args.rounds, 6)
    for batch_size in (16, 128):
        winograd_sizes(rng, batch_size)
    for batch_size in (16, 128):
        weight_gradient_products(rng, batch_size)


if __name__ == "__main__":
    main()
