"""Exercise ``gradient_check``: central differences, graded by whether they catch planted
wrong gradients (guide, chapter 6)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises import reference
from npvae.exercises.exercise import Exercise
from npvae.gradcheck import check_layer

STUB = '''"""Exercise gradient_check: check a gradient by central differences (guide, chapter 6).

For a scalar function f and a small step h, each partial derivative is estimated by

    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h)

whose error is O(h^2), against O(h) for the one-sided (f(x + h e_i) - f(x)) / h.

numerical_gradient perturbs x IN PLACE, one entry at a time, calls f() (which takes no
arguments and reads x), and puts the entry back exactly as it was. It returns an array
shaped like x.

relative_error compares a hand-written gradient with the estimate, relative to the
gradient's scale, not entry by entry (an entry that is exactly 0, behind a dead ReLU,
would turn a 1e-12 difference into a huge relative one):

    max |analytic - numeric|  /  max(max |analytic|, max |numeric|)     (0 if both are 0)

A gradient passes when the relative error is at most 1e-6 (in float64).

Check it:  npvae exercise check gradient_check
A hint:    npvae exercise hint gradient_check
"""
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of the scalar f() with respect to the array x."""
    raise NotImplementedError("for each entry of x: f at x + h and at x - h, restore the "
                              "entry, and store the central difference")


def relative_error(analytic, numeric):
    """The largest difference, relative to the largest entry of either: a float."""
    raise NotImplementedError("the largest |analytic - numeric| over the largest |entry|")
'''

HINTS = (
    "x.reshape(-1) is a view of a contiguous x: writing flat[i] changes x itself.",
    "Keep the entry's original value and write it back after both calls to f().",
    "Divide by 2h, the distance between x - h and x + h.",
    "np.abs(a).max() is the scale of an array; mind the case where both are all zeros.",
)

SHAPE = (3, 4)


def problem():
    """f(x) = sum(sin(x) * R), its true gradient cos(x) * R, and a float64 x."""
    x, projection = c.random_arrays(12, SHAPE, SHAPE)
    return x, (lambda: float(np.sum(np.sin(x) * projection))), np.cos(x) * projection


def forward_difference(f, x, h=1e-5):
    grad, flat = np.zeros_like(x), x.reshape(-1)
    f0 = f()
    for i in range(flat.size):
        flat[i] += h
        grad.reshape(-1)[i] = (f() - f0) / h
        flat[i] -= h
    return grad


def planted(right):
    """Wrong gradients a gradient check must catch, each with what is wrong with it."""
    one_entry = right.copy()
    one_entry[1, 2] += 1e-3 * np.abs(right).max()
    return [("twice the gradient", 2 * right), ("its negative", -right),
            ("one entry off by 0.1% of the scale", one_entry),
            ("the gradient of another function", np.sin(right))]


def checks(learner):
    x, f, right = problem()
    before = x.copy()
    numeric = learner.numerical_gradient(f, x)
    line = c.shapes([("numerical_gradient's result", numeric, SHAPE)], np.float64)
    yield line
    if line.status != "ok":
        return
    if not np.array_equal(x, before):
        yield c.Line("fail", "x changed: numerical_gradient must put every entry back",
                     "store x's entry before perturbing it, and write it back after")
        return
    yield c.values("numerical_gradient", numeric, reference.numerical_gradient(f, x), wrong=[
        ("a one-sided difference (f(x + h) - f(x)) / h: use (f(x + h) - f(x - h)) / (2h)",
         forward_difference(f, x))], factors=[(2, "divided by h, where the step is 2h")])
    yield from relative_errors(learner)
    yield catches(learner, f, x, right)


def relative_errors(learner):
    """Lines: relative_error on an ordinary pair, and on a pair with exact zeros."""
    analytic, noise = c.random_arrays(13, SHAPE, SHAPE)
    numeric = analytic + 1e-8 * noise
    got = learner.relative_error(analytic, numeric)
    if np.ndim(got) != 0:
        yield c.Line("fail", f"relative_error returned shape {np.shape(got)}: one number "
                             f"is wanted", "take the max of the differences, then divide")
        return
    yield c.values("relative_error", got, reference.relative_error(analytic, numeric),
                   factors=[(1 / analytic.size, "a mean of the differences, where the "
                                                "largest belongs")])
    analytic[0], numeric[0] = 0.0, 1e-13          # a dead unit: 0 against rounding noise
    entrywise = np.max(np.abs(analytic - numeric) / np.maximum(np.abs(analytic),
                                                               np.abs(numeric)))
    yield c.values("relative_error where a gradient is exactly 0",
                   learner.relative_error(analytic, numeric),
                   reference.relative_error(analytic, numeric), wrong=[
                       ("entry by entry: a zero gradient makes 1e-13 of noise a 100% "
                        "error; divide by the largest entry of either array", entrywise)])


def catches(learner, f, x, right):
    """A Line: the learner's two functions together pass the right gradient and catch
    every planted wrong one."""
    def passes(gradient):
        return learner.relative_error(gradient, learner.numerical_gradient(f, x)) <= 1e-6
    missed = [what for what, wrong in planted(right) if passes(wrong)]
    if not passes(right):
        return c.Line("fail", "the check fails the RIGHT gradient: relative error over 1e-6",
                      "a one-sided difference is only accurate to O(h); use central ones")
    if missed:
        return c.Line("fail", f"the check misses planted wrong gradients: {', '.join(missed)}")
    return c.Line("ok", f"passes the right gradient and catches all {len(planted(right))} "
                        f"planted wrong ones")


EXERCISE = Exercise(
    name="gradient_check", chapter=6, title="a central-difference gradient check", stub=STUB,
    functions={"numerical_gradient": (reference.numerical_gradient, ("the gradient",)),
               "relative_error": (reference.relative_error, ("the error",))},
    checks=checks, hints=HINTS,
    solution=(reference.numerical_gradient, reference.relative_error, check_layer))
