"""npvae: a convolutional variational autoencoder written from scratch in NumPy.

Every layer, every backward pass, the loss and the optimizer are written by hand, in
plain NumPy. Start with ``npvae.layers`` (one file per layer), then ``npvae.models.vae``
(the book's VAE, and its one walk forward and back), then ``npvae.train`` (the loop).
``npvae.fast`` holds faster twins of the hot loops (numba), which the book's model and
the ``npvae`` command use; nothing else needs them.

The public names are re-exported here, each imported when first used, so that
``import npvae`` loads nothing and changes nothing in your process.
"""
import importlib

__version__ = "0.1.0"

# name -> the module that defines it
_HOMES = {
    "CheckpointError": "npvae.storage.checkpoint", "load_checkpoint": "npvae.storage.checkpoint",
    "save_checkpoint": "npvae.storage.checkpoint",
    "load_mnist": "npvae.datasets",
    "iwae_nll": "npvae.evaluation", "negative_elbo": "npvae.evaluation",
    "check_layer": "npvae.gradcheck", "numerical_gradient": "npvae.gradcheck",
    "relative_error": "npvae.gradcheck",
    **dict.fromkeys(["Conv2D", "Conv2DTranspose", "Dense", "Flatten", "ReLU", "Reshape",
                     "Sampling", "Sequential", "Sigmoid"], "npvae.layers"),
    "bernoulli_reconstruction": "npvae.losses", "book_loss": "npvae.losses",
    "gaussian_kl": "npvae.losses",
    "VAE": "npvae.models", "Encoder": "npvae.models", "Decoder": "npvae.models",
    "SGD": "npvae.optim", "Adam": "npvae.optim", "RMSprop": "npvae.optim",
    "train_epoch": "npvae.train", "train_step": "npvae.train",
}

__all__ = list(_HOMES)


def __getattr__(name):
    if name not in _HOMES:
        raise AttributeError(f"module 'npvae' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)


def __dir__():
    return sorted(list(globals()) + __all__)
