"""Trainer: the training loop of ``npvae.train`` made into a run that can stop and go on.

Per epoch::

    order = data_rng.permutation(N)          a new shuffle (npvae/training/loop_state.py)
    for step, stats in train_epoch(...):     the loop itself (npvae/train.py)
        add stats to the epoch's running sums; save a checkpoint if one is due
    evaluate the negative ELBO on the test images    (its own Generator: no side effects)
    save the checkpoint, the history (JSON, CSV) and the loss curve (PNG)

Resuming is *exact*: a checkpoint holds the weights, the optimizer's slots, both random
generators (data order and sampling noise) and the loop's state (``LoopState``: this
epoch's order, the position in it and the running sums of its losses). A run stopped at
any step and resumed ends with the same weights, bit for bit, as one that never stopped.

If the loss becomes NaN or infinite, training stops with ``TrainingDiverged`` and
nothing is saved, so the last checkpoint on disk is still the last good state.
The progress bar (``npvae.training.progress``) and the spike note
(``npvae.training.spikes``) only watch.
"""
import dataclasses
import math
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from npvae.datasets.pixels import as_float_images, check_pixels
from npvae.evaluation import negative_elbo
from npvae.models.conditional import build_model
from npvae.optim import OPTIMIZERS
from npvae.storage.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from npvae.train import TrainingDiverged, train_epoch
from npvae.training.config import TrainConfig
from npvae.training.history import is_point_due, write_history
from npvae.training.loop_state import TERMS, LoopState
from npvae.training.progress import RunProgress
from npvae.training.spikes import SpikeWatch

CHECKPOINT_NAME = "checkpoint.npz"
RESUMABLE_OVERRIDES = {"epochs", "checkpoint_every"}

__all__ = ["Trainer", "TrainConfig", "load_model", "data_description", "CHECKPOINT_NAME"]


class Trainer:
    """Trains a VAE for ``config.epochs`` epochs, keeping all that an exact resume needs.

    Args:
        model: a ``VAE`` (or a ``ConditionalVAE``: then ``fit`` needs the labels).
        config: a ``TrainConfig``.
        out_dir: where ``checkpoint.npz``, ``history.json``/``.csv`` and
            ``loss_curve.png`` go.
        data: the description of the data (``npvae.datasets.load_data``), kept in the
            checkpoint so that a resumed run and the pictures load the same images and split.
    """

    def __init__(self, model, config, out_dir, data=None):
        self.model, self.config, self.out_dir = model, config, Path(out_dir)
        self.data = data
        self.labels = self.test_labels = None  # a conditional model's, given to fit
        self.optimizer = OPTIMIZERS[config.optimizer](lr=config.lr)  # it checks the rate
        self.state = LoopState(config.seed)  # where the loop is: epoch, step, order, sums
        self.history = []         # one record per epoch
        self.points = []          # points within epochs: the training loss so far
        self.owns_checkpoint = False  # True once the checkpoint on disk is this run's

    @property
    def checkpoint_path(self):
        return self.out_dir / CHECKPOINT_NAME

    # ------------------------------------------------------------------ the run

    def fit(self, x_train, x_test, progress=True, on_epoch_end=None, on_step=None,
            on_spike=None, y_train=None, y_test=None):
        """Train until ``config.epochs`` epochs are done; returns the history (a list).
        ``y_train``, ``y_test``: the images' labels, which a conditional model needs.

        ``on_epoch_end(record)``, if given, is called with each epoch's history record
        once that epoch's checkpoint is saved; ``on_step(point)`` after each step, with
        ``{"epoch": epochs done as a fraction, "train_loss": this epoch's mean so far}``,
        before a checkpoint due at that step is saved; ``on_spike(spike)`` once, if a
        step's loss spikes (``npvae.training.spikes``; by default its note is printed).
        """
        x_train, x_test = x_train[:self.config.limit], x_test[:self.config.test_limit]
        check_data(self, x_train, x_test)
        self.labels = _labels(self.model, y_train, self.config.limit, len(x_train), "training")
        self.test_labels = _labels(self.model, y_test, self.config.test_limit, len(x_test),
                                   "test")
        steps_per_epoch = math.ceil(len(x_train) / self.config.batch_size)
        if self.history:
            # A run killed between its checkpoint and its history files left them behind.
            self.write_history()
        state, watch = self.state, SpikeWatch()
        on_spike = on_spike or (lambda spike: tqdm.write(spike.note()))
        with RunProgress(self.config.epochs, steps_per_epoch,
                         state.epoch * steps_per_epoch + state.step_in_epoch,
                         enabled=progress) as bar:

            def after_step(loss, point):
                bar.step(point["train_loss"])
                spike = watch.see(self.optimizer.iterations, loss)
                if spike is not None:
                    on_spike(spike)
                if on_step is not None:
                    on_step(point)

            while state.epoch < self.config.epochs:
                state.start_epoch(len(x_train))
                started = time.perf_counter()
                bar.epoch(state.epoch)
                self._run_epoch(x_train, steps_per_epoch, after_step)
                bar.epoch(state.epoch, "testing")
                self._finish_epoch(x_test, time.perf_counter() - started)
                if on_epoch_end is not None:
                    on_epoch_end(self.history[-1])
        return self.history

    def _run_epoch(self, x_train, steps_per_epoch, after_step):
        """The rest of this epoch's steps; ``after_step(loss, point)`` after each."""
        config, state = self.config, self.state
        learning_rate = config.learning_rate if config.lr_warmup else None
        batches = train_epoch(self.model, self.optimizer, x_train, state.order,
                              config.batch_size, first_step=state.step_in_epoch,
                              learning_rate=learning_rate, labels=self.labels)
        for step, stats in _said_where_it_diverged(self, batches):
            state.add_step(step, stats)
            point = {"epoch": state.position(steps_per_epoch),
                     "train_loss": state.mean_loss(config.batch_size)}
            if is_point_due(state.step_in_epoch, steps_per_epoch):
                self.points.append(point)
            after_step(stats["loss"], point)
            every = config.checkpoint_every
            if every is not None and self.optimizer.iterations % every == 0:
                self.save()

    def _finish_epoch(self, x_test, seconds):
        # The test noise depends on (seed, epoch) only: same numbers however the run went.
        rng = np.random.default_rng([self.config.seed, 2, self.state.epoch])
        test = negative_elbo(self.model, as_float_images(x_test, self.model.dtype), rng,
                             labels=self.test_labels)
        train = self.state.finish_epoch()
        record = {"epoch": self.state.epoch, "seconds": seconds, **train}
        record.update({f"test_{t}": test[t] for t in TERMS})
        self.history.append(record)
        self.save()
        self.write_history()

    # ------------------------------------------------------------------ saving

    def write_history(self):
        """history.json, history.csv and loss_curve.png in ``out_dir``."""
        return write_history(self.out_dir, self.history, self.points)

    def save(self):
        """Write the checkpoint (atomically: the previous one stays whole until replaced)."""
        arrays = {f"model/{k}": v for k, v in self.model.weights().items()}
        arrays.update({f"optim/{k}": v for k, v in self.optimizer.state_dict().items()})
        meta = {"model": self.model.config, "train": dataclasses.asdict(self.config),
                "history": self.history, "points": self.points, "data": self.data,
                "rng": {"sampling": self.model.sampling.rng.bit_generator.state}}
        self.state.save_into(arrays, meta)
        path = save_checkpoint(self.checkpoint_path, arrays, meta)
        self.owns_checkpoint = True
        return path

    @classmethod
    def resume(cls, path, **overrides):
        """Rebuild a Trainer from a checkpoint; ``overrides`` may change only ``epochs``
        and ``checkpoint_every`` (anything else would change the run being resumed)."""
        unchangeable = sorted(set(overrides) - RESUMABLE_OVERRIDES)
        if unchangeable:
            raise ValueError(f"a resumed run keeps its settings: cannot change {unchangeable} "
                             f"(only {sorted(RESUMABLE_OVERRIDES)})")
        arrays, meta = load_checkpoint(path)
        try:
            config = TrainConfig(**{**meta["train"], **overrides})
            trainer = cls(build_model(meta["model"]), config, Path(path).parent)
            trainer._restore(arrays, meta)
        except (KeyError, TypeError, ValueError) as error:
            raise CheckpointError(f"{path}: cannot resume the run this checkpoint describes "
                                  f"({type(error).__name__}: {error})") from error
        return trainer

    def _restore(self, arrays, meta):
        self.model.load_weights(_with_prefix(arrays, "model/"))
        self.optimizer.load_state_dict(_with_prefix(arrays, "optim/"))
        self.optimizer.check_state(self.model.named_layers())
        self.state.restore(arrays, meta)
        self.history = list(meta["history"])
        # Earlier checkpoints called the points "steps"; the oldest kept none.
        self.points = list(meta.get("points", meta.get("steps", [])))
        self.data = meta.get("data")  # None: a checkpoint of the shipped MNIST
        self.model.sampling.rng.bit_generator.state = meta["rng"]["sampling"]
        self.owns_checkpoint = True


def load_model(path, fast=True):
    """The trained VAE stored in a checkpoint (weights only, ready to use); ``fast`` False:
    on the textbook's algorithms only, which decode an image or two sooner than numba's
    first call returns."""
    arrays, meta = load_checkpoint(path)
    try:
        model = build_model({**meta["model"], "fast": fast})
        model.load_weights(_with_prefix(arrays, "model/"))
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"{path}: the weights do not fit the model it describes "
                              f"({error})") from error
    return model


def data_description(path):
    """The description of the data a checkpoint's run was trained on, or None (MNIST)."""
    return load_checkpoint(path)[1].get("data")


def _said_where_it_diverged(trainer, batches):
    """The loop's steps; a ``TrainingDiverged`` gets where it happened and what to do."""
    try:
        yield from batches
    except TrainingDiverged as error:
        raise TrainingDiverged(f"{error} {_where_and_what_to_do(trainer)}") from None


def _where_and_what_to_do(trainer):
    """The end of a diverged run's message: where it stopped, what was kept, what to try."""
    kept = (f"the last checkpoint ({trainer.checkpoint_path}) was left as it was"
            if trainer.checkpoint_path.exists() else "no checkpoint had been saved yet")
    lr, state = trainer.config.lr, trainer.state
    return (f"at epoch {state.epoch + 1}, step {state.step_in_epoch + 1}; training stopped, "
            f"and {kept}. Try a lower learning rate (now {lr:g}, e.g. {lr / 10:g}) and "
            f"check that the images are in [0, 1].")


def _with_prefix(arrays, prefix):
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}


def _labels(model, labels, limit, n, which):
    """The labels the model reads of the first ``limit`` images, checked (None: a VAE's)."""
    return model.condition(None if labels is None else labels[:limit], n,
                           f"the {which} images")


def check_data(trainer, x_train, x_test):
    """Fail before the first step, not after an epoch, on data or a folder that cannot work
    (``fit`` calls it first; the command before, to tell the user's data from a bug)."""
    if not trainer.owns_checkpoint and trainer.checkpoint_path.exists():
        raise FileExistsError(f"{trainer.checkpoint_path} already exists: continue that run "
                              f"with Trainer.resume, or choose another output folder")
    for x, source in ((x_train, "the training images"), (x_test, "the test images")):
        if len(x) == 0:
            raise ValueError(f"{source} are empty")
        trainer.model.check_images(as_float_images(x[:1], trainer.model.dtype), source)
        if x.dtype != np.uint8:  # uint8 pixels are 0..255 by their type: nothing to check
            check_pixels(x, source)
    order = trainer.state.order
    if order is not None and len(order) != len(x_train):
        raise ValueError(f"this run shuffles {len(order)} training images, but "
                         f"{len(x_train)} were given: resume it with the same data")
