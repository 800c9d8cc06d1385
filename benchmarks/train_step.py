"""Time whole training steps of the book's VAE on real MNIST batches: npvae against PyTorch.

A step is what ``npvae train`` does per batch: forward, backward, RMSprop update. How
the two sides are timed, so that their ratio survives a noisy, shared machine:

- both train on the same real MNIST batches (``mnist_batches.py``), a new batch each step;
- each side runs in a fresh process of its own, every round: npvae as the ``npvae``
  command runs it, PyTorch in a process without npvae;
- a side's time is the median of its steps after ``--warmup`` untimed ones;
- the sides alternate for ``--rounds`` rounds (npvae first in odd rounds, PyTorch first
  in even ones); the ratio is the median of the rounds' ratios, PyTorch's time over
  npvae's (above 1: npvae is faster);
- ``OPENBLAS_CORETYPE``/``OPENBLAS_L2_SIZE`` are unset for this command only, and the CPU
  and both sides' kernels are printed (``instruction_sets.py``).

``--beside-busy-loop`` also times each side while another process spins on one core (a
learner's laptop always runs something else) and prints the share of its speed alone
that each keeps.

    python benchmarks/train_step.py                          # batch 16 and 128, 5 rounds
    python benchmarks/train_step.py --batch-size 16 --beside-busy-loop
    python benchmarks/train_step.py --layers --no-torch      # where npvae's step goes
"""
import argparse
import contextlib
import importlib.util
import json
import statistics
import subprocess
import sys
import time

import instruction_sets  # benchmarks/, beside this file
from child_process import alternating_rounds, run_child
from timing import step_ms

instruction_sets.at_their_best()  # before anything imports numpy

# FLOPs (2 per multiply-add) of one image through the book's model, forward: 45.4 M, of
# which the four convolutions and the transposed one are 44 M. A training step costs about
# three times as much (forward, then two matrix products per layer backward).
TRAIN_FLOP_PER_IMAGE = 3 * 45.4e6


def npvae_child(batch_size, steps, warmup, algorithm, layers):
    """npvae's median seconds per step (and, if asked, ms per layer), as the command runs."""
    from mnist_batches import mnist_batches

    from npvae.train import train_step
    model, optimizer = book_model(algorithm), book_optimizer()
    batches = mnist_batches(batch_size, warmup + steps)
    result = {"seconds": _median_step(lambda x: train_step(model, optimizer, x), batches,
                                      warmup)}
    if layers:
        result["layers_ms"] = layer_breakdown(model, optimizer, batches, warmup)
    return result


def torch_child(batch_size, steps, warmup):
    """PyTorch's median seconds per step, on the same batches."""
    from mnist_batches import mnist_batches
    from torch_vae import torch_training_step
    return {"seconds": _median_step(torch_training_step(), mnist_batches(batch_size,
                                                                        warmup + steps), warmup)}


def book_model(algorithm, seed=0):
    """The book's VAE as ``npvae train`` builds it, or with every convolution that
    ``algorithm`` can run made to run it."""
    from npvae import fast
    from npvae.layers.conv import Conv2D, Conv2DTranspose
    from npvae.models import VAE
    model = VAE(seed=seed)
    if algorithm != "auto":
        for _, layer in model.named_layers():
            if isinstance(layer, (Conv2D, Conv2DTranspose)) and not fast.cannot_run(algorithm,
                                                                                   layer):
                fast.use(layer, algorithm)
    return model


def book_optimizer():
    """RMSprop as ``npvae train`` runs it for the fast model: the one-pass update, which
    loading ``npvae.fast`` registers (``npvae.optim.TWINS``)."""
    import npvae.fast  # noqa: F401
    from npvae.optim import RMSprop
    return RMSprop(1e-3)


def _median_step(step, batches, warmup):
    return statistics.median(step_ms(step, batches)[warmup:]) / 1e3


def layer_breakdown(model, optimizer, batches, warmup):
    """Milliseconds per step spent in each layer's forward and backward (the mean over the
    steps after ``warmup``), and in the optimizer's update."""
    from npvae.train import train_step
    timings = {}
    for name, layer in model.named_layers() + [("sampling", model.sampling)]:
        timings[name] = {"forward": 0.0, "backward": 0.0}
        for direction in ("forward", "backward"):
            setattr(layer, direction, _timed(getattr(layer, direction), timings[name], direction))
    timings["optimizer (RMSprop)"] = {"forward": 0.0, "backward": 0.0}
    optimizer.step = _timed(optimizer.step, timings["optimizer (RMSprop)"], "backward")
    for i, x in enumerate(batches):
        if i == warmup:  # forget the warm-up
            for entry in timings.values():
                entry.update(forward=0.0, backward=0.0)
        train_step(model, optimizer, x)
    steps = len(batches) - warmup
    return {name: {k: 1e3 * v / steps for k, v in t.items()} for name, t in timings.items()}


def _timed(function, totals, key):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        totals[key] += time.perf_counter() - start
        return result
    return wrapper


@contextlib.contextmanager
def busy_loop(on, count=1):
    """``count`` other processes, each spinning on a core, while the block runs (if ``on``)."""
    if not on:
        yield
        return
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(count)]
    try:
        time.sleep(0.5)  # let them start spinning
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def run_side(side, batch_size, args, busy=False):
    """One side timed in a fresh process: the child's result dict."""
    with busy_loop(busy):
        return run_child(__file__, side, "--batch-size", batch_size, "--steps", args.steps,
                         "--warmup", args.warmup, "--algorithm", args.algorithm,
                         *(["--layers"] if args.layers else []))


def measure(batch_size, args, sides):
    """Every round's results: {side: child result, side + ' busy': ...}."""
    def time_side(side):
        results = {side: run_side(side, batch_size, args)}
        if args.beside_busy_loop:
            results[side + " busy"] = run_side(side, batch_size, args, busy=True)
        return results
    return alternating_rounds(args.rounds, sides, time_side, f"batch {batch_size}")


def summary(batch_size, rounds):
    """Medians over the rounds: ms per step and images/s of each side, and the ratios."""
    def ms(key):
        return [1e3 * r[key]["seconds"] for r in rounds]
    row = {"batch_size": batch_size, "rounds": [{k: round(1e3 * v["seconds"], 3)
                                                 for k, v in r.items()} for r in rounds]}
    for key in rounds[0]:
        row[f"{key} ms"] = statistics.median(ms(key))
        row[f"{key} images/s"] = 1e3 * batch_size / row[f"{key} ms"]
    if "torch" in rounds[0]:
        row["ratio"] = statistics.median(t / n for t, n in zip(ms("torch"), ms("npvae")))
    for side in ("npvae", "torch"):
        if f"{side} busy" in rounds[0]:
            row[f"{side} share beside busy loop"] = statistics.median(
                a / b for a, b in zip(ms(side), ms(f"{side} busy")))
    row["npvae GFLOP/s"] = TRAIN_FLOP_PER_IMAGE * row["npvae images/s"] / 1e9
    if "layers_ms" in rounds[-1]["npvae"]:
        row["npvae layers ms, last round"] = rounds[-1]["npvae"]["layers_ms"]
    return row


def print_summary(row):
    keys = [k for k in row["rounds"][0]]
    print(f"\nbatch {row['batch_size']}: ms per step (median of the steps), each round")
    print(f"{'round':>6}" + "".join(f"{k:>14}" for k in keys)
          + (f"{'ratio':>8}" if "torch" in keys else ""))
    for i, r in enumerate(row["rounds"], 1):
        ratio = f"{r['torch'] / r['npvae']:>8.2f}" if "torch" in keys else ""
        print(f"{i:>6}" + "".join(f"{r[k]:>14.2f}" for k in keys) + ratio)
    print(f"{'median':>6}" + "".join(f"{row[k + ' ms']:>14.2f}" for k in keys)
          + (f"{row['ratio']:>8.2f}" if "ratio" in row else ""))
    print("images/s: " + ", ".join(f"{k} {row[k + ' images/s']:.0f}" for k in keys)
          + f"; npvae {row['npvae GFLOP/s']:.0f} GFLOP/s")
    for side in ("npvae", "torch"):
        if f"{side} share beside busy loop" in row:
            print(f"{side} keeps {row[f'{side} share beside busy loop']:.0%} of its speed "
                  "beside a busy loop (median of the rounds)")


def print_breakdown(batch_size, breakdown):
    print(f"\nper-layer breakdown, npvae, batch {batch_size} (ms per step, last round)")
    print(f"{'layer':<24}{'forward':>10}{'backward':>10}")
    for name, t in breakdown.items():
        print(f"{name:<24}{t['forward']:>10.3f}{t['backward']:>10.3f}")
    print(f"{'total':<24}{sum(t['forward'] for t in breakdown.values()):>10.3f}"
          f"{sum(t['backward'] for t in breakdown.values()):>10.3f}")


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, nargs="+", default=[16, 128])
    parser.add_argument("--steps", type=int, default=100, help="timed steps (default 100)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed steps first")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--layers", action="store_true", help="npvae's per-layer breakdown")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even if present")
    parser.add_argument("--beside-busy-loop", action="store_true",
                        help="also time each side beside a process spinning on one core")
    parser.add_argument("--algorithm", default="auto",
                        help="run every convolution this algorithm can run with it "
                             "(textbook, gather, scatter, winograd; default auto)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--child", choices=["npvae", "torch"], help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.child == "npvae":
        print(json.dumps(npvae_child(args.batch_size[0], args.steps, args.warmup,
                                     args.algorithm, args.layers)))
        return
    if args.child == "torch":
        print(json.dumps(torch_child(args.batch_size[0], args.steps, args.warmup)))
        return
    have_torch = not args.no_torch and importlib.util.find_spec("torch") is not None
    sides = ["npvae", "torch"] if have_torch else ["npvae"]
    header = instruction_sets.describe(have_torch)
    print("\n".join(header), file=sys.stderr if args.json else sys.stdout)
    rows = []
    for batch_size in args.batch_size:
        rounds = measure(batch_size, args, sides)
        rows.append(summary(batch_size, rounds))
        if not args.json:
            print_summary(rows[-1])
            if args.layers:
                print_breakdown(batch_size, rows[-1]["npvae layers ms, last round"])
    if args.json:
        print(json.dumps({"machine": header, "results": rows}))


if __name__ == "__main__":
    main()
