"""Exercise ``bernoulli``: the reconstruction loss from logits, stable for any logit, and
its gradient (guide, chapter 1)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises import reference
from npvae.exercises.exercise import Exercise
from npvae.losses import bernoulli_reconstruction

STUB = '''"""Exercise bernoulli: -log p(x|z) from the decoder's logits, and its gradient
(guide, chapter 1).

The decoder gives one logit l per pixel; the pixel is on with probability sigmoid(l).
For a target x in [0, 1], the binary cross-entropy of one pixel is

    bce(l, x) = -x log sigmoid(l) - (1 - x) log(1 - sigmoid(l))

Written like that it takes log(0) as soon as sigmoid rounds to 0 or 1 (|l| > 40 or so in
float64, > 17 in float32). Rewritten from the logit it is exact for ANY logit:

    bce(l, x) = max(l, 0) - x * l + log(1 + exp(-|l|))
    d bce / dl = sigmoid(l) - x

Shapes: logits, x (N, H, W, C) -> loss (N,): the sum of bce over each image's pixels;
dlogits (N, H, W, C), the gradient of the sum of loss. Keep the inputs' dtype.

Check it:  npvae exercise check bernoulli
A hint:    npvae exercise hint bernoulli
"""
import numpy as np


def bernoulli_reconstruction(logits, x):
    """-log p(x|z) of each image from the logits, and its gradient.

    Args:
        logits: (N, ...) decoder outputs before the sigmoid.
        x: (N, ...) targets in [0, 1], same shape.

    Returns:
        loss: (N,), nats per image (the sum over its pixels); dlogits: (N, ...).
    """
    raise NotImplementedError("compute each pixel's bce from the logits, sum it per image, "
                              "and return loss, dlogits")
'''

HINTS = (
    "np.log1p(np.exp(-np.abs(logits))) is log(1 + exp(-|l|)); exp(-|l|) is at most 1, so "
    "it never overflows.",
    "Sum each image's pixels: pixel_loss.reshape(len(x), -1).sum(axis=1).",
    "The gradient needs a sigmoid that does not overflow either: for l < 0 use "
    "exp(l) / (1 + exp(l)) (or import npvae.layers.activations.sigmoid).",
    "Do not divide by the number of pixels or by N: the loss is a sum over pixels, and the "
    "training code averages over the batch.",
)

SHAPE = (3, 4, 4, 1)


def checks(learner):
    rng = np.random.default_rng(1)
    logits, x = 3 * rng.standard_normal(SHAPE), rng.random(SHAPE)
    loss, dlogits = learner.bernoulli_reconstruction(logits.copy(), x.copy())
    line = c.shapes([("loss", loss, SHAPE[:1]), ("dlogits", dlogits, SHAPE)], np.float64)
    yield line
    if line.status != "ok":
        return
    single = learner.bernoulli_reconstruction(logits.astype(np.float32), x.astype(np.float32))
    yield c.shapes([("loss", single[0], SHAPE[:1]), ("dlogits", single[1], SHAPE)], np.float32)
    expected, expected_dlogits = bernoulli_reconstruction(logits, x)
    pixels = x[0].size
    yield c.values("loss", loss, expected, wrong=[
        ("the log(1 + exp(-|l|)) term is missing",
         np.sum(np.maximum(logits, 0) - x * logits, axis=(1, 2, 3)))],
        factors=[(1 / pixels, f"a mean over the {pixels} pixels, where their sum belongs"),
                 (1 / SHAPE[0], f"divided by the batch size N={SHAPE[0]}")])
    yield c.values("dlogits", dlogits, expected_dlogits, factors=[
        (1 / pixels, f"divided by the {pixels} pixels: the gradient of the sum is wanted"),
        (1 / SHAPE[0], f"divided by the batch size N={SHAPE[0]}")])
    yield stable(learner)
    total = lambda: float(np.sum(learner.bernoulli_reconstruction(logits, x)[0]))  # noqa: E731
    yield c.gradient("dlogits", dlogits, total, logits)


def stable(learner):
    """A Line: are loss and gradient finite and right for logits of +-1000?"""
    logits = np.array([[-1000.0, -50.0, 50.0, 1000.0]])
    x = np.array([[0.25, 1.0, 0.0, 0.5]])
    loss, dlogits = learner.bernoulli_reconstruction(logits, x)
    expected, expected_dlogits = bernoulli_reconstruction(logits, x)
    if c.close(loss, expected) and c.close(dlogits, expected_dlogits):
        return c.Line("ok", "stable: exact for logits of -1000, -50, 50 and 1000")
    finite = np.all(np.isfinite(loss)) and np.all(np.isfinite(dlogits))
    return c.Line("fail", "not stable for large logits (-1000, -50, 50, 1000): "
                          + (c.difference(loss, expected) if finite else "inf or nan"),
                  "log(sigmoid(l)) takes log(0), and exp(-l) overflows, for a large |l|: "
                  "use max(l, 0) - x*l + log1p(exp(-|l|)), and a sigmoid that never takes "
                  "exp of a large positive number")


EXERCISE = Exercise(
    name="bernoulli", chapter=1, title="the Bernoulli loss from logits and its gradient",
    stub=STUB,
    functions={"bernoulli_reconstruction": (reference.bernoulli_reconstruction,
                                            ("loss", "dlogits"))},
    checks=checks, hints=HINTS, solution=(bernoulli_reconstruction,))
