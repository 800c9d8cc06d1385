"""``npvae summary``'s options: the model's layers and parameter counts, of a new model (no
checkpoint needed) or of a trained one (``--checkpoint``: its own image shape and latent
size)."""
from npvae.cli.options import BOOK_MODEL, whole_number
from npvae.models.trained import checkpoint_path

COMMANDS = ("summary",)


def add_parser(commands):
    summary = commands.add_parser(
        "summary", help="the model's layers and parameter counts",
        description="Print the model's layers: a new model's for MNIST (no checkpoint "
                    "needed), or a trained model's with --checkpoint.")
    which = summary.add_mutually_exclusive_group()
    which.add_argument("--latent-dim", type=whole_number, metavar="D",
                       help=f"size of z of a new model for MNIST "
                            f"(default {BOOK_MODEL['latent_dim']})")
    which.add_argument("--checkpoint", type=checkpoint_path, metavar="PATH",
                       help="a checkpoint.npz written by 'npvae train' (or 'book', "
                            "'conditional': a shipped model): the model it holds, built for "
                            "the images it was trained on")
    summary.set_defaults(run="summary:run")
