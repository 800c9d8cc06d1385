"""Trainer: the training loop of ``npvae.train`` made into a run that can stop and go on.

Per epoch::

    order = data_rng.permutation(N)          a new shuffle
    for step, stats in train_epoch(...):     the loop itself (npvae/train.py)
        add stats to the epoch's running sums; save a checkpoint if one is due
    evaluate the negative ELBO on the test images    (its own Generator: no side effects)
    save the checkpoint, the history (JSON, CSV) and the loss curve (PNG)

Resuming is *exact*: a checkpoint holds the weights, the optimizer's slots, both random
generators (data order and sampling noise), this epoch's order and the position in it,
and the running sums of this epoch's losses. A run stopped at any step and resumed
ends with the same weights, bit for bit, as one that never stopped.

If the loss becomes NaN or infinite, training stops with ``TrainingDiverged`` and
nothing is saved, so the last checkpoint on disk is still the last good state.
"""
import collections
import dataclasses
import math
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from npvae.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from npvae.datasets.pixels import as_float_images, check_pixels
from npvae.evaluation import negative_elbo
from npvae.models.conditional import build_model, check_labels, is_conditional
from npvae.history import is_point_due, write_history
from npvae.optim import OPTIMIZERS
from npvae.train import TrainingDiverged, train_epoch

CHECKPOINT_NAME = "checkpoint.npz"
TERMS = ("loss", "reconstruction", "kl")
RESUMABLE_OVERRIDES = {"epochs", "checkpoint_every"}
SPIKE = 10          # a step whose loss is this many times the recent steps' is a spike
RECENT_STEPS = 50   # how many steps "recent" means
SPIKE_NOTE = ("RMSprop's first steps move every weight by about 3x the learning rate, "
              "whatever its gradient, and z_log_var can jump; the run usually recovers "
              "within a few steps (docs/05-training.md explains it; --lr-warmup 50 avoids it)")


@dataclasses.dataclass
class TrainConfig:
    """Training settings; the defaults are the book's (batch 16, 10 epochs, RMSprop 1e-3)."""

    epochs: int = 10
    batch_size: int = 16
    lr: float = 1e-3
    optimizer: str = "rmsprop"
    seed: int = 0
    limit: int | None = None           # train on the first ``limit`` images only
    test_limit: int | None = None      # evaluate on the first ``test_limit`` test images
    checkpoint_every: int | None = None  # also save every this many steps of the run
    lr_warmup: int = 0                 # raise the learning rate linearly over this many steps

    def __post_init__(self):
        _require(self.epochs >= 0, f"epochs must be 0 or more; got {self.epochs}")
        _require(self.batch_size >= 1, f"batch size must be at least 1; got {self.batch_size}")
        _require(self.optimizer in OPTIMIZERS,
                 f"optimizer must be one of {sorted(OPTIMIZERS)}; got {self.optimizer!r}")
        _require(self.limit is None or self.limit >= 1,
                 f"limit must be at least 1; got {self.limit}")
        _require(self.test_limit is None or self.test_limit >= 1,
                 f"test_limit must be at least 1; got {self.test_limit}")
        _require(self.checkpoint_every is None or self.checkpoint_every >= 1,
                 f"checkpoint_every must be at least 1; got {self.checkpoint_every}")
        _require(self.lr_warmup >= 0, f"lr_warmup must be 0 or more; got {self.lr_warmup}")

    def learning_rate(self, iterations):
        """The step size of the step after ``iterations`` steps: ``lr``, or during the
        warm-up ``lr * (iterations + 1) / lr_warmup``."""
        return self.lr * min(1.0, (iterations + 1) / max(self.lr_warmup, 1))


class Trainer:
    """Trains a VAE, keeping all that an exact resume needs.

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
        self.data_rng = np.random.default_rng([config.seed, 1])
        self.epoch = 0            # epochs completed
        self.step_in_epoch = 0    # batches done in the current epoch
        self.order = None         # this epoch's shuffle, drawn when the epoch starts
        self.sums = dict.fromkeys(TERMS, 0.0)  # this epoch's loss sums, over images
        self.history = []         # one record per epoch
        self.steps = []           # points within epochs: the training loss so far
        self.owns_checkpoint = False  # True once the checkpoint on disk is this run's
        self.recent = collections.deque(maxlen=RECENT_STEPS)  # for spotting a spike only
        self.spiked = False

    @property
    def checkpoint_path(self):
        return self.out_dir / CHECKPOINT_NAME

    # ------------------------------------------------------------------ the loop

    def fit(self, x_train, x_test, progress=True, on_epoch_end=None, say=tqdm.write,
            on_step=None, y_train=None, y_test=None):
        """Train until ``config.epochs`` epochs are done; returns the history (a list).
        ``y_train``, ``y_test``: the images' labels, which a conditional model needs.

        ``on_epoch_end(record)``, if given, is called with each epoch's history record
        once that epoch's checkpoint is saved; ``on_step(point)`` after each step, with
        ``{"epoch": epochs done as a fraction, "train_loss": this epoch's mean so far}``,
        before a checkpoint due at that step is saved; ``say(line)`` prints a note (a spike).
        """
        x_train, x_test = x_train[:self.config.limit], x_test[:self.config.test_limit]
        self._check_data(x_train, x_test)
        self.labels = self._labels(y_train, self.config.limit, len(x_train), "training")
        self.test_labels = self._labels(y_test, self.config.test_limit, len(x_test), "test")
        steps = math.ceil(len(x_train) / self.config.batch_size)
        if self.history:
            # A run killed between its checkpoint and its history files left them behind.
            write_history(self.out_dir, self.history, self.steps)
        with tqdm(total=self.config.epochs * steps, initial=self.epoch * steps
                  + self.step_in_epoch, disable=not progress, unit="batch",
                  dynamic_ncols=True) as bar:   # one bar for the run: its ETA is the run's
            while self.epoch < self.config.epochs:
                if self.order is None:
                    self.order = self.data_rng.permutation(len(x_train))
                started = time.perf_counter()
                bar.set_description(f"epoch {self.epoch + 1}/{self.config.epochs}")
                self._run_epoch(x_train, steps, bar, say, on_step)
                bar.set_description(f"epoch {self.epoch + 1}/{self.config.epochs}: testing")
                self._finish_epoch(x_test, len(x_train), time.perf_counter() - started)
                if on_epoch_end is not None:
                    on_epoch_end(self.history[-1])
        return self.history

    def _check_data(self, x_train, x_test):
        """Fail before the first step, not after an epoch, on data that cannot work."""
        if not self.owns_checkpoint and self.checkpoint_path.exists():
            raise FileExistsError(f"{self.checkpoint_path} already exists: continue that run "
                                  f"with Trainer.resume (npvae train --resume), or choose "
                                  f"another output folder")
        for x, source in ((x_train, "the training images"), (x_test, "the test images")):
            if len(x) == 0:
                raise ValueError(f"{source} are empty")
            self.model.check_images(as_float_images(x[:1], self.model.dtype), source)
            if x.dtype != np.uint8:  # uint8 pixels are 0..255 by their type: nothing to check
                check_pixels(x, source)
        if self.order is not None and len(self.order) != len(x_train):
            raise ValueError(f"this run shuffles {len(self.order)} training images, but "
                             f"{len(x_train)} were given: resume it with the same data")

    def _labels(self, labels, limit, n, which):
        """A conditional model's labels, checked; None for an unconditional one."""
        if not is_conditional(self.model):
            return None
        if labels is None:
            raise ValueError(f"a conditional model needs the {which} images' labels")
        return check_labels(labels[:limit], self.model.config["num_classes"], n)

    def _run_epoch(self, x_train, steps, bar, say, on_step):
        size, config = self.config.batch_size, self.config
        learning_rate = config.learning_rate if config.lr_warmup else None
        for step, stats in self._diverging_run(train_epoch(
                self.model, self.optimizer, x_train, self.order, size,
                first_step=self.step_in_epoch, learning_rate=learning_rate,
                labels=self.labels)):
            for term in TERMS:
                self.sums[term] += stats[term] * stats["images"]
            self.step_in_epoch = step + 1
            seen = min(self.step_in_epoch * size, len(x_train))
            bar.update()
            # The epoch's mean so far; drawn with the bar's next refresh, not every step.
            bar.set_postfix(loss=f"{self.sums['loss'] / seen:.4g}", refresh=False)
            self._watch_for_a_spike(stats["loss"], say)
            point = {"epoch": self.epoch + self.step_in_epoch / steps,
                     "train_loss": self.sums["loss"] / seen}
            if is_point_due(self.step_in_epoch, steps):
                self.steps.append(point)
            if on_step is not None:
                on_step(point)
            if self._checkpoint_due():
                self.save()

    def _watch_for_a_spike(self, loss, say):
        """Say once per run when a step's loss is far above the recent steps'."""
        if not self.spiked and len(self.recent) >= 5:
            typical = float(np.median(self.recent))
            if loss > SPIKE * typical:
                self.spiked = True
                say(f"note: step {self.optimizer.iterations}'s loss is {loss:.4g}, "
                    f"{loss / typical:.0f}x the recent steps' ({typical:.4g}): {SPIKE_NOTE}")
        self.recent.append(loss)

    def _checkpoint_due(self):
        every = self.config.checkpoint_every
        return every is not None and self.optimizer.iterations % every == 0

    def _diverging_run(self, steps):
        """The loop's steps; a ``TrainingDiverged`` gets where it happened and what to do."""
        try:
            yield from steps
        except TrainingDiverged as error:
            kept = (f"the last checkpoint ({self.checkpoint_path}) was left as it was"
                    if self.checkpoint_path.exists() else "no checkpoint had been saved yet")
            raise TrainingDiverged(
                f"{error} at epoch {self.epoch + 1}, step {self.step_in_epoch + 1}; training "
                f"stopped, and {kept}. Try a lower learning rate (now {self.config.lr:g}, "
                f"e.g. --lr {self.config.lr / 10:g}) and check that the images are in [0, 1]."
            ) from None

    def _finish_epoch(self, x_test, n_train, seconds):
        # The test noise depends on (seed, epoch) only: same numbers however the run went.
        rng = np.random.default_rng([self.config.seed, 2, self.epoch])
        test = negative_elbo(self.model, as_float_images(x_test, self.model.dtype), rng,
                             labels=self.test_labels)
        self.epoch += 1
        record = {"epoch": self.epoch, "seconds": seconds}
        record.update({f"train_{t}": self.sums[t] / n_train for t in TERMS})
        record.update({f"test_{t}": test[t] for t in TERMS})
        self.history.append(record)
        self.order, self.step_in_epoch = None, 0
        self.sums = dict.fromkeys(TERMS, 0.0)
        self.save()
        self.write_history()

    # ------------------------------------------------------------------ saving

    def write_history(self):
        """history.json, history.csv and loss_curve.png in ``out_dir``."""
        return write_history(self.out_dir, self.history, self.steps)

    def save(self):
        """Write the checkpoint (atomically: the previous one stays whole until replaced)."""
        arrays = {f"model/{k}": v for k, v in self.model.weights().items()}
        arrays.update({f"optim/{k}": v for k, v in self.optimizer.state_dict().items()})
        if self.order is not None:
            arrays["data/order"] = self.order
        meta = {"model": self.model.config, "train": dataclasses.asdict(self.config),
                "epoch": self.epoch, "step_in_epoch": self.step_in_epoch,
                "sums": self.sums, "history": self.history, "steps": self.steps,
                "data": self.data,
                "rng": {"data": self.data_rng.bit_generator.state,
                        "sampling": self.model.sampling.rng.bit_generator.state}}
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
            model = build_model(meta["model"])
            trainer = cls(model, config, Path(path).parent)
            trainer._restore(arrays, meta)
            trainer.owns_checkpoint = True
        except (KeyError, TypeError, ValueError) as error:
            raise CheckpointError(f"{path}: cannot resume the run this checkpoint describes "
                                  f"({type(error).__name__}: {error})") from error
        return trainer

    def _restore(self, arrays, meta):
        self.model.load_weights(_with_prefix(arrays, "model/"))
        self.optimizer.load_state_dict(_with_prefix(arrays, "optim/"))
        self.optimizer.check_state(self.model.named_layers())
        self.order = arrays.get("data/order")
        self.epoch, self.step_in_epoch = int(meta["epoch"]), int(meta["step_in_epoch"])
        self.sums = {t: float(meta["sums"][t]) for t in TERMS}
        self.history = list(meta["history"])
        self.steps = list(meta.get("steps", []))  # older checkpoints kept no points
        self.data = meta.get("data")  # None: a checkpoint of the shipped MNIST
        self.data_rng.bit_generator.state = meta["rng"]["data"]
        self.model.sampling.rng.bit_generator.state = meta["rng"]["sampling"]


def load_model(path):
    """The trained VAE stored in a checkpoint (weights only, ready to use)."""
    arrays, meta = load_checkpoint(path)
    try:
        model = build_model(meta["model"])
        model.load_weights(_with_prefix(arrays, "model/"))
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"{path}: the weights do not fit the model it describes "
                              f"({error})") from error
    return model


def data_description(path):
    """The description of the data a checkpoint's run was trained on, or None (MNIST)."""
    return load_checkpoint(path)[1].get("data")


def _with_prefix(arrays, prefix):
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}


def _require(condition, message):
    if not condition:
        raise ValueError(message)
