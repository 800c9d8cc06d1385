"""Exercise ``bernoulli``: the reconstruction loss from logits, stable for any logit, and
its gradient (guide, chapter 1)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises.exercise import Exercise, Function
from npvae.losses import bernoulli_reconstruction

HINTS = (
    "np.log1p(np.exp(-np.abs(logits))) is log(1 + exp(-|l|)); exp(-|l|) is at most 1, so "
    "it never overflows.",
    "Sum each image's pixels: pixel_loss.reshape(len(x), -1).sum(axis=1).",
    "The gradient needs a sigmoid that does not overflow either: for l < 0 use "
    "exp(l) / (1 + exp(l)) (or import npvae.layers.activations.sigmoid).",
    "Do not divide by the number of pixels or by N: the loss is a sum over pixels, and the "
    "training code averages over the batch.",
)

HINTS_ZH = (   # the same hints in Simplified Chinese (npvae exercise hint NAME --lang zh)
    "np.log1p(np.exp(-np.abs(logits))) 就是 log(1"
    " + exp(-|l|))；exp(-|l|) 最大为 1，所以永远不会溢出。",
    "把每张图片的像素加起来：pixel_loss.reshape(len(x), "
    "-1).sum(axis=1)。",
    "梯度里的 sigmoid 也不能溢出：l < 0 时用 exp(l) / (1 + "
    "exp(l))（或者 import "
    "npvae.layers.activations.sigmoid）。",
    "不要除以像素个数，也不要除以 N：损失是对像素求和，对批次取平均由训练代码来做。",
)

SHAPE = (3, 4, 4, 1)
# One pixel per image, so that each logit's loss is an entry of its own: float32's
# sigmoid rounds to 0 or 1 from |l| of about 17, float64's from about 37; the two small
# logits tell a mistake at every logit from one at large ones.
LARGE = np.array([-1000.0, -50.0, -20.0, -2.0, 0.5, 20.0, 50.0, 1000.0]).reshape(-1, 1, 1, 1)
TARGETS = np.array([0.25, 1.0, 0.5, 0.3, 0.9, 0.0, 0.75, 0.5]).reshape(-1, 1, 1, 1)


def checks(learner):
    rng = np.random.default_rng(1)
    logits, x = 3 * rng.standard_normal(SHAPE), rng.random(SHAPE)
    loss, dlogits = learner.bernoulli_reconstruction(logits, x)
    line = c.shapes([("loss", loss, SHAPE[:1]), ("dlogits", dlogits, SHAPE)], np.float64)
    yield line
    if line.status != "ok":
        return
    expected, expected_dlogits = bernoulli_reconstruction(logits, x)
    pixels = x[0].size
    lines = [c.values("loss", loss, expected, wrong=[
        ("the log(1 + exp(-|l|)) term is missing",
         np.sum(np.maximum(logits, 0) - x * logits, axis=(1, 2, 3)))],
        factors=[(1 / pixels, f"a mean over the {pixels} pixels, where their sum belongs"),
                 (1 / SHAPE[0], f"divided by the batch size N={SHAPE[0]}")]),
        c.values("dlogits", dlogits, expected_dlogits, wrong=[
            ("the sigmoid is missing: d bce / dl = sigmoid(l) - x", logits - x)], factors=[
            (1 / pixels, f"divided by the {pixels} pixels: the gradient of the sum is wanted"),
            (1 / SHAPE[0], f"divided by the batch size N={SHAPE[0]}")])]
    yield from lines
    single = [a.astype(np.float32) for a in (logits, x)]
    got32 = learner.bernoulli_reconstruction(*single)
    expected32 = bernoulli_reconstruction(*single)
    yield c.in_float32([("loss", got32[0], expected32[0]), ("dlogits", got32[1], expected32[1])],
                       c.all_ok(lines))
    for dtype in (np.float64, np.float32):
        yield stable(learner, dtype)
    total = lambda: float(np.sum(learner.bernoulli_reconstruction(logits, x)[0]))  # noqa: E731
    yield c.gradient("dlogits", dlogits, total, logits)


def stable(learner, dtype):
    """A Line: are the loss and the gradient right for logits up to +-1000 in ``dtype``?
    Each is judged on its own, and the diagnosis comes from what is wrong with it."""
    logits, x = LARGE.astype(dtype), TARGETS.astype(dtype)
    loss, dlogits = learner.bernoulli_reconstruction(logits, x)
    expected, expected_dlogits = bernoulli_reconstruction(logits, x)
    what = f"logits of -1000 to 1000 in {np.dtype(dtype)}"
    tolerance = c.FLOAT32_TOLERANCE if dtype == np.float32 else c.RTOL
    wrong = [(name, got, right) for name, got, right in (("loss", loss, expected),
                                                         ("dlogits", dlogits, expected_dlogits))
             if not c.close_to_scale(got, right, tolerance)]
    if not wrong:
        return c.Line("ok", f"stable: exact for {what}")
    name, got, right = wrong[0]
    return c.Line("fail", f"not right for {what}: {name} {c.difference(got, right)}",
                  unstable_diagnosis(name, np.asarray(got, np.float64), right, logits))


def unstable_diagnosis(name, got, right, logits):
    """Why ``got`` (the loss or dlogits, one pixel per entry) is wrong at large logits."""
    finite = np.isfinite(got)
    if name == "loss" and not finite.all():
        return ("log(sigmoid(l)) takes log(0) once sigmoid rounds to 0 or 1 (|l| above 17 in "
                "float32, 37 in float64): use max(l, 0) - x*l + log1p(exp(-|l|))")
    if not finite.all():
        return ("the sigmoid overflows: exp(-l) for a large negative l, or exp(l) / (1 + "
                "exp(l)) for a large positive one, is inf; take exp of -|l| only")
    everywhere = c.diagnose(got, right, factors=[
        (1 / len(logits), f"divided by the batch size N={len(logits)}")])
    if everywhere:
        return everywhere
    off = np.abs(got - right) > c.FLOAT32_TOLERANCE * np.abs(right).max()
    if np.all(np.abs(logits.reshape(-1)[off.reshape(-1)]) >= 17):
        return ("wrong only where |l| is large, where sigmoid rounds to 0 or 1: clipped "
                "probabilities, or the loss taken from sigmoid(l)? compute it from the logits")
    return ""


EXERCISE = Exercise(
    name="bernoulli", chapter=1, title="the Bernoulli loss from logits and its gradient",
    functions={"bernoulli_reconstruction": Function(bernoulli_reconstruction,
                                                    ("loss", "dlogits"))},
    parts=(checks,), hints=HINTS, hints_zh=HINTS_ZH, solution=(bernoulli_reconstruction,))
