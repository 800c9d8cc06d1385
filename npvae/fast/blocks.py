"""Why the fast forms walk a batch in blocks of images, and the blocks themselves.

The textbook (``npvae.layers.conv``) builds one window matrix for the whole batch:
``kh*kw`` times the size of its input, written to memory by im2col and read back by the
matrix product. Walked in blocks of ``IMAGES_PER_BLOCK`` images, the same sums run as
smaller matrix products whose window matrices are still in cache when the product reads
them, and the work arrays are one block's, not the whole batch's. At the book's batch
of 16 a batch is one block.
"""
from npvae.layers.conv import window_floats

IMAGES_PER_BLOCK = 16


def image_blocks(n_images):
    """Slices of the batch axis covering ``n_images``, IMAGES_PER_BLOCK at a time."""
    for start in range(0, n_images, IMAGES_PER_BLOCK):
        yield slice(start, min(start + IMAGES_PER_BLOCK, n_images))


def block_memory(layer, x_shape, y_shape):
    """What a blocked algorithm needs beyond x and y (``Algorithm.memory``): nothing kept
    per image, and work arrays of one block's window matrices, whatever the batch."""
    return 0, 0, IMAGES_PER_BLOCK * window_floats(layer, x_shape, y_shape)
