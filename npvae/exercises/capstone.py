"""The capstone: the book's VAE trained on the learner's own pieces, beside npvae's own.

Every exercise of the training path that has passed (the losses, Dense, the ReLU's
backward, im2col and col2im, both convolutions, sampling, the RMSprop step) is plugged
into a fresh VAE (``npvae.exercises.plugging``); npvae's own code does the rest. The
model trains on the first MNIST images, then a second, identical model trains on npvae's
pieces alone (``npvae.exercises.side_by_side``, in a process of its own where each call of
the learner's code has ``TIME_LIMIT`` seconds).

With right pieces the two runs agree to float32 rounding. A right piece may sum in
another order than npvae's, which changes the last bits of a float32 result; a wrong one
shows at once, in the first step's loss (a wrong forward) or in the second (a wrong
gradient or update). So the first ``EARLY_STEPS`` losses must agree to ``EARLY_TOLERANCE``.
After them the two runs drift apart slowly, because training amplifies any difference
(the loss spike of the first steps most of all; chapter 5): after an epoch of 125 steps
rounding alone has moved single steps' losses by a few parts in a thousand. So the rest
is held to a looser test, that the run's mean loss agrees to ``MEAN_TOLERANCE``. And in
the first steps every piece's outputs are compared with npvae's on the same inputs, so
that a difference is traced to the piece that makes it (``npvae.exercises.comparing``).
"""
import dataclasses
from pathlib import Path

import numpy as np

from npvae.exercises import get, progress
from npvae.exercises.comparing import Difference

PIECES = ("kl", "bernoulli", "dense", "activations", "im2col", "col2im", "conv2d",
          "conv2d_transpose", "sampling", "rmsprop")
IMAGES, EPOCHS, BATCH_SIZE, SEED = 2000, 1, 16, 0
# float32 keeps 7 digits; the first steps' losses, means over a batch after a few
# updates, keep 6 of them through another order of the same sums.
EARLY_STEPS, EARLY_TOLERANCE = 10, 1e-5
MEAN_TOLERANCE = 1e-2
TIME_LIMIT = 60   # seconds a call of the learner's code may take on a batch of 16 images


class CapstoneError(Exception):
    """The capstone cannot run, or the learner's code failed in it: one line."""


@dataclasses.dataclass
class CapstoneResult:
    pieces: list           # the exercises whose functions were plugged in
    learner: list          # the loss of every step, on the learner's pieces
    npvae: list            # the same on npvae's own
    picture: Path
    first: Difference = None   # the first piece whose outputs differed from npvae's

    @property
    def early_difference(self):
        """The largest relative difference of a step's loss in the first EARLY_STEPS."""
        learner, own = (np.array(v[:EARLY_STEPS]) for v in (self.learner, self.npvae))
        return float(np.max(np.abs(learner - own) / np.abs(own)))

    @property
    def mean_difference(self):
        """The relative difference of the two runs' mean losses."""
        learner, own = np.mean(self.learner), np.mean(self.npvae)
        return float(abs(learner - own) / abs(own))

    @property
    def agree(self):
        # "<=" is False for a NaN: a run that diverged never agrees.
        return bool(self.first is None and self.early_difference <= EARLY_TOLERANCE
                    and self.mean_difference <= MEAN_TOLERANCE)

    def __str__(self):
        steps = len(self.npvae)
        shown = sorted(set(np.linspace(0, steps - 1, min(steps, 11)).round().astype(int)))
        rows = [f"{'step':>6}  {'your pieces':>12}  {'npvae':>12}"]
        rows += [f"{k + 1:>6}  {self.learner[k]:>12.4f}  {self.npvae[k]:>12.4f}"
                 for k in shown]
        rows += [f"the first {min(steps, EARLY_STEPS)} steps: largest relative difference "
                 f"{self.early_difference:.1e} (at most {EARLY_TOLERANCE:g})",
                 f"the mean loss: {np.mean(self.learner):.4f} and {np.mean(self.npvae):.4f}, "
                 f"relative difference {self.mean_difference:.1e} (at most {MEAN_TOLERANCE:g})"]
        return "\n".join(rows + [self.verdict(), f"wrote {self.picture}"])

    def verdict(self):
        if self.agree:
            return "your pieces and npvae's agree to float32 rounding"
        if self.first is not None:
            return f"they differ: {self.first}"
        return (f"they differ, although no piece's outputs differed from npvae's in the first "
                f"{EARLY_STEPS} steps: a piece computes something else later on")


def passed_pieces(folder):
    """The pieces of the model that have passed in ``folder``, in order."""
    return [name for name in PIECES
            if progress.status(folder, name, get(name).path(folder)) == "passed"]


def run(folder, images=IMAGES, epochs=EPOCHS, batch_size=BATCH_SIZE, picture=None,
        progress_bar=True, time_limit=TIME_LIMIT):
    """Train on the learner's passed pieces and on npvae's; draw both curves. With
    ``time_limit=None`` the training runs in this process, with no limit on a call."""
    if not 1 <= images <= 60000 or epochs < 1 or batch_size < 1:
        raise ValueError(f"the capstone needs 1 to 60000 images, at least one epoch and a "
                         f"batch of at least one image; got {images}, {epochs}, {batch_size}")
    pieces = passed_pieces(folder)
    if not pieces:
        raise CapstoneError(f"no piece of the model has passed in {folder} yet: the "
                            f"capstone plugs in those that have ({', '.join(PIECES)})")
    arguments = [str(folder), pieces, images, epochs, batch_size, progress_bar]
    outcome = train_both(arguments, time_limit)
    if "error" in outcome:
        raise CapstoneError(outcome["error"])
    path = draw(outcome["learner"], outcome["npvae"], pieces,
                picture or Path(folder) / "capstone.png")
    first = outcome["first"] and Difference(**outcome["first"])
    return CapstoneResult(pieces, outcome["learner"], outcome["npvae"], path, first)


def train_both(arguments, time_limit):
    """``side_by_side.train_both``'s outcome, run in a child process unless the limit
    is None."""
    if time_limit is None:
        from npvae.exercises import side_by_side
        return list(side_by_side.train_both(*arguments))[0]
    from npvae.exercises import watchdog
    try:
        return list(watchdog.run("npvae.exercises.side_by_side:train_both", arguments,
                                 time_limit))[0]
    except watchdog.Stopped as error:
        raise CapstoneError(str(error)) from None


def draw(learner, own, pieces, path):
    """The two loss curves side by side, on the same scale, into the PNG ``path``."""
    from npvae.pictures import png  # matplotlib: only once there is something to draw
    figure, (left, right) = png.new_figure(10, 4, ncols=2)
    others = len(PIECES) - len(pieces)
    yours = (f"your {len(pieces)} piece{'s' * (len(pieces) != 1)}, npvae's other {others}"
             if others else
             f"all {len(pieces)} pieces yours")
    for axes, losses, title in ((left, learner, yours), (right, own, "npvae's own")):
        axes.plot(np.arange(1, len(losses) + 1), losses)
        axes.set(title=title, xlabel="step", ylabel="loss (nats per image)")
    finite = [v for v in learner + own if np.isfinite(v)]
    if finite:
        for axes in (left, right):
            axes.set_ylim(min(finite) * 0.95, max(finite) * 1.05)
    return png.save(figure, png.png_path(path))
