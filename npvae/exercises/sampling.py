"""Exercise ``sampling``: the reparameterization trick, forward and backward (guide,
chapter 4)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises.exercise import Exercise, Function
from npvae.layers.sampling import Sampling, sampling_backward, sampling_forward

HINTS = (
    "The cache can be (eps, sigma): backward needs both and nothing else.",
    "exp(0.5 * log_var) = sqrt(exp(log_var)): the square root of the variance.",
    "d exp(0.5 lv) / d lv = 0.5 exp(0.5 lv): the chain rule brings the 0.5 down.",
)

HINTS_ZH = (   # the same hints in Simplified Chinese (npvae exercise hint NAME --lang zh)
    "缓存可以是 (eps, sigma)：backward 只需要这两个，别的都不需要。",
    "exp(0.5 * log_var) = "
    "sqrt(exp(log_var))：方差的平方根。",
    "d exp(0.5 lv) / d lv = 0.5 exp(0.5 "
    "lv)：链式法则把 0.5 带了下来。",
)

SHAPE = (4, 3)
HALF = (2, "the 0.5 of d exp(0.5 log_var) / d log_var is missing")


def inputs(dtype=np.float64):
    """mean, log_var, eps, dz."""
    return [a.astype(dtype) for a in c.random_arrays(10, SHAPE, SHAPE, SHAPE, SHAPE)]


def forward_checks(learner):
    mean, log_var, eps, _ = inputs()
    z, _ = learner.sampling_forward(mean, log_var, eps)
    line = c.shapes([("z", z, SHAPE)], np.float64)
    yield line
    if line.status != "ok":
        return
    lines = [uses_eps(learner, mean, log_var, eps, z)]
    sigma = np.exp(0.5 * log_var)
    lines.append(c.values("z", z, sampling_forward(mean, log_var, eps)[0], wrong=[
        ("exp(log_var) is the variance, the book's mistake: the noise is scaled by the "
         "standard deviation exp(0.5 * log_var)", mean + np.exp(log_var) * eps),
        ("the mean is missing: z = mean + sigma * eps", sigma * eps)]))
    yield from lines
    single = inputs(np.float32)[:3]
    yield c.in_float32([("z", learner.sampling_forward(*single)[0],
                         sampling_forward(*single)[0])], c.all_ok(lines))


def uses_eps(learner, mean, log_var, eps, z):
    """A Line: is z computed from the eps given, the same every time?"""
    again = learner.sampling_forward(mean, log_var, eps)[0]
    other = learner.sampling_forward(mean, log_var, -eps)[0]
    if not c.close(again, z):
        return c.Line("fail", "z changes from call to call with the same eps",
                      "the function draws noise of its own: use the eps it is given (the "
                      "layer draws it from its seeded Generator)")
    if c.close(other, z):
        return c.Line("fail", "z is the same for another eps: it does not use eps",
                      "z = mean + sigma * eps, with the eps given: do not draw your own")
    return c.Line("ok", "z is computed from the eps given (the same eps gives the same z)")


def backward_checks(learner):
    mean, log_var, eps, dz = inputs()
    dmean, dlog_var = learner.sampling_backward(dz, learner.sampling_forward(mean, log_var,
                                                                             eps)[1])
    line = c.shapes([("dmean", dmean, SHAPE), ("dlog_var", dlog_var, SHAPE)], np.float64)
    yield line
    if line.status != "ok":
        return
    expected_dmean, expected_dlog_var = sampling_backward(
        dz, sampling_forward(mean, log_var, eps)[1])
    sigma = np.exp(0.5 * log_var)
    lines = [c.values("dmean", dmean, expected_dmean),
             c.values("dlog_var", dlog_var, expected_dlog_var, wrong=[
                 ("eps is missing: dz * eps * 0.5 * sigma", dz * 0.5 * sigma),
                 ("sigma is missing: d sigma / d log_var = 0.5 * sigma", dz * eps * 0.5)],
                 factors=[HALF])]
    yield from lines
    mean32, log_var32, eps32, dz32 = inputs(np.float32)
    got32 = learner.sampling_backward(dz32, learner.sampling_forward(mean32, log_var32,
                                                                     eps32)[1])
    expected32 = sampling_backward(dz32, sampling_forward(mean32, log_var32, eps32)[1])
    yield c.in_float32(list(zip(("dmean", "dlog_var"), got32, expected32)), c.all_ok(lines))
    for name, analytic, array in (("dmean", dmean, mean), ("dlog_var", dlog_var, log_var)):
        loss = c.projected(lambda: learner.sampling_forward(mean, log_var, eps)[0], dz)
        yield c.gradient(name, analytic, loss, array, factors=[HALF])


EXERCISE = Exercise(
    name="sampling", chapter=4, title="the sampling layer (reparameterization)",
    functions={"sampling_forward": Function(sampling_forward, ("z", "cache")),
               "sampling_backward": Function(sampling_backward, ("dmean", "dlog_var"))},
    parts=(forward_checks, backward_checks), hints=HINTS, hints_zh=HINTS_ZH,
    solution=(sampling_forward, sampling_backward, Sampling.forward))
