"""Exercise log_mean_exp: the IWAE bound's average of K weights, in logs
(guide, chapter 1).

IWAE draws K codes z_k per image and weighs each by w_k = p(x, z_k) / q(z_k|x). The bound
is the log of their mean:

    log (1/K sum_k w_k) = log (1/K sum_k exp(log_w[k]))

The weights themselves are a poor way to get there: log w is about -100 for an MNIST
digit, and exp(-100) = 4e-44 is below float32's normal numbers (exp(-104) is 0 in
float32), exp(-1000) is 0 even in float64, and a sum of terms of very different sizes
loses the small ones. Shift by the LARGEST log weight m = max_k log_w[k] first, which
changes nothing in exact arithmetic:

    log (1/K sum_k exp(log_w[k])) = m + log (sum_k exp(log_w[k] - m)) - log K

Every exp(log_w[k] - m) is then at most 1 (never inf), and the largest is exactly 1, so
the sum is at least 1 and its log is finite. (Shifted by the smallest instead, a row
that spans 1000 takes exp(1000), which is inf.)

Shapes: log_w (B, K), one row of K log weights per image -> (B,), one number per image.
Leave log_w as it is.

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
