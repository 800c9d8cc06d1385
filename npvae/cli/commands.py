"""The parser of the ``npvae`` command, and what each way of failing returns.

Each command group is one module (``train``, ``evaluate``, ``pictures``, ``explore``,
``summary``, ``exercise``) exposing ``add_parser(commands)``, which adds its subcommand(s)
to the argparse subparsers ``commands`` and sets ``run``: the function of the parsed args
that returns the exit code, or its name, "module:function" in ``npvae.cli.run``, imported
only when the command runs (``npvae.cli.options`` says why). It may set ``memory_hint``
too: what to lower when memory runs out.

Exit codes: 0 success; 1 training diverged, or a bug in npvae (``npvae.cli.errors``);
2 a usage error; 130 interrupted (Ctrl-C).
"""
import argparse
import importlib
import sys

from npvae import __version__
from npvae.cli import errors, evaluate, explore, pictures, summary, train
from npvae.cli.options import PROG

# The groups whose options load nothing; the exercise group's load the exercises (and
# numpy), so it is added only when the command line may need it.
LIGHT_GROUPS = (train, evaluate, pictures, explore, summary)

EXAMPLES = """examples:
  npvae summary
  npvae train --epochs 10 --out runs/vae
  npvae train --epochs 20 --out runs/vae --resume
  npvae evaluate --checkpoint runs/vae/checkpoint.npz --iwae 100
  npvae sample --checkpoint runs/vae/checkpoint.npz
  npvae explore --checkpoint book
  npvae generate --checkpoint conditional --label 7
  npvae exercise list
'npvae COMMAND --help' describes each command's options; --debug shows the traceback of
a failure that is a bug."""


def parse(argv=None):
    """The parsed command line ``argv`` (default: sys.argv[1:]); a usage error exits with
    code 2 (argparse's way), having loaded nothing but the standard library."""
    argv = explore.attach_codes(sys.argv[1:] if argv is None else list(argv))
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    light = {name for group in LIGHT_GROUPS for name in group.COMMANDS}
    # Every group is needed to list every command: in the main help, or in the error for
    # a command that is none of the light groups' (which may be the exercise group's).
    listing = first not in light if first else ("-h" in argv or "--help" in argv)
    return build_parser(every_group=listing).parse_args(argv)


def run(args):
    """Run the parsed command ``args``; return the exit code (the module docstring's)."""
    if not getattr(args, "show", False):
        import matplotlib  # here: only a command that runs loads it
        matplotlib.use("Agg")  # no window will open: never ask for a display
    command = args.run if callable(args.run) else _imported(args.run)
    try:
        return command(args)
    except KeyboardInterrupt:
        return errors.fail("interrupted", code=130)
    except MemoryError as error:  # numpy's says what it could not allocate, in a line
        hint = getattr(args, "memory_hint", "use smaller sizes")
        return errors.fail(f"out of memory ({error or 'no detail'}); {hint}", code=2)
    except Exception as error:
        from npvae.train import TrainingDiverged
        if isinstance(error, TrainingDiverged):
            return errors.fail(error, code=1)
        if isinstance(error, errors.users_faults()):
            return errors.fail(error, code=2)
        if errors.debugging(args):
            raise
        return errors.report_bug(error)


def build_parser(every_group=True):
    """The parser of every command; with ``every_group`` False, of the light groups'."""
    parser = CommandParser(
        prog=PROG, description="A convolutional VAE on MNIST, written from scratch in NumPy.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=CommandParser)
    for group in LIGHT_GROUPS:
        group.add_parser(commands)
    if every_group:
        from npvae.cli import exercise
        exercise.add_parser(commands)
    return parser


class CommandParser(argparse.ArgumentParser):
    """An ArgumentParser with ``--debug``, so that it is taken before or after the command
    (SUPPRESS: a subcommand's parser does not reset what the main one read)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                          help="on a failure that is a bug in npvae, show its traceback")


def _imported(name):
    """The function "module:function" of ``npvae.cli.run``."""
    module, function = name.split(":")
    return getattr(importlib.import_module(f"npvae.cli.run.{module}"), function)
