"""``npvae summary``: a new model's layers, or a checkpoint's."""
from npvae.cli.errors import users_values
from npvae.cli.options import spelled
from npvae.cli.run.files import load_checkpoint_model
from npvae.datasets import summary_line
from npvae.models import VAE
from npvae.training.trainer import data_description


def run(args):
    if args.checkpoint is None:
        options = {} if args.latent_dim is None else {"latent_dim": args.latent_dim}
        with users_values():
            model = VAE(**options)
        model.summary()
        return 0
    model = load_checkpoint_model(args.checkpoint)
    description = data_description(args.checkpoint)
    print(f"checkpoint: {spelled(args.checkpoint)}")
    print(f"trained on: {'MNIST (shipped)' if description is None else summary_line(description)}")
    model.summary()
    return 0
