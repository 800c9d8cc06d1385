"""Peak resident memory of ``npvae train``, read from the kernel after the run ends.

    python benchmarks/memory.py                              # batch 128, 1 epoch on 4096 images
    python benchmarks/memory.py --batch-size 16 --limit 60000

The run is ``npvae train`` itself, so it holds what a real run holds at its peak: all of
MNIST in float32, the model, the optimizer's slots, the layers' work arrays, the test
evaluation, and the pictures drawn at the end.
"""
import argparse
import json
import resource
import subprocess
import sys
import tempfile


def peak_rss_mib(batch_size, limit, epochs):
    """Peak RSS, in MiB, of one ``npvae train`` child process."""
    with tempfile.TemporaryDirectory() as out_dir:
        subprocess.run([sys.executable, "-m", "npvae.cli", "train", "--batch-size",
                        str(batch_size), "--limit", str(limit), "--epochs", str(epochs),
                        "--out", out_dir, "--quiet"], check=True,
                       stdout=subprocess.DEVNULL)
    # ru_maxrss of the children is in KiB on Linux: the largest of any waited-for child.
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--limit", type=int, default=4096, help="training images used")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    peak = peak_rss_mib(args.batch_size, args.limit, args.epochs)
    if args.json:
        print(json.dumps({"batch_size": args.batch_size, "peak_rss_mib": peak}))
    else:
        print(f"npvae train --batch-size {args.batch_size} --limit {args.limit} "
              f"--epochs {args.epochs}: peak resident memory {peak:.0f} MiB")


if __name__ == "__main__":
    main()
