"""Conv2D and Conv2DTranspose: a convolution, and its adjoint, as one matrix product each.

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

The activation, inside the layer
--------------------------------
As in Keras, a convolution can apply its activation itself: ``activation="relu"``
makes the output ``y = max(z, 0)`` of the sum ``z`` above, and backward first sends the
gradient through the ReLU, ``dz = dy * [y > 0]``, then runs the formulas above on
``dz``. Why inside: a fast algorithm can then apply it in a pass it makes anyway
(Winograd's transforms), or at least in place, without a layer and an array of its own.

The textbook, and faster algorithms
-----------------------------------
The four functions below are the textbook: each is the formula above, for the whole
batch at once. A layer holds its ``algorithm``, a forward and a backward function
with these functions' signatures; a layer you build runs these. They are also the
reference: ``npvae.fast`` has faster algorithms for the same sums (in image blocks,
by scattering, by Winograd's transforms), tested equal to these, and the book's model
asks it to give them to its layers (``npvae.fast.speed_up``). Nothing in this file
needs them.
"""
import numpy as np

from npvae.im2col import col2im, im2col, output_size
from npvae.layers.activations import check_activation, relu_backward, relu_in_place
from npvae.layers.base import Algorithm, Layer, as_generator, glorot_uniform

# --------------------------------------------------------------------- the textbook
# Each forward returns (y, cache); each backward takes that cache and returns
# (dx, dW, db). ``pads`` is (top, bottom, left, right) of the convolution that gathers:
# Conv2D's over its input, the transpose's over its (larger) output. The im2col or
# col2im each one calls is a keyword argument, npvae's by default, so that the same
# formula can run with another (a learner's own, in the exercises' capstone).


def conv2d_forward(x, W, b, stride, pads, y_shape, *, im2col=im2col):
    """y = im2col(x) @ W + b: x (N, H, W, C) -> y (N, Ho, Wo, O)."""
    kh, kw, _, out_c = W.shape
    cols = im2col(x, kh, kw, stride, pads)                   # (N*Ho*Wo, kh*kw*C)
    y = cols @ W.reshape(-1, out_c) + b                      # (N*Ho*Wo, O)
    return y.reshape(y_shape), (x.shape, stride, pads, cols)


def conv2d_backward(dy, W, cache, *, col2im=col2im):
    """(dx, dW, db) of ``conv2d_forward`` from dy (N, Ho, Wo, O)."""
    x_shape, stride, pads, cols = cache
    kh, kw, _, out_c = W.shape
    dy = dy.reshape(-1, out_c)                               # (N*Ho*Wo, O)
    dW = cols.T @ dy                                         # dW = cols^T dy  (kh*kw*C, O)
    db = dy.sum(axis=0)                                      # db = sum of dy  (O,)
    dcols = dy @ W.reshape(-1, out_c).T                      # dcols = dy W^T  (N*Ho*Wo, kh*kw*C)
    dx = col2im(dcols, x_shape, kh, kw, stride, pads)        # (N, H, W, C)
    return dx, dW.reshape(W.shape), db


def conv2d_transpose_forward(x, W, b, stride, pads, y_shape, *, col2im=col2im):
    """y = col2im(x @ W^T) + b: x (N, H, W, C) -> y (N, Ho, Wo, O)."""
    kh, kw, _, in_c = W.shape
    x_rows = x.reshape(-1, in_c)                             # (N*H*W, C)
    cols = x_rows @ W.reshape(-1, in_c).T                    # (N*H*W, kh*kw*O)
    y = col2im(cols, y_shape, kh, kw, stride, pads) + b      # (N, Ho, Wo, O)
    return y, (x.shape, stride, pads, x_rows)


def conv2d_transpose_backward(dy, W, cache, *, im2col=im2col):
    """(dx, dW, db) of ``conv2d_transpose_forward`` from dy (N, Ho, Wo, O)."""
    x_shape, stride, pads, x_rows = cache
    kh, kw, out_c, in_c = W.shape
    dcols = im2col(dy, kh, kw, stride, pads)                 # (N*H*W, kh*kw*O)
    dW = dcols.T @ x_rows                                    # dW = dcols^T x  (kh*kw*O, C)
    db = dy.reshape(-1, out_c).sum(axis=0)                   # db = sum of dy  (O,)
    dx = dcols @ W.reshape(-1, in_c)                         # dx = dcols W    (N*H*W, C)
    return dx.reshape(x_shape), dW.reshape(W.shape), db


def window_floats(layer, x_shape, y_shape):
    """The entries of one image's window matrix: Ho*Wo*kh*kw*C for a Conv2D (its im2col),
    H*W*kh*kw*O for a transpose (x @ W^T, before col2im)."""
    (h, w, c), (ho, wo, o) = x_shape, y_shape
    kernel = layer.geometry.kh * layer.geometry.kw
    return h * w * kernel * o if layer.transposed else ho * wo * kernel * c


def textbook_memory(layer, x_shape, y_shape):
    """The floats the textbook needs beyond x and y: (kept per image for backward, the
    largest work array per image, work per batch whatever its size). A Conv2D keeps its
    window matrix for dW, and backward builds dcols as big; a transpose keeps its input
    rows, which are x, and builds a window matrix in each pass."""
    window = window_floats(layer, x_shape, y_shape)
    return (0 if layer.transposed else window), window, 0


# ------------------------------------------------------------------ the layers


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


class _Convolution(Layer):
    """What Conv2D and Conv2DTranspose share: geometry, channels, a Keras-shaped kernel,
    and the algorithm that computes the sums (the class's ``textbook`` until another
    is set, as ``npvae.fast.speed_up`` does)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, rng, dtype,
                 kernel_channels, activation):
        super().__init__(dtype)
        self.geometry = g = _ConvGeometry(kernel_size, stride, padding)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.activation = check_activation(activation, type(self).__name__)
        self.algorithm = self.textbook
        # The ReLU's backward, held as the algorithm is, so another function can take
        # its place (a learner's own, in the exercises' capstone).
        self.relu_backward = relu_backward
        shape = (g.kh, g.kw) + kernel_channels
        self.params = {
            # Keras' Glorot fans for a kernel: receptive field times its last two axes.
            "W": glorot_uniform(shape, g.kh * g.kw * shape[2], g.kh * g.kw * shape[3],
                                as_generator(rng), self.dtype),
            "b": np.zeros(out_channels, dtype=self.dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def output_shape(self, input_shape):
        """(Ho, Wo, O) for an input of shape (H, W, C)."""
        g = self.geometry
        size = g.transpose_output_hw if self.transposed else g.conv_output_hw
        return size(*input_shape[:2]) + (self.out_channels,)

    def forward(self, x):
        """x: (N, H, W, C) -> y: (N, Ho, Wo, O)."""
        self.check_input(x, ndim=4, last_dim=self.in_channels)
        y_shape = (len(x),) + self.output_shape(x.shape[1:])
        if min(y_shape[1:3]) < 1:
            raise ValueError(f"{self!r}: input {x.shape} is smaller than the kernel")
        # Both kinds pad the larger image, the one the windows are gathered from.
        gathered = y_shape if self.transposed else x.shape
        pads = self.geometry.pads(*gathered[1:3])
        algorithm = self.algorithm.for_input(x.shape[1:])
        args = (x, self.params["W"], self.params["b"], self.geometry.stride, pads, y_shape)
        relu, y_relu = self.activation == "relu", None
        if relu and algorithm.applies_relu:
            y, cache = algorithm.forward(*args, relu=True)
        else:
            y, cache = algorithm.forward(*args)
            if relu:
                y_relu = relu_in_place(y)              # y = max(z, 0), kept for backward
        self._cache = (algorithm, y_shape, cache, y_relu)
        return y

    def backward(self, dy):
        """dy: (N, Ho, Wo, O) -> dx: (N, H, W, C); fills grads["W"], grads["b"]."""
        algorithm, y_shape, cache, y_relu = self.cached()
        self.check_gradient(dy, y_shape)
        if y_relu is not None:
            dy = self.relu_backward(dy, y_relu)        # dz = dy [y > 0]
        dx, self.grads["W"], self.grads["b"] = algorithm.backward(dy, self.params["W"], cache)
        return dx

    def __repr__(self):
        activation = f", activation={self.activation!r}" if self.activation else ""
        return (f"{type(self).__name__}({self.in_channels}, {self.out_channels}, "
                f"{self.geometry.describe()}{activation})")


class Conv2D(_Convolution):
    """2-D convolution, NHWC. Params ``W`` (kh, kw, C, O), Glorot-uniform; ``b`` (O,), zeros.

    x (N, H, W, C) -> y (N, Ho, Wo, O); see the module docstring for the math.
    ``activation``: None, or "relu" for ``max(y, 0)`` (see the module docstring).
    ``algorithm`` (an attribute): the ``Algorithm`` that computes it, ``textbook`` until
    another is set.
    """

    transposed = False
    textbook = Algorithm("textbook", conv2d_forward, conv2d_backward, memory=textbook_memory)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding="same",
                 rng=None, dtype=np.float32, activation=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, rng, dtype,
                         (in_channels, out_channels), activation)


class Conv2DTranspose(_Convolution):
    """Transposed 2-D convolution, NHWC: the adjoint of a Conv2D; upsamples by ``stride``.

    Params ``W`` (kh, kw, O, C) (Keras' layout), Glorot-uniform; ``b`` (O,), zeros.
    x (N, H, W, C) -> y (N, Ho, Wo, O); see the module docstring for the math.
    ``activation`` and ``algorithm`` as for Conv2D.
    """

    transposed = True
    textbook = Algorithm("textbook", conv2d_transpose_forward, conv2d_transpose_backward,
                         memory=textbook_memory)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding="same",
                 rng=None, dtype=np.float32, activation=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, rng, dtype,
                         (out_channels, in_channels), activation)
