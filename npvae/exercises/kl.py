"""Exercise ``kl``: the KL term of the VAE's loss and its gradient (guide, chapter 1)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises import reference
from npvae.exercises.exercise import Exercise
from npvae.losses import gaussian_kl

STUB = '''"""Exercise kl: the KL term of the VAE's loss, and its gradient (guide, chapter 1).

The encoder gives each image a diagonal Gaussian q(z|x) = N(mean, exp(log_var)). The
loss charges how far it lies from the prior N(0, I), in closed form, summed over the D
latent dimensions of each image:

    kl[n] = 0.5 * sum_d (exp(log_var[n, d]) + mean[n, d]**2 - 1 - log_var[n, d])

Its gradient (of the sum of kl over the batch), entry by entry:

    dmean    = mean                          (N, D)
    dlog_var = 0.5 * (exp(log_var) - 1)      (N, D)

Shapes: mean, log_var (N, D) -> kl (N,), one number per image. Keep the inputs' dtype
(float32 in, float32 out): the model trains in float32.

Check it:  npvae exercise check kl
A hint:    npvae exercise hint kl
"""
import numpy as np


def gaussian_kl(mean, log_var):
    """KL(N(mean, exp(log_var)) || N(0, I)) of each example, and its gradient.

    Args:
        mean, log_var: (N, D).

    Returns:
        kl: (N,); (dmean, dlog_var): each (N, D).
    """
    raise NotImplementedError("compute kl (N,) and the gradients dmean, dlog_var (N, D); "
                              "return kl, (dmean, dlog_var)")
'''

HINTS = (
    "exp(log_var) is the variance sigma^2: compute it once, var = np.exp(log_var).",
    "Sum over the latent dimensions only: np.sum(..., axis=1) leaves one number per image.",
    "Do not divide by N: the training code takes the batch mean itself.",
    "The 0.5 in front of the sum stays in dlog_var = 0.5 * (var - 1); in dmean it cancels "
    "the 2 of mean**2.",
)

N, D = 4, 3


def checks(learner):
    mean, log_var = c.random_arrays(0, (N, D), (N, D))
    kl, (dmean, dlog_var) = learner.gaussian_kl(mean.copy(), log_var.copy())
    line = c.shapes([("kl", kl, (N,)), ("dmean", dmean, (N, D)),
                     ("dlog_var", dlog_var, (N, D))], np.float64)
    yield line
    if line.status != "ok":
        return
    single = learner.gaussian_kl(mean.astype(np.float32), log_var.astype(np.float32))
    yield c.shapes([("kl", single[0], (N,)), ("dmean", single[1][0], (N, D)),
                    ("dlog_var", single[1][1], (N, D))], np.float32)
    expected, (expected_dmean, expected_dlog_var) = gaussian_kl(mean, log_var)
    var = np.exp(log_var)
    yield c.values("kl", kl, expected, wrong=[
        ("exp(0.5 * log_var) is the standard deviation: the formula takes the variance, "
         "exp(log_var)", 0.5 * np.sum(np.exp(0.5 * log_var) + mean**2 - 1 - log_var, axis=1)),
        ("the log_var term has the wrong sign: it is - log_var",
         0.5 * np.sum(var + mean**2 - 1 + log_var, axis=1)),
        ("the - 1 is missing", expected + 0.5 * D)],
        factors=[(2, "the 0.5 in front of the sum is missing"),
                 (1 / D, "a mean over the latent dimensions, where their sum belongs"),
                 (1 / N, f"divided by the batch size N={N}: return each image's own kl")])
    yield c.values("dmean", dmean, expected_dmean, factors=[
        (2, "d(0.5 mean^2)/dmean is mean: the 0.5 cancels the square's 2"),
        (1 / N, f"divided by the batch size N={N}: the gradient of the sum is wanted")])
    yield c.values("dlog_var", dlog_var, expected_dlog_var, wrong=[
        ("the - 1 is missing: d(-log_var)/dlog_var = -1", 0.5 * var),
        ("the 0.5 of exp(log_var)'s derivative does not belong: d exp(lv)/d lv = exp(lv); the "
         "0.5 in front of the sum is all", 0.5 * (0.5 * var - 1))],
        factors=[(2, "the 0.5 in front of the sum is missing"),
                 (1 / N, f"divided by the batch size N={N}: the gradient of the sum is wanted")])
    total = lambda: float(np.sum(learner.gaussian_kl(mean, log_var)[0]))  # noqa: E731
    yield c.gradient("dmean", dmean, total, mean)
    yield c.gradient("dlog_var", dlog_var, total, log_var)


EXERCISE = Exercise(
    name="kl", chapter=1, title="the Gaussian KL term and its gradient", stub=STUB,
    functions={"gaussian_kl": (reference.gaussian_kl, ("kl", "(dmean, dlog_var)"))},
    checks=checks, hints=HINTS, solution=(gaussian_kl,))
