"""npvae: a convolutional variational autoencoder written from scratch in NumPy.

Every layer, every backward pass, the loss and the optimizer are written by hand;
numba-jitted kernels carry the hot loops (im2col, col2im, ReLU, the RMSprop update).
Start with ``npvae.layers`` (one file per layer), then ``npvae.models.vae`` (the seed's
VAE), then ``npvae.train`` (the loop). The public names are re-exported here.
"""
import os

# Two thread pools share the cores: numba's (im2col, col2im, ReLU, RMSprop) and the BLAS
# one under numpy's matrix products. Each spin-waits after its work by default, burning a
# core the other one wants next (OpenBLAS, by default, for 2^28 cycles after every
# product). Measured here: numba's spinning made im2col 16x and the GEMM after it 4x
# slower; OpenBLAS's made im2col after a GEMM 4x slower. Letting both sleep as soon as
# their work is done cut a training step by 11-18% at batch 16 and 13% at batch 128
# (README, Performance). numba reads its setting when it starts its pool (later),
# OpenBLAS when numpy is first imported: import npvae before numpy for that one to apply
# (the ``npvae`` command does). A user's setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # 2^4 cycles: OpenBLAS's minimum

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
