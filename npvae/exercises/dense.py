"""Exercise ``dense``: the Dense layer's forward and backward (guide, chapter 2)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises.exercise import Exercise, Function
from npvae.layers.dense import dense_backward, dense_forward

HINTS = (
    "The cache can be x itself: dW needs it, dx needs only dy and W.",
    "Check the shapes: dW must be (D_in, D_out) like W, so x^T (D_in, N) @ dy (N, D_out).",
    "db sums over the batch (axis 0): each example adds its own gradient; do not average.",
)

HINTS_ZH = (   # the same hints in Simplified Chinese (npvae exercise hint NAME --lang zh)
    "缓存可以就是 x 本身：dW 需要它，而 dx 只需要 dy 和 W。",
    "核对形状：dW 必须和 W 一样是 (D_in, D_out)，所以是 x^T "
    "(D_in, N) @ dy (N, D_out)。",
    "db 对批次求和（axis 0）：每个样本都加上自己的梯度；不要取平均。",
)

N, D_IN, D_OUT = 4, 5, 3
BATCH = (1 / N, f"divided by the batch size N={N}: each example adds its gradient, the "
                f"training code averages")


def inputs(dtype=np.float64):
    return [a.astype(dtype) for a in c.random_arrays(3, (N, D_IN), (D_IN, D_OUT), (D_OUT,),
                                                     (N, D_OUT))]


def forward_checks(learner):
    x, W, b, _ = inputs()
    y, _ = learner.dense_forward(x, W, b)
    line = c.shapes([("y", y, (N, D_OUT))], np.float64)
    yield line
    if line.status != "ok":
        return
    line = c.values("y", y, dense_forward(x, W, b)[0], wrong=[("the bias b is missing", x @ W)])
    yield line
    x32, W32, b32, _ = inputs(np.float32)
    yield c.in_float32([("y", learner.dense_forward(x32, W32, b32)[0],
                         dense_forward(x32, W32, b32)[0])], line.status == "ok")


def backward_checks(learner):
    x, W, b, dy = inputs()
    dx, dW, db = learner.dense_backward(dy, W, learner.dense_forward(x, W, b)[1])
    line = c.shapes([("dx", dx, (N, D_IN)), ("dW", dW, (D_IN, D_OUT)), ("db", db, (D_OUT,))],
                    np.float64)
    yield line
    if line.status != "ok":
        return
    expected_dx, expected_dW, expected_db = dense_backward(dy, W, x)
    lines = [c.values("dx", dx, expected_dx), c.values("dW", dW, expected_dW, factors=[BATCH]),
             c.values("db", db, expected_db, factors=[BATCH])]
    yield from lines
    x32, W32, b32, dy32 = inputs(np.float32)
    got32 = learner.dense_backward(dy32, W32, learner.dense_forward(x32, W32, b32)[1])
    expected32 = dense_backward(dy32, W32, x32)
    yield c.in_float32(list(zip(("dx", "dW", "db"), got32, expected32)), c.all_ok(lines))
    for name, analytic, array in (("dx", dx, x), ("dW", dW, W), ("db", db, b)):
        loss = c.projected(lambda: learner.dense_forward(x, W, b)[0], dy)
        yield c.gradient(name, analytic, loss, array, factors=[BATCH])


EXERCISE = Exercise(
    name="dense", chapter=2, title="Dense forward and backward",
    functions={"dense_forward": Function(dense_forward, ("y", "cache")),
               "dense_backward": Function(dense_backward, ("dx", "dW", "db"))},
    parts=(forward_checks, backward_checks), hints=HINTS, hints_zh=HINTS_ZH,
    solution=(dense_forward, dense_backward))
