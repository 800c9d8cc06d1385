"""npvae: a convolutional variational autoencoder written from scratch in NumPy.

Every layer, every backward pass, the loss and the optimizer are written by hand;
numba-jitted kernels carry the hot loops (im2col, col2im, the RMSprop update). Start with
``npvae.layers`` (one file per layer), then ``npvae.models.vae`` (the seed's VAE),
then ``npvae.train`` (the loop). The public names are re-exported here.
"""
import os

# numba's OpenMP threads spin-wait after a parallel loop, by default for long enough to
# steal the cores BLAS wants for the next matrix product (measured here: im2col 16x and
# the GEMM after it 4x slower when the two alternate). Passive waiting gives the cores
# back. It must be set before numba starts its thread pool; a user's setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

from npvae.checkpoint import CheckpointError, load_checkpoint, save_checkpoint  # noqa: E402
from npvae.datasets import load_mnist
from npvae.evaluation import iwae_nll, negative_elbo
from npvae.gradcheck import check_layer, numerical_gradient, relative_error
from npvae.layers import (Conv2D, Conv2DTranspose, Dense, Flatten, ReLU, Reshape, Sampling,
                          Sequential, Sigmoid)
from npvae.losses import bernoulli_reconstruction, book_loss, gaussian_kl
from npvae.models import VAE, Decoder, Encoder
from npvae.optim import SGD, Adam, RMSprop

__version__ = "0.1.0"

__all__ = [
    "Conv2D", "Conv2DTranspose", "Dense", "Flatten", "ReLU", "Reshape", "Sampling",
    "Sequential", "Sigmoid", "VAE", "Encoder", "Decoder", "SGD", "RMSprop", "Adam",
    "bernoulli_reconstruction", "gaussian_kl", "book_loss", "negative_elbo", "iwae_nll",
    "load_mnist", "save_checkpoint", "load_checkpoint", "CheckpointError", "check_layer",
    "numerical_gradient", "relative_error",
]
