"""Conv2D and Conv2DTranspose: a convolution, and its adjoint, as one GEMM each.

Arrays are NHWC, as in Keras: x (N, H, W, C).

Conv2D
------
A kernel ``W`` of shape (kh, kw, C, O) slides over the zero-padded input with stride s::

    y[n, i, j, o] = b[o] + sum_{p, q, c} x_pad[n, i*s + p, j*s + q, c] * W[p, q, c, o]

``im2col`` copies every window into a row, which turns the sum into a matrix product::

    cols = im2col(x)                         (N*Ho*Wo, kh*kw*C)
    y    = cols @ W.reshape(kh*kw*C, O) + b  (N*Ho*Wo, O) -> (N, Ho, Wo, O)

Backward is the matrix-product rule, then ``col2im`` (the transpose of im2col)::

    dW    = cols^T @ dy                      (kh*kw*C, O) -> (kh, kw, C, O)
    db    = sum of dy over n, i, j           (O,)
    dcols = dy @ W^T                         (N*Ho*Wo, kh*kw*C)
    dx    = col2im(dcols)                    (N, H, W, C)

'same' padding, exactly as TensorFlow/Keras: the output has ``Ho = ceil(H / s)`` rows,
the total padding is ``max((Ho - 1)*s + kh - H, 0)``, and when it is odd the extra row
goes at the *bottom* (and the extra column at the right). For 28x28, 3x3, stride 2:
Ho = 14, total padding 1, so 0 rows on top and 1 at the bottom. Padding (1, 1) instead
would shift every window by one pixel and the weights would not match Keras'.
'valid' means no padding: ``Ho = (H - kh) // s + 1``.

Conv2DTranspose
---------------
The transpose ("deconvolution") runs a Conv2D backwards: it is the linear map whose
matrix is the transpose of a Conv2D's, the Conv2D that maps an (Ho, Wo, O) image to
an (H, W, C) one. It upsamples by its stride. With ``W`` of shape (kh, kw, O, C)
(Keras' layout for the transpose: output channels first)::

    cols = x.reshape(N*H*W, C) @ W.reshape(kh*kw*O, C)^T   (N*H*W, kh*kw*O)
    y    = col2im(cols) + b                                (N, Ho, Wo, O)

so each input pixel paints a weighted kh x kw patch onto the output, and overlapping
patches add. Its backward uses im2col, where Conv2D's used col2im::

    dcols = im2col(dy)                       (N*H*W, kh*kw*O)
    dW    = dcols^T @ x                      (kh*kw*O, C) -> (kh, kw, O, C)
    db    = sum of dy over n, i, j           (O,)
    dx    = dcols @ W.reshape(kh*kw*O, C)    (N*H*W, C) -> (N, H, W, C)

Output size, as Keras: 'same' gives ``Ho = H*s``; 'valid' gives ``H*s + max(kh - s, 0)``.
Because it is a true adjoint, ``<conv(x), y> == <x, conv_transpose(y)>`` for shared
weights (``tests/test_conv.py`` checks it); no zeros are inserted between pixels.

Two ways to run one convolution
-------------------------------
The two layers share two "forms" of the computation, written once below:

* gather (``_gather_forward``): im2col, then ``cols @ W``; each output pixel gathers its
  window. The matrix product has ``kh*kw*C`` columns in and ``O`` out.
* scatter (``_scatter_forward``): ``x @ W^T``, then col2im; each input pixel scatters a
  weighted patch. ``C`` columns in, ``kh*kw*O`` out.

Conv2DTranspose is the scatter form. A stride-1 Conv2D can use it too: sliding a kernel
is the same as scattering with the kernel flipped (``W[::-1, ::-1]``) and the padding
mirrored (``kh - 1 - pad``). When a Conv2D has fewer output channels than input
channels -- the decoder's last layer maps 32 channels to 1 -- that form is much
cheaper: ``(N*H*W, 32) @ (32, 9)`` instead of building a ``(N*H*W, 288)`` matrix for a
matrix-*vector* product ``(N*H*W, 288) @ (288, 1)`` that runs at a few GFLOP/s. (Its
backward always yields dx, so a first layer built with ``input_grad=False`` gathers.)
"""
import numpy as np

from npvae.kernels import col2im, im2col, output_size
from npvae.layers.base import Layer, as_generator, column_sums, glorot_uniform


def same_or_valid_padding(size, kernel, stride, padding):
    """(pad_before, pad_after) of one axis of a convolution over ``size`` pixels."""
    if padding == "valid":
        return 0, 0
    out = -(-size // stride)  # ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    # TensorFlow's convention: the odd pixel of padding goes after (bottom / right).
    return total // 2, total - total // 2


class _ConvGeometry:
    """Kernel size, stride and padding, shared by Conv2D and Conv2DTranspose."""

    def __init__(self, kernel_size, stride, padding):
        if isinstance(kernel_size, int):
            kernel_size = (kernel_size, kernel_size)
        self.kh, self.kw = (int(k) for k in kernel_size)
        self.stride = int(stride)
        if padding not in ("same", "valid"):
            raise ValueError(f"padding must be 'same' or 'valid'; got {padding!r}")
        if self.kh < 1 or self.kw < 1 or self.stride < 1:
            raise ValueError(f"kernel size and stride must be positive; got "
                             f"kernel {(self.kh, self.kw)}, stride {self.stride}")
        self.padding = padding

    def pads(self, height, width):
        """(top, bottom, left, right) padding of a convolution over a height x width image."""
        return (same_or_valid_padding(height, self.kh, self.stride, self.padding)
                + same_or_valid_padding(width, self.kw, self.stride, self.padding))

    def conv_output_hw(self, height, width):
        """(Ho, Wo) of a convolution over (height, width)."""
        top, bottom, left, right = self.pads(height, width)
        return (output_size(height, self.kh, self.stride, top, bottom),
                output_size(width, self.kw, self.stride, left, right))

    def transpose_output_hw(self, height, width):
        """(Ho, Wo) of a transposed convolution of an (height, width) input, as Keras."""
        if self.padding == "same":
            return height * self.stride, width * self.stride
        return (height * self.stride + max(self.kh - self.stride, 0),
                width * self.stride + max(self.kw - self.stride, 0))

    def describe(self):
        return f"kernel_size={(self.kh, self.kw)}, stride={self.stride}, padding={self.padding!r}"


class _Scratch:
    """Reusable work arrays, so a training step does not allocate its biggest arrays anew."""

    def __init__(self):
        self._arrays = {}

    def get(self, name, shape, dtype):
        array = self._arrays.get(name)
        if array is None or array.shape != shape or array.dtype != dtype:
            array = self._arrays[name] = np.empty(shape, dtype=dtype)
        return array

    def block(self, name, n_images, rows_per_image, width, dtype):
        """A work array for the rows of one block of images (see IMAGES_PER_BLOCK)."""
        rows = min(n_images, IMAGES_PER_BLOCK) * rows_per_image
        return self.get(name, (rows, width), dtype)


# ------------------------------------------------- the two forms of one convolution
# Both take the kernel as a matrix of rows: W_rows (kh*kw*C, O) for gather,
# (kh*kw*O, C) for scatter. ``pads`` is (top, bottom, left, right) of the *gathering*
# convolution, the one over the larger image for a transposed convolution.
#
# Both walk the batch in blocks of IMAGES_PER_BLOCK images: the same sums, in smaller
# matrix products, whose window matrices stay in cache between im2col and the GEMM, and
# work arrays of one block instead of the whole batch. Measured here, a training step of
# the seed's model at batch 128 (medians of 3): 206 ms in blocks of 16 images, 226 in
# blocks of 8, 235 in blocks of 32, 252 in one piece. At the seed's batch of 16 there is
# one block. ``block`` is a caller's work array with the rows of one block.

IMAGES_PER_BLOCK = 16


def _image_blocks(n_images, rows_per_image):
    """(images, rows) slice pairs covering a batch, IMAGES_PER_BLOCK images at a time:
    ``images`` slices the batch axis, ``rows`` the same images' rows of a row matrix."""
    for start in range(0, n_images, IMAGES_PER_BLOCK):
        stop = min(start + IMAGES_PER_BLOCK, n_images)
        yield slice(start, stop), slice(start * rows_per_image, stop * rows_per_image)


def _gather_forward(x, W_rows, b, kh, kw, stride, pads, cols):
    """y = im2col(x) @ W_rows + b, block by block: (N, H, W, C) -> (N*Ho*Wo, O). ``cols``
    has the rows of one block; the last block's window matrix is left in it."""
    rows_per_image = len(cols) // min(len(x), IMAGES_PER_BLOCK)
    y = np.empty((len(x) * rows_per_image, W_rows.shape[1]), dtype=cols.dtype)
    for images, rows in _image_blocks(len(x), rows_per_image):
        block_cols = cols[:rows.stop - rows.start]
        im2col(x[images], kh, kw, stride, pads, out=block_cols)      # (n*Ho*Wo, kh*kw*C)
        np.matmul(block_cols, W_rows, out=y[rows])
        y[rows] += b  # while the block's output is still in cache
    return y


def _gather_backward(dy_rows, x, W_rows, kh, kw, stride, pads, cols, dcols):
    """(dx, dW_rows, db) of ``_gather_forward`` from dy_rows (N*Ho*Wo, O); ``cols`` and
    ``dcols`` have the rows of one block. With ``dcols`` None, dx is skipped (None).

    dW needs every block's window matrix again. With one block (the seed's batch of
    16) forward left it in ``cols``; with more, each is rebuilt by im2col rather than
    kept: keeping them costs 58 MB per 64-channel layer at batch 128, and rebuilding
    costs no time that shows (measured here, steps at batch 128 in alternating runs:
    190-213 ms keeping, 193-209 rebuilding; peak memory of ``npvae train --batch-size
    128``: 814 MiB keeping, 688 rebuilding).
    """
    rows_per_image = len(dy_rows) // len(x)
    rebuild = len(x) > IMAGES_PER_BLOCK
    dW_rows = np.zeros((cols.shape[1], dy_rows.shape[1]), dtype=cols.dtype)
    db = np.zeros(dy_rows.shape[1], dtype=cols.dtype)
    dx = None if dcols is None else np.empty(x.shape, dtype=cols.dtype)
    for images, rows in _image_blocks(len(x), rows_per_image):
        block_cols = cols[:rows.stop - rows.start]
        if rebuild:
            im2col(x[images], kh, kw, stride, pads, out=block_cols)
        dW_rows += block_cols.T @ dy_rows[rows]                        # dW = cols^T dy
        db += column_sums(dy_rows[rows])                               # db = sum of dy
        if dx is not None:
            block_dcols = dcols[:rows.stop - rows.start]
            np.matmul(dy_rows[rows], W_rows.T, out=block_dcols)        # dcols = dy W^T
            col2im(block_dcols, dx[images].shape, kh, kw, stride, pads, out=dx[images])
    return dx, dW_rows, db


def _scatter_forward(x_rows, W_rows, b, y_shape, kh, kw, stride, pads, block):
    """y = col2im(x_rows @ W_rows^T) + b: x_rows (N*H*W, C) -> y (N, Ho, Wo, O)."""
    y = np.empty(y_shape, dtype=x_rows.dtype)
    for images, rows in _image_blocks(y_shape[0], len(x_rows) // y_shape[0]):
        cols = block[:rows.stop - rows.start]
        np.matmul(x_rows[rows], W_rows.T, out=cols)                    # (n*H*W, kh*kw*O)
        col2im(cols, y[images].shape, kh, kw, stride, pads, out=y[images])
        y[images] += b
    return y


def _scatter_backward(dy, x_rows, W_rows, kh, kw, stride, pads, block):
    """(dx_rows, dW_rows, db) of ``_scatter_forward``, given dy (N, Ho, Wo, O)."""
    dx_rows = np.empty_like(x_rows)
    dW_rows = np.zeros_like(W_rows)
    db = np.zeros(dy.shape[-1], dtype=dy.dtype)
    for images, rows in _image_blocks(len(dy), len(x_rows) // len(dy)):
        dcols = im2col(dy[images], kh, kw, stride, pads,
                       out=block[:rows.stop - rows.start])             # (n*H*W, kh*kw*O)
        np.matmul(dcols, W_rows, out=dx_rows[rows])                    # dx = dcols W
        dW_rows += dcols.T @ x_rows[rows]                              # dW = dcols^T x
        db += column_sums(dy[images].reshape(-1, dy.shape[-1]))        # db = sum of dy
    return dx_rows, dW_rows, db


class _Convolution(Layer):
    """What Conv2D and Conv2DTranspose share: geometry, channels, a Keras-shaped kernel."""

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, rng, dtype,
                 kernel_channels):
        super().__init__(dtype)
        self.geometry = g = _ConvGeometry(kernel_size, stride, padding)
        self.in_channels, self.out_channels = in_channels, out_channels
        shape = (g.kh, g.kw) + kernel_channels
        self.params = {
            # Keras' Glorot fans for a kernel: receptive field times its last two axes.
            "W": glorot_uniform(shape, g.kh * g.kw * shape[2], g.kh * g.kw * shape[3],
                                as_generator(rng), self.dtype),
            "b": np.zeros(out_channels, dtype=self.dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._scratch = _Scratch()

    def __repr__(self):
        return (f"{type(self).__name__}({self.in_channels}, {self.out_channels}, "
                f"{self.geometry.describe()})")


class Conv2D(_Convolution):
    """2-D convolution, NHWC. Params ``W`` (kh, kw, C, O), Glorot-uniform; ``b`` (O,), zeros.

    x (N, H, W, C) -> y (N, Ho, Wo, O); see the module docstring for the math. Runs in
    the gather form, or in the scatter form when stride is 1 and O < C (same result).
    ``input_grad=False`` makes ``backward`` skip dx and return None: for a first layer,
    whose input is the data, that saves a matrix product and a col2im per step.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding="same",
                 rng=None, dtype=np.float32, input_grad=True):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, rng, dtype,
                         kernel_channels=(in_channels, out_channels))
        self.input_grad = bool(input_grad)
        self.scatter_form = (self.geometry.stride == 1 and out_channels < in_channels
                             and self.input_grad)

    def output_shape(self, input_shape):
        """(Ho, Wo, O) for an input of shape (H, W, C)."""
        return self.geometry.conv_output_hw(*input_shape[:2]) + (self.out_channels,)

    def forward(self, x):
        """x: (N, H, W, C) -> y: (N, Ho, Wo, O)."""
        self.check_input(x, ndim=4, last_dim=self.in_channels)
        g, W, b = self.geometry, self.params["W"], self.params["b"]
        n, height, width, _ = x.shape
        out_h, out_w, out_c = self.output_shape(x.shape[1:])
        if out_h < 1 or out_w < 1:
            raise ValueError(f"{self!r}: input {x.shape} is smaller than the kernel")
        pads = g.pads(height, width)
        if self.scatter_form:
            flipped = tuple(k - 1 - p for k, p in zip((g.kh, g.kh, g.kw, g.kw), pads))
            x_rows = x.reshape(-1, self.in_channels)
            block = self._scratch.block("cols", n, height * width, g.kh * g.kw * out_c,
                                        self.dtype)
            y = _scatter_forward(x_rows, self._flipped_rows(W), b, (n, out_h, out_w, out_c),
                                 g.kh, g.kw, 1, flipped, block)
            # backward needs the input, and reuses the work array (its im2col has this shape).
            self._cache = (x.shape, flipped, (x_rows, block))
        else:
            cols = self._scratch.block("cols", n, out_h * out_w, g.kh * g.kw * x.shape[3],
                                       self.dtype)
            y = _gather_forward(x, W.reshape(-1, out_c), b, g.kh, g.kw, g.stride, pads, cols)
            self._cache = (x.shape, pads, (x, cols))  # cols: the last block's windows
        return y.reshape(n, out_h, out_w, out_c)

    def backward(self, dy):
        """dy: (N, Ho, Wo, O) -> dx: (N, H, W, C) (or None); fills grads["W"], grads["b"]."""
        x_shape, pads, (saved, cols) = self.cached()
        g, W = self.geometry, self.params["W"]
        self.check_gradient(dy, (x_shape[0],) + self.output_shape(x_shape[1:]))
        if self.scatter_form:
            dx_rows, dW_rows, self.grads["b"] = _scatter_backward(
                dy, saved, self._flipped_rows(W), g.kh, g.kw, 1, pads, cols)
            # Undo the flip: dW_rows[(p', q', o), c] is the gradient of W[kh-1-p', kw-1-q', c, o].
            dW = dW_rows.reshape(g.kh, g.kw, self.out_channels, -1)[::-1, ::-1]
            self.grads["W"] = np.ascontiguousarray(dW.transpose(0, 1, 3, 2))
            return dx_rows.reshape(x_shape)
        x, dy_rows = saved, dy.reshape(-1, self.out_channels)            # (N*Ho*Wo, O)
        # The input is the data for a first layer: nothing upstream needs dL/dx.
        dcols = self._scratch.get("dcols", cols.shape, self.dtype) if self.input_grad else None
        dx, dW_rows, self.grads["b"] = _gather_backward(
            dy_rows, x, W.reshape(-1, self.out_channels), g.kh, g.kw, g.stride, pads, cols, dcols)
        self.grads["W"] = dW_rows.reshape(W.shape)
        return dx

    def _flipped_rows(self, W):
        """The kernel as the scatter form wants it: rows (p', q', o) of W[::-1, ::-1]."""
        return W[::-1, ::-1].transpose(0, 1, 3, 2).reshape(-1, self.in_channels)


class Conv2DTranspose(_Convolution):
    """Transposed 2-D convolution, NHWC: the adjoint of a Conv2D; upsamples by ``stride``.

    Params ``W`` (kh, kw, O, C) (Keras' layout), Glorot-uniform; ``b`` (O,), zeros.
    x (N, H, W, C) -> y (N, Ho, Wo, O); see the module docstring for the math.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding="same",
                 rng=None, dtype=np.float32):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, rng, dtype,
                         kernel_channels=(out_channels, in_channels))

    def output_shape(self, input_shape):
        """(Ho, Wo, O) for an input of shape (H, W, C)."""
        return self.geometry.transpose_output_hw(*input_shape[:2]) + (self.out_channels,)

    def forward(self, x):
        """x: (N, H, W, C) -> y: (N, Ho, Wo, O)."""
        self.check_input(x, ndim=4, last_dim=self.in_channels)
        g = self.geometry
        out_h, out_w, out_c = self.output_shape(x.shape[1:])
        pads = g.pads(out_h, out_w)  # the padding of the Conv2D this layer transposes
        x_rows = x.reshape(-1, self.in_channels)                       # (N*H*W, C)
        W_rows = self.params["W"].reshape(-1, self.in_channels)        # (kh*kw*O, C)
        block = self._scratch.block("cols", len(x), x.shape[1] * x.shape[2], len(W_rows),
                                    self.dtype)
        y = _scatter_forward(x_rows, W_rows, self.params["b"], (len(x), out_h, out_w, out_c),
                             g.kh, g.kw, g.stride, pads, block)
        self._cache = (x.shape, pads, (x_rows, block))  # backward reuses the work array
        return y

    def backward(self, dy):
        """dy: (N, Ho, Wo, O) -> dx: (N, H, W, C); fills grads["W"], grads["b"]."""
        x_shape, pads, (x_rows, block) = self.cached()
        g, W = self.geometry, self.params["W"]
        self.check_gradient(dy, (x_shape[0],) + self.output_shape(x_shape[1:]))
        W_rows = W.reshape(-1, self.in_channels)                       # (kh*kw*O, C)
        dx_rows, dW_rows, self.grads["b"] = _scatter_backward(dy, x_rows, W_rows, g.kh, g.kw,
                                                              g.stride, pads, block)
        self.grads["W"] = dW_rows.reshape(W.shape)
        return dx_rows.reshape(x_shape)
