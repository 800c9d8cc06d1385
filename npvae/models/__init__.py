"""Models built from npvae's layers: what a model promises (``Model``), and the book's
convolutional VAE.

Re-exported lazily, as ``npvae``'s own names are, so that importing a sub-package (the
command line reads ``npvae.models.trained``'s names before numpy loads) loads nothing."""
import importlib

_HOMES = {"Model": "npvae.models.base", "VAE": "npvae.models.vae",
          "Encoder": "npvae.models.vae", "Decoder": "npvae.models.vae"}

__all__ = list(_HOMES)


def __getattr__(name):
    if name not in _HOMES:
        raise AttributeError(f"module 'npvae.models' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
