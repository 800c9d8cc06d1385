"""``npvae summary``: the model's layers and parameter counts, of a new model (no checkpoint
needed) or of a trained one (``--checkpoint``: its own image shape and latent size)."""
from npvae.cli.options import MODEL_DEFAULTS, load_checkpoint_model, whole_number
from npvae.datasets import summary_line
from npvae.models import VAE
from npvae.models.trained import checkpoint_path
from npvae.trainer import data_description


def add_parser(commands):
    summary = commands.add_parser(
        "summary", help="the model's layers and parameter counts",
        description="Print the model's layers: a new model's for MNIST (no checkpoint "
                    "needed), or a trained model's with --checkpoint.")
    which = summary.add_mutually_exclusive_group()
    which.add_argument("--latent-dim", type=whole_number, metavar="D",
                       help=f"size of z of a new model for MNIST "
                            f"(default {MODEL_DEFAULTS['latent_dim']})")
    which.add_argument("--checkpoint", type=checkpoint_path, metavar="PATH",
                       help="a checkpoint.npz written by 'npvae train' (or 'book', "
                            "'conditional': a shipped model): the model it holds, built for "
                            "the images it was trained on")
    summary.set_defaults(run=run)


def run(args):
    if args.checkpoint is None:
        latent_dim = MODEL_DEFAULTS["latent_dim"] if args.latent_dim is None else args.latent_dim
        VAE(latent_dim=latent_dim).summary()
        return 0
    model = load_checkpoint_model(args.checkpoint)
    description = data_description(args.checkpoint)
    print(f"checkpoint: {args.checkpoint}")
    print(f"trained on: {'MNIST (shipped)' if description is None else summary_line(description)}")
    model.summary()
    return 0
