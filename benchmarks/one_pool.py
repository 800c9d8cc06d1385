"""A candidate design, measured before it is built: one pool for loops and products.

Today a fast layer hands its loops to numba's pool and its matrix products to numpy's
OpenBLAS, whose own threads spin on a core after each product and, on a busy machine,
make every product wait for a descheduled partner; and OpenBLAS sums some products in
another order on one thread than on two, so its thread count cannot follow the load
without changing a run's bits. The candidate: every product of a layer as a numba
parallel loop over fixed pieces (here Winograd's 16 products), each piece one product
on one BLAS thread (numba's ``np.dot``, which calls scipy's BLAS). Then one pool, TBB's,
runs everything; its calling thread takes over pieces a descheduled worker has not
started; and the pieces, so the bits, are the same on any number of threads. The bits
are not today's, which is why this is measured, not built (benchmarks/README.md).

This times conv3 of the book's model (64 -> 64 channels, 14x14, ReLU), forward and
backward by Winograd, each way in a fresh process, alternating, and checks in the
candidate's own process that one numba thread and two give the same bits:

    python benchmarks/one_pool.py --batch-size 16 128 --rounds 5
    python benchmarks/one_pool.py --batch-size 16 --rounds 3 --busy 4
"""
import argparse
import statistics
import time
import types

import instruction_sets  # benchmarks/, beside this file
from child_process import alternating_rounds, run_child
from train_step import busy_loop

instruction_sets.at_their_best()  # before anything imports numpy

WAYS = ["numpy's products", "one pool"]


def one_pool_products():
    """Winograd's ``np.matmul`` of stacked matrices as one numba loop over the stack, with
    scipy's BLAS on one thread (numba's ``np.dot`` calls it): (K, M, C) @ (K, C, O)."""
    import numba
    import numpy as np
    import scipy.linalg.cython_blas  # noqa: F401  (loads the BLAS numba's np.dot calls)
    from threadpoolctl import threadpool_limits

    # One thread for the BLAS numba's np.dot calls: the pieces are the parallel work.
    threadpool_limits(1, user_api="blas")

    @numba.njit(parallel=True)
    def stacked(a, b, out):
        for k in numba.prange(a.shape[0]):
            out[k] = np.dot(a[k], b[k])

    def matmul(a, b):
        out = np.empty((a.shape[0], a.shape[1], b.shape[2]), dtype=a.dtype)
        stacked(a, b, out)
        return out
    return matmul


def conv3(way, batch_size):
    """conv3's forward and backward, as a function of no arguments, and the layer."""
    import numpy as np

    from npvae import VAE, fast
    from npvae.fast import winograd
    from npvae.layers import Conv2D
    VAE(seed=0)  # the fast room readies the process as a learner's script would
    if way == "one pool":
        matmul = one_pool_products()
        winograd.np = types.SimpleNamespace(**{**vars(np), "matmul": matmul})
    rng = np.random.default_rng(0)
    x = rng.random((batch_size, 14, 14, 64), dtype=np.float32)
    dy = rng.standard_normal((batch_size, 14, 14, 64)).astype(np.float32)
    layer = fast.use(Conv2D(64, 64, 3, rng=1, activation="relu"), "winograd")

    def step():
        layer.forward(x)
        return layer.backward(dy)
    return step, layer


def child(way, batch_size, calls):
    import numba
    step, layer = conv3(way, batch_size)
    for _ in range(3):
        step()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        step()
        times.append(1e3 * (time.perf_counter() - start))
    result = {"ms": statistics.median(times), "layer": numba.threading_layer()}
    if way == "one pool":  # the same bits on one thread as on two?
        outputs = []
        for threads in (1, 2):
            numba.set_num_threads(threads)
            dx = step()
            outputs.append((dx, layer.grads["W"].copy(), layer.grads["b"].copy()))
        result["same bits"] = all((a == b).all() for a, b in zip(*outputs))
    return result


def main(argv=None):
    import json
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, nargs="+", default=[16, 128])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds")
    parser.add_argument("--calls", type=int, default=60, help="timed calls per process")
    parser.add_argument("--busy", type=int, default=0,
                        help="time each way beside this many busy processes")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        way, batch_size, calls = args.child
        print(json.dumps(child(way, int(batch_size), int(calls))))
        return
    print("\n".join(instruction_sets.describe(False)))
    for batch_size in args.batch_size:
        def time_way(way):
            with busy_loop(args.busy > 0, args.busy):
                return {way: run_child(__file__, way, batch_size, args.calls)}
        rounds = alternating_rounds(args.rounds, WAYS, time_way, f"batch {batch_size}")
        for i, r in enumerate(rounds, 1):
            print(f"  round {i}: " + ", ".join(f"{w} {r[w]['ms']:.3f} ms" for w in WAYS)
                  + f", ratio {r[WAYS[0]]['ms'] / r[WAYS[1]]['ms']:.2f}")
        medians = {way: statistics.median(r[way]["ms"] for r in rounds) for way in WAYS}
        ratio = statistics.median(r[WAYS[0]]["ms"] / r[WAYS[1]]["ms"] for r in rounds)
        beside = f" beside {args.busy} busy processes" if args.busy else ""
        print(f"conv3 forward + backward (Winograd), batch {batch_size}{beside}, ms, median of "
              f"{args.rounds} rounds: " + ", ".join(f"{w} {medians[w]:.3f}" for w in WAYS)
              + f"; one pool {ratio:.2f}x as fast (median of the rounds' ratios); its bits "
              f"the same on one numba thread as on two: "
              f"{all(r['one pool']['same bits'] for r in rounds)}; pool: "
              f"{rounds[0]['one pool']['layer']}")


if __name__ == "__main__":
    main()
