"""Exercise ``gradient_check``: central differences, graded by whether they catch planted
wrong gradients (guide, chapter 6).

The function checked is f(x) = sum(sin(x) * R), whose gradient cos(x) * R is known
exactly, and so is the error of each way of getting it wrong: a central difference with
step h returns exactly sin(h)/h times the gradient (too large an h shrinks it), a
one-sided one adds h/2 times the second derivative -sin(x) * R, a too small h adds
rounding noise of about eps * |f| / h with no pattern. The diagnosis fits what was
returned to those shapes (``numerical_diagnosis``).
"""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises.exercise import Exercise, Function
from npvae.gradcheck import check_layer, numerical_gradient, relative_error

HINTS = (
    "x.reshape(-1) is a view of a contiguous x: writing flat[i] changes x itself.",
    "Keep the entry's original value and write it back after both calls to f().",
    "Divide by 2h, the distance between x - h and x + h.",
    "np.abs(a).max() is the scale of an array; mind the case where both are all zeros.",
)

HINTS_ZH = (   # the same hints in Simplified Chinese (npvae exercise hint NAME --lang zh)
    "对于内存连续的 x，x.reshape(-1) 是它的视图（view）：写 "
    "flat[i] 就改了 x 本身。",
    "先记下这个元素原来的值，两次调用 f() 之后再把它写回去。",
    "除以 2h，也就是 x - h 和 x + h 之间的距离。",
    "np.abs(a).max() 是一个数组的尺度；注意两个数组全为零的情况。",
)

SHAPE = (3, 4)
TOLERANCE = 1e-6
CENTRAL = "use (f(x + h) - f(x - h)) / (2h) with h around 1e-5"


def problem():
    """x (float64), f() reading it, f's exact gradient and its second derivative."""
    x, projection = c.random_arrays(12, SHAPE, SHAPE)
    return (x, (lambda: float(np.sum(np.sin(x) * projection))), np.cos(x) * projection,
            -np.sin(x) * projection)


def numerical_diagnosis(got, gradient, second, f_size):
    """What a wrong numerical gradient ``got`` got wrong, from its fit to
    a * gradient + b * second + noise."""
    if not np.any(got):
        return ("all zero: f() never saw the perturbation; perturb x itself, in place "
                "(x.flatten() and x.copy() are copies, x.reshape(-1) of a contiguous x is a view)")
    if np.all(got == np.round(got)):
        return ("every value is a whole number: the differences were written into an integer "
                "array, which cuts them; make the result a float array")
    basis = np.stack([gradient.ravel(), second.ravel()], axis=1)
    (a, b), *_ = np.linalg.lstsq(basis, got.ravel(), rcond=None)
    noise = got.ravel() - basis @ (a, b)
    if np.linalg.norm(noise) > 1e-3 * np.linalg.norm(got - gradient):
        h = np.finfo(np.float64).eps * f_size / np.sqrt(np.mean(noise**2))
        if h < 1e-7:
            return (f"the error is rounding noise, with no pattern: h is too small (about "
                    f"{h:.0e}), so f(x + h) - f(x - h) keeps few of f's digits; {CENTRAL}")
        return ""
    if abs(b) * np.linalg.norm(second) > abs(a - 1) * np.linalg.norm(gradient):
        return (f"a one-sided difference: its error is h/2 times the second derivative (here "
                f"h is about {2 * abs(b):.0e}); {CENTRAL}")
    if abs(a - 2) < 1e-3:
        return ("twice the gradient: (f(x + h) - f(x - h)) / h; the distance between x - h "
                "and x + h is 2h, divide by it")
    if 0.5 < a < 1:
        return (f"{a:.6f} times the gradient, a central difference's O(h^2) error: h is too "
                f"large (about {np.sqrt(6 * (1 - a)):.2g}); {CENTRAL}")
    return f"{a:.6g} times the gradient"


def numerical_checks(learner):
    x, f, gradient, second = problem()
    before = x.copy()
    numeric = learner.numerical_gradient(f, x)
    line = c.shapes([("numerical_gradient's result", numeric, SHAPE)], np.float64)
    if line.status == "ok" and not np.array_equal(x, before):
        line = c.Line("fail", "x changed: numerical_gradient must put every entry back",
                      "store x's entry before perturbing it, and write it back after")
    yield line
    if line.status != "ok":
        return
    if c.close(numeric, gradient):
        yield c.Line("ok", "values: numerical_gradient equals the exact gradient")
    else:
        yield c.Line("fail", f"values: numerical_gradient differs from the exact gradient "
                             f"({c.difference(numeric, gradient)})",
                     numerical_diagnosis(numeric, gradient, second, abs(f())))


def relative_error_checks(learner):
    analytic, noise = c.random_arrays(13, SHAPE, SHAPE)
    numeric = analytic + 1e-8 * noise
    got = learner.relative_error(analytic, numeric)
    if np.ndim(got) != 0:
        yield c.Line("fail", f"relative_error returned shape {np.shape(got)}: one number "
                             f"is wanted", "take the max of the differences, then divide")
        return
    yield c.values("relative_error", got, relative_error(analytic, numeric),
                   factors=[(1 / analytic.size, "a mean of the differences, where the "
                                                "largest belongs")])
    zeros = np.zeros(SHAPE)
    yield c.values("relative_error of two all-zero arrays", learner.relative_error(zeros, zeros),
                   0.0, wrong=[("0/0 is nan: two all-zero gradients agree, so return 0 when "
                                "the scale is 0", np.nan)])
    analytic[0], numeric[0] = 0.0, 1e-13          # a dead unit: 0 against rounding noise
    entrywise = np.max(np.abs(analytic - numeric) / np.maximum(np.abs(analytic),
                                                               np.abs(numeric)))
    yield c.values("relative_error where a gradient is exactly 0",
                   learner.relative_error(analytic, numeric),
                   relative_error(analytic, numeric), wrong=[
                       ("entry by entry: a zero gradient makes 1e-13 of noise a 100% "
                        "error; divide by the largest entry of either array", entrywise)])


def planted(right):
    """Wrong gradients a gradient check must catch, each with what is wrong with it."""
    one_entry = right.copy()
    one_entry[1, 2] += 1e-3 * np.abs(right).max()
    return [("twice the gradient", 2 * right), ("its negative", -right),
            ("one entry off by 0.1% of the scale", one_entry),
            ("the gradient of another function", np.sin(right))]


def catches_checks(learner):
    """A Line: the learner's two functions together pass the right gradient and catch
    every planted wrong one; if not, which of the two is at fault."""
    x, f, right, _ = problem()
    numeric = learner.numerical_gradient(f, x)

    def passes(gradient):
        return learner.relative_error(gradient, numeric) <= TOLERANCE
    at_fault = ("numerical_gradient's values are wrong (above)" if not c.close(numeric, right)
                else "relative_error's values are wrong (above)")
    if not passes(right):
        yield c.Line("fail", f"the check fails the RIGHT gradient: relative error "
                             f"{learner.relative_error(right, numeric):.1e}, over {TOLERANCE:g}",
                     at_fault)
        return
    missed = [what for what, wrong in planted(right) if passes(wrong)]
    if missed:
        yield c.Line("fail", f"the check misses planted wrong gradients: {', '.join(missed)}",
                     at_fault)
        return
    yield c.Line("ok", f"passes the right gradient and catches all {len(planted(right))} "
                       f"planted wrong ones")


EXERCISE = Exercise(
    name="gradient_check", chapter=6, title="a central-difference gradient check",
    functions={"numerical_gradient": Function(numerical_gradient, ("the gradient",),
                                              changes=("x",)),
               "relative_error": Function(relative_error, ("the error",))},
    parts=(numerical_checks, relative_error_checks, catches_checks), hints=HINTS, hints_zh=HINTS_ZH,
    solution=(numerical_gradient, relative_error, check_layer))
