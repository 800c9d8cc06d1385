"""Models built from npvae's layers: what a model promises (``Model``), and the book's
convolutional VAE."""
from npvae.models.base import Model
from npvae.models.vae import VAE, Decoder, Encoder

__all__ = ["Model", "VAE", "Encoder", "Decoder"]
