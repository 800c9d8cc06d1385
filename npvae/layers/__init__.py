"""The layers of npvae. Each file teaches one layer: its math, its shapes, its backward."""
from npvae.layers.activations import ReLU, Sigmoid
from npvae.layers.base import Layer
from npvae.layers.concatenate import Concatenate
from npvae.layers.conv import Conv2D, Conv2DTranspose
from npvae.layers.dense import Dense
from npvae.layers.reshape import Flatten, Reshape
from npvae.layers.sampling import Sampling
from npvae.layers.sequential import Sequential

__all__ = ["Layer", "Concatenate", "Dense", "Conv2D", "Conv2DTranspose", "Flatten", "Reshape",
           "ReLU", "Sigmoid", "Sampling", "Sequential"]
