"""The command-line front door: ``npvae train | evaluate | summary | <picture>``.

This file only reads options and reports results; the work is done by ``npvae.train``
(Trainer), ``npvae.evaluation`` (negative ELBO, IWAE) and ``npvae.report`` (pictures,
the summary table). Examples::

    npvae summary                                  the model's layers, no training needed
    npvae train --epochs 10 --out runs/vae         writes runs/vae/checkpoint.npz, pictures
    npvae train --epochs 20 --out runs/vae --resume          continue the same run
    npvae evaluate --checkpoint runs/vae/checkpoint.npz --iwae 1000 --json
    npvae manifold --checkpoint runs/vae/checkpoint.npz --out manifold.png

Exit codes: 0 success; 1 training diverged; 2 a usage error or a file that cannot be
read or written (one line on stderr, never a traceback); 130 interrupted (Ctrl-C).
"""
import argparse
import json
import math
import os
import sys
from pathlib import Path

import matplotlib
import numpy as np

from npvae import __version__, report
from npvae.atomic import remove_stale_temporaries
from npvae.datasets import as_float_images, load_data, reload_data, summary_line
from npvae.evaluation import iwae_nll, negative_elbo
from npvae.models import VAE
from npvae.models.vae import LOSSES
from npvae.optim import OPTIMIZERS
from npvae.train import TrainingDiverged
from npvae.trainer import CHECKPOINT_NAME, TrainConfig, Trainer, data_description, load_model

PROG = "npvae"
DEFAULTS = TrainConfig()        # the book's training settings
DEFAULT_LATENT_DIM = 2
DEFAULT_LOSS = "elbo"
# Options that describe a run; with --resume they come from the checkpoint instead.
RUN_OPTIONS = ("batch_size", "lr", "optimizer", "seed", "limit", "test_limit", "latent_dim",
               "loss", "book_sampling", "data", "image_size", "channels")


EXAMPLES = """examples:
  npvae summary
  npvae train --epochs 10 --out runs/vae
  npvae train --epochs 20 --out runs/vae --resume
  npvae evaluate --checkpoint runs/vae/checkpoint.npz --iwae 1000
  npvae sample --checkpoint runs/vae/checkpoint.npz --out samples.png
'npvae COMMAND --help' describes each command's options."""


class CommandError(Exception):
    """A problem the user can fix (a missing file, a bad path): one line, exit code 2."""


def main(argv=None):
    """Run the command line ``argv`` (default: sys.argv[1:]); return the exit code."""
    args = build_parser().parse_args(argv)   # usage errors: argparse exits with code 2
    if not getattr(args, "show", False):
        matplotlib.use("Agg")  # no window will open: never ask for a display
    try:
        return args.run(args)
    except TrainingDiverged as error:
        return _fail(error, code=1)
    except (CommandError, ValueError, OSError) as error:  # CheckpointError is a ValueError
        return _fail(error, code=2)
    except KeyboardInterrupt:
        return _fail("interrupted", code=130)


def _fail(error, code):
    message = " ".join(str(error).split())  # one line, whatever the message held
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        message = f"{error.filename}: {error.strerror}"
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


# --------------------------------------------------------------------------- the parser

def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG, description="A convolutional VAE on MNIST (or your own images, --data), written from scratch in NumPy.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser("train", help="train a VAE on MNIST",
                                description="Train a VAE on MNIST; each epoch ends with a "
                                            "test evaluation and a checkpoint.")
    train.add_argument("--epochs", type=positive_int, metavar="N",
                       help=f"total epochs (default {DEFAULTS.epochs}; with --resume, the "
                            f"checkpoint's)")
    train.add_argument("--batch-size", type=positive_int, metavar="N",
                       help=f"images per step (default {DEFAULTS.batch_size})")
    train.add_argument("--latent-dim", type=positive_int, metavar="D",
                       help=f"size of z (default {DEFAULT_LATENT_DIM})")
    train.add_argument("--lr", type=positive_float,
                       help=f"learning rate (default {DEFAULTS.lr:g})")
    train.add_argument("--optimizer", choices=sorted(OPTIMIZERS),
                       help=f"default {DEFAULTS.optimizer}")
    train.add_argument("--loss", choices=LOSSES,
                       help=f"'elbo' (the negative ELBO) or 'book' (the book's loss); "
                            f"default {DEFAULT_LOSS}")
    train.add_argument("--book-sampling", action="store_true", default=None,
                       help="scale the noise by exp(log_var), as the book does (a bug, kept "
                            "for comparison)")
    train.add_argument("--seed", type=int, metavar="S", help=f"random seed (default {DEFAULTS.seed})")
    train.add_argument("--data", type=Path, metavar="DIR",
                       help="train on the images in DIR: a folder of PNG/JPEG/BMP/GIF pictures "
                            "(subfolders' names are labels; a test/ subfolder is the test set, "
                            "else 10%% are held out, by --seed) or of IDX files named like "
                            "MNIST's (default: the MNIST shipped with npvae)")
    train.add_argument("--image-size", metavar="N|HxW",
                       help="crop each image about its centre to this aspect ratio, then "
                            "resize it (Pillow's LANCZOS); even sides from 8 up")
    train.add_argument("--channels", type=int, metavar="1|3",
                       help="1 (grayscale) or 3 (colour); default 1 if every image is gray")
    train.add_argument("--out", type=Path, default=Path("runs/vae"), metavar="DIR",
                       help="folder for the checkpoint, history and pictures "
                            "(default runs/vae)")
    train.add_argument("--limit", type=positive_int, metavar="N",
                       help="train on the first N training images only")
    train.add_argument("--test-limit", type=positive_int, metavar="N",
                       help="evaluate each epoch (and draw the scatter) on the first N test "
                            "images only (default: all 10,000)")
    train.add_argument("--checkpoint-every", type=positive_int, metavar="N",
                       help="also save a checkpoint every N steps")
    train.add_argument("--resume", action="store_true",
                       help="continue the run in --out from its checkpoint, keeping its "
                            "settings (only --epochs and --checkpoint-every may change)")
    train.add_argument("--no-pictures", action="store_true",
                       help="do not draw manifold.png, scatter.png, reconstructions.png")
    train.add_argument("--quiet", action="store_true",
                       help="no progress bar (the per-epoch lines are still printed)")
    train.set_defaults(run=run_train)

    evaluate = commands.add_parser("evaluate", help="test-set negative ELBO (and IWAE)",
                                   description="Score a checkpoint on the MNIST test images.")
    _add_checkpoint(evaluate)
    evaluate.add_argument("--json", action="store_true",
                          help="print one JSON object instead of text")
    evaluate.add_argument("--iwae", type=positive_int, metavar="K",
                          help="also estimate -log p(x) with K importance samples")
    evaluate.add_argument("--seed", type=int, default=0, help="seed of the noise (default 0)")
    evaluate.add_argument("--limit", type=positive_int, metavar="N",
                          help="use the first N test images only")
    evaluate.set_defaults(run=run_evaluate)

    manifold = _picture_parser(commands, "manifold", "decode a grid of latent codes")
    manifold.add_argument("--n", type=positive_int, default=15,
                          help="grid size: n x n images (default 15)")
    manifold.add_argument("--dims", type=non_negative_int, nargs=2, default=(0, 1),
                          metavar=("X", "Y"), help="latent dimensions to span (default 0 1)")
    manifold.set_defaults(run=run_manifold)

    scatter = _picture_parser(commands, "scatter", "the test images' codes, by digit")
    scatter.add_argument("--dims", type=non_negative_int, nargs=2, default=(0, 1),
                         metavar=("X", "Y"), help="latent dimensions to plot (default 0 1)")
    scatter.add_argument("--limit", type=positive_int, metavar="N",
                         help="use the first N test images only")
    scatter.set_defaults(run=run_scatter)

    reconstruct = _picture_parser(commands, "reconstruct",
                                  "test images above their reconstructions")
    _add_count_and_seed(reconstruct, 10, "images", "which images, at random")
    reconstruct.set_defaults(run=run_reconstruct)

    sample = _picture_parser(commands, "sample", "decode codes drawn from the prior")
    _add_count_and_seed(sample, 100, "samples", "seed of the draws")
    sample.set_defaults(run=run_sample)

    interpolate = _picture_parser(commands, "interpolate",
                                  "decode a line between two test images' codes")
    interpolate.add_argument("--from-index", type=non_negative_int, default=0,
                             help="first test image (default 0)")
    interpolate.add_argument("--to-index", type=non_negative_int, default=1,
                             help="last test image (default 1)")
    interpolate.add_argument("--steps", type=int_at_least(2), default=10,
                             help="images along the line (default 10)")
    interpolate.set_defaults(run=run_interpolate)

    summary = commands.add_parser("summary", help="the model's layers and parameter counts",
                                  description="Print the model's layers (no checkpoint needed).")
    summary.add_argument("--latent-dim", type=positive_int, default=DEFAULT_LATENT_DIM,
                         help=f"size of z (default {DEFAULT_LATENT_DIM})")
    summary.set_defaults(run=run_summary)
    return parser


def _add_checkpoint(parser):
    parser.add_argument("--checkpoint", type=Path, required=True, metavar="PATH",
                        help="a checkpoint.npz written by 'npvae train'")


def _add_count_and_seed(parser, default_n, things, seed_help):
    parser.add_argument("--n", type=positive_int, default=default_n,
                        help=f"how many {things} (default {default_n})")
    parser.add_argument("--seed", type=int, default=0, help=f"{seed_help} (default 0)")


def _picture_parser(commands, name, what):
    parser = commands.add_parser(name, help=what, description=f"Draw {what} into a PNG.")
    _add_checkpoint(parser)
    parser.add_argument("--out", type=png_path, required=True, metavar="FILE.png",
                        help="where to write the picture")
    parser.add_argument("--show", action="store_true", help="also open it in a window")
    return parser


# --------------------------------------------------------------------------- option types

def int_at_least(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value
    parse.__name__ = f"integer >= {minimum}"   # argparse names the type in some messages
    return parse


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)


def positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def png_path(text):
    if Path(text).suffix.lower() != ".png":
        raise argparse.ArgumentTypeError(f"must end in .png, got {text!r}")
    return Path(text)


# --------------------------------------------------------------------------- train

def run_train(args):
    checkpoint = args.out / CHECKPOINT_NAME
    _check_writable_folder(args.out, args.out)
    if args.resume:
        trainer = _resumed_trainer(args, checkpoint)
        data = _reloaded(trainer.data, progress=not args.quiet)
    else:
        if checkpoint.exists():
            raise CommandError(f"{checkpoint} already exists; pass --resume to continue that "
                               f"run, or choose another --out")
        data = load_data(args.data, args.image_size, args.channels,
                         seed=_given(args.seed, DEFAULTS.seed), progress=not args.quiet)
        trainer = _new_trainer(args, data)
    x_test, y_test = data.x_test[:trainer.config.test_limit], _first(data.y_test,
                                                                     trainer.config.test_limit)
    _print_header(trainer, len(data.x_train), len(x_test), data.description)
    if trainer.epoch >= trainer.config.epochs:
        print(f"{checkpoint} is already at epoch {trainer.epoch} of {trainer.config.epochs}; "
              f"nothing to do (pass a larger --epochs to train further)")
        return 0
    try:
        trainer.fit(data.x_train, x_test, progress=not args.quiet,
                    on_epoch_end=lambda record: print(_epoch_line(record, trainer.config.epochs),
                                                      flush=True))
    except KeyboardInterrupt:
        where = (f"the last checkpoint is at {checkpoint}; continue with: "
                 f"{PROG} train --out {args.out} --resume" if checkpoint.exists() else
                 "no checkpoint was saved yet (one is written at each epoch's end, or every "
                 "N steps with --checkpoint-every N)")
        print(f"\ninterrupted at epoch {trainer.epoch + 1}, step {trainer.step_in_epoch}; "
              f"{where}", file=sys.stderr)
        return 130
    print(f"checkpoint: {checkpoint}")
    if not args.no_pictures:
        _draw_run_pictures(trainer, as_float_images(x_test), y_test, args.out,
                           data.description["label_names"])
    return 0


def _reloaded(description, progress):
    """The data a run was trained on: the checkpoint's record of it (None: shipped MNIST)."""
    return load_data(progress=progress) if description is None else reload_data(
        description, progress=progress)


def _first(labels, limit):
    return None if labels is None else labels[:limit]


def _draw_run_pictures(trainer, x_test, y_test, folder, label_names=None):
    model, rng = trainer.model, np.random.default_rng(trainer.config.seed)
    if model.config["latent_dim"] >= 2:  # the manifold and scatter span two latent dims
        _print_paths(report.save_manifold(model, folder / "manifold.png"),
                     report.save_scatter(model, x_test, y_test, folder / "scatter.png",
                                         label_names=label_names))
    else:
        print("latent_dim 1: no manifold.png or scatter.png (they need two latent dimensions)")
    _print_paths(report.save_reconstructions(model, x_test, folder / "reconstructions.png",
                                             rng=rng))


def _new_trainer(args, data):
    model = VAE(input_shape=data.x_train.shape[1:], latent_dim=_given(args.latent_dim, DEFAULT_LATENT_DIM),
                seed=_given(args.seed, DEFAULTS.seed), loss=_given(args.loss, DEFAULT_LOSS),
                book_sampling=bool(args.book_sampling))
    config = TrainConfig(epochs=_given(args.epochs, DEFAULTS.epochs),
                         batch_size=_given(args.batch_size, DEFAULTS.batch_size),
                         lr=_given(args.lr, DEFAULTS.lr),
                         optimizer=_given(args.optimizer, DEFAULTS.optimizer),
                         seed=_given(args.seed, DEFAULTS.seed), limit=args.limit,
                         test_limit=args.test_limit, checkpoint_every=args.checkpoint_every)
    return Trainer(model, config, args.out, data=data.description)


def _resumed_trainer(args, checkpoint):
    if not checkpoint.is_file():
        raise CommandError(f"--resume: no checkpoint at {checkpoint}; leave out --resume to "
                           f"start a new run there")
    ignored = [f"--{name.replace('_', '-')}" for name in RUN_OPTIONS
               if getattr(args, name) is not None]
    if ignored:
        print(f"{PROG}: warning: {', '.join(ignored)} ignored with --resume: the run keeps "
              f"the settings stored in its checkpoint", file=sys.stderr)
    for stale in remove_stale_temporaries(args.out):
        print(f"removed {stale}, left behind by a killed save", file=sys.stderr)
    overrides = {name: getattr(args, name) for name in ("epochs", "checkpoint_every")
                 if getattr(args, name) is not None}
    return Trainer.resume(checkpoint, **overrides)


def _given(value, default):
    return default if value is None else value


def _print_header(trainer, n_train, n_test, description):
    model, config = trainer.model, trainer.config
    used = min(n_train, config.limit) if config.limit else n_train
    print(f"model: VAE, latent_dim {model.config['latent_dim']}, loss {model.loss}"
          f"{', book sampling' if model.config['book_sampling'] else ''}, "
          f"{model.count_params():,} parameters")
    print(f"data: {summary_line(description)}")
    print(f"using: {used:,} training images, {n_test:,} test images")
    epochs = f"{config.epochs} epoch" + ("s" if config.epochs != 1 else "")
    print(f"training: {epochs}, batch size {config.batch_size}, "
          f"{config.optimizer} lr {config.lr:g}, seed {config.seed}"
          + (f", checkpoint every {config.checkpoint_every} steps"
             if config.checkpoint_every else ""))
    if trainer.epoch or trainer.step_in_epoch:
        within = f", step {trainer.step_in_epoch}" if trainer.step_in_epoch else ""
        print(f"resuming after epoch {trainer.epoch}{within}")
    print(f"output: {trainer.out_dir}")


def _epoch_line(record, epochs):
    width = len(str(epochs))
    return (f"epoch {record['epoch']:>{width}}/{epochs}  "
            f"train loss {record['train_loss']:8.3f} (rec {record['train_reconstruction']:.3f}, "
            f"KL {record['train_kl']:.3f})  "
            f"test loss {record['test_loss']:8.3f} (rec {record['test_reconstruction']:.3f}, "
            f"KL {record['test_kl']:.3f})  {record['seconds']:.1f} s")


# --------------------------------------------------------------------------- evaluate

def run_evaluate(args):
    model = _load(args.checkpoint)
    x_test = _test_data(args.checkpoint)[0][:args.limit]
    elbo_rng, iwae_rng = np.random.default_rng(args.seed).spawn(2)
    result = {"images": len(x_test), **negative_elbo(model, x_test, elbo_rng)}
    if args.iwae:
        result.update(iwae_nll=iwae_nll(model, x_test, args.iwae, iwae_rng), iwae_k=args.iwae)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{args.checkpoint} on {len(x_test):,} test images (nats per image):")
    print(f"  negative ELBO    {result['neg_elbo']:10.3f}   (an upper bound on -log p(x))")
    print(f"    reconstruction {result['reconstruction']:10.3f}")
    print(f"    KL             {result['kl']:10.3f}")
    if model.loss != "elbo":
        print(f"  training loss    {result['loss']:10.3f}   ({model.loss!r} loss)")
    if args.iwae:
        print(f"  IWAE, K={args.iwae:<8} {result['iwae_nll']:10.3f}   (a tighter bound)")
    return 0


# --------------------------------------------------------------------------- pictures

def run_manifold(args):
    model = _load_for_picture(args)
    _print_paths(report.save_manifold(model, args.out, n=args.n, dims=args.dims,
                                      show=args.show))
    return 0


def run_scatter(args):
    model = _load_for_picture(args)
    x_test, y_test, names = _test_data(args.checkpoint)
    _print_paths(report.save_scatter(model, x_test[:args.limit], _first(y_test, args.limit),
                                     args.out, dims=args.dims, show=args.show,
                                     label_names=names))
    return 0


def run_reconstruct(args):
    model = _load_for_picture(args)
    x_test = _test_data(args.checkpoint)[0]
    _print_paths(report.save_reconstructions(model, x_test, args.out, n=args.n,
                                             rng=np.random.default_rng(args.seed),
                                             show=args.show))
    return 0


def run_sample(args):
    model = _load_for_picture(args)
    _print_paths(report.save_samples(model, args.out, n=args.n,
                                     rng=np.random.default_rng(args.seed), show=args.show))
    return 0


def run_interpolate(args):
    model = _load_for_picture(args)
    x_test = _test_data(args.checkpoint)[0]
    for option, index in (("--from-index", args.from_index), ("--to-index", args.to_index)):
        if index >= len(x_test):
            raise CommandError(f"{option} must be a test image index, 0..{len(x_test) - 1}; "
                               f"got {index}")
    _print_paths(report.save_interpolation(model, x_test[args.from_index],
                                           x_test[args.to_index], args.out, steps=args.steps,
                                           show=args.show))
    return 0


def _test_data(checkpoint):
    """The test images (float, [0, 1]), labels and label names of a checkpoint's run."""
    data = _reloaded(data_description(checkpoint), progress=False)
    return as_float_images(data.x_test), data.y_test, data.description["label_names"]


def _load_for_picture(args):
    _check_writable_folder(args.out.parent, args.out)  # fail before the slow part
    return _load(args.checkpoint)


def _print_paths(*paths):
    for path in paths:
        print(f"wrote {path}")


# --------------------------------------------------------------------------- summary

def run_summary(args):
    VAE(latent_dim=args.latent_dim).summary()
    return 0


# --------------------------------------------------------------------------- files

def _load(checkpoint):
    if not checkpoint.is_file():
        raise CommandError(f"no checkpoint file at {checkpoint}"
                           + (" (that is a folder: give the checkpoint.npz inside it)"
                              if checkpoint.is_dir() else ""))
    return load_model(checkpoint)


def _check_writable_folder(folder, target):
    """Raise CommandError unless ``folder`` (to hold ``target``) is writable or creatable."""
    existing = Path(os.path.abspath(folder))
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise CommandError(f"cannot write {target}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CommandError(f"cannot write {target}: no permission to write in {existing}")


if __name__ == "__main__":
    raise SystemExit(main())
