"""Blocked scatter: ``x @ W^T``, then col2im, a block of images at a time.

This is the textbook Conv2DTranspose (each input pixel paints a weighted patch),
walked in blocks (see ``npvae.fast.blocks``) so that each block's patch matrix is
still in cache when col2im folds it onto the output.

A stride-1 Conv2D can run in this form too. Sliding a kernel over an image is the
same as scattering with the kernel turned half a circle (``W[::-1, ::-1]``) and the
padding mirrored (``kh - 1 - pad``): the output pixel (i, j) reads input (i + p, j + q)
at tap (p, q) exactly when input (i + p, j + q) paints output (i, j) at the flipped tap.
Why it is faster when a Conv2D has fewer output than input channels (the book's last
layer maps 32 channels to 1): the gather form multiplies a (pixels, kh*kw*C) window
matrix by a kernel of a single column, a matrix-vector product that BLAS cannot run
at matrix speed, after copying every input pixel kh*kw times; the scatter form
multiplies the input itself, (pixels, C), by a (C, kh*kw*O) matrix, and copies only
the small result.

The plain-NumPy twin is the textbook transpose, the same sums in one block.
"""
import numpy as np

from npvae.fast.blocks import image_blocks
from npvae.fast.column_sums import column_sums
from npvae.fast.im2col import col2im, im2col


def _scatter_forward(x, W_rows, b, kh, kw, stride, pads, y_shape):
    """y = col2im(x @ W_rows^T) + b with W_rows (kh*kw*O, C): x (N, H, W, C) -> y."""
    y = np.empty(y_shape, dtype=x.dtype)
    for images in image_blocks(len(x)):
        x_rows = x[images].reshape(-1, x.shape[-1])            # (n*H*W, C)
        cols = x_rows @ W_rows.T                               # (n*H*W, kh*kw*O)
        col2im(cols, y[images].shape, kh, kw, stride, pads, out=y[images])
        y[images] += b
    return y


def _scatter_backward(dy, x, W_rows, kh, kw, stride, pads):
    """(dx, dW_rows, db) of ``_scatter_forward`` from dy (N, Ho, Wo, O)."""
    in_c, out_c = x.shape[-1], dy.shape[-1]
    dx = np.empty(x.shape, dtype=dy.dtype)
    dW_rows = np.zeros(W_rows.shape, dtype=dy.dtype)
    db = np.zeros(out_c, dtype=dy.dtype)
    for images in image_blocks(len(dy)):
        dcols = im2col(dy[images], kh, kw, stride, pads)       # (n*H*W, kh*kw*O)
        np.matmul(dcols, W_rows, out=dx[images].reshape(-1, in_c))   # dx = dcols W
        dW_rows += dcols.T @ x[images].reshape(-1, in_c)       # dW = dcols^T x
        db += column_sums(dy[images].reshape(-1, out_c))       # db = sum of dy
    return dx, dW_rows, db


def conv2d_transpose_forward(x, W, b, stride, pads, y_shape):
    """The transposed convolution: x (N, H, W, C) -> y (N, Ho, Wo, O)."""
    kh, kw, _, in_c = W.shape
    y = _scatter_forward(x, W.reshape(-1, in_c), b, kh, kw, stride, pads, y_shape)
    return y, (x, stride, pads)


def conv2d_transpose_backward(dy, W, cache):
    x, stride, pads = cache
    kh, kw, _, in_c = W.shape
    dx, dW_rows, db = _scatter_backward(dy, x, W.reshape(-1, in_c), kh, kw, stride, pads)
    return dx, dW_rows.reshape(W.shape), db


def _flipped_rows(W):
    """A Conv2D kernel (kh, kw, C, O) as the scatter form wants it: rows (p', q', o) of
    ``W[::-1, ::-1]``, one column per input channel: (kh*kw*O, C)."""
    return W[::-1, ::-1].transpose(0, 1, 3, 2).reshape(-1, W.shape[2])


def _mirrored(pads, kh, kw):
    """The padding of the scatter's gathering side: ``k - 1 - pad`` on each side."""
    top, bottom, left, right = pads
    return kh - 1 - top, kh - 1 - bottom, kw - 1 - left, kw - 1 - right


def conv2d_forward(x, W, b, stride, pads, y_shape):
    """A stride-1 Conv2D, scattering with the flipped kernel: x (N, H, W, C) -> y."""
    if stride != 1:
        raise ValueError(f"the scatter form of a Conv2D needs stride 1; got {stride}")
    kh, kw = W.shape[:2]
    y = _scatter_forward(x, _flipped_rows(W), b, kh, kw, 1, _mirrored(pads, kh, kw), y_shape)
    return y, (x, pads)


def conv2d_backward(dy, W, cache):
    x, pads = cache
    kh, kw, in_c, out_c = W.shape
    dx, dW_rows, db = _scatter_backward(dy, x, _flipped_rows(W), kh, kw, 1,
                                        _mirrored(pads, kh, kw))
    # Undo the flip: dW_rows[(p', q', o), c] is the gradient of W[kh-1-p', kw-1-q', c, o].
    dW = dW_rows.reshape(kh, kw, out_c, in_c)[::-1, ::-1].transpose(0, 1, 3, 2)
    return dx, np.ascontiguousarray(dW), db
