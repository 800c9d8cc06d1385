"""How long ``npvae train`` takes from a cold process start to the end of its first step.

Everything a user waits for before training shows progress: starting Python, importing
numpy, numba, scipy and matplotlib, reading MNIST, building the model, loading (or
compiling) the numba kernels, and one forward + backward + update. numba compiles with
``cache=True``, so only the very first start after installing pays for compilation;
this script starts ``npvae train`` ``--runs`` times and reports each. ``--explore``
times instead the explorer's first picture of the shipped model, ``npvae explore
--checkpoint book --at 0,0 --out F.png``, whole, from the process's start to its end.

    python benchmarks/startup.py            # prints one line per start
    python benchmarks/startup.py --explore
    python benchmarks/startup.py --json
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time

# Runs in the child: time stamps the end of the first training step, then stops.
CHILD = """
import os, sys, time
from npvae.models import vae
original = vae.VAE.backward
def first_step(self, *args, **kwargs):
    result = original(self, *args, **kwargs)
    print(f"FIRST_STEP_DONE {time.time()!r}", flush=True)
    os._exit(0)
vae.VAE.backward = first_step
from npvae.cli import main
main(["train", "--out", sys.argv[1], "--quiet", "--no-pictures"])
"""


def time_start(out_dir):
    """Seconds from spawning ``npvae train`` to the end of its first step."""
    started = time.time()
    child = subprocess.run([sys.executable, "-c", CHILD, out_dir], capture_output=True,
                           text=True, check=False)
    for line in child.stdout.splitlines():
        if line.startswith("FIRST_STEP_DONE"):
            return float(line.split()[1]) - started
    raise RuntimeError(f"the child did not reach its first step:\n{child.stderr}")


def time_explore(out_dir):
    """Seconds of ``npvae explore --checkpoint book --at 0,0 --out F.png``, start to end."""
    started = time.time()
    subprocess.run([sys.executable, "-m", "npvae", "explore", "--checkpoint", "book",
                    "--at", "0,0", "--out", f"{out_dir}/F.png"], check=True,
                   capture_output=True)
    return time.time() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="starts to time (default 3)")
    parser.add_argument("--explore", action="store_true",
                        help="time the explorer's picture of the shipped model instead")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    timed, what = ((time_explore, "to the explorer's picture") if args.explore
                   else (time_start, "to the end of the first step"))
    seconds = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as out_dir:
            seconds.append(timed(out_dir))
        if not args.json:
            print(f"start {run + 1}: {seconds[-1]:.2f} s {what}")
    if args.json:
        print(json.dumps({"seconds": seconds, "what": what}))


if __name__ == "__main__":
    main()
