"""What the two convolution exercises share (``conv2d``, ``conv2d_transpose``): their
inputs, their checks in two parts (the forward's y, then the backward's dx, dW and db,
so that a forward is graded while its backward is still to do), and the gradient checks
of the backward against central differences of the learner's own forward.

Each exercise gives its geometry and its mistakes: ``mistakes(x, W, b, dy)``, a dict
from "y", "dx", "dW", "db" to (what the mistake is, what it gives) pairs, computed with
npvae's functions on the same inputs.
"""
import dataclasses
from typing import Callable

import numpy as np

from npvae.exercises import checks as c

NAMES = ("y", "dx", "dW", "db")


@dataclasses.dataclass(frozen=True)
class ConvolutionChecks:
    """The checks of the learner's ``{name}_forward`` and ``{name}_backward``."""

    name: str              # "conv2d" or "conv2d_transpose"
    forward: Callable      # npvae's
    backward: Callable
    x_shape: tuple
    w_shape: tuple
    y_shape: tuple
    stride: int
    pads: tuple
    seed: int
    mistakes: Callable

    @property
    def b_shape(self):
        return (self.y_shape[-1],)

    def inputs(self, dtype=np.float64):
        """x, W, b, dy, drawn from the exercise's random seed."""
        arrays = c.random_arrays(self.seed, self.x_shape, self.w_shape, self.b_shape,
                                 self.y_shape)
        return [a.astype(dtype) for a in arrays]

    def run(self, forward, backward, x, W, b, dy, pads=None):
        """(y, dx, dW, db) of ``forward`` and ``backward`` on these inputs."""
        y, cache = forward(x, W, b, self.stride, self.pads if pads is None else pads,
                           self.y_shape)
        return (y,) + tuple(backward(dy, W, cache))

    def learners(self, learner):
        return (getattr(learner, f"{self.name}_forward"),
                getattr(learner, f"{self.name}_backward"))

    def factors(self):
        pixels = int(np.prod(self.y_shape[:3]))
        return [(1 / pixels, f"a mean over the {pixels} output pixels, where the sum belongs"),
                (1 / self.x_shape[0], f"divided by the batch size N={self.x_shape[0]}")]

    def forward_checks(self, learner):
        forward, _ = self.learners(learner)
        x, W, b, dy = self.inputs()
        y, _ = forward(x, W, b, self.stride, self.pads, self.y_shape)
        line = c.shapes([("y", y, self.y_shape)], np.float64)
        yield line
        if line.status != "ok":
            return
        line = c.values("y", y, self.forward(x, W, b, self.stride, self.pads, self.y_shape)[0],
                        wrong=self.mistakes(x, W, b, dy)["y"], factors=self.factors())
        yield line
        x32, W32, b32, _ = self.inputs(np.float32)
        args32 = (x32, W32, b32, self.stride, self.pads, self.y_shape)
        yield c.in_float32([("y", forward(*args32)[0], self.forward(*args32)[0])],
                           line.status == "ok")

    def backward_checks(self, learner):
        forward, backward = self.learners(learner)
        x, W, b, dy = self.inputs()
        got = self.run(forward, backward, x, W, b, dy)
        shapes = (self.y_shape, self.x_shape, self.w_shape, self.b_shape)
        line = c.shapes(list(zip(NAMES[1:], got[1:], shapes[1:])), np.float64)
        yield line
        if line.status != "ok":
            return
        expected = self.run(self.forward, self.backward, x, W, b, dy)
        wrong = self.mistakes(x, W, b, dy)
        lines = [c.values(name, got[k], expected[k], wrong=wrong[name], factors=self.factors())
                 for k, name in enumerate(NAMES[1:], start=1)]
        yield from lines
        single = self.inputs(np.float32)
        got32, expected32 = (self.run(forward, backward, *single),
                             self.run(self.forward, self.backward, *single))
        yield c.in_float32(list(zip(NAMES[1:], got32[1:], expected32[1:])), c.all_ok(lines))
        for k, (name, array) in enumerate(zip(NAMES[1:], (x, W, b)), start=1):
            loss = c.projected(lambda: forward(x, W, b, self.stride, self.pads,
                                               self.y_shape)[0], dy)
            yield c.gradient(name, got[k], loss, array)

    @property
    def parts(self):
        return (self.forward_checks, self.backward_checks)
