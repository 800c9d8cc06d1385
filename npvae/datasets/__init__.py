"""Datasets: the MNIST shipped with npvae, IDX folders, folders of pictures.

``load_data(path)`` is the one entry for all three (``npvae.datasets.dataset``); it and
``load_mnist`` return uint8 images, which the training loop scales a batch at a time.
"""
from npvae.datasets.dataset import Dataset, load_data, reload_data, summary_line
from npvae.datasets.idx import IDXError, parse_idx, read_idx
from npvae.datasets.mnist import load_mnist
from npvae.datasets.pixels import as_float_images

__all__ = ["Dataset", "IDXError", "as_float_images", "load_data", "load_mnist", "parse_idx",
           "read_idx", "reload_data", "summary_line"]
