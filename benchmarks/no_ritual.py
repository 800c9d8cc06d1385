"""A learner's own training loop against the command's, alone and on a busy machine.

npvae readies its process itself when a fast model is made (``npvae/fast/threads.py``,
``allocation.py``), so a plain script, a notebook that imported numpy first and the
``npvae`` command should all train at one speed. This times, on real MNIST batches,
each in a fresh process:

    script     the README's hand loop: ``model(x)``, ``model.backward()``, ``opt.step``
    notebook   the same after ``import numpy, numba`` (a notebook's earlier cells)
    command    the step ``npvae train`` runs (after importing the command's modules)
    before     the command's step as it ran before npvae readied itself: the settings
               its old ``tune()`` made, given here through the child's environment
               (OMP_WAIT_POLICY=passive, OPENBLAS_THREAD_TIMEOUT=16, numba's OpenMP pool)
    torch      PyTorch's step of the same model, fresh
    torch after npvae    PyTorch's step in a process that first ran npvae's steps

``--candidates`` times, instead, the script as it is, ``before``, and the script with each
other choice a user could make through the environment (``CANDIDATES``).

``--busy 1 4`` also times ``script``, ``before`` and ``torch`` beside that many processes
spinning on the cores, and prints the share of its speed alone each keeps and its
slowest step. A side's time is the median of its steps after the warm-up; the sides
alternate order every round; the table shows every round and the medians.

    python benchmarks/no_ritual.py                       # batch 16 and 128, 5 rounds
    python benchmarks/no_ritual.py --batch-size 16 --rounds 3 --busy 1 4
    python benchmarks/no_ritual.py --batch-size 128 --rounds 3 --candidates
"""
import argparse
import importlib.util
import json
import os
import statistics

import instruction_sets  # benchmarks/, beside this file
from child_process import alternating_rounds, run_child
from timing import step_ms
from train_step import busy_loop

instruction_sets.at_their_best()  # before anything imports numpy

OLD_TUNE = {"OMP_WAIT_POLICY": "passive", "OPENBLAS_THREAD_TIMEOUT": "16",
            "NUMBA_THREADING_LAYER": "omp"}
SIDES = ["script", "notebook", "command", "before", "torch", "torch after npvae"]
BESIDE_BUSY = ["script", "before", "torch"]
# What else a user could choose, through the environment as a user would: the plain
# script with each (``--candidates``), to see what npvae's own choice leaves on the table.
CANDIDATES = {
    "workqueue": {"NUMBA_THREADING_LAYER": "workqueue"},
    "BLAS spin 2^16": {"OPENBLAS_THREAD_TIMEOUT": "16"},
    "BLAS 1 thread": {"OPENBLAS_NUM_THREADS": "1"},
    "numba 1 thread": {"NUMBA_NUM_THREADS": "1"},
}


def child(side, batch_size, steps, warmup):
    """{"ms": median ms per step, "max ms": the slowest timed step} of one side."""
    if side == "notebook":
        import numba  # noqa: F401
        import numpy  # noqa: F401
    if side in ("command", "before"):
        import npvae.cli.commands  # noqa: F401  (what the command has loaded by its first step)
    from mnist_batches import mnist_batches
    batches = mnist_batches(batch_size, warmup + steps)
    if side.startswith("torch"):
        if side == "torch after npvae":
            timed(npvae_step("script"), batches, warmup)
        from torch_vae import torch_training_step
        return timed(torch_training_step(), batches, warmup)
    return timed(npvae_step(side), batches, warmup)


def npvae_step(side):
    """One training step of the book's VAE, as the side makes and runs it."""
    if side in ("command", "before"):
        from train_step import book_model, book_optimizer

        from npvae.train import train_step
        model, optimizer = book_model("auto"), book_optimizer()
        return lambda x: train_step(model, optimizer, x)
    from npvae import VAE, RMSprop
    model, optimizer = VAE(seed=0), RMSprop(1e-3)

    def step(x):
        model(x)
        model.backward()
        optimizer.step(model.named_layers())
    return step


def timed(step, batches, warmup):
    ms = step_ms(step, batches)[warmup:]
    return {"ms": statistics.median(ms), "max ms": max(ms)}


def run_side(side, batch_size, args, busy=0):
    env = None
    if side == "before" or side in CANDIDATES:
        env = {**os.environ, **(OLD_TUNE if side == "before" else CANDIDATES[side])}
    with busy_loop(busy > 0, busy):
        return run_child(__file__, "script" if side in CANDIDATES else side, batch_size,
                         args.steps, args.warmup, env=env)


def measure(batch_size, args, sides):
    """Every round's results, {column: child result}, the sides alternating order."""
    def time_side(side):
        results = {side: run_side(side, batch_size, args)}
        for busy in args.busy if side in BESIDE_BUSY or side in CANDIDATES else ():
            results[f"{side} +{busy} busy"] = run_side(side, batch_size, args, busy)
        return results
    return alternating_rounds(args.rounds, sides, time_side, f"batch {batch_size}")


def report(batch_size, rounds):
    columns = list(rounds[0])
    median = {c: statistics.median(r[c]["ms"] for r in rounds) for c in columns}
    print(f"\nbatch {batch_size}: ms per step, each round (median of its steps)")
    print(f"{'round':>6}" + "".join(f"{c:>20}" for c in columns))
    for i, r in enumerate(rounds, 1):
        print(f"{i:>6}" + "".join(f"{r[c]['ms']:>20.2f}" for c in columns))
    print(f"{'median':>6}" + "".join(f"{median[c]:>20.2f}" for c in columns))
    print(f"{'img/s':>6}" + "".join(f"{1e3 * batch_size / median[c]:>20.0f}" for c in columns))
    print(f"{'max ms':>6}" + "".join(f"{max(r[c]['max ms'] for r in rounds):>20.0f}"
                                     for c in columns))
    for side in [c for c in columns if c in ("script", "notebook", "command") or c in CANDIDATES]:
        share = statistics.median(r["before"]["ms"] / r[side]["ms"] for r in rounds)
        print(f"{side}: {share:.0%} of the speed before (median of the rounds' ratios)")
    if "torch" in columns:
        after = statistics.median(r["torch after npvae"]["ms"] / r["torch"]["ms"] for r in rounds)
        print(f"PyTorch after npvae's steps in one process: {after:.2f}x its fresh step time")
    for c in columns:
        if " busy" in c:
            side = c.split(" +")[0]
            keeps = statistics.median(r[side]["ms"] / r[c]["ms"] for r in rounds)
            print(f"{c}: keeps {keeps:.0%} of its speed alone")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, nargs="+", default=[16, 128])
    parser.add_argument("--steps", type=int, default=60, help="timed steps (default 60)")
    parser.add_argument("--warmup", type=int, default=15, help="untimed steps first")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds")
    parser.add_argument("--busy", type=int, nargs="*", default=[],
                        help="also time beside this many busy processes (e.g. 1 4)")
    parser.add_argument("--candidates", action="store_true",
                        help="time the plain script, the old settings and the other "
                             "choices a user could make instead of the usual sides")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        side, batch_size, steps, warmup = args.child
        print(json.dumps(child(side, int(batch_size), int(steps), int(warmup))))
        return
    have_torch = importlib.util.find_spec("torch") is not None
    sides = SIDES if have_torch else SIDES[:4]
    if args.candidates:
        sides = ["script", "before", *CANDIDATES]
    print("\n".join(instruction_sets.describe(have_torch)))
    for batch_size in args.batch_size:
        report(batch_size, measure(batch_size, args, sides))


if __name__ == "__main__":
    main()
