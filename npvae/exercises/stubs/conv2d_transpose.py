"""Exercise conv2d_transpose: a convolution run backwards, forward and backward
(guide, chapter 3).

The transposed convolution is the linear map whose matrix is the transpose of a
Conv2D's: the Conv2D that maps an (Ho, Wo, O) image to an (H, W, C) one. It upsamples by
its stride. Its kernel W is (kh, kw, O, C), Keras' layout for it (output channels first).
Each input pixel paints a weighted kh x kw patch onto the output, and overlapping
patches add, which is exactly col2im:

    cols = x.reshape(N*H*W, C) @ W.reshape(kh*kw*O, C)^T    (N*H*W, kh*kw*O)
    y    = col2im(cols, y_shape, kh, kw, stride, pads) + b  (N, Ho, Wo, O)

Its backward uses im2col where Conv2D's used col2im:

    dcols = im2col(dy, kh, kw, stride, pads)    (N*H*W, kh*kw*O)
    dW    = dcols^T @ x_rows                    (kh*kw*O, C) -> reshape to W.shape
    db    = sum of dy over n, i, j              (O,)
    dx    = dcols @ W.reshape(kh*kw*O, C)       (N*H*W, C) -> reshape to x's shape

pads is (top, bottom, left, right) of the convolution this one transposes, the one that
gathers windows from the (larger) output. No zeros are inserted between pixels. Keep
the inputs' dtype (float32 in, float32 out: the model trains in float32), and leave the
arrays you are given as they are.

Check it:  npvae exercise check conv2d_transpose
A hint:    npvae exercise hint conv2d_transpose
"""
import numpy as np

# npvae's own; once your im2col and col2im pass, you may paste yours in here instead.
from npvae.exercises.reference import col2im, im2col


def conv2d_transpose_forward(x, W, b, stride, pads, y_shape):
    """y = col2im(x @ W^T) + b: x (N, H, W, C) -> (y (N, Ho, Wo, O), cache)."""
    raise NotImplementedError("multiply each pixel's channels by the kernel as a matrix, "
                              "paint the patches with col2im, add b; return y and the cache")


def conv2d_transpose_backward(dy, W, cache):
    """(dx, dW, db) of conv2d_transpose_forward, from dy (N, Ho, Wo, O)."""
    raise NotImplementedError("unfold dy with im2col; compute dW, db and dx from it")
