"""The checks every exercise is made of, each giving one ``Line``: shapes and dtypes,
values against npvae's own code, a central-difference gradient check, and, for a wrong
answer, a diagnosis.

A diagnosis is found by trying the mistakes learners make and seeing which one the wrong
answer equals: a known wrong variant computed on the same inputs (``wrong``: padding on
the wrong side, a flipped kernel, overlaps assigned instead of added, ...), or the right
answer times a telling factor (``factors``: 2 for a missing 0.5, 1/N for a batch mean
where a sum belongs, ...). A sign flip and a transposed array are always tried.

Values are compared in float64 on small inputs, where a right answer agrees with npvae's
to about 1e-15; ``RTOL`` leaves room for the same sums taken in another order.
"""
import numpy as np

from npvae.exercises.grading import Line
from npvae.gradcheck import numerical_gradient, relative_error

RTOL, ATOL = 1e-7, 1e-10
GRADIENT_TOLERANCE = 1e-6  # the project's bound for a central-difference check in float64


def close(got, expected):
    """True if ``got`` is an array of ``expected``'s shape with (nearly) its values."""
    got = np.asarray(got)
    return (got.shape == np.shape(expected)
            and bool(np.allclose(got, expected, rtol=RTOL, atol=ATOL)))


def describe(array):
    return f"{np.shape(array)} {np.asarray(array).dtype}"


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
                        f"keep the inputs' dtype: in float32 training a float64 array "
                        f"would be rejected by the next layer")
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


def values(what, got, expected, wrong=(), factors=()):
    """One Line: does ``got`` equal ``expected``? If not, a diagnosis from ``wrong``, a
    list of (what the mistake is, the array it gives), or ``factors``, a list of
    (factor, what it means)."""
    if close(got, expected):
        return Line("ok", f"values: {what} equals npvae's")
    return Line("fail", f"values: {what} differs from npvae's ({difference(got, expected)})",
                diagnose(got, expected, wrong, factors))


def diagnose(got, expected, wrong=(), factors=()):
    """What ``got`` most likely got wrong, or "" if no known mistake fits."""
    got = np.asarray(got)
    for mistake, array in wrong:
        if close(got, array):
            return mistake
    for factor, meaning in list(factors) + [(-1, "the sign is flipped")]:
        if close(got, factor * np.asarray(expected)):
            return f"off by a factor of {factor:g}: {meaning}"
    if got.ndim == 2 and got.shape == np.shape(expected)[::-1] and close(got.T, expected):
        return "transposed"
    if not np.all(np.isfinite(got)):
        return "inf or nan appeared: an exp or a log overflowed (see the hints)"
    return ""


def difference(got, expected):
    """Where and how much two arrays differ, in a few words."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    if got.shape != expected.shape:
        return f"shape {got.shape}, expected {expected.shape}"
    if got.ndim == 0:
        return f"{got:.6g} instead of {expected:.6g}"
    error = np.abs(got - expected)
    error[np.isnan(error)] = np.inf
    at = np.unravel_index(np.argmax(error), error.shape)
    wrong = int(np.sum(error > ATOL + RTOL * np.abs(expected)))
    return (f"{wrong} of {error.size} entries wrong; worst at {tuple(int(i) for i in at)}: "
            f"{got[at]:.6g} instead of {expected[at]:.6g}")


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
    diagnosis = diagnose(analytic, numeric, (), factors)
    return Line("fail", f"gradient check of {what}: relative error {error:.1e} against central "
                        f"differences (at most {GRADIENT_TOLERANCE:g})", diagnosis)


def random_arrays(seed, *shapes):
    """Float64 standard-normal arrays of the given shapes, from a seeded Generator."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for shape in shapes]


def projected(function, projection):
    """``sum(function() * projection)``: the scalar whose gradient is the backward of
    ``function`` fed with ``dy = projection`` (as in ``npvae.gradcheck``)."""
    return lambda: float(np.sum(function() * projection))
