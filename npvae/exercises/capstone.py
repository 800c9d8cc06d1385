"""The capstone: the book's VAE trained on the learner's own pieces, beside npvae's own.

Every exercise of the training path that has passed (the losses, Dense, the ReLU's
backward, im2col and col2im, both convolutions, sampling, the RMSprop step) is plugged
into a fresh VAE (``npvae.exercises.plugging``); npvae's own code does the rest. The
model trains on the first MNIST images, then a second, identical model trains on npvae's
pieces alone: same seed, same shuffle, same noise. Both run the textbook convolutions,
whose functions the learner wrote.

With right pieces the two runs agree to float32 rounding. A right piece may sum in
another order than npvae's, which changes the last bits of a float32 result; a wrong one
shows at once, in the first step's loss (a wrong forward) or in the second (a wrong
gradient or update). So the first ``EARLY_STEPS`` losses must agree to ``EARLY_TOLERANCE``.
After them the two runs drift apart slowly, because training amplifies any difference
(the loss spike of the first steps most of all; chapter 5): after an epoch of 125 steps
rounding alone has moved single steps' losses by a few parts in a thousand. So the rest
is held to a looser test, that the run's mean loss agrees to ``MEAN_TOLERANCE``.
"""
import dataclasses
from pathlib import Path

import numpy as np
from tqdm import tqdm

from npvae import png
from npvae.datasets import load_mnist
from npvae.exercises import EXERCISES, grading, progress
from npvae.exercises.plugging import module_targets, plug_into, swapped
from npvae.models import VAE
from npvae.optim import RMSprop
from npvae.train import train_epoch

PIECES = ("kl", "bernoulli", "dense", "activations", "im2col", "col2im", "conv2d",
          "conv2d_transpose", "sampling", "rmsprop")
IMAGES, EPOCHS, BATCH_SIZE, SEED = 2000, 1, 16, 0
# float32 keeps 7 digits; the first steps' losses, means over a batch after a few
# updates, keep 6 of them through another order of the same sums.
EARLY_STEPS, EARLY_TOLERANCE = 10, 1e-5
MEAN_TOLERANCE = 1e-2


@dataclasses.dataclass
class CapstoneResult:
    pieces: list           # the exercises whose functions were plugged in
    learner: list          # the loss of every step, on the learner's pieces
    npvae: list            # the same on npvae's own
    picture: Path

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
        return bool(self.early_difference <= EARLY_TOLERANCE
                    and self.mean_difference <= MEAN_TOLERANCE)

    def __str__(self):
        steps = len(self.npvae)
        shown = sorted(set(np.linspace(0, steps - 1, min(steps, 11)).round().astype(int)))
        rows = [f"{'step':>6}  {'your pieces':>12}  {'npvae':>12}"]
        rows += [f"{k + 1:>6}  {self.learner[k]:>12.4f}  {self.npvae[k]:>12.4f}" for k in shown]
        rows += [f"the first {min(steps, EARLY_STEPS)} steps: largest relative difference "
                 f"{self.early_difference:.1e} (at most {EARLY_TOLERANCE:g})",
                 f"the mean loss: {np.mean(self.learner):.4f} and {np.mean(self.npvae):.4f}, "
                 f"relative difference {self.mean_difference:.1e} (at most {MEAN_TOLERANCE:g})"]
        verdict = ("your pieces and npvae's agree to float32 rounding" if self.agree else
                   "they differ: a piece computes something else than npvae's, although it "
                   "passed its checks")
        return "\n".join(rows + [verdict, f"wrote {self.picture}"])


def passed_pieces(folder):
    """Exercise name -> the learner's functions, for the pieces that have passed."""
    pieces = {}
    for name in PIECES:
        exercise = EXERCISES[name]
        if progress.status(folder, name, exercise.path(folder)) == "passed":
            pieces[name] = grading.load(exercise.path(folder), exercise.functions)
    return pieces


def textbook_vae(**options):
    """``VAE(**options)`` whose layers all run the textbook, the code the learner's
    pieces replace."""
    return VAE(**options, fast=False)


def train_losses(pieces, x, epochs, batch_size, what, progress_bar=True):
    """The loss of every step of training the book's VAE on ``x`` with ``pieces``."""
    model, optimizer = textbook_vae(seed=SEED), RMSprop()
    plug_into(model, optimizer, pieces)
    shuffle, losses = np.random.default_rng(SEED), []
    steps = -(-len(x) // batch_size)
    with swapped(module_targets(pieces)), tqdm(total=epochs * steps, desc=what, unit="step",
                                               disable=not progress_bar, leave=False) as bar:
        for _ in range(epochs):
            for _, stats in train_epoch(model, optimizer, x, shuffle.permutation(len(x)),
                                        batch_size):
                losses.append(stats["loss"])
                bar.update()
    return losses


def run(folder, images=IMAGES, epochs=EPOCHS, batch_size=BATCH_SIZE, picture=None,
        progress_bar=True):
    """Train on the learner's passed pieces and on npvae's; draw both curves."""
    if not 1 <= images <= 60000 or epochs < 1 or batch_size < 1:
        raise ValueError(f"the capstone needs 1 to 60000 images, at least one epoch and a "
                         f"batch of at least one image; got {images}, {epochs}, {batch_size}")
    pieces = passed_pieces(folder)
    if not pieces:
        raise grading.LearnerError(f"no piece of the model has passed in {folder} yet: the "
                                   f"capstone plugs in those that have ({', '.join(PIECES)})")
    x = load_mnist()[0][0][:images]
    learner = train_losses(pieces, x, epochs, batch_size, "your pieces", progress_bar)
    own = train_losses({}, x, epochs, batch_size, "npvae's", progress_bar)
    path = draw(learner, own, list(pieces), picture or Path(folder) / "capstone.png")
    return CapstoneResult(list(pieces), learner, own, path)


def draw(learner, own, pieces, path):
    """The two loss curves side by side, on the same scale, into the PNG ``path``."""
    figure, (left, right) = png.new_figure(10, 4, ncols=2)
    steps = np.arange(1, len(own) + 1)
    others = len(PIECES) - len(pieces)
    yours = (f"your {len(pieces)} piece{'s' * (len(pieces) != 1)}, npvae's other {others}"
             if others else
             f"all {len(pieces)} pieces yours")
    for axes, losses, title in ((left, learner, yours), (right, own, "npvae's own")):
        axes.plot(steps, losses)
        axes.set(title=title, xlabel="step", ylabel="loss (nats per image)")
    finite = [v for v in learner + own if np.isfinite(v)]
    if finite:
        for axes in (left, right):
            axes.set_ylim(min(finite) * 0.95, max(finite) * 1.05)
    return png.save(figure, png.png_path(path))
