"""Exercise ``activations``: the backward of ReLU and of the sigmoid (guide, chapter 2)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises.exercise import Exercise, Function
from npvae.layers.activations import relu_backward, sigmoid, sigmoid_backward

HINTS = (
    "(y > 0) is a boolean array; dy * (y > 0) keeps the dtype of dy.",
    "y is already the sigmoid's output: its derivative is y * (1 - y); do not apply the "
    "sigmoid to y again.",
)

HINTS_ZH = (   # the same hints in Simplified Chinese (npvae exercise hint NAME --lang zh)
    "(y > 0) 是一个布尔数组；dy * (y > 0) 会保持 dy 的数据类型。",
    "y 已经是 sigmoid 的输出：它的导数就是 y * (1 - y)；不要再对 "
    "y 套一次 sigmoid。",
)

SHAPE = (3, 4)


def inputs():
    """x with two entries at the kink x = 0, dy, and x moved off the kink (central
    differences need a smooth point)."""
    x, dy = c.random_arrays(4, SHAPE, SHAPE)
    x[0, :2] = 0.0
    return x, dy, x + 0.5 * (x == 0)


def backward_checks(name, label, forward, backward, mistakes):
    """The checks of one activation's backward: the learner's ``name``, against
    ``backward`` at y = forward(x); ``mistakes(dy, y)`` lists the wrong answers named."""
    def checks(learner):
        x, dy, smooth = inputs()
        y = forward(x)
        dx = getattr(learner, name)(dy, y)
        line = c.shapes([(f"{name}'s dx", dx, SHAPE)], np.float64)
        yield line
        if line.status != "ok":
            return
        line = c.values(f"{label}'s dx", dx, backward(dy, y), wrong=mistakes(dy, y))
        yield line
        dy32, y32 = dy.astype(np.float32), y.astype(np.float32)
        yield c.in_float32([(f"{name}'s dx", getattr(learner, name)(dy32, y32),
                             backward(dy32, y32))], line.status == "ok")
        loss = c.projected(lambda: forward(smooth), dy)
        yield c.gradient(name, getattr(learner, name)(dy, forward(smooth)), loss, smooth)
    return checks


def relu(x):
    return np.maximum(x, 0)


relu_checks = backward_checks("relu_backward", "ReLU", relu, relu_backward, lambda dy, y: [
    ("the gradient passes where y = 0 (the kink): use y > 0, not y >= 0", dy * (y >= 0)),
    ("that is the mask [y > 0] alone: multiply it by dy", (y > 0) * 1.0),
    ("that is max(dy, 0): the mask comes from the output y, not from dy", np.maximum(dy, 0))])

sigmoid_checks = backward_checks("sigmoid_backward", "sigmoid", sigmoid, sigmoid_backward,
                                 lambda dy, y: [
    ("the sigmoid was applied to y again: y is its output already, dx = dy y (1 - y)",
     dy * sigmoid(y) * (1 - sigmoid(y))),
    ("the (1 - y) is missing", dy * y),
    ("dy is missing", y * (1 - y))])


EXERCISE = Exercise(
    name="activations", chapter=2, title="ReLU and sigmoid backward",
    functions={"relu_backward": Function(relu_backward, ("dx",)),
               "sigmoid_backward": Function(sigmoid_backward, ("dx",))},
    parts=(relu_checks, sigmoid_checks), hints=HINTS, hints_zh=HINTS_ZH,
    solution=(relu_backward, sigmoid_backward))
