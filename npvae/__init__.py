"""npvae: a convolutional variational autoencoder written from scratch in NumPy.

Every layer, every backward pass, the loss and the optimizer are written by hand;
numba-jitted kernels carry the two hot loops (im2col and col2im). Start with
``npvae.layers`` (one file per layer), then ``npvae.models.vae`` (the seed's VAE),
then ``npvae.train`` (the loop). The public names are re-exported here.
"""
from npvae.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
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
