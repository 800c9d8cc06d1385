"""Blocked gather: im2col, then one matrix product, a block of images at a time.

The same two steps as the textbook Conv2D (``y = im2col(x) @ W + b``), walked in
blocks (see ``npvae.fast.blocks``). Why it is faster: each block's window matrix stays
in cache between the im2col that writes it and the product that reads it, and the
bias is added while the block's output is still in cache.

Backward needs every window matrix again, for ``dW = cols^T dy``. Rather than keeping
the whole batch's (``kh*kw`` times the input, per layer, until backward), each block's
is rebuilt by im2col: rebuilding is a cheap copy next to the product that follows it,
and keeping would hold far more memory. With one block, forward's is kept and reused.

The plain-NumPy twin of this algorithm is the textbook itself: the same sums, in one
block (``tests/test_fast_algorithms.py`` holds them equal).
"""
import numpy as np

from npvae.fast.blocks import image_blocks
from npvae.fast.column_sums import column_sums
from npvae.fast.im2col import col2im, im2col


def conv2d_forward(x, W, b, stride, pads, y_shape):
    """y = im2col(x) @ W + b, block by block: x (N, H, W, C) -> y (N, Ho, Wo, O)."""
    kh, kw, _, out_c = W.shape
    W_rows = W.reshape(-1, out_c)                              # (kh*kw*C, O)
    y = np.empty(y_shape, dtype=x.dtype)
    for images in image_blocks(len(x)):
        cols = im2col(x[images], kh, kw, stride, pads)         # (n*Ho*Wo, kh*kw*C)
        y_rows = y[images].reshape(-1, out_c)                  # a view: (n*Ho*Wo, O)
        np.matmul(cols, W_rows, out=y_rows)
        y_rows += b
    return y, (x, stride, pads, cols)  # cols: the last block's window matrix


def conv2d_backward(dy, W, cache):
    """(dx, dW, db) of ``conv2d_forward`` from dy (N, Ho, Wo, O)."""
    x, stride, pads, last_cols = cache
    kh, kw, _, out_c = W.shape
    W_rows = W.reshape(-1, out_c)
    blocks = list(image_blocks(len(x)))
    dW_rows = np.zeros(W_rows.shape, dtype=W.dtype)
    db = np.zeros(out_c, dtype=W.dtype)
    dx = np.empty(x.shape, dtype=W.dtype)
    for images in blocks:
        cols = last_cols if len(blocks) == 1 else im2col(x[images], kh, kw, stride, pads)
        dy_rows = dy[images].reshape(-1, out_c)                # (n*Ho*Wo, O)
        dW_rows += cols.T @ dy_rows                            # dW = cols^T dy
        db += column_sums(dy_rows)                             # db = sum of dy
        dcols = dy_rows @ W_rows.T                             # dcols = dy W^T
        col2im(dcols, dx[images].shape, kh, kw, stride, pads, out=dx[images])
    return dx, dW_rows.reshape(W.shape), db
