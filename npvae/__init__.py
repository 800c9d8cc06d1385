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
# product). Both are told to sleep as soon as their work is done. Measured here, two
# rounds of ``python benchmarks/train_step.py --batch-size 16 --steps 150 --warmup 15
# --repeats 1 --no-torch``: 23.2 and 25.6 ms per step as set below, 58.1 and 67.3 with
# OMP_WAIT_POLICY=active, 33.1 and 32.8 with OpenBLAS's default OPENBLAS_THREAD_TIMEOUT=28.
# Each runtime reads its setting from the environment once, when it loads: OpenBLAS when
# numpy is first imported (so import npvae before numpy; the ``npvae`` command does),
# numba's OpenMP when its pool starts, which ``_start_thread_pools`` below does at once.
# A user's own setting wins. Whatever else in the process uses the same OpenMP runtime
# (PyTorch does, here) gets the passive policy too.
_POOL_SETTINGS = {"OMP_WAIT_POLICY": "passive",
                  "OPENBLAS_THREAD_TIMEOUT": "4"}  # 2^4 cycles: OpenBLAS's minimum
_USER_SETTINGS = {name: os.environ.get(name) for name in _POOL_SETTINGS}
for _name, _value in _POOL_SETTINGS.items():
    os.environ.setdefault(_name, _value)

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


def _start_thread_pools():
    """Start numba's threads now, while the settings above are in the environment, then
    put the environment back as the user had it: the settings are for npvae's own pools,
    not for other libraries (PyTorch's OpenMP, say) or child processes that read them."""
    import numba
    numba.get_num_threads()  # starts the pool, which loads the OpenMP runtime
    for name, value in _USER_SETTINGS.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


_start_thread_pools()

__all__ = [
    "Conv2D", "Conv2DTranspose", "Dense", "Flatten", "ReLU", "Reshape", "Sampling",
    "Sequential", "Sigmoid", "VAE", "Encoder", "Decoder", "SGD", "RMSprop", "Adam",
    "bernoulli_reconstruction", "gaussian_kl", "book_loss", "negative_elbo", "iwae_nll",
    "load_mnist", "save_checkpoint", "load_checkpoint", "CheckpointError", "check_layer",
    "numerical_gradient", "relative_error",
]
