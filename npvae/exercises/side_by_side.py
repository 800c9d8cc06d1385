"""The capstone's training, run where the learner's code may run (a process of its own,
``npvae/exercises/watchdog.py``): the book's VAE on the learner's passed pieces, with each
piece compared to npvae's on the first steps (``npvae/exercises/comparing.py``), then the
same model on npvae's pieces alone: same seed, same shuffle, same noise. Both run the
textbook convolutions, whose functions the learner wrote.
"""
import dataclasses

import numpy as np
from tqdm import tqdm

from npvae.datasets import load_mnist
from npvae.exercises import capstone, get, grading
from npvae.exercises.comparing import Comparer
from npvae.exercises.plugging import AsItIs, plug_into
from npvae.models import VAE
from npvae.optim import RMSprop
from npvae.train import TrainingDiverged, train_epoch


def train_both(folder, names, images, epochs, batch_size, progress_bar,
               watch=grading.Unwatched()):
    """Yield one dict: each step's loss on the learner's pieces ("learner") and on npvae's
    ("npvae"), and the first piece that differed ("first", or None); or "error", one
    line, when the learner's code failed."""
    try:
        pieces = {name: grading.load(get(name).path(folder), get(name).functions, watch)
                  for name in names}
        x = load_mnist()[0][0][:images]
        comparer = Comparer()
        learner = train_losses(pieces, x, epochs, batch_size, "your pieces", progress_bar,
                               comparer)
        own = train_losses({}, x, epochs, batch_size, "npvae's", progress_bar)
    except grading.LearnerError as error:
        yield {"error": str(error)}
        return
    except ValueError as error:   # a layer refused what a piece gave it (a shape, a dtype)
        yield {"error": f"the model refused what your pieces gave it: {grading.one_line(error)}"}
        return
    first = comparer.first and dataclasses.asdict(comparer.first)
    yield {"learner": learner, "npvae": own, "first": first}


def textbook_vae(**options):
    """``VAE(**options)`` whose layers all run the textbook, the code the learner's
    pieces replace."""
    return VAE(**options, fast=False)


def train_losses(pieces, x, epochs, batch_size, what, progress_bar=True, comparer=None,
                 model=None):
    """The loss of every step of training the book's VAE (or ``model``) on ``x`` with
    ``pieces``; a run that diverges has nan for the step that diverged and every one after
    it. ``comparer`` compares the pieces with npvae's on the first ``capstone.EARLY_STEPS``
    steps."""
    model, optimizer = model or textbook_vae(seed=capstone.SEED), RMSprop()
    plug_into(model, optimizer, pieces, comparer or AsItIs())
    shuffle, losses = np.random.default_rng(capstone.SEED), []
    steps = -(-len(x) // batch_size)
    with tqdm(total=epochs * steps, desc=what, unit="step", disable=not progress_bar,
              leave=False) as bar:
        try:
            for _ in range(epochs):
                for _, stats in train_epoch(model, optimizer, x, shuffle.permutation(len(x)),
                                            batch_size):
                    losses.append(stats["loss"])
                    if comparer is not None:
                        comparer.step = len(losses) + 1
                        comparer.active = len(losses) < capstone.EARLY_STEPS
                    bar.update()
        except TrainingDiverged:   # the steps it did not take: nan, as the one that failed
            losses += [float("nan")] * (epochs * steps - len(losses))
    return losses
