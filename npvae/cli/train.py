"""``npvae train``: train a VAE on MNIST, then draw the run's pictures beside its checkpoint."""
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

from npvae import report
from npvae.cli.options import (MODEL_DEFAULTS, PROG, TRAIN_DEFAULTS, CommandError,
                               check_writable_folder, mnist_test_set, number, print_paths,
                               whole_number)
from npvae.atomic import remove_stale_temporaries
from npvae.datasets import load_mnist
from npvae.models import VAE
from npvae.models.vae import LOSSES
from npvae.optim import OPTIMIZERS
from npvae.trainer import CHECKPOINT_NAME, RESUMABLE_OVERRIDES, TrainConfig, Trainer

# Options that go to VAE(...) and to TrainConfig(...) when given; left out, the owner's
# default applies. With --resume all of them come from the checkpoint instead.
MODEL_OPTIONS = ("latent_dim", "loss", "book_sampling", "beta", "seed")
CONFIG_OPTIONS = ("epochs", "batch_size", "lr", "lr_warmup", "optimizer", "seed", "limit",
                  "test_limit", "checkpoint_every")
UNITS = "nats per image"


def add_parser(commands):
    train = commands.add_parser("train", help="train a VAE on MNIST",
                                description="Train a VAE on MNIST; each epoch ends with a "
                                            "test evaluation and a checkpoint.")
    train.add_argument("--epochs", type=whole_number, metavar="N",
                       help=f"total epochs (default {TRAIN_DEFAULTS.epochs}; with --resume, "
                            f"the checkpoint's)")
    train.add_argument("--batch-size", type=whole_number, metavar="N",
                       help=f"images per step (default {TRAIN_DEFAULTS.batch_size})")
    train.add_argument("--latent-dim", type=whole_number, metavar="D",
                       help=f"size of z (default {MODEL_DEFAULTS['latent_dim']})")
    train.add_argument("--lr", type=number,
                       help=f"learning rate (default {TRAIN_DEFAULTS.lr:g})")
    train.add_argument("--lr-warmup", type=whole_number, metavar="STEPS",
                       help="raise the learning rate linearly over the first STEPS steps "
                            "(default 0, as the book; 50 avoids the first steps' spike)")
    train.add_argument("--optimizer", choices=sorted(OPTIMIZERS),
                       help=f"default {TRAIN_DEFAULTS.optimizer}")
    train.add_argument("--loss", choices=LOSSES,
                       help=f"'elbo' (the negative ELBO) or 'book' (the book's loss); "
                            f"default {MODEL_DEFAULTS['loss']}")
    train.add_argument("--beta", type=number, metavar="B",
                       help="weight of the KL term in the 'elbo' loss: a beta-VAE (default "
                            f"{MODEL_DEFAULTS['beta']:g}, the ELBO; the book's loss is about "
                            "beta 0.39, divided by the pixel count)")
    train.add_argument("--book-sampling", action="store_true", default=None,
                       help="scale the noise by exp(log_var), as the book does (a bug, kept "
                            "for comparison)")
    train.add_argument("--seed", type=whole_number, metavar="S",
                       help=f"random seed (default {TRAIN_DEFAULTS.seed})")
    train.add_argument("--out", type=Path, default=Path("runs/vae"), metavar="DIR",
                       help="folder for the checkpoint, history and pictures "
                            "(default runs/vae)")
    train.add_argument("--limit", type=whole_number, metavar="N",
                       help="train on the first N training images only")
    train.add_argument("--test-limit", type=whole_number, metavar="N",
                       help="evaluate each epoch (and draw the scatter) on the first N test "
                            "images only (default: all 10,000)")
    train.add_argument("--checkpoint-every", type=whole_number, metavar="N",
                       help="also save a checkpoint every N steps, counted over the whole "
                            "run, not per epoch (a resumed run goes on counting)")
    train.add_argument("--resume", action="store_true",
                       help="continue the run in --out from its checkpoint, keeping its "
                            "settings (only --epochs and --checkpoint-every may change)")
    train.add_argument("--no-pictures", action="store_true",
                       help="do not draw manifold.png, scatter.png, reconstructions.png")
    train.add_argument("--quiet", action="store_true",
                       help="no progress bar (the per-epoch lines are still printed)")
    train.set_defaults(run=run, memory_hint="lower --batch-size (the book's is "
                                            f"{TRAIN_DEFAULTS.batch_size})")


def run(args):
    checkpoint = args.out / CHECKPOINT_NAME
    check_writable_folder(args.out, args.out)
    trainer = _resumed_trainer(args, checkpoint) if args.resume else _new_trainer(args)
    (x_train, _), _ = load_mnist()
    x_test, y_test = mnist_test_set(trainer.config.test_limit)
    _print_header(trainer, len(x_train), len(x_test))
    if trainer.epoch >= trainer.config.epochs:
        print(f"{checkpoint} is already at epoch {trainer.epoch} of {trainer.config.epochs}; "
              f"nothing to do (pass a larger --epochs to train further)")
        return 0
    try:
        # tqdm.write: a line printed above the progress bar, not through it.
        trainer.fit(x_train, x_test, progress=not args.quiet,
                    on_epoch_end=lambda record: tqdm.write(
                        epoch_line(record, trainer.config.epochs)))
    except KeyboardInterrupt:
        print(f"\ninterrupted at epoch {trainer.epoch + 1}, step {trainer.step_in_epoch}; "
              f"{_where_to_go_on(args, checkpoint)}", file=sys.stderr)
        return 130
    print(f"checkpoint: {checkpoint}")
    if not args.no_pictures:
        try:
            draw_run_pictures(trainer.model, x_test, y_test, args.out, trainer.config.seed)
        except KeyboardInterrupt:
            print(f"\ninterrupted while drawing the pictures; training had finished and the "
                  f"checkpoint {checkpoint} is whole. Draw them again with: "
                  f"{PROG} manifold --checkpoint {checkpoint} (and scatter, reconstruct)",
                  file=sys.stderr)
            return 130
    return 0


def _where_to_go_on(args, checkpoint):
    if checkpoint.exists():
        return (f"the last checkpoint is at {checkpoint}; continue with: "
                f"{PROG} train --out {args.out} --resume")
    return ("no checkpoint was saved yet (one is written at each epoch's end, or every "
            "N steps with --checkpoint-every N)")


def draw_run_pictures(model, x_test, y_test, folder, seed):
    """The pictures of a finished run, beside its checkpoint."""
    two_dims = model.config["latent_dim"] >= 2  # the manifold and scatter span two dims
    names = ("manifold, scatter and " if two_dims else "") + "reconstructions"
    print(f"drawing pictures ({names}) ...", flush=True)
    if two_dims:
        print_paths(report.save_manifold(model, folder / "manifold.png"),
                    report.save_scatter(model, x_test, y_test, folder / "scatter.png"))
    else:
        print("latent_dim 1: no manifold.png or scatter.png (they need two latent dimensions)")
    print_paths(report.save_reconstructions(model, x_test, folder / "reconstructions.png",
                                            rng=np.random.default_rng(seed)))


def _new_trainer(args):
    """A Trainer for a new run; VAE and TrainConfig check the values and fill in defaults.
    The Trainer refuses to overwrite a checkpoint already in ``args.out``."""
    model = VAE(**_given(args, MODEL_OPTIONS))
    return Trainer(model, TrainConfig(**_given(args, CONFIG_OPTIONS)), args.out)


def _resumed_trainer(args, checkpoint):
    if not checkpoint.is_file():
        raise CommandError(f"--resume: no checkpoint at {checkpoint}; leave out --resume to "
                           f"start a new run there")
    ignored = [f"--{name.replace('_', '-')}" for name in _given(args, MODEL_OPTIONS + CONFIG_OPTIONS)
               if name not in RESUMABLE_OVERRIDES]
    if ignored:
        print(f"{PROG}: warning: {', '.join(dict.fromkeys(ignored))} ignored with --resume: the "
              f"run keeps the settings stored in its checkpoint", file=sys.stderr)
    for stale in remove_stale_temporaries(args.out):
        print(f"removed {stale}, left behind by a killed save", file=sys.stderr)
    overrides = {name: value for name, value in _given(args, CONFIG_OPTIONS).items()
                 if name in RESUMABLE_OVERRIDES}
    return Trainer.resume(checkpoint, **overrides)


def _given(args, names):
    """The options among ``names`` given on the command line (argparse left the rest None)."""
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def _print_header(trainer, n_train, n_test):
    model, config = trainer.model, trainer.config
    used = min(n_train, config.limit) if config.limit else n_train
    print(f"model: VAE, latent_dim {model.config['latent_dim']}, loss {model.loss}"
          f"{f', beta {model.beta:g}' if model.beta != 1 else ''}"
          f"{', book sampling' if model.config['book_sampling'] else ''}, "
          f"{model.count_params():,} parameters")
    print(f"data: {used:,} training images, {n_test:,} test images")
    epochs = f"{config.epochs} epoch" + ("s" if config.epochs != 1 else "")
    print(f"training: {epochs}, batch size {config.batch_size}, "
          f"{config.optimizer} lr {config.lr:g}, seed {config.seed}"
          + (f", lr warm-up over {config.lr_warmup} steps" if config.lr_warmup else "")
          + (f", checkpoint every {config.checkpoint_every} steps of the run"
             if config.checkpoint_every else ""))
    if config.batch_size > used:
        print(f"{PROG}: warning: the batch size {config.batch_size:,} is larger than the "
              f"{used:,} training images: each step takes all of them, one step per epoch",
              file=sys.stderr)
    if trainer.epoch or trainer.step_in_epoch:
        within = f", step {trainer.step_in_epoch}" if trainer.step_in_epoch else ""
        print(f"resuming after epoch {trainer.epoch}{within}")
    print(f"output: {trainer.out_dir}  (losses below are in {UNITS})", flush=True)


def epoch_line(record, epochs):
    width = len(str(epochs))
    return (f"epoch {record['epoch']:>{width}}/{epochs}  "
            f"train loss {record['train_loss']:8.3f} (rec {record['train_reconstruction']:.3f}, "
            f"KL {record['train_kl']:.3f})  "
            f"test loss {record['test_loss']:8.3f} (rec {record['test_reconstruction']:.3f}, "
            f"KL {record['test_kl']:.3f}) {UNITS}  {record['seconds']:.1f} s")
