"""Exercise ``rmsprop``: one RMSprop step, in place (guide, chapter 5)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises.exercise import Exercise, Function
from npvae.optim import RMSprop, rmsprop_update

HINTS = (
    "ms = rho * ms + ... makes a NEW array and leaves the caller's ms alone: write "
    "ms *= rho; ms += (1 - rho) * grad**2, or ms[...] = ...",
    "Update ms first: the step uses the new running mean, this step's gradient included.",
    "np.sqrt(ms + eps): eps inside the root.",
)

HINTS_ZH = (   # the same hints in Simplified Chinese (npvae exercise hint NAME --lang zh)
    "ms = rho * ms + ... 会新建一个数组，调用者的 ms "
    "并没有变：要写成 ms *= rho; ms += (1 - rho) * "
    "grad**2，或者 ms[...] = ...",
    "先更新 ms：这一步用的是新的滑动平均，其中已经包含这一步的梯度。",
    "np.sqrt(ms + eps)：eps 放在根号里面。",
)

SHAPE = (3, 4)
LR, RHO, EPS = 1e-3, 0.9, 1e-7


def problem(seed=11, shape=SHAPE, dtype=np.float64):
    """A parameter and three gradients over six orders of magnitude: at 1e-4, sqrt(ms) is
    near sqrt(eps), so where eps sits shows."""
    rng = np.random.default_rng(seed)
    param = rng.standard_normal(shape).astype(dtype)
    scales = np.logspace(-4, 1, shape[1])
    return param, [(rng.standard_normal(shape) * scales).astype(dtype) for _ in range(3)]


def steps(update, param, grads):
    """(param, ms) after ``update`` ran once for each gradient, from ms = 0."""
    param, ms = param.copy(), np.zeros_like(param)
    for grad in grads:
        update(param, grad, ms, LR, RHO, EPS)
    return param, ms


def variant(step):
    """An RMSprop update whose param step is ``step(grad, ms, lr, eps)`` with the new ms
    (a negative one for ``old_ms``, which updates ms after the step)."""
    def update(param, grad, ms, lr, rho, eps):
        before = ms.copy()
        ms[...] = rho * ms + (1 - rho) * grad**2
        param -= step(grad, before, ms, lr, eps)
    return update


MISTAKES = [
    ("eps outside the square root: Keras' RMSprop divides by sqrt(ms + eps)",
     variant(lambda g, old, ms, lr, eps: lr * g / (np.sqrt(ms) + eps))),
    ("the step used last step's ms: update ms first, then step",
     variant(lambda g, old, ms, lr, eps: lr * g / np.sqrt(old + eps))),
    ("the square root is missing: divide by sqrt(ms + eps), the root of the mean square",
     variant(lambda g, old, ms, lr, eps: lr * g / (ms + eps))),
    ("the step goes up the gradient (param += ...): RMSprop descends, param -= lr * grad / "
     "sqrt(ms + eps)", variant(lambda g, old, ms, lr, eps: -lr * g / np.sqrt(ms + eps)))]


def checks(learner):
    param, grads = problem()
    got, got_ms = steps(learner.rmsprop_update, param, grads)
    expected, expected_ms = steps(rmsprop_update, param, grads)
    if np.array_equal(got, param):
        yield c.Line("fail", "param did not change: update it in place",
                     "param = param - ... makes a new array; write param -= ...")
        return
    if not np.any(got_ms):
        yield c.Line("fail", "ms is still all zeros: update it in place",
                     "ms = rho * ms + ... makes a new array; write ms[...] = ... or ms *= ...")
        return
    yield c.Line("ok", "in place: param and ms changed")
    ms_line = c.values("ms after 3 steps", got_ms, expected_ms, wrong=[
        ("rho and 1 - rho are swapped: the old mean keeps rho, the new grad**2 gets 1 - rho",
         steps(lambda p, g, m, lr, rho, eps: rmsprop_update(p, g, m, lr, 1 - rho, eps),
               param, grads)[1])])
    yield ms_line
    line = c.values("param after 3 steps", got, expected,
                    wrong=[(what, steps(update, param, grads)[0]) for what, update in MISTAKES])
    yield line
    if line.status == "ok":   # a wrong step would fail the next check too, for its own reason
        yield own_memory(learner)
    param32, grads32 = problem(12, (2, 5), np.float32)
    got32, expected32 = (steps(learner.rmsprop_update, param32, grads32),
                         steps(rmsprop_update, param32, grads32))
    yield c.in_float32([("param", got32[0], expected32[0]), ("ms", got32[1], expected32[1])],
                       c.all_ok([ms_line, line]))


def own_memory(learner):
    """A Line: two parameters of one shape, updated in turn as an optimizer does, must
    each follow its own ms: an update that keeps memory of its own mixes them up."""
    (first, grads_first), (second, grads_second) = problem(13), problem(14)
    arrays = {"got": [first.copy(), np.zeros(SHAPE), second.copy(), np.zeros(SHAPE)],
              "expected": [first.copy(), np.zeros(SHAPE), second.copy(), np.zeros(SHAPE)]}
    for g1, g2 in zip(grads_first, grads_second):
        for key, update in (("got", learner.rmsprop_update), ("expected", rmsprop_update)):
            p1, m1, p2, m2 = arrays[key]
            update(p1, g1, m1, LR, RHO, EPS)
            update(p2, g2, m2, LR, RHO, EPS)
    if all(c.close(got, expected) for got, expected in zip(arrays["got"], arrays["expected"])):
        return c.Line("ok", "two parameters of one shape, updated in turn, each keep their ms")
    return c.Line("fail", "two parameters of one shape, updated in turn, do not each follow "
                          "their own ms",
                  "the update keeps a memory of its own between calls (keyed by the "
                  "parameter's shape?): use the ms it is given, each parameter has its own")


EXERCISE = Exercise(
    name="rmsprop", chapter=5, title="an RMSprop step",
    functions={"rmsprop_update": Function(rmsprop_update, (), changes=("param", "ms"))},
    parts=(checks,), hints=HINTS, hints_zh=HINTS_ZH, solution=(rmsprop_update, RMSprop.update))
