"""Exercise conv2d: a convolution as one matrix product, forward and backward
(guide, chapter 2).

A kernel W (kh, kw, C, O) slides over the zero-padded input x (N, H, W, C) with stride s:

    y[n, i, j, o] = b[o] + sum_{p, q, c} x_pad[n, i*s + p, j*s + q, c] * W[p, q, c, o]

(a cross-correlation, as in Keras: the kernel is not flipped). im2col copies every
window into a row, which turns the sum into one matrix product:

    cols = im2col(x)                          (N*Ho*Wo, kh*kw*C)
    y    = cols @ W.reshape(kh*kw*C, O) + b   (N*Ho*Wo, O) -> reshape to y_shape (N, Ho, Wo, O)

Backward is the matrix-product rule, then col2im (the transpose of im2col):

    dW    = cols^T @ dy                       (kh*kw*C, O) -> reshape to W.shape
    db    = sum of dy over n, i, j            (O,)
    dcols = dy @ W^T                          (N*Ho*Wo, kh*kw*C)
    dx    = col2im(dcols)                     (N, H, W, C)

pads is (top, bottom, left, right); stride and pads go to im2col and col2im as they are.
forward returns y and a cache (whatever backward needs: x's shape, stride, pads, cols).
Keep the inputs' dtype (float32 in, float32 out: the model trains in float32), and leave
the arrays you are given as they are.

Check it:  npvae exercise check conv2d
A hint:    npvae exercise hint conv2d
"""
import numpy as np

# npvae's own; once your im2col and col2im pass, you may paste yours in here instead.
from npvae.exercises.reference import col2im, im2col


def conv2d_forward(x, W, b, stride, pads, y_shape):
    """y = im2col(x) @ W + b: x (N, H, W, C) -> (y (N, Ho, Wo, O), cache)."""
    raise NotImplementedError("unfold x with im2col, multiply by the kernel as a matrix, "
                              "add b, reshape to y_shape; return y and the cache")


def conv2d_backward(dy, W, cache):
    """(dx, dW, db) of conv2d_forward, from dy (N, Ho, Wo, O)."""
    raise NotImplementedError("flatten dy to (N*Ho*Wo, O); compute dW, db and dcols; fold "
                              "dcols back with col2im")
