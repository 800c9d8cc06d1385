"""``npvae summary``: the model's layers and parameter counts (no checkpoint needed)."""
from npvae.cli.options import MODEL_DEFAULTS, whole_number
from npvae.models import VAE


def add_parser(commands):
    summary = commands.add_parser("summary", help="the model's layers and parameter counts",
                                  description="Print the model's layers (no checkpoint needed).")
    summary.add_argument("--latent-dim", type=whole_number, default=MODEL_DEFAULTS["latent_dim"],
                         help=f"size of z (default {MODEL_DEFAULTS['latent_dim']})")
    summary.set_defaults(run=run)


def run(args):
    VAE(latent_dim=args.latent_dim).summary()
    return 0
