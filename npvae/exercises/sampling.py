"""Exercise ``sampling``: the reparameterization trick, forward and backward (guide,
chapter 4)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises import reference
from npvae.exercises.exercise import Exercise
from npvae.layers.sampling import Sampling

STUB = '''"""Exercise sampling: the reparameterization trick, forward and backward
(guide, chapter 4).

The encoder gives the mean and the log-variance of a diagonal Gaussian q(z|x). Drawing
z ~ N(mean, sigma^2) directly would stop backpropagation, so the noise eps ~ N(0, I) is
drawn apart (it is given here) and z is COMPUTED from it:

    sigma = exp(0.5 * log_var)            the standard deviation (not the variance)
    z     = mean + sigma * eps            (N, D)

z is now a smooth function of mean and log_var, with eps held fixed:

    dmean    = dz
    dlog_var = dz * eps * 0.5 * sigma     since d sigma / d log_var = sigma / 2

(The book writes exp(log_var) * eps, the variance where the standard deviation belongs:
chapter 4 measures what that costs.)

Shapes: mean, log_var, eps, z, dz, dmean, dlog_var: all (N, D). Keep the inputs' dtype.

Check it:  npvae exercise check sampling
A hint:    npvae exercise hint sampling
"""
import numpy as np


def sampling_forward(mean, log_var, eps):
    """z = mean + exp(0.5 * log_var) * eps -> (z, cache)."""
    raise NotImplementedError("compute sigma and z; return z and what backward needs")


def sampling_backward(dz, cache):
    """(dmean, dlog_var) of sampling_forward, from dz."""
    raise NotImplementedError("dmean is dz; dlog_var is dz * eps * d sigma / d log_var")
'''

HINTS = (
    "The cache can be (eps, sigma): backward needs both and nothing else.",
    "exp(0.5 * log_var) = sqrt(exp(log_var)): the square root of the variance.",
    "d exp(0.5 lv) / d lv = 0.5 exp(0.5 lv): the chain rule brings the 0.5 down.",
)

SHAPE = (4, 3)


def checks(learner):
    mean, log_var, eps, dz = c.random_arrays(10, SHAPE, SHAPE, SHAPE, SHAPE)
    z, cache = learner.sampling_forward(mean.copy(), log_var.copy(), eps.copy())
    dmean, dlog_var = learner.sampling_backward(dz.copy(), cache)
    names = ("z", "dmean", "dlog_var")
    line = c.shapes([(name, a, SHAPE) for name, a in zip(names, (z, dmean, dlog_var))],
                    np.float64)
    yield line
    if line.status != "ok":
        return
    f32 = [a.astype(np.float32) for a in (mean, log_var, eps, dz)]
    z32, cache32 = learner.sampling_forward(*f32[:3])
    yield c.shapes([(name, a, SHAPE) for name, a in
                    zip(names, (z32,) + tuple(learner.sampling_backward(f32[3], cache32)))],
                   np.float32)
    ref_z, ref_cache = reference.sampling_forward(mean, log_var, eps)
    ref_dmean, ref_dlog_var = reference.sampling_backward(dz, ref_cache)
    sigma = np.exp(0.5 * log_var)
    yield c.values("z", z, ref_z, wrong=[
        ("exp(log_var) is the variance, the book's mistake: the noise is scaled by the "
         "standard deviation exp(0.5 * log_var)", mean + np.exp(log_var) * eps),
        ("the mean is missing: z = mean + sigma * eps", sigma * eps)])
    yield c.values("dmean", dmean, ref_dmean)
    yield c.values("dlog_var", dlog_var, ref_dlog_var, wrong=[
        ("eps is missing: dz * eps * 0.5 * sigma", dz * 0.5 * sigma),
        ("sigma is missing: d sigma / d log_var = 0.5 * sigma", dz * eps * 0.5)],
        factors=[(2, "the 0.5 of d exp(0.5 log_var) / d log_var is missing")])
    for name, analytic, array in (("dmean", dmean, mean), ("dlog_var", dlog_var, log_var)):
        loss = c.projected(lambda: learner.sampling_forward(mean, log_var, eps)[0], dz)
        yield c.gradient(name, analytic, loss, array,
                         factors=[(2, "the 0.5 of d exp(0.5 log_var) / d log_var is missing")])


EXERCISE = Exercise(
    name="sampling", chapter=4, title="the sampling layer (reparameterization)", stub=STUB,
    functions={"sampling_forward": (reference.sampling_forward, ("z", "cache")),
               "sampling_backward": (reference.sampling_backward, ("dmean", "dlog_var"))},
    checks=checks, hints=HINTS, solution=(Sampling.forward, Sampling.scale, Sampling.backward))
