"""``npvae train``: train a VAE on MNIST or a folder of images, filming its latent space
(``npvae.animation``), then draw the run's pictures beside its checkpoint."""
import math
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

from npvae import memory, report
from npvae.animation import FRAMES_NAME, GIF_NAME, SNAPSHOTS, ManifoldFilm
from npvae.cli.options import (MODEL_DEFAULTS, PROG, TRAIN_DEFAULTS, CommandError,
                               check_writable_folder, number, print_paths, reloaded_data,
                               whole_number)
from npvae.cli.train_report import epoch_line, print_header
from npvae.atomic import remove_stale_temporaries
from npvae.datasets import as_float_images, load_data
from npvae.models import VAE
from npvae.models.conditional import ConditionalVAE
from npvae.models.vae import LOSSES
from npvae.optim import OPTIMIZERS
from npvae.run_lock import RunLock
from npvae.train import TrainingDiverged
from npvae.trainer import CHECKPOINT_NAME, RESUMABLE_OVERRIDES, TrainConfig, Trainer

# Options that go to VAE(...) and to TrainConfig(...) when given; left out, the owner's
# default applies. With --resume all of them come from the checkpoint instead.
MODEL_OPTIONS = ("latent_dim", "loss", "book_sampling", "beta", "seed")
CONFIG_OPTIONS = ("epochs", "batch_size", "lr", "lr_warmup", "optimizer", "seed", "limit",
                  "test_limit", "checkpoint_every")
DATA_OPTIONS = ("data", "image_size", "channels")  # with --resume, the checkpoint's record
WARM_UP_FLAG = "--lr-warmup 50"  # what the spike's note says avoids it
# Own pictures (--data) warm the learning rate up unless --lr-warmup says otherwise: on
# 300 colour shapes RMSprop's first full-size steps sent the KL term to 1e5..1e9 nats and
# the reconstructions stayed grey (docs/08-your-own-images-and-the-explorer.md).
OWN_PICTURES_WARMUP = 50


def add_parser(commands):
    train = commands.add_parser("train", help="train a VAE on MNIST or your images",
                                description="Train a VAE on MNIST or on a folder of images "
                                            "(--data); each epoch ends with a "
                                            "test evaluation and a checkpoint.")
    _add_learning_options(train)
    _add_data_and_output_options(train)
    train.set_defaults(run=run, memory_hint="lower --batch-size (the book's is "
                                            f"{TRAIN_DEFAULTS.batch_size})")


def _add_learning_options(train):
    """The model's and the optimizer's settings: --epochs ... --seed."""
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
                            f"(default 0 on MNIST, as the book; {OWN_PICTURES_WARMUP} with "
                            "--data: it avoids the first steps' spike)")
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


def _add_data_and_output_options(train):
    """What to train on and what to write: --data ... --quiet."""
    train.add_argument("--data", type=Path, metavar="DIR",
                       help="train on the images in DIR: a folder of PNG/JPEG/BMP/GIF pictures "
                            "(subfolders' names are labels; a test/ subfolder is the test set, "
                            "else 10%% are held out, by --seed) or of IDX files named like "
                            "MNIST's (default: the MNIST shipped with npvae)")
    train.add_argument("--image-size", metavar="N|HxW",
                       help="crop each image about its centre to this aspect ratio, then "
                            "resize it (Pillow's LANCZOS); even sides from 8 up")
    train.add_argument("--channels", type=whole_number, metavar="1|3",
                       help="1 (grayscale) or 3 (colour); default 1 if every image is gray")
    train.add_argument("--out", type=Path, default=Path("runs/vae"), metavar="DIR",
                       help="folder for the checkpoint, history and pictures "
                            "(default runs/vae)")
    train.add_argument("--limit", type=whole_number, metavar="N",
                       help="train on the first N training images only")
    train.add_argument("--test-limit", type=whole_number, metavar="N",
                       help="evaluate each epoch (and draw the scatter) on the first N test "
                            "images only (default: all of them)")
    train.add_argument("--checkpoint-every", type=whole_number, metavar="N",
                       help="also save a checkpoint every N steps, counted over the whole "
                            "run, not per epoch (a resumed run goes on counting)")
    train.add_argument("--resume", action="store_true",
                       help="continue the run in --out from its checkpoint, keeping its "
                            "settings (only --epochs and --checkpoint-every may change)")
    train.add_argument("--dims", type=whole_number, nargs=2, metavar=("X", "Y"),
                       help="the two latent dimensions the manifold (and manifold.gif) walks, "
                            "the others at 0 (default 0 1); given, the scatter plots these "
                            "two as well, else a latent of more than 2 dimensions is "
                            "scattered along its first two principal components")
    train.add_argument("--no-pictures", action="store_true",
                       help="do not draw manifold.gif (the manifold after each epoch and at "
                            "1/8, 1/4, 1/2 of the first), manifold.png, scatter.png, "
                            "reconstructions.png")
    train.add_argument("--conditional", action="store_true",
                       help="train a conditional VAE, q(z|x, y) and p(x|z, y), on labelled "
                            "data: MNIST, IDX folders with label files, picture folders with "
                            "a subfolder per label")
    train.add_argument("--quiet", action="store_true",
                       help="no progress bar (the per-epoch lines are still printed)")


def run(args):
    """Train while holding the folder's lock: one run per --out (npvae.run_lock)."""
    check_writable_folder(args.out, args.out)
    with RunLock(args.out, say=lambda line: print(f"{PROG}: note: {line}", file=sys.stderr)):
        return _train(args)


def _train(args):
    checkpoint = args.out / CHECKPOINT_NAME
    _check_run_folder(args, checkpoint)
    trainer, data = _resumed_run(args, checkpoint) if args.resume else _new_run(args)
    x_train, limit = data.x_train, trainer.config.test_limit
    x_test, y_test = data.x_test[:limit], None if data.y_test is None else data.y_test[:limit]
    print_header(trainer, len(x_train), len(x_test), data.description)
    if trainer.state.epoch >= trainer.config.epochs:
        print(f"{checkpoint} is already at epoch {trainer.state.epoch} of "
              f"{trainer.config.epochs}; nothing to do (pass a larger --epochs to train further)")
        return 0
    # Before the first step: the kernel would kill a batch too big, not numpy raise.
    memory.refuse_training_batch(trainer.model, min(trainer.config.batch_size, len(x_train),
                                                    trainer.config.limit or len(x_train)))
    if args.resume and not args.no_pictures and _started_without_pictures(args, trainer,
                                                                          len(x_train)):
        print("pictures: none, as this run was started with --no-pictures")
        args.no_pictures = True
    film = None if args.no_pictures else _film(args, trainer, len(x_train))
    try:
        _fit(trainer, args, data, film)
    except KeyboardInterrupt:
        print(f"\ninterrupted at epoch {trainer.state.epoch + 1}, step "
              f"{trainer.state.step_in_epoch}; {_where_to_go_on(args, checkpoint)}",
              file=sys.stderr)
        return 130
    print(f"checkpoint: {checkpoint}")
    if args.no_pictures:
        return 0
    # --dims given (or kept by a resumed film): the scatter shows those dims too.
    dims = film.dims if film is not None else tuple(args.dims or (0, 1))
    try:
        draw_run_pictures(trainer.model, as_float_images(x_test), y_test, args.out,
                          trainer.config.seed, data.description, dims=dims,
                          scatter_dims=dims if args.dims is not None else None)
    except KeyboardInterrupt:
        print(f"\ninterrupted while drawing the pictures; training had finished and the "
              f"checkpoint {checkpoint} is whole. Draw them again with: "
              f"{PROG} manifold --checkpoint {checkpoint} (and scatter, reconstruct)",
              file=sys.stderr)
        return 130
    return 0


def _fit(trainer, args, data, film):
    """Train, printing a line per epoch and a spike's note above the bar; the library's
    advice on a diverged run gets the flag that follows it."""
    def on_epoch_end(record):
        tqdm.write(epoch_line(record, trainer.config.epochs))  # above the bar, not through it
        if film is not None:
            film.on_epoch_end(record)

    try:
        trainer.fit(data.x_train, data.x_test, progress=not args.quiet, on_epoch_end=on_epoch_end,
                    on_step=None if film is None else film.on_step, y_train=data.y_train,
                    y_test=data.y_test,
                    on_spike=lambda spike: tqdm.write(spike.note(warm_up=WARM_UP_FLAG)))
    except TrainingDiverged as error:
        raise TrainingDiverged(f"{error} (a lower rate: --lr {trainer.config.lr / 10:g})"
                               ) from None


def _where_to_go_on(args, checkpoint):
    if checkpoint.exists():
        return (f"the last checkpoint is at {checkpoint}; continue with: "
                f"{PROG} train --out {args.out} --resume")
    return ("no checkpoint was saved yet (one is written at each epoch's end, or every "
            "N steps with --checkpoint-every N)")


def draw_run_pictures(model, x_test, y_test, folder, seed, description, dims=(0, 1),
                      scatter_dims=None):
    """The pictures of a finished run on the data ``description`` tells, beside its
    checkpoint: the manifold over ``dims``, the scatter of ``scatter_dims`` (None:
    ``report.save_scatter``'s choice), the reconstructions; and the path of the run's
    manifold.gif, written while it trained."""
    two_dims = model.config["latent_dim"] >= 2  # the manifold and scatter span two dims
    names = ("manifold, scatter and " if two_dims else "") + "reconstructions"
    print(f"drawing pictures ({names}) ...", flush=True)
    if two_dims:
        print_paths(report.save_manifold(model, folder / "manifold.png", dims=dims),
                    report.save_scatter(model, x_test, y_test, folder / "scatter.png",
                                        dims=scatter_dims,
                                        label_names=description["label_names"]))
    print_paths(report.save_reconstructions(model, x_test, folder / "reconstructions.png",
                                            n=min(10, len(x_test)),  # a small test set too
                                            rng=np.random.default_rng(seed),
                                            mnist=description["kind"] == "mnist"))
    if (folder / GIF_NAME).is_file():
        print(f"and {folder / GIF_NAME}, written as it trained", flush=True)


def _film(args, trainer, n_train):
    """The ManifoldFilm of this run (a resumed run's keeps its earlier frames), or None
    for a latent of one dimension, which has no manifold (said once, here)."""
    model = trainer.model
    if model.config["latent_dim"] < 2:
        print(f"latent_dim 1: no {GIF_NAME}, manifold.png or scatter.png (they need two "
              f"latent dimensions)")
        return None
    if not args.resume:
        return ManifoldFilm(model, args.out, args.dims or (0, 1))
    return ManifoldFilm.resume(model, args.out, _position(trainer, n_train),
                               trainer.history, dims=args.dims,
                               say=lambda line: print(f"{PROG}: warning: {line}",
                                                      file=sys.stderr))


def _position(trainer, n_train):
    """Epochs done, a fraction mid-epoch, as Trainer counts them."""
    steps_per_epoch = math.ceil(min(n_train, trainer.config.limit or n_train)
                                / trainer.config.batch_size)
    return trainer.state.position(steps_per_epoch)


def _started_without_pictures(args, trainer, n_train):
    """Whether the run being resumed was started with --no-pictures: past its film's first
    snapshot, yet with no film in its folder (a 1-number code has none: it cannot tell)."""
    return (trainer.model.config["latent_dim"] >= 2 and not (args.out / FRAMES_NAME).exists()
            and _position(trainer, n_train) >= SNAPSHOTS[0])


def _new_run(args):
    """A Trainer for a new run and its data, the model built for the data's image shape;
    VAE and TrainConfig check the values and fill in defaults."""
    data = load_data(args.data, args.image_size, args.channels,
                     seed=_given(args, ("seed",)).get("seed", TRAIN_DEFAULTS.seed),
                     progress=not args.quiet)
    options = dict(input_shape=data.x_train.shape[1:], **_given(args, MODEL_OPTIONS))
    model = (ConditionalVAE(num_classes(data), **options) if args.conditional
             else VAE(**options))
    config = _given(args, CONFIG_OPTIONS)
    if args.data is not None:
        config.setdefault("lr_warmup", OWN_PICTURES_WARMUP)
    trainer = Trainer(model, TrainConfig(**config), args.out, data=data.description)
    return trainer, data


def num_classes(data):
    """How many labels the data has: its label names, or the largest label plus one;
    CommandError for data without labels."""
    if data.y_train is None or data.y_test is None:
        where = data.description["path"]
        raise CommandError(f"--conditional needs labelled images, and those in {where} have "
                           f"none: put each picture in a subfolder named after its label, "
                           f"or leave out --conditional")
    names = data.description["label_names"]
    return len(names) if names else int(max(data.y_train.max(), data.y_test.max())) + 1


def _resumed_run(args, checkpoint):
    """The Trainer of the run in ``checkpoint`` and the data it was trained on."""
    given = _given(args, MODEL_OPTIONS + CONFIG_OPTIONS + DATA_OPTIONS)
    ignored = [f"--{name.replace('_', '-')}" for name in given if name not in RESUMABLE_OVERRIDES]
    if ignored:
        print(f"{PROG}: warning: {', '.join(dict.fromkeys(ignored))} ignored with --resume: the "
              f"run keeps the settings stored in its checkpoint", file=sys.stderr)
    for stale in remove_stale_temporaries(args.out):
        print(f"removed {stale}, left behind by a killed save", file=sys.stderr)
    overrides = {name: value for name, value in _given(args, CONFIG_OPTIONS).items()
                 if name in RESUMABLE_OVERRIDES}
    trainer = Trainer.resume(checkpoint, **overrides)
    return trainer, reloaded_data(trainer.data, progress=not args.quiet)


def _given(args, names):
    """The options among ``names`` given on the command line (argparse left the rest None)."""
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def _check_run_folder(args, checkpoint):
    """Raise CommandError unless ``args.out`` can be written and holds a checkpoint if and
    only if the run resumes (a new run never overwrites one)."""
    if args.epochs == 0 and not args.resume:
        raise CommandError("--epochs 0 trains nothing: give 1 or more (a new run writes its "
                           "first checkpoint at the end of its first epoch)")
    if args.resume and not checkpoint.is_file():
        raise CommandError(f"--resume: no checkpoint at {checkpoint}; leave out --resume to "
                           f"start a new run there")
    if not args.resume and checkpoint.exists():
        raise CommandError(f"{checkpoint} already exists: continue that run with --resume, "
                           f"or choose another --out")
