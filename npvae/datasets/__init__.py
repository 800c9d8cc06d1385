"""Datasets: MNIST, read from the IDX files shipped with npvae."""
from npvae.datasets.mnist import IDXError, load_mnist, parse_idx, read_idx

__all__ = ["IDXError", "load_mnist", "parse_idx", "read_idx"]
