"""Exercise im2col: copy every window of an image into a row of a matrix
(guide, chapter 2).

A convolution slides a kh x kw window over the zero-padded image x (N, H, W, C) with
stride s. im2col copies every window into one row, so that the whole convolution becomes
one matrix product (exercise conv2d):

    cols (N*Ho*Wo, kh*kw*C),   Ho = (H + top + bottom - kh) // s + 1   (Wo likewise)

Row r = (n*Ho + i)*Wo + j holds the window whose top-left corner is the padded pixel
(i*s, j*s); its columns run over (p, q, c) in that order, the order of a Keras kernel
W[p, q, c, o] flattened:

    cols[r, (p*kw + q)*C + c] = x_pad[n, i*s + p, j*s + q, c]

padding is (top, bottom, left, right): TensorFlow's 'same' padding puts an odd extra row
at the BOTTOM (and column at the right), so the two sides can differ.

Keep the input's dtype (float32 in, float32 out: the model trains in float32),
and leave x as it is.

Check it:  npvae exercise check im2col
A hint:    npvae exercise hint im2col
"""
import numpy as np


def im2col(x, kh, kw, stride, padding):
    """The windows of x (N, H, W, C) as rows: (N*Ho*Wo, kh*kw*C)."""
    raise NotImplementedError("pad x, then copy each window into one row of cols "
                              "(columns in (p, q, c) order)")
