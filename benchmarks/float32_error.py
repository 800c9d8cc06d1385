"""Float32 error of every algorithm against the float64 textbook, on the book's shapes.

    python benchmarks/float32_error.py

For each shape and algorithm: error = max |float32 - float64| / max |float64| of the
output, dx and dW, on batch 16, with the layer's ReLU as the model runs it (the last
layer has none). Inputs are U(0, 1), as images and ReLU outputs are (>= 0), and N(0, 1).
``tests/test_fast_algorithms.py`` holds every algorithm under its stated bound.
"""
import numpy as np

from npvae import fast
from npvae.layers import Conv2D

SHAPES = {  # name: (C, O, stride, H, activation)
    "conv1 1->32 28x28": (1, 32, 1, 28, "relu"),
    "conv2 32->64 /2": (32, 64, 2, 28, "relu"),
    "conv3/4 64->64 14x14": (64, 64, 1, 14, "relu"),
    "conv_out 32->1 28x28": (32, 1, 1, 28, None),
}
ALGORITHMS = ("textbook", "gather", "scatter", "winograd")


def errors(shape, algorithm, inputs, batch=16):
    """(y, dx, dW) errors of the float32 layer against the float64 textbook."""
    in_c, out_c, stride, size, activation = SHAPES[shape]
    rng = np.random.default_rng(4)
    draw = rng.random if inputs == "U(0,1)" else rng.standard_normal
    x = draw((batch, size, size, in_c)).astype(np.float32)
    single = fast.use(Conv2D(in_c, out_c, 3, stride, rng=5, dtype=np.float32,
                             activation=activation), algorithm)
    exact = Conv2D(in_c, out_c, 3, stride, rng=5, dtype=np.float64, activation=activation)
    exact.params["W"][...] = single.params["W"]
    y = single.forward(x)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    pairs = [(y, exact.forward(x.astype(np.float64))),
             (single.backward(dy), exact.backward(dy.astype(np.float64))),
             (single.grads["W"], exact.grads["W"])]
    return [np.abs(got - want).max() / np.abs(want).max() for got, want in pairs]


def main():
    print(f"{'shape':<22}{'inputs':<8}{'algorithm':<10}{'y':>9}{'dx':>9}{'dW':>9}")
    for shape, (_, _, stride, _, _) in SHAPES.items():
        for inputs in ("U(0,1)", "N(0,1)"):
            for algorithm in ALGORITHMS:
                if fast.cannot_run(algorithm, Conv2D(1, 1, 3, stride)):
                    continue
                e = errors(shape, algorithm, inputs)
                print(f"{shape:<22}{inputs:<8}{algorithm:<10}" + "".join(f"{v:>9.1e}" for v in e))


if __name__ == "__main__":
    main()
