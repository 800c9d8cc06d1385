"""Exercise ``kl``: the KL term of the VAE's loss and its gradient (guide, chapter 1)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises.exercise import Exercise, Function
from npvae.losses import gaussian_kl

HINTS = (
    "exp(log_var) is the variance sigma^2: compute it once, var = np.exp(log_var).",
    "Sum over the latent dimensions only: np.sum(..., axis=1) leaves one number per image.",
    "Do not divide by N: the training code takes the batch mean itself.",
    "The 0.5 in front of the sum stays in dlog_var = 0.5 * (var - 1); in dmean it cancels "
    "the 2 of mean**2.",
)

HINTS_ZH = (   # the same hints in Simplified Chinese (npvae exercise hint NAME --lang zh)
    "exp(log_var) 就是方差 sigma^2：只算一次，var = "
    "np.exp(log_var)。",
    "只对潜在维度求和：np.sum(..., axis=1) 为每张图片留下一个数。",
    "不要除以 N：对批次取平均由训练代码自己来做。",
    "求和前面的 0.5 在 dlog_var = 0.5 * (var - 1) "
    "里保留；在 dmean 里它正好和 mean**2 的 2 抵消。",
)

N, D = 4, 3


def checks(learner):
    mean, log_var = c.random_arrays(0, (N, D), (N, D))
    kl, (dmean, dlog_var) = learner.gaussian_kl(mean, log_var)
    line = c.shapes([("kl", kl, (N,)), ("dmean", dmean, (N, D)),
                     ("dlog_var", dlog_var, (N, D))], np.float64)
    yield line
    if line.status != "ok":
        return
    expected, (expected_dmean, expected_dlog_var) = gaussian_kl(mean, log_var)
    var = np.exp(log_var)
    batch = (1 / N, f"divided by the batch size N={N}: return each image's own kl")
    lines = [c.values("kl", kl, expected, wrong=[
        ("exp(0.5 * log_var) is the standard deviation: the formula takes the variance, "
         "exp(log_var)", 0.5 * np.sum(np.exp(0.5 * log_var) + mean**2 - 1 - log_var, axis=1)),
        ("the log_var term has the wrong sign: it is - log_var",
         0.5 * np.sum(var + mean**2 - 1 + log_var, axis=1)),
        ("the - 1 is missing", expected + 0.5 * D)],
        factors=[(2, "the 0.5 in front of the sum is missing"),
                 (1 / D, "a mean over the latent dimensions, where their sum belongs"), batch]),
        c.values("dmean", dmean, expected_dmean, factors=[
            (2, "d(0.5 mean^2)/dmean is mean: the 0.5 cancels the square's 2"), batch]),
        c.values("dlog_var", dlog_var, expected_dlog_var, wrong=[
        ("the - 1 is missing: d(-log_var)/dlog_var = -1", 0.5 * var),
        ("the 0.5 of exp(log_var)'s derivative does not belong: d exp(lv)/d lv = exp(lv); the "
         "0.5 in front of the sum is all", 0.5 * (0.5 * var - 1))],
        factors=[(2, "the 0.5 in front of the sum is missing"), batch])]
    yield from lines
    single = [a.astype(np.float32) for a in (mean, log_var)]
    got32, expected32 = learner.gaussian_kl(*single), gaussian_kl(*single)
    yield c.in_float32([("kl", got32[0], expected32[0]), ("dmean", got32[1][0], expected32[1][0]),
                        ("dlog_var", got32[1][1], expected32[1][1])], c.all_ok(lines))
    total = lambda: float(np.sum(learner.gaussian_kl(mean, log_var)[0]))  # noqa: E731
    yield c.gradient("dmean", dmean, total, mean)
    yield c.gradient("dlog_var", dlog_var, total, log_var)


EXERCISE = Exercise(
    name="kl", chapter=1, title="the Gaussian KL term and its gradient",
    functions={"gaussian_kl": Function(gaussian_kl, ("kl", "(dmean, dlog_var)"))},
    parts=(checks,), hints=HINTS, hints_zh=HINTS_ZH, solution=(gaussian_kl,))
