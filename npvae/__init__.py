"""npvae: a convolutional variational autoencoder written from scratch in NumPy.

Every layer, every backward pass, the loss and the optimizer are written by hand;
numba-jitted kernels carry the hot loops (im2col, col2im, ReLU, the RMSprop update).
Start with ``npvae.layers`` (one file per layer), then ``npvae.models.vae`` (the book's
VAE, and its one walk forward and back), then ``npvae.train`` (the loop). The public
names are re-exported here.
"""
from npvae import thread_pools

thread_pools.start()  # before numpy loads its BLAS: see npvae/thread_pools.py

from npvae.checkpoint import CheckpointError, load_checkpoint, save_checkpoint  # noqa: E402
from npvae.datasets import load_mnist  # noqa: E402
from npvae.evaluation import iwae_nll, negative_elbo  # noqa: E402
from npvae.gradcheck import check_layer, numerical_gradient, relative_error  # noqa: E402
from npvae.layers import (Conv2D, Conv2DTranspose, Dense, Flatten, ReLU, Reshape,  # noqa: E402
                          Sampling, Sequential, Sigmoid)
from npvae.losses import bernoulli_reconstruction, book_loss, gaussian_kl  # noqa: E402
from npvae.models import VAE, Decoder, Encoder  # noqa: E402
from npvae.optim import SGD, Adam, RMSprop  # noqa: E402
from npvae.train import train_epoch, train_step  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "Conv2D", "Conv2DTranspose", "Dense", "Flatten", "ReLU", "Reshape", "Sampling",
    "Sequential", "Sigmoid", "VAE", "Encoder", "Decoder", "SGD", "RMSprop", "Adam",
    "bernoulli_reconstruction", "gaussian_kl", "book_loss", "negative_elbo", "iwae_nll",
    "load_mnist", "save_checkpoint", "load_checkpoint", "CheckpointError", "check_layer",
    "numerical_gradient", "relative_error", "train_epoch", "train_step",
]
