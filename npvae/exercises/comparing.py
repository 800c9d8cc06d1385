"""Which piece differs: each plugged function of the learner's run beside npvae's own, on
the same inputs, while the capstone's first steps train.

A wrong piece can pass its exercise's checks (a learner's RMSprop that keeps a memory of
its own keyed by the parameter's shape passes with the check's one parameter), and then
the capstone's losses tell only that something differs. So for the first steps every
call of a learner's function also runs npvae's on copies of its inputs, and the outputs
are compared: for a function that works in place (the RMSprop step), what it changed.
The first call whose outputs differ by more than ``TOLERANCE`` of their scale names the
piece, where it sits and the step. Both functions see the same inputs, so a right piece
is never blamed for a wrong one before it. A right piece that sums in another order
differs in float32 by about 1e-6 of the scale; a wrong one by far more.
"""
import dataclasses

import numpy as np

from npvae.layers.base import Algorithm

TOLERANCE = 1e-3


@dataclasses.dataclass
class Difference:
    """The first call of a learner's piece whose outputs differed from npvae's."""

    piece: str      # the exercise, e.g. "rmsprop"
    where: str      # a layer's name, "the loss", "the update of encoder/conv2/W", ...
    step: int       # 1-based
    error: float    # the largest difference over the largest entry of npvae's output

    def __str__(self):
        return (f"your {self.piece} is the first piece whose output differs from npvae's on "
                f"the same inputs: {self.where}, step {self.step}, by {self.error:.1e} of its "
                f"scale")


class Both:
    """The caches of the learner's forward and of npvae's, for the two backwards."""

    def __init__(self, learner, own):
        self.learner, self.own = learner, own


class Comparer:
    """A ``wrap`` for ``plugging.plug_into`` that compares while ``active``."""

    def __init__(self):
        self.active, self.step, self.first = True, 1, None

    def function(self, piece, where, learner, own):
        def compared(*args):
            if not self.active:
                return learner(*args)
            before = copies(args)
            own_args = copies(args)
            own_result = own(*own_args)
            result = learner(*args)
            # What each changed in place (nothing, but for the RMSprop step) and returned.
            self.compare(piece, where(args) if callable(where) else where,
                         (changes(args, before), result),
                         (changes(own_args, before), own_result))
            return result
        return compared

    def pair(self, piece, where, learner, own):
        def forward(*args):
            if not self.active:
                return learner.forward(*args)
            y, cache = learner.forward(*args)
            own_y, own_cache = own.forward(*copies(args))
            self.compare(piece, f"{where}, forward", y, own_y)
            return y, Both(cache, own_cache)

        def backward(*args):
            *rest, cache = args
            if not isinstance(cache, Both):
                return learner.backward(*args)
            gradients = learner.backward(*rest, cache.learner)
            self.compare(piece, f"{where}, backward", gradients,
                         own.backward(*copies(rest), cache.own))
            return gradients
        return Algorithm(learner.name, forward, backward)

    def compare(self, piece, where, got, expected):
        if self.first is not None:
            return
        error = max((relative_difference(a, b) for a, b in zip(arrays(got), arrays(expected))),
                    default=0.0)
        if len(arrays(got)) != len(arrays(expected)) or not error <= TOLERANCE:
            self.first = Difference(piece, where, self.step, error)


def copies(args):
    return [arg.copy() if isinstance(arg, np.ndarray) else arg for arg in args]


def changes(args, before):
    """What each array argument became minus what it was (zeros where unchanged)."""
    return [np.asarray(arg, np.float64) - old for arg, old in zip(args, before)
            if isinstance(old, np.ndarray)]


def arrays(value):
    """The arrays in ``value``, nested tuples and lists flattened, in order."""
    if isinstance(value, (tuple, list)):
        return [a for item in value for a in arrays(item)]
    return [np.asarray(value)] if value is not None else []


def relative_difference(got, expected):
    """max |got - expected| over max |expected| (inf for another shape, nan for nan)."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    if got.shape != expected.shape:
        return float("inf")
    scale = max(float(np.max(np.abs(expected), initial=0)), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(got - expected), initial=0)) / scale
