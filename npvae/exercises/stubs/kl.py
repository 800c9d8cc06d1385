"""Exercise kl: the KL term of the VAE's loss, and its gradient (guide, chapter 1).

The encoder gives each image a diagonal Gaussian q(z|x) = N(mean, exp(log_var)). The
loss charges how far it lies from the prior N(0, I), in closed form, summed over the D
latent dimensions of each image:

    kl[n] = 0.5 * sum_d (exp(log_var[n, d]) + mean[n, d]**2 - 1 - log_var[n, d])

Its gradient (of the sum of kl over the batch), entry by entry:

    dmean    = mean                          (N, D)
    dlog_var = 0.5 * (exp(log_var) - 1)      (N, D)

Shapes: mean, log_var (N, D) -> kl (N,), one number per image. Keep the inputs' dtype
(float32 in, float32 out: the model trains in float32), and leave mean and log_var as
they are.

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
