"""What the commands' parsers share: the argparse types, the shared options and what they
mean, and the values the help texts quote.

Reading a command line loads nothing but the standard library, so that a mistyped option
is refused at once (numpy, numba and matplotlib take a second or more to load) and the
command runs ``npvae.process.tune`` before numpy loads. That is why the help texts' values
are written here, not imported from their owners: ``tests/test_cli_usage.py`` holds each
equal to its owner's (``VAE``'s and ``TrainConfig``'s defaults, ``npvae.optim.OPTIMIZERS``,
``npvae.models.vae.LOSSES``, ``npvae.pictures.concepts.ATTRIBUTES``).

The types only *parse* (text to a number); whether a number is allowed is checked by the
code that owns the value (``TrainConfig``, ``VAE``, ``npvae.pictures.report``, ...), whose
ValueError the command reports as the user's (``npvae.cli.errors``).
"""
import argparse

from npvae.models.trained import checkpoint_path, shipped_name

PROG = "npvae"
BOOK_MODEL = {"latent_dim": 2, "loss": "elbo", "beta": 1.0}        # VAE(...)'s defaults
BOOK_TRAINING = {"epochs": 10, "batch_size": 16, "lr": 1e-3,     # TrainConfig()'s
                 "optimizer": "rmsprop", "seed": 0}
OPTIMIZER_NAMES = ("adam", "rmsprop", "sgd")                     # npvae.optim.OPTIMIZERS
LOSS_NAMES = ("elbo", "book")                                    # npvae.models.vae.LOSSES
ATTRIBUTES = ("thickness", "slant", "width")                     # npvae.pictures.concepts
                                                                 # .ATTRIBUTES


# --------------------------------------------------------------------------- types

def whole_number(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def number(text):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


# --------------------------------------------------------------------------- shared options

def add_checkpoint(parser):
    parser.add_argument("--checkpoint", type=checkpoint_path, required=True, metavar="PATH",
                        help="a checkpoint.npz written by 'npvae train', or a model shipped "
                             "with npvae: 'book' or 'conditional'")


def add_test_limit(parser, what="use", default=None, old_spelling=True):
    """``--test-limit N``, the first N test images. ``--limit``, its old spelling, still
    works (unlisted), except in ``train``, where it meant training images."""
    shown = "all of them" if default is None else f"{default:,}"
    parser.add_argument("--test-limit", type=whole_number, default=default, metavar="N",
                        help=f"{what} the first N test images only (default: {shown})")
    if old_spelling:
        parser.add_argument("--limit", type=whole_number, dest="test_limit", default=default,
                            help=argparse.SUPPRESS)


def spelled(checkpoint):
    """How the commands npvae suggests write ``checkpoint``: a shipped model by its short
    name ('book'), any other by its path."""
    return shipped_name(checkpoint) or str(checkpoint)
