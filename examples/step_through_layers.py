"""Step one real MNIST digit through every layer of the book's VAE, then back.

    python examples/step_through_layers.py          (a few seconds)

It prints the shape after each layer of the encoder and the decoder, the loss of this
one image, the gradient that flows back into each layer, and finally a gradient check:
the hand-written backward pass of one convolution against finite differences. Nothing
is wired by hand here: ``model.forward`` and ``model.backward`` walk the model, and
``trace`` is called after every layer they pass.
"""
import numpy as np

from npvae.datasets import load_mnist
from npvae.gradcheck import check_layer
from npvae.layers import Conv2D
from npvae.models import VAE


def show(name, layer, array):
    # 40: the longest name, "dL/d input of encoder/z_mean + z_log_var", keeps the columns.
    print(f"  {name:<40} {str(array.shape):<18} mean {array.mean():+.4f}  "
          f"std {array.std():.4f}")


def main():
    (x_train, y_train), _ = load_mnist(dtype=np.float32)
    x, label = x_train[:1], y_train[0]            # one digit, shape (1, 28, 28, 1)
    model = VAE(seed=0)
    print(f"One training image, a {label}: x {x.shape}, pixels in [0, 1]\n")

    print("Forward: encoder -> sampling z = z_mean + exp(0.5 * z_log_var) * eps -> decoder")
    eps = np.random.default_rng(0).standard_normal((1, 2), dtype=np.float32)
    out = model(x, eps=eps, trace=show)
    print(f"\nLoss of this image: reconstruction {out.reconstruction[0]:.1f} nats + KL "
          f"{out.kl[0]:.3f} nats = negative ELBO {out.loss[0]:.1f} nats")

    print("\nBackward: each layer turns dL/d(its output) into dL/d(its input), in reverse")
    model.backward(trace=lambda name, layer, grad: show(f"dL/d input of {name}", layer, grad))
    show("dL/dx, the image", None, model.input_gradient)
    conv1 = dict(model.named_layers())["encoder/conv1"]
    print(f"  Every layer filled its grads, e.g. conv1: W {conv1.grads['W'].shape}, "
          f"|dW| max {np.abs(conv1.grads['W']).max():.4f}")

    print("\nGradient check (float64, central differences) of a small Conv2D, stride 2:")
    rng = np.random.default_rng(1)
    layer = Conv2D(2, 3, 3, stride=2, rng=rng, dtype=np.float64)
    errors = check_layer(layer, rng.standard_normal((2, 7, 7, 2)), rng)
    for name, error in errors.items():
        print(f"  d{name}: max relative error {error:.1e}")


if __name__ == "__main__":
    main()
