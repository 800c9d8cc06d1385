"""Where a run stands inside its epochs: all the loop needs to stop after any step and go on.

    epoch           epochs completed
    step_in_epoch   batches done in the current epoch
    order           this epoch's shuffle, a permutation of range(N), drawn when it starts
    data_rng        the Generator every shuffle is drawn from
    sums            this epoch's loss sums over its images so far (for the epoch's means)

``npvae.train.train_epoch`` keeps no state of its own: it is given ``order`` and the step
to start at. ``LoopState`` is that state, and its checkpoint form: saved after a step and
restored, it continues the epoch with the same shuffle, the same next shuffle (the
Generator's state is saved too) and the same running sums, so the epoch's means come out
as if the run had never stopped.
"""
import numpy as np

TERMS = ("loss", "reconstruction", "kl")  # the losses an epoch's record averages


class LoopState:
    """The position of a run, its shuffles and its running sums; ``seed`` seeds the shuffles."""

    def __init__(self, seed):
        self.data_rng = np.random.default_rng([seed, 1])
        self.epoch = 0
        self.step_in_epoch = 0
        self.order = None
        self.sums = dict.fromkeys(TERMS, 0.0)

    def start_epoch(self, n_images):
        """Draw this epoch's shuffle of ``n_images``, unless a resumed epoch has one."""
        if self.order is None:
            self.order = self.data_rng.permutation(n_images)

    def add_step(self, step, stats):
        """Count the step just taken (0-based in its epoch) and its batch's mean losses."""
        for term in TERMS:
            self.sums[term] += stats[term] * stats["images"]
        self.step_in_epoch = step + 1

    def mean_loss(self, batch_size):
        """The epoch's training loss so far: the mean over the images its steps have seen."""
        return self.sums["loss"] / min(self.step_in_epoch * batch_size, len(self.order))

    def position(self, steps_per_epoch):
        """Epochs done, as a fraction: 1.25 is a quarter into the second epoch."""
        return self.epoch + self.step_in_epoch / steps_per_epoch

    def finish_epoch(self):
        """Close the epoch; return its mean training losses, {"train_loss": ..., ...}."""
        means = {f"train_{term}": self.sums[term] / len(self.order) for term in TERMS}
        self.epoch += 1
        self.step_in_epoch, self.order = 0, None
        self.sums = dict.fromkeys(TERMS, 0.0)
        return means

    # ------------------------------------------------------------------ checkpoint form

    def save_into(self, arrays, meta):
        """Add the state to a checkpoint's ``arrays`` and ``meta`` (the layout every
        version of npvae has written: ``data/order``, ``epoch``, ``step_in_epoch``,
        ``sums``, ``rng/data``)."""
        if self.order is not None:
            arrays["data/order"] = self.order
        meta.update(epoch=self.epoch, step_in_epoch=self.step_in_epoch, sums=self.sums)
        meta.setdefault("rng", {})["data"] = self.data_rng.bit_generator.state

    def restore(self, arrays, meta):
        """The inverse of ``save_into``."""
        self.order = arrays.get("data/order")
        self.epoch, self.step_in_epoch = int(meta["epoch"]), int(meta["step_in_epoch"])
        self.sums = {term: float(meta["sums"][term]) for term in TERMS}
        self.data_rng.bit_generator.state = meta["rng"]["data"]
