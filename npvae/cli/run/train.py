"""``npvae train``: train while holding the run folder's lock, a line per epoch, then draw
the run's pictures beside its checkpoint."""
import math
import sys

import numpy as np
from tqdm import tqdm

from npvae.cli.errors import UsageError, users_values
from npvae.cli.options import BOOK_TRAINING, PROG
from npvae.cli.run.files import check_writable_folder, print_paths, reloaded_data
from npvae.cli.run.train_report import epoch_line, print_header
from npvae.cli.train import OWN_PICTURES_WARMUP
from npvae.datasets import as_float_images, load_data
from npvae.models import VAE
from npvae.models.conditional import ConditionalVAE
from npvae.pictures import report
from npvae.pictures.animation import FRAMES_NAME, GIF_NAME, SNAPSHOTS, ManifoldFilm
from npvae.storage.atomic import remove_stale_temporaries
from npvae.storage.checkpoint import load_checkpoint
from npvae.train import TrainingDiverged
from npvae.training import memory
from npvae.training.run_lock import RunLock
from npvae.training.trainer import (
    CHECKPOINT_NAME,
    RESUMABLE_OVERRIDES,
    TrainConfig,
    Trainer,
    check_data,
)

# Options that go to VAE(...) and to TrainConfig(...) when given; left out, the owner's
# default applies. With --resume all of them come from the checkpoint instead.
MODEL_OPTIONS = ("latent_dim", "loss", "book_sampling", "beta", "seed")
CONFIG_OPTIONS = ("epochs", "batch_size", "lr", "lr_warmup", "optimizer", "seed", "limit",
                  "test_limit", "checkpoint_every")
DATA_OPTIONS = ("data", "image_size", "channels")  # with --resume, the checkpoint's record
WARM_UP_FLAG = "--lr-warmup 50"  # what the spike's note says avoids it

def run(args):
    """Train while holding the folder's lock: one run per --out (npvae.training.run_lock)."""
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
    with users_values():  # the checks fit would make first, on data the user gave
        check_data(trainer, x_train[:trainer.config.limit], x_test)
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
        _, meta = load_checkpoint(checkpoint)
        held = (f"the end of epoch {meta['epoch']}" if not meta["step_in_epoch"] else
                f"epoch {meta['epoch'] + 1}, step {meta['step_in_epoch']}")
        return (f"the last checkpoint, {checkpoint}, holds the run at {held}; continue from "
                f"there with: {PROG} train --out {args.out} --resume")
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
    with users_values():  # the folder, the sizes: what is wrong with them is the user's
        data = load_data(args.data, args.image_size, args.channels,
                         seed=_given(args, ("seed",)).get("seed", BOOK_TRAINING["seed"]),
                         progress=not args.quiet)
    options = dict(input_shape=data.x_train.shape[1:], **_given(args, MODEL_OPTIONS))
    config = _given(args, CONFIG_OPTIONS)
    if args.data is not None:
        config.setdefault("lr_warmup", OWN_PICTURES_WARMUP)
    with users_values():  # each owner checks its settings as it is built
        model = (ConditionalVAE(num_classes(data), **options) if args.conditional
                 else VAE(**options))
        trainer = Trainer(model, TrainConfig(**config), args.out, data=data.description)
    return trainer, data


def num_classes(data):
    """How many labels the data has: its label names, or the largest label plus one;
    UsageError for data without labels."""
    if data.y_train is None or data.y_test is None:
        where = data.description["path"]
        raise UsageError(f"--conditional needs labelled images, and those in {where} have "
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
    with users_values():  # the checkpoint, and what may change of it
        trainer = Trainer.resume(checkpoint, **overrides)
    return trainer, reloaded_data(trainer.data, progress=not args.quiet)


def _given(args, names):
    """The options among ``names`` given on the command line (argparse left the rest None)."""
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def _check_run_folder(args, checkpoint):
    """Raise UsageError unless ``args.out`` can be written and holds a checkpoint if and
    only if the run resumes (a new run never overwrites one)."""
    if args.resume and not checkpoint.is_file():
        raise UsageError(f"--resume: no checkpoint at {checkpoint}; leave out --resume to "
                         f"start a new run there")
    if not args.resume and checkpoint.exists():
        raise UsageError(f"{checkpoint} already exists: continue that run with --resume, "
                         f"or choose another --out")
