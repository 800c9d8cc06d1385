"""RMSprop's update of the book's model: array by array, all arrays in one call, and
one array of as many weights.

    python benchmarks/rmsprop.py

Each is the median of ``--calls`` calls on the book's 20 weight arrays (550,629 float32
weights), with the `npvae` command's thread settings.
"""
import argparse

import instruction_sets  # benchmarks/, beside this file
from timing import median_ms

instruction_sets.at_their_best()  # before anything imports numpy
import numpy as np  # noqa: E402

from npvae.fast.rmsprop import rmsprop_update, rmsprop_update_all  # noqa: E402
from npvae.models import VAE  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    calls = parser.parse_args().calls
    rng = np.random.default_rng(0)
    params = [p for _, layer in VAE(seed=0).named_layers() for p in layer.params.values()]
    updates = [(p, rng.standard_normal(p.shape, dtype=np.float32), np.zeros_like(p))
               for p in params]
    flat = [np.concatenate([u[i].reshape(-1) for u in updates]) for i in range(3)]
    print(instruction_sets.numpy_side())
    print(f"{len(updates)} arrays, {flat[0].size:,} weights; ms, median of {calls} calls")
    print("array by array: "
          f"{median_ms(lambda: [rmsprop_update(*u, 1e-3, 0.9, 1e-7) for u in updates], calls):.3f}")
    print("in one call:    "
          f"{median_ms(lambda: rmsprop_update_all(updates, 1e-3, 0.9, 1e-7), calls):.3f}")
    print(f"one flat array: {median_ms(lambda: rmsprop_update(*flat, 1e-3, 0.9, 1e-7), calls):.3f}")


if __name__ == "__main__":
    main()
