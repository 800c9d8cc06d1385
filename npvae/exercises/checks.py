"""The checks every exercise is made of, each giving one ``Line``: shapes and dtypes,
values against npvae's own code (in float64, and in float32 where the model trains in
float32), a central-difference gradient check, and, for a wrong answer, a diagnosis.

A diagnosis is computed from what the learner's code returned, never guessed. The wrong
answer is compared with what each known mistake gives on the same inputs (``wrong``: the
mistake and the array it gives, or a test of a property the answer has, such as "the
right rows in another order"), then with the right answer times a telling factor
(``factors``: 2 for a missing 0.5, 1/N for a batch mean where a sum belongs, ...). A sign
flip, a transposed array and inf or nan are always tried. No match, no diagnosis: a
wrong guess would mislead more than none.

Values are compared in float64 on small inputs, where a right answer agrees with npvae's
to about 1e-15; ``RTOL`` leaves room for the same sums taken in another order. In float32
a right answer keeps about 7 digits, so there the bound is ``FLOAT32_TOLERANCE`` of the
array's largest entry.
"""
import numpy as np

from npvae.exercises.result import Line
from npvae.gradcheck import numerical_gradient, relative_error

RTOL, ATOL = 1e-7, 1e-10
FLOAT32_TOLERANCE = 1e-5
GRADIENT_TOLERANCE = 1e-6  # the project's bound for a central-difference check in float64


def close(got, expected, rtol=RTOL, atol=ATOL):
    """True if ``got`` is an array of ``expected``'s shape with (nearly) its values; an
    inf or a nan matches the same inf or nan, so a mistake that overflows is recognised."""
    got = np.asarray(got)
    return (got.shape == np.shape(expected)
            and bool(np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)))


def close_to_scale(got, expected, tolerance):
    """True if ``got`` differs from ``expected`` by at most ``tolerance`` of the largest
    entry of ``expected`` (float32's rounding is relative to the sums' size)."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    scale = max(float(np.max(np.abs(expected), initial=0)), np.finfo(np.float64).tiny)
    return (got.shape == expected.shape and bool(np.all(np.isfinite(got)))
            and float(np.max(np.abs(got - expected), initial=0)) <= tolerance * scale)


def shapes(outputs, dtype):
    """One Line for the shapes and dtypes of ``outputs``: (name, array, expected shape)
    triples, each of which should have ``dtype``."""
    for name, got, expected in outputs:
        if not isinstance(got, np.ndarray):
            return Line("fail", f"shapes: {name} is a {type(got).__name__}, not a numpy "
                                f"array of shape {expected}")
        if got.shape != tuple(expected):
            return Line("fail", f"shapes: {name} has shape {got.shape}, expected {expected}",
                        shape_diagnosis(got.shape, tuple(expected)))
        if got.dtype != dtype:
            return Line("fail", f"dtypes: {name} is {got.dtype}, expected {np.dtype(dtype)}",
                        dtype_diagnosis(got.dtype, np.dtype(dtype)))
    listed = ", ".join(f"{name} {got.shape}" for name, got, _ in outputs)
    return Line("ok", f"shapes and dtypes ({np.dtype(dtype)}): {listed}")


def shape_diagnosis(got, expected):
    if got == expected[::-1]:
        return "the axes are swapped: a transposed product (A^T B where A B^T belongs?)"
    if got == () and len(expected) == 1:
        return "a single number where one value per example belongs: do not sum over the batch"
    if len(got) == len(expected) + 1 and got[:len(expected)] == expected:
        return "an extra axis: sum over it (the latent dimensions, the pixels)"
    return ""


def dtype_diagnosis(got, expected):
    if got.kind in "iub":
        return (f"an array of whole numbers ({got}): every value written into it is cut to a "
                f"whole number; make it a float array (np.zeros(shape) is float64, "
                f"np.zeros_like(x) has x's dtype)")
    return (f"keep the inputs' dtype: work on {expected} arrays with {expected} constants "
            f"(in float32 training a {got} array would be rejected by the next layer)")


def in_float32(outputs, values_right):
    """One Line for a call with float32 inputs: ``outputs`` are (name, the learner's
    array, npvae's array from the same float32 inputs) triples. Each must be float32, of
    npvae's shape, and, if the float64 ``values_right``, equal to npvae's to float32's
    precision (values wrong in float64 are wrong in float32 too, for the same reason)."""
    line = shapes([(name, got, np.shape(expected)) for name, got, expected in outputs],
                  np.float32)
    listed = ", ".join(name for name, _, _ in outputs)
    if line.status != "ok":
        return line
    if not values_right:
        return Line("ok", f"float32 in, float32 out: {listed} (the values: see above)")
    for name, got, expected in outputs:
        if not close_to_scale(got, expected, FLOAT32_TOLERANCE):
            return Line("fail", f"float32: {name} differs from npvae's in float32 "
                                f"({difference(got, expected)})",
                        diagnose(got, expected) or "right in float64 but not in float32: "
                        "a constant or a step in lower precision, or a sum that loses digits?")
    return Line("ok", f"float32 in, float32 out, equal to npvae's in float32: {listed}")


def all_ok(lines):
    return all(line.status == "ok" for line in lines)


def values(what, got, expected, wrong=(), factors=()):
    """One Line: does ``got`` equal ``expected``? If not, a diagnosis (``diagnose``)."""
    if close(got, expected):
        return Line("ok", f"values: {what} equals npvae's")
    return Line("fail", f"values: {what} differs from npvae's ({difference(got, expected)})",
                diagnose(got, expected, wrong, factors))


def diagnose(got, expected, wrong=(), factors=()):
    """What ``got`` most likely got wrong, or "" if no known mistake fits.

    wrong: (what the mistake is, the array it gives on the same inputs, or a test
        ``test(got) -> bool`` of a property its answers have).
    factors: (factor, what it means): the right answer times the factor.
    """
    got = np.asarray(got)
    for mistake, gives in wrong:
        if gives(got) if callable(gives) else close(got, gives):
            return mistake
    for factor, meaning in [*factors, (-1, "the sign is flipped")]:
        if close(got, factor * np.asarray(expected)):
            return f"off by a factor of {factor:g}: {meaning}"
    if got.ndim == 2 and got.shape == np.shape(expected)[::-1] and close(got.T, expected):
        return "transposed"
    if got.dtype.kind == "f" and not np.all(np.isfinite(got)):
        bad = int(np.sum(~np.isfinite(got)))
        return f"inf or nan in {bad} of {got.size} entries: an exp overflowed, or a log met 0"
    return ""


def difference(got, expected):
    """Where and how much two arrays differ, in a few words."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    if got.shape != expected.shape:
        return f"shape {got.shape}, expected {expected.shape}"
    if got.ndim == 0:
        return instead(float(got), float(expected))
    error = np.abs(got - expected)
    error[np.isnan(error)] = np.inf
    at = np.unravel_index(np.argmax(error), error.shape)
    wrong = int(np.sum(~(error <= ATOL + RTOL * np.abs(expected))))
    return (f"{wrong} of {error.size} entries wrong; worst at {tuple(int(i) for i in at)}: "
            f"{instead(got[at], expected[at])}")


def instead(got, expected):
    """"got instead of expected", with as many digits as it takes to tell them apart."""
    for digits in (6, 9, 12, 17):
        left, right = f"{got:.{digits}g}", f"{expected:.{digits}g}"
        if left != right:
            break
    return f"{left} instead of {right}"


def gradient(what, analytic, loss, x, factors=()):
    """One Line: the learner's gradient ``analytic`` against central differences of the
    scalar ``loss()``, which must read the float64 array ``x`` (perturbed in place)."""
    numeric = numerical_gradient(loss, x)
    if np.shape(analytic) != numeric.shape:
        return Line("fail", f"gradient check of {what}: shape {np.shape(analytic)}, "
                            f"expected {numeric.shape}")
    error = relative_error(analytic, numeric)
    if error <= GRADIENT_TOLERANCE:
        return Line("ok", f"gradient check of {what}: relative error {error:.1e} "
                          f"against central differences")
    return Line("fail", f"gradient check of {what}: relative error {error:.1e} against central "
                        f"differences (at most {GRADIENT_TOLERANCE:g})",
                diagnose(analytic, numeric, (), factors))


def reordered(expected, axis):
    """A test for ``diagnose``'s ``wrong``: the right rows (axis 0) or columns (axis 1) of
    ``expected``, in another order."""
    def test(got):
        return (np.shape(got) == np.shape(expected)
                and close(sorted_along(got, axis), sorted_along(expected, axis)))
    return test


def sorted_along(array, axis):
    """The rows (axis 0) or columns (axis 1) of a 2-D array, in lexicographic order."""
    lines = np.round(np.asarray(array, np.float64), 12)
    lines = lines if axis == 0 else lines.T
    return lines[np.lexsort(lines.T[::-1])]


def random_arrays(seed, *shapes):
    """Float64 standard-normal arrays of the given shapes, from a seeded Generator."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for shape in shapes]


def projected(function, projection):
    """``sum(function() * projection)``: the scalar whose gradient is the backward of
    ``function`` fed with ``dy = projection`` (as in ``npvae.gradcheck``)."""
    return lambda: float(np.sum(function() * projection))
