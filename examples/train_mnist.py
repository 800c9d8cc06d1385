"""The seed's script -- Chollet's Keras VAE (Deep Learning with Python, 8.4) -- told with npvae.

    python examples/train_mnist.py                  # the seed's 10 epochs, batch 16
    python examples/train_mnist.py --epochs 1 --limit 6000

The steps are the seed's: build the encoder, the sampling layer and the decoder, train
on MNIST with RMSprop, then decode a 15x15 grid of latent points. Two differences,
both on purpose: the noise is scaled by exp(0.5 * z_log_var), the standard deviation
(the seed used exp(z_log_var), the variance), and the loss is the true negative ELBO
in nats per image (the seed's loss is ``--loss book``; see the README).
"""
import argparse

import npvae  # noqa: F401 -- before numpy, so its thread settings reach numpy's BLAS
import numpy as np
from npvae.datasets import load_mnist
from npvae.models import VAE
from npvae.report import save_manifold, save_reconstructions, save_scatter
from npvae.train import TrainConfig, Trainer


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images")
    parser.add_argument("--loss", choices=["elbo", "book"], default="elbo")
    parser.add_argument("--out", default="runs/example")
    args = parser.parse_args()

    # The data: 60,000 training and 10,000 test digits, float32 in [0, 1], (N, 28, 28, 1).
    (x_train, _), (x_test, y_test) = load_mnist()

    # The model: 28x28x1 -> 4 convolutions -> Dense 32 -> z (2 numbers) -> back to 28x28x1.
    model = VAE(input_shape=(28, 28, 1), latent_dim=2, seed=0, loss=args.loss)
    print(f"{model.count_params():,} parameters")

    # The seed's vae.fit(x_train, shuffle=True, epochs=10, batch_size=16, validation_data=...)
    config = TrainConfig(epochs=args.epochs, batch_size=16, lr=1e-3, optimizer="rmsprop",
                         seed=0, limit=args.limit)
    trainer = Trainer(model, config, args.out)

    def report(record):
        print(f"epoch {record['epoch']}: train loss {record['train_loss']:.4f}, "
              f"test loss {record['test_loss']:.4f}")
    trainer.fit(x_train, x_test, on_epoch_end=report)

    # The seed's last cell: decode norm.ppf(linspace(0.05, 0.95, 15)) on both axes.
    print("wrote", save_manifold(model, f"{args.out}/manifold.png"))
    print("wrote", save_scatter(model, x_test, y_test, f"{args.out}/scatter.png"))
    print("wrote", save_reconstructions(model, x_test, f"{args.out}/reconstructions.png",
                                        rng=np.random.default_rng(0)))


if __name__ == "__main__":
    main()
