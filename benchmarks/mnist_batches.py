"""The batches both sides of a benchmark train on: real MNIST digits, the same for both.

The shipped training images in one seeded shuffle, cut into batches as ``npvae train``
cuts them, as float32 in [0, 1], channels last (PyTorch's side views them as its
channels_last NCHW). Only ``npvae.datasets`` is imported: no numba, nothing of npvae's
fast room, so the PyTorch side can use it and stay a process without npvae's settings.
"""
import numpy as np

from npvae.datasets.mnist import load_mnist
from npvae.datasets.pixels import as_float_images


def mnist_batches(batch_size, count, seed=0):
    """``count`` batches of ``batch_size`` real training digits, (N, 28, 28, 1) float32."""
    (x_train, _), _ = load_mnist()
    if batch_size * count > len(x_train):
        raise ValueError(f"{count} batches of {batch_size} need {batch_size * count:,} images; "
                         f"MNIST has {len(x_train):,}: ask for fewer steps")
    order = np.random.default_rng(seed).permutation(len(x_train))[:batch_size * count]
    return [as_float_images(x_train[order[i * batch_size:(i + 1) * batch_size]])
            for i in range(count)]
