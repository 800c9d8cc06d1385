"""Exercise col2im: the adjoint of im2col, folding rows back onto an image
(guide, chapter 2).

im2col copied every window of x_pad into a row of cols (N*Ho*Wo, kh*kw*C):

    cols[r, (p*kw + q)*C + c] = x_pad[n, i*s + p, j*s + q, c],   r = (n*Ho + i)*Wo + j

col2im goes the other way: every entry of cols is ADDED to the pixel it was copied from.
Windows overlap when the stride is smaller than the kernel, so a pixel collects the sum
of all its copies. Entries that came from the padding are dropped: build the padded
image, add into it, then crop the padding off.

col2im is the transpose of im2col as a matrix: for any x and cols,
    sum(im2col(x) * cols) == sum(x * col2im(cols))
which is why it is the backward of a convolution (dx = col2im(dy @ W^T)) and the
forward of a transposed one.

Shapes: cols (N*Ho*Wo, kh*kw*C), x_shape = (N, H, W, C) -> x (N, H, W, C).
padding is (top, bottom, left, right), as for im2col. Keep the input's dtype (float32
in, float32 out: the model trains in float32), and leave cols as it is.

Check it:  npvae exercise check col2im
A hint:    npvae exercise hint col2im
"""
import numpy as np


def col2im(cols, x_shape, kh, kw, stride, padding):
    """Add every row of cols back onto the pixels its window covers: (N, H, W, C)."""
    raise NotImplementedError("add each window's entries into a zero padded image, then "
                              "crop the padding")
