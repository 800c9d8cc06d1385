"""Exercise ``log_mean_exp``: IWAE's average of K importance weights, kept in logs, stable
(guide, chapter 1)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises import reference
from npvae.exercises.exercise import Exercise
from npvae.evaluation import iwae_nll, logsumexp

STUB = '''"""Exercise log_mean_exp: the IWAE bound's average of K weights, in logs
(guide, chapter 1).

IWAE draws K codes z_k per image and weighs each by w_k = p(x, z_k) / q(z_k|x). The bound
is the log of their mean:

    log (1/K sum_k w_k) = log (1/K sum_k exp(log_w[k]))

The weights themselves cannot be formed: log w is about -100 for an MNIST digit, and
exp(-100) is 4e-44, below float32's range, and exp(-1000) is 0 even in float64. Shift by
the largest log weight m = max_k log_w[k] first, which changes nothing in exact arithmetic:

    log (1/K sum_k exp(log_w[k])) = m + log (sum_k exp(log_w[k] - m)) - log K

Every exp(log_w[k] - m) is then in (0, 1], and the largest is exactly 1.

Shapes: log_w (B, K), one row of K log weights per image -> (B,), one number per image.

Check it:  npvae exercise check log_mean_exp
A hint:    npvae exercise hint log_mean_exp
"""
import numpy as np


def log_mean_exp(log_w):
    """log of the mean of exp(log_w) along each row, without overflow or underflow.

    Args:
        log_w: (B, K).

    Returns:
        (B,).
    """
    raise NotImplementedError("shift each row by its maximum, take log-sum-exp, add the "
                              "maximum back and subtract log K")
'''

HINTS = (
    "m = log_w.max(axis=1, keepdims=True) is one maximum per row, shaped (B, 1) to subtract.",
    "Each row needs its own maximum: one maximum for the whole array still underflows a row "
    "that lies far below it.",
    "A mean, not a sum: subtract np.log(K), with K = log_w.shape[1].",
)


def checks(learner):
    rng = np.random.default_rng(2)
    log_w = rng.standard_normal((3, 5))
    got = learner.log_mean_exp(log_w.copy())
    line = c.shapes([("the result", got, (3,))], np.float64)
    yield line
    if line.status != "ok":
        return
    expected = reference.log_mean_exp(log_w)
    yield c.values("log-mean-exp of small log weights", got, expected, wrong=[
        ("that is log-sum-exp: subtract log K for the mean", logsumexp(log_w))])
    # Rows far apart: one near -1000, one near +1000, one near -100 (as IWAE's).
    far = log_w + np.array([[-1000.0], [1000.0], [-100.0]])
    got_far = learner.log_mean_exp(far.copy())
    expected_far = reference.log_mean_exp(far)
    shift = far.max()
    with np.errstate(divide="ignore"):  # the mistake's log(0) is the point
        global_shift = shift + np.log(np.mean(np.exp(far - shift), axis=1))
    yield c.values("log-mean-exp of log weights near -1000, 1000 and -100", got_far,
                   expected_far, wrong=[
                       ("shifted by one maximum for the whole array: each row needs its own",
                        global_shift),
                       ("the maximum is not added back after the shift",
                        expected_far - far.max(axis=1)),
                       ("that is log-sum-exp: subtract log K for the mean", logsumexp(far))])


EXERCISE = Exercise(
    name="log_mean_exp", chapter=1, title="IWAE's log-mean-exp, stable", stub=STUB,
    functions={"log_mean_exp": (reference.log_mean_exp, ("the log-mean-exp",))},
    checks=checks, hints=HINTS,
    solution=(logsumexp, iwae_nll))
