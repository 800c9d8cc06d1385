"""Exercise ``rmsprop``: one RMSprop step, in place (guide, chapter 5)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises import reference
from npvae.exercises.exercise import Exercise
from npvae.optim import RMSprop

STUB = '''"""Exercise rmsprop: one step of RMSprop, Keras' and the book's optimizer
(guide, chapter 5).

Every weight keeps a running mean of its squared gradients, ms, and steps by its
gradient divided by their root:

    ms <- rho * ms + (1 - rho) * grad**2
    param <- param - lr * grad / sqrt(ms + eps)

Each weight gets its own step size, lr / RMS(grad). eps sits INSIDE the square root, as
in TensorFlow/Keras: where ms is 0 it bounds the step by lr / sqrt(eps).

Update param and ms IN PLACE (param -= ..., ms *= ..., ms += ... or ms[...] = ...): they
are the model's own arrays, and the function returns nothing. All arrays have the
parameter's shape; lr, rho, eps are numbers.

Check it:  npvae exercise check rmsprop
A hint:    npvae exercise hint rmsprop
"""
import numpy as np


def rmsprop_update(param, grad, ms, lr, rho, eps):
    """One RMSprop step: update ms, then param, both in place."""
    raise NotImplementedError("update the running mean ms, then step param, both in place")
'''

HINTS = (
    "ms = rho * ms + ... makes a NEW array and leaves the caller's ms alone: write "
    "ms *= rho; ms += (1 - rho) * grad**2, or ms[...] = ...",
    "Update ms first: the step uses the new running mean, this step's gradient included.",
    "np.sqrt(ms + eps): eps inside the root.",
)

SHAPE = (3, 4)
LR, RHO, EPS = 1e-3, 0.9, 1e-7


def steps(update, param, grads):
    """(param, ms) after ``update`` ran once for each gradient, from ms = 0."""
    param, ms = param.copy(), np.zeros_like(param)
    for grad in grads:
        update(param, grad.copy(), ms, LR, RHO, EPS)
    return param, ms


def eps_outside(param, grad, ms, lr, rho, eps):
    """The common mistake: eps added after the square root (as in Adam's paper)."""
    ms[...] = rho * ms + (1 - rho) * grad**2
    param -= lr * grad / (np.sqrt(ms) + eps)


def old_ms(param, grad, ms, lr, rho, eps):
    """The other common mistake: the step taken with last step's ms."""
    step = lr * grad / np.sqrt(ms + eps)
    ms[...] = rho * ms + (1 - rho) * grad**2
    param -= step


def checks(learner):
    rng = np.random.default_rng(11)
    param = rng.standard_normal(SHAPE)
    # Gradients over six orders of magnitude: at 1e-4, sqrt(ms) is near sqrt(eps), so
    # where eps sits shows.
    grads = [rng.standard_normal(SHAPE) * np.logspace(-4, 1, SHAPE[1]) for _ in range(3)]
    got, got_ms = steps(learner.rmsprop_update, param, grads)
    expected, expected_ms = steps(reference.rmsprop_update, param, grads)
    if np.array_equal(got, param):
        yield c.Line("fail", "param did not change: update it in place",
                     "param = param - ... makes a new array; write param -= ...")
        return
    if not np.any(got_ms):
        yield c.Line("fail", "ms is still all zeros: update it in place",
                     "ms = rho * ms + ... makes a new array; write ms[...] = ... or ms *= ...")
        return
    yield c.Line("ok", "in place: param and ms changed")
    yield c.values("ms after 3 steps", got_ms, expected_ms, wrong=[
        ("rho and 1 - rho are swapped: the old mean keeps rho, the new grad**2 gets 1 - rho",
         steps(lambda p, g, m, lr, rho, eps: reference.rmsprop_update(p, g, m, lr, 1 - rho, eps),
               param, grads)[1])])
    yield c.values("param after 3 steps", got, expected, wrong=[
        ("eps outside the square root: Keras' RMSprop divides by sqrt(ms + eps)",
         steps(eps_outside, param, grads)[0]),
        ("the step used last step's ms: update ms first, then step",
         steps(old_ms, param, grads)[0])])


EXERCISE = Exercise(
    name="rmsprop", chapter=5, title="an RMSprop step", stub=STUB,
    functions={"rmsprop_update": (reference.rmsprop_update, ())},
    checks=checks, hints=HINTS, solution=(reference.rmsprop_update, RMSprop.update))
