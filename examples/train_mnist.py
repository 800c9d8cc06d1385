"""Train the book's VAE on MNIST with a training loop written out by hand.

    python examples/train_mnist.py                       # the book's 10 epochs, batch 16
    python examples/train_mnist.py --epochs 1 --train-limit 2000 --test-limit 1000   # a minute

The steps are the book's (Chollet, Deep Learning with Python, 8.4): build the encoder,
the sampling layer and the decoder, train on MNIST with RMSprop, then decode a 15x15 grid
of latent points. Two differences, both on purpose: the noise is scaled by
exp(0.5 * z_log_var), the standard deviation (the book used exp(z_log_var), the
variance), and the loss is the true negative ELBO in nats per image (the book's loss is
``--loss book``). ``npvae train`` runs the same loop inside ``npvae.training.trainer.Trainer``,
which adds checkpoints, exact resume and the history files.
"""
import argparse
import sys

import numpy as np
from tqdm import tqdm

from npvae.datasets import load_mnist
from npvae.evaluation import negative_elbo
from npvae.models import VAE
from npvae.optim import RMSprop
from npvae.pictures.report import save_manifold, save_reconstructions, save_scatter


def train(model, optimizer, x_train, x_test, epochs, batch_size, rng):
    """The loop: shuffle, and per batch forward, backward, step; a test score per epoch."""
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(x_train))               # a new shuffle every epoch
        total = 0.0
        for start in tqdm(range(0, len(order), batch_size), desc=f"epoch {epoch}",
                          unit="batch", leave=False):       # a progress bar, nothing more
            batch = x_train[order[start:start + batch_size]]
            out = model(batch)                              # forward: each image's loss
            model.backward()                                # gradients of the mean loss
            optimizer.step(model.named_layers())            # update every parameter
            total += out.loss.sum()
        test = negative_elbo(model, x_test, rng)
        print(f"epoch {epoch}: train loss {total / len(x_train):.3f}, "
              f"test loss {test['loss']:.3f} (nats per image)", flush=True)


def main():
    parser = argparse.ArgumentParser(
        description="Train the book's VAE on MNIST with a hand-written loop. The default "
                    "10 epochs take about 13 minutes on a 2-core CPU (README.md); try "
                    "--epochs 1 --train-limit 2000 --test-limit 1000 first (about a minute).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--epochs", type=int, default=10, help="passes over the data")
    parser.add_argument("--train-limit", type=int, default=None,
                        help="train on the first N training images")
    parser.add_argument("--test-limit", type=int, default=None,
                        help="score each epoch and draw on the first N test images")
    parser.add_argument("--loss", choices=["elbo", "book"], default="elbo",
                        help="the negative ELBO, or the book's loss")
    parser.add_argument("--out", default="runs/example", help="folder for the pictures")
    args = parser.parse_args()
    try:
        run(args)
    except (ValueError, OSError) as error:
        parser.exit(2, f"{parser.prog}: error: {' '.join(str(error).split())}\n")
    except KeyboardInterrupt:
        parser.exit(130, f"{parser.prog}: interrupted\n")


def run(args):
    limits = {"--train-limit": args.train_limit, "--test-limit": args.test_limit}
    for option, value in {"--epochs": args.epochs, **limits}.items():
        if value is not None and value < 1:
            raise ValueError(f"{option} must be at least 1; got {value}")
    # The data: 60,000 training and 10,000 test digits, float32 in [0, 1], (N, 28, 28, 1).
    (x_train, _), (x_test, y_test) = load_mnist(dtype=np.float32)
    x_train = x_train[:args.train_limit]
    x_test, y_test = x_test[:args.test_limit], y_test[:args.test_limit]

    # The model: 28x28x1 -> 4 convolutions -> Dense 32 -> z (2 numbers) -> back to 28x28x1.
    model = VAE(input_shape=(28, 28, 1), latent_dim=2, seed=0, loss=args.loss)
    print(f"{model.count_params():,} parameters")

    # The book's vae.fit(x_train, shuffle=True, epochs=10, batch_size=16, ...), RMSprop.
    train(model, RMSprop(lr=1e-3), x_train, x_test, args.epochs, batch_size=16,
          rng=np.random.default_rng(0))

    # The book's last cell: decode norm.ppf(linspace(0.05, 0.95, 15)) on both axes.
    print("drawing the manifold, the scatter of the test codes and reconstructions ...")
    print("wrote", save_manifold(model, f"{args.out}/manifold.png"))
    print("wrote", save_scatter(model, x_test, y_test, f"{args.out}/scatter.png"))
    print("wrote", save_reconstructions(model, x_test, f"{args.out}/reconstructions.png",
                                        rng=np.random.default_rng(0)))


if __name__ == "__main__":
    sys.exit(main())
