"""Step one real MNIST digit through every layer of the seed's VAE, then back.

    python examples/step_through_layers.py

It prints the shape after each layer of the encoder and the decoder, the loss of
this one image, the gradient that flows back into each layer, and finally a gradient
check: the hand-written backward pass of one convolution against finite differences.
"""
import numpy as np

from npvae.datasets import load_mnist
from npvae.gradcheck import check_layer
from npvae.layers import Conv2D
from npvae.losses import bernoulli_reconstruction, gaussian_kl
from npvae.models import VAE


def show(name, array):
    print(f"  {name:<28} {str(array.shape):<18} mean {array.mean():+.4f}  std {array.std():.4f}")


def main():
    (x_train, y_train), _ = load_mnist()
    x, label = x_train[:1], y_train[0]            # one digit, shape (1, 28, 28, 1)
    model = VAE(seed=0)
    print(f"One training image, a {label}: x {x.shape}, pixels in [0, 1]\n")

    print("Encoder: image -> (z_mean, z_log_var)")
    h = x
    for name, layer in model.encoder.trunk.named_layers:
        h = layer.forward(h)
        show(name, h)
    mean, log_var = model.encoder.z_mean.forward(h), model.encoder.z_log_var.forward(h)
    show("z_mean", mean)
    show("z_log_var", log_var)

    print("\nSampling: z = z_mean + exp(0.5 * z_log_var) * eps   (the seed wrote exp(z_log_var))")
    eps = np.random.default_rng(0).standard_normal(mean.shape, dtype=np.float32)
    z = model.sampling.forward(mean, log_var, eps)
    show("z", z)

    print("\nDecoder: z -> logits of the 784 pixels")
    logits = z
    for name, layer in model.decoder.named_layers:
        logits = layer.forward(logits)
        show(name, logits)

    reconstruction, dlogits = bernoulli_reconstruction(logits, x)
    kl, (dmean_kl, dlog_var_kl) = gaussian_kl(mean, log_var)
    print(f"\nLoss of this image: reconstruction {reconstruction[0]:.1f} nats + KL "
          f"{kl[0]:.3f} nats = negative ELBO {reconstruction[0] + kl[0]:.1f} nats")

    print("\nBackward: each layer turns dL/d(output) into dL/d(input), in reverse order")
    grad = dlogits
    for name, layer in reversed(model.decoder.named_layers):
        grad = layer.backward(grad)
        show(f"dL/d input of {name}", grad)
    dmean, dlog_var = model.sampling.backward(grad)
    # The KL term sends its own gradient straight to the encoder's two heads.
    dh = (model.encoder.z_mean.backward(dmean + dmean_kl)
          + model.encoder.z_log_var.backward(dlog_var + dlog_var_kl))
    show("dL/d input of the heads", dh)
    for name, layer in reversed(model.encoder.trunk.named_layers):
        dh = layer.backward(dh)
        if dh is not None:
            show(f"dL/d input of {name}", dh)
    conv1 = model.encoder.trunk.named_layers[0][1]
    print(f"  conv1 skips dL/dx: its input is the image, which has nothing to learn.\n"
          f"  It still fills its own grads: W {conv1.grads['W'].shape}, "
          f"b {conv1.grads['b'].shape}, |dW| max {np.abs(conv1.grads['W']).max():.4f}")

    print("\nGradient check (float64, central differences) of a small Conv2D, stride 2:")
    rng = np.random.default_rng(1)
    layer = Conv2D(2, 3, 3, stride=2, rng=rng, dtype=np.float64)
    errors = check_layer(layer, rng.standard_normal((2, 7, 7, 2)), rng)
    for name, error in errors.items():
        print(f"  d{name}: max relative error {error:.1e}")


if __name__ == "__main__":
    main()
