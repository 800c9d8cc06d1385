"""Exercise ``activations``: the backward of ReLU and of the sigmoid (guide, chapter 2)."""
import numpy as np

from npvae.exercises import checks as c
from npvae.exercises import reference
from npvae.exercises.exercise import Exercise
from npvae.layers import activations
from npvae.layers.activations import sigmoid

STUB = '''"""Exercise activations: the backward passes of ReLU and of the sigmoid
(guide, chapter 2).

Both layers keep their OUTPUT y for backward, because both derivatives are cheapest
written in terms of it:

    ReLU     y = max(x, 0)          dx = dy * [y > 0]
    Sigmoid  y = 1 / (1 + e^-x)     dx = dy * y * (1 - y)

[y > 0] is 1 where the unit was active and 0 elsewhere, at the kink x = 0 too.
Shapes: any; dy, y and dx all have the shape of x. Keep the inputs' dtype.

Check it:  npvae exercise check activations
A hint:    npvae exercise hint activations
"""
import numpy as np


def relu_backward(dy, y):
    """dx of a ReLU whose output was y, from dy."""
    raise NotImplementedError("pass dy where the ReLU's output was positive, 0 elsewhere")


def sigmoid_backward(dy, y):
    """dx of a sigmoid whose output was y, from dy."""
    raise NotImplementedError("multiply dy by the sigmoid's derivative, written with its output y")
'''

HINTS = (
    "(y > 0) is a boolean array; dy * (y > 0) keeps the dtype of dy.",
    "y is already the sigmoid's output: its derivative is y * (1 - y); do not apply the "
    "sigmoid to y again.",
)

SHAPE = (3, 4)


def checks(learner):
    x, dy = c.random_arrays(4, SHAPE, SHAPE)
    x[0, :2] = 0.0                       # the kink, where y = 0 exactly
    y_relu, y_sigmoid = np.maximum(x, 0), sigmoid(x)
    relu_dx = learner.relu_backward(dy.copy(), y_relu.copy())
    sigmoid_dx = learner.sigmoid_backward(dy.copy(), y_sigmoid.copy())
    line = c.shapes([("relu_backward's dx", relu_dx, SHAPE),
                     ("sigmoid_backward's dx", sigmoid_dx, SHAPE)], np.float64)
    yield line
    if line.status != "ok":
        return
    f32 = [a.astype(np.float32) for a in (dy, y_relu, y_sigmoid)]
    yield c.shapes([("relu_backward's dx", learner.relu_backward(f32[0], f32[1]), SHAPE),
                    ("sigmoid_backward's dx", learner.sigmoid_backward(f32[0], f32[2]), SHAPE)],
                   np.float32)
    yield c.values("ReLU's dx", relu_dx, reference.relu_backward(dy, y_relu), wrong=[
        ("the gradient passes where y = 0 (the kink): use y > 0, not y >= 0", dy * (y_relu >= 0)),
        ("that is the mask [y > 0] alone: multiply it by dy", (y_relu > 0) * 1.0),
        ("that is max(dy, 0): the mask comes from the output y, not from dy",
         np.maximum(dy, 0))])
    yield c.values("sigmoid's dx", sigmoid_dx, reference.sigmoid_backward(dy, y_sigmoid), wrong=[
        ("the sigmoid was applied to y again: y is its output already, dx = dy y (1 - y)",
         dy * sigmoid(y_sigmoid) * (1 - sigmoid(y_sigmoid))),
        ("the (1 - y) is missing", dy * y_sigmoid),
        ("dy is missing", y_sigmoid * (1 - y_sigmoid))])
    x_smooth = x + 0.5 * (x == 0)      # central differences need a point off the kink
    loss = c.projected(lambda: sigmoid(x_smooth), dy)
    yield c.gradient("sigmoid_backward", learner.sigmoid_backward(dy, sigmoid(x_smooth)),
                     loss, x_smooth)
    loss = c.projected(lambda: np.maximum(x_smooth, 0), dy)
    yield c.gradient("relu_backward", learner.relu_backward(dy, np.maximum(x_smooth, 0)),
                     loss, x_smooth)


EXERCISE = Exercise(
    name="activations", chapter=2, title="ReLU and sigmoid backward", stub=STUB,
    functions={"relu_backward": (reference.relu_backward, ("dx",)),
               "sigmoid_backward": (reference.sigmoid_backward, ("dx",))},
    checks=checks, hints=HINTS,
    solution=(activations.relu_backward, activations.sigmoid_backward))
