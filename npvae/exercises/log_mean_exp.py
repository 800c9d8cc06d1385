"""Exercise ``log_mean_exp``: IWAE's average of K importance weights, kept in logs, stable
(guide, chapter 1)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises import reference
from npvae.exercises.exercise import Exercise, Function

HINTS = (
    "m = log_w.max(axis=1, keepdims=True) is one maximum per row, shaped (B, 1) to subtract.",
    "Each row needs its own maximum: one maximum for the whole array still underflows a row "
    "that lies far below it.",
    "A mean, not a sum: subtract np.log(K), with K = log_w.shape[1].",
)

HINTS_ZH = (   # the same hints in Simplified Chinese (npvae exercise hint NAME --lang zh)
    "m = log_w.max(axis=1, keepdims=True) "
    "是每行一个最大值，形状为 (B, 1)，方便相减。",
    "每一行都要用自己的最大值：整个数组只用一个最大值的话，远低于它的那一行仍然会下溢。",
    "是平均而不是求和：减去 np.log(K)，其中 K = "
    "log_w.shape[1]。",
)

# Rows that span about 1000 within themselves, as log weights of one image can: shifted
# by anything but the row's largest, some exp(log_w - shift) is exp(1000) = inf.
SPANNING = np.array([[-1000.0, 0.0, -5.0], [-3.0, -1000.0, -2.5], [-900.0, -1.0, -1002.0]])


def shifted(log_w, shift):
    """log-mean-exp computed around ``shift`` (B, 1): right, whatever the shift, in exact
    arithmetic; in floats, right only for the row's largest."""
    with np.errstate(all="ignore"):  # the mistakes' overflows are the point
        return shift[:, 0] + np.log(np.mean(np.exp(log_w - shift), axis=1))


def mistakes(log_w):
    """(what the mistake is, what it gives) for log weights ``log_w``."""
    right = reference.log_mean_exp(log_w)
    with np.errstate(all="ignore"):
        unshifted = np.log(np.mean(np.exp(log_w), axis=1))
    return [
        ("the mean of the log weights: log of a mean is not the mean of the logs (that is a "
         "lower bound, by Jensen); take log(mean(exp(log_w)))", np.mean(log_w, axis=1)),
        ("that is log-sum-exp: subtract log K for the mean", right + np.log(log_w.shape[1])),
        ("shifted by the smallest log weight: exp(log_w - min) overflows to inf; shift by the "
         "largest, so that every exp is at most 1", shifted(log_w, log_w.min(1, keepdims=True))),
        ("shifted by one maximum for the whole array: each row needs its own",
         shifted(log_w, np.full((len(log_w), 1), log_w.max()))),
        ("the maximum is not added back after the shift", right - log_w.max(axis=1)),
        ("not shifted: exp(log_w) underflows to 0 or overflows to inf; shift each row by its "
         "largest log weight", unshifted)]


def checks(learner):
    rng = np.random.default_rng(2)
    log_w = rng.standard_normal((3, 5))
    got = learner.log_mean_exp(log_w)
    line = c.shapes([("the result", got, (3,))], np.float64)
    yield line
    if line.status != "ok":
        return
    yield c.values("log-mean-exp of small log weights", got, reference.log_mean_exp(log_w),
                   wrong=mistakes(log_w))
    # Rows far apart: one near -1000, one near +1000, one near -100 (as IWAE's).
    far = log_w + np.array([[-1000.0], [1000.0], [-100.0]])
    yield c.values("log-mean-exp of log weights near -1000, 1000 and -100",
                   learner.log_mean_exp(far), reference.log_mean_exp(far), wrong=mistakes(far))
    yield c.values("log-mean-exp of rows that span 1000, such as [-1000, 0, -5]",
                   learner.log_mean_exp(SPANNING), reference.log_mean_exp(SPANNING),
                   wrong=mistakes(SPANNING))


EXERCISE = Exercise(
    name="log_mean_exp", chapter=1, title="IWAE's log-mean-exp, stable",
    functions={"log_mean_exp": Function(reference.log_mean_exp, ("the log-mean-exp",))},
    parts=(checks,), hints=HINTS, hints_zh=HINTS_ZH,
    solution=("npvae.evaluation:logsumexp", "npvae.evaluation:iwae_nll"))
