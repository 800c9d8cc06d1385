"""Models built from npvae's layers: the book's convolutional VAE."""
from npvae.models.vae import VAE, Decoder, Encoder

__all__ = ["VAE", "Encoder", "Decoder"]
