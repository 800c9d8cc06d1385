"""im2col and col2im: the two loops that turn a convolution into one matrix product.

A 2-D convolution slides a ``kh x kw`` window over the (padded) input. ``im2col``
copies every window into one row of a matrix, so that the whole convolution becomes
a single matrix product::

    x (N, H, W, C)  --im2col-->  cols (N*Ho*Wo, kh*kw*C)
    y = cols @ W.reshape(kh*kw*C, O)          # (N*Ho*Wo, O) = (N, Ho, Wo, O)

Row ``r = (n*Ho + i)*Wo + j`` of ``cols`` holds the window whose top-left corner is
the padded input pixel ``(i*s, j*s)``; its columns are ordered ``(p, q, c)`` -- the
same order as a Keras kernel ``W[p, q, c, o]`` flattened, so no transpose is needed::

    cols[r, (p*kw + q)*C + c] = x_pad[n, i*s + p, j*s + q, c]

``col2im`` is the adjoint (the transpose) of ``im2col``: it sends every row back to the
pixels it was copied from, *adding* where windows overlap. It is what ``backward`` of a
convolution needs (``dx = col2im(dy @ W^T)``) and it is the whole forward pass of a
transposed convolution.

Padding is given per side, ``(top, bottom, left, right)``, because TensorFlow's
'same' padding puts the odd extra row at the bottom (see ``npvae.layers.conv``).
Pixels that fall in the padding are zeros in ``cols``; in ``col2im`` their sums are
simply dropped.

Both functions loop over the ``kh * kw`` kernel offsets only: for one offset (p, q),
the pixels every window reads there form one strided slice of the padded image, so
the whole batch is copied at once. (``npvae/fast/im2col.py`` has the same two
functions as numba loops over pixels, tested equal to these.)
"""
import numpy as np


def output_size(size, kernel, stride, pad_before, pad_after):
    """Number of window positions along one axis: ``(size + pads - kernel) // stride + 1``."""
    return (size + pad_before + pad_after - kernel) // stride + 1


def output_hw(height, width, kh, kw, stride, padding):
    """(Ho, Wo): how many window positions fit down and across a padded image."""
    top, bottom, left, right = padding
    return (output_size(height, kh, stride, top, bottom),
            output_size(width, kw, stride, left, right))


def im2col(x, kh, kw, stride, padding):
    """Unfold the windows of ``x`` into rows.

    Args:
        x: (N, H, W, C) input.
        kh, kw: window height and width.
        stride: step between windows (same along both axes).
        padding: ``(top, bottom, left, right)`` zero padding.

    Returns:
        cols: (N*Ho*Wo, kh*kw*C).
    """
    n_batch, height, width, channels = x.shape
    top, bottom, left, right = padding
    out_h, out_w = output_hw(height, width, kh, kw, stride, padding)
    x_pad = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    cols = np.empty((n_batch, out_h, out_w, kh, kw, channels), dtype=x.dtype)
    for p in range(kh):
        for q in range(kw):
            # Window offset (p, q) of every output pixel, all at once.
            cols[:, :, :, p, q, :] = x_pad[:, p : p + stride * out_h : stride,
                                             q : q + stride * out_w : stride, :]
    return cols.reshape(n_batch * out_h * out_w, kh * kw * channels)


def col2im(cols, x_shape, kh, kw, stride, padding):
    """Fold rows back onto an image, adding overlaps: the adjoint of ``im2col``.

    Args:
        cols: (N*Ho*Wo, kh*kw*C) rows, one per window.
        x_shape: (N, H, W, C), the shape of the image the windows came from.
        kh, kw, stride, padding: as for ``im2col``.

    Returns:
        x: (N, H, W, C).
    """
    n_batch, height, width, channels = x_shape
    top, bottom, left, right = padding
    out_h, out_w = output_hw(height, width, kh, kw, stride, padding)
    check_cols_shape(cols, (n_batch * out_h * out_w, kh * kw * channels))
    windows = cols.reshape(n_batch, out_h, out_w, kh, kw, channels)
    x_pad = np.zeros((n_batch, height + top + bottom, width + left + right, channels),
                     dtype=cols.dtype)
    for p in range(kh):
        for q in range(kw):
            # += , not =: neighbouring windows overlap, and each adds its share.
            x_pad[:, p : p + stride * out_h : stride,
                     q : q + stride * out_w : stride, :] += windows[:, :, :, p, q, :]
    return x_pad[:, top : top + height, left : left + width, :]


def check_cols_shape(cols, expected):
    """Raise ``ValueError`` unless ``cols`` has the shape its image and window imply."""
    if cols.shape != expected:
        raise ValueError(f"col2im: cols must have shape {expected}; got {cols.shape}")
