"""The parser of the ``npvae`` command, and what each way of failing returns.

Each command group is one module (``train``, ``evaluate``, ``pictures``, ``explore``,
``summary``) exposing ``add_parser(commands)``, which adds its subcommand(s) to the
argparse subparsers ``commands`` and sets ``run`` (a function of the parsed args returning
the exit code) and, optionally, ``memory_hint`` (what to lower when memory runs out).
"""
import argparse
import sys

import matplotlib

from npvae import __version__
from npvae.cli import evaluate, exercise, explore, pictures, summary, train
from npvae.cli.options import PROG, CommandError
from npvae.train import TrainingDiverged

COMMAND_GROUPS = (train, evaluate, pictures, explore, summary, exercise)

EXAMPLES = """examples:
  npvae summary
  npvae train --epochs 10 --out runs/vae
  npvae train --epochs 20 --out runs/vae --resume
  npvae evaluate --checkpoint runs/vae/checkpoint.npz --iwae 100
  npvae sample --checkpoint runs/vae/checkpoint.npz
  npvae explore --checkpoint book
  npvae generate --checkpoint conditional --label 7
  npvae exercise list
'npvae COMMAND --help' describes each command's options."""


def run(argv=None):
    """Run the command line ``argv`` (default: sys.argv[1:]); return the exit code."""
    args = build_parser().parse_args(argv)   # usage errors: argparse exits with code 2
    if not getattr(args, "show", False):
        matplotlib.use("Agg")  # no window will open: never ask for a display
    try:
        return args.run(args)
    except TrainingDiverged as error:
        return fail(error, code=1)
    except MemoryError as error:  # numpy's says what it could not allocate, in a line
        hint = getattr(args, "memory_hint", "use smaller sizes")
        return fail(f"out of memory ({error or 'no detail'}); {hint}", code=2)
    except (CommandError, ValueError, OSError) as error:  # CheckpointError is a ValueError
        return fail(error, code=2)
    except KeyboardInterrupt:
        return fail("interrupted", code=130)


def fail(error, code):
    """Print ``error`` as one line on stderr; return ``code``."""
    message = " ".join(str(error).split())  # one line, whatever the message held
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        message = f"{error.filename}: {error.strerror}"
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG, description="A convolutional VAE on MNIST, written from scratch in NumPy.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.add_parser(commands)
    return parser
