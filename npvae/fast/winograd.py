r"""Winograd's F(2x2, 3x3): a stride-1 3x3 convolution with 2.25x fewer multiplications.

The idea, in one dimension
--------------------------
Two outputs of a 3-tap correlation, ``y0 = d0 g0 + d1 g1 + d2 g2`` and
``y1 = d1 g0 + d2 g1 + d3 g2``, take 6 multiplications done directly. Winograd's
F(2, 3) takes 4::

    m0 = (d0 - d2) g0            m1 = (d1 + d2) (g0 + g1 + g2) / 2
    m3 = (d1 - d3) g2            m2 = (d2 - d1) (g0 - g1 + g2) / 2
    y0 = m0 + m1 + m2            y1 = m1 - m2 - m3

In matrices, with an input tile ``d`` of 4 pixels and a kernel ``g`` of 3 taps::

    y = A^T [(G g) * (B^T d)]        (* : element by element)

    B^T = [1  0 -1  0]      G = [1    0    0 ]      A^T = [1  1  1  0]
          [0  1  1  0]          [1/2  1/2  1/2]            [0  1 -1 -1]
          [0 -1  1  0]          [1/2 -1/2  1/2]
          [0  1  0 -1]          [0    0    1 ]

``B^T`` takes the input to the "Winograd domain" (4 sums and differences of pixels),
``G`` takes the kernel there (4 combinations of taps), the 4 products are the only
multiplications by data, and ``A^T`` brings the 4 products back to 2 outputs.

In two dimensions, nested: F(2x2, 3x3)
--------------------------------------
A 2x2 tile of outputs reads a 4x4 tile of the input; input tiles overlap by 2 pixels::

    Y = A^T [ (G g G^T) * (B^T d B) ] A          (2x2) from (4x4) and (3x3)

16 multiplications instead of 2*2*9 = 36: 2.25x fewer. Over channels, the
element-by-element product becomes a sum of products: for each of the 16 positions
``k = (a, b)`` of the 4x4 Winograd domain,

    V[k, t, c] = (B^T d_{t,c} B)[a, b]       the input tiles t      (16, T, C)
    U[k, c, o] = (G W[:, :, c, o] G^T)[a, b]  the kernel             (16, C, O)
    M[k, t, o] = sum_c V[k, t, c] U[k, c, o]  16 matrix products    (16, T, O)
    y tile (t, o) = A^T M[:, t, o] A          (reshaped 4x4 -> 2x2)

The 16 matrix products are where the time goes, and they are 2.25x smaller, in
multiplications, than the one product of the im2col form. The transforms are
additions only (and halvings of the kernel, exact in binary), cheap next to them.

Backward, in the Winograd domain
--------------------------------
Every step above is linear, so backward runs each step's transpose, in reverse::

    dM = A dY A^T                            each 2x2 output tile -> (16, T, O)
    dU = V^T dM    (per k: (C, T) @ (T, O))  dV = dM U^T   (per k: (T, O) @ (O, C))
    dW = G^T dU G                            (16, C, O) -> (3, 3, C, O)
    dx = B dV B^T, each 4x4 tile added back where it was read (tiles overlap)
    db = sum of dy                           (read off dM: see conv2d_backward)

With a ReLU (``relu=True``), the output transform writes ``max(y, 0)`` and its adjoint
reads ``dy * [y > 0]``: the ReLU costs no pass of its own either way.

Where float32 loses digits
--------------------------
The direct form adds products of pixels and weights. Here the pixels are first
added and subtracted (``B^T d B`` sums up to 9 pixels), the 16 products are summed
over channels, and ``A^T M A`` then adds and subtracts up to 9 of those sums to get one
output: the sums are larger than the output they cancel down to, and each carries
float32's relative rounding of its own size. So the error is a small multiple of the
direct form's, relative to the largest output, not of every output: an output near
zero among large ones has a larger relative error. In float64 the two forms agree
to rounding. (F(4x4, 3x3) needs fewer multiplications still, but its matrices hold
fractions such as 1/6 and 1/24 and sums of up to 36 terms: its error grows much more.)

Shapes
------
Outputs come in 2x2 tiles: ``th = ceil(Ho/2)`` by ``tw = ceil(Wo/2)``, ``T = N*th*tw``.
The input is padded once, to the ``(2*th + 2, 2*tw + 2)`` pixels the tiles read; the
outputs past (Ho, Wo) of a last, half-used tile are computed and dropped.
The transforms are numba loops, each beside a plain-NumPy twin in
``npvae.fast.winograd_transforms``.
"""
import numpy as np

from npvae.fast import winograd_transforms as transforms
from npvae.fast.column_sums import column_sums

G = np.array([[1.0, 0.0, 0.0],
              [0.5, 0.5, 0.5],
              [0.5, -0.5, 0.5],
              [0.0, 0.0, 1.0]])


def tiles(y_shape):
    """(th, tw): how many 2x2 output tiles cover an output of shape (N, Ho, Wo, O)."""
    return -(-y_shape[1] // 2), -(-y_shape[2] // 2)


def pad_for_tiles(x, pads, th, tw):
    """x (N, H, W, C) zero-padded to (N, 2*th + 2, 2*tw + 2, C): every pixel a tile reads."""
    top, _, left, _ = pads
    bottom = 2 * th + 2 - x.shape[1] - top
    right = 2 * tw + 2 - x.shape[2] - left
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))


# G g G^T for a 3x3 g, as one matrix on the 9 taps: (G g G^T)[a, b] = sum over (i, j)
# of G[a, i] G[b, j] g[i, j], so row 4a + b of kron(G, G) holds G[a, i] G[b, j].
G_2D = np.kron(G, G)                                      # (16, 9)


def kernel_transform(W):
    """U = G g G^T for every (c, o): W (3, 3, C, O) -> U (16, C, O)."""
    taps = W.reshape(9, -1)                               # row 3i + j: tap (i, j)
    return (G_2D.astype(W.dtype) @ taps).reshape(16, *W.shape[2:])


def kernel_transform_adjoint(dU):
    """dW = G^T dU G: dU (16, C, O) -> dW (3, 3, C, O)."""
    dW = G_2D.T.astype(dU.dtype) @ dU.reshape(16, -1)     # (9, C*O)
    return dW.reshape(3, 3, *dU.shape[1:])


def conv2d_forward(x, W, b, stride, pads, y_shape, relu=False):
    """A stride-1 3x3 convolution by F(2x2, 3x3): x (N, H, W, C) -> y (N, Ho, Wo, O)."""
    if W.shape[:2] != (3, 3) or stride != 1:
        raise ValueError(f"Winograd F(2x2, 3x3) needs a 3x3 kernel and stride 1; "
                         f"got kernel {W.shape[:2]}, stride {stride}")
    th, tw = tiles(y_shape)
    V = transforms.input_transform(pad_for_tiles(x, pads, th, tw), th, tw)   # (16, T, C)
    U = kernel_transform(W)                                                  # (16, C, O)
    M = np.matmul(V, U)                                                      # (16, T, O)
    y = transforms.output_transform(M, b, y_shape, th, tw, relu)             # (N, Ho, Wo, O)
    return y, (x.shape, pads, V, U, y if relu else None)


def conv2d_backward(dy, W, cache):
    """(dx, dW, db) of ``conv2d_forward``, every step in the Winograd domain."""
    x_shape, pads, V, U, y_relu = cache
    th, tw = tiles(dy.shape)
    dM = transforms.output_transform_adjoint(dy, th, tw, y_relu)   # A dY A^T  (16, T, O)
    dU = np.matmul(V.transpose(0, 2, 1), dM)                       # V^T dM    (16, C, O)
    dV = np.matmul(dM, U.transpose(0, 2, 1))                       # dM U^T    (16, T, C)
    dx = transforms.input_transform_adjoint(dV, x_shape, pads, th, tw)   # (N, H, W, C)
    # db sums dy after the ReLU's mask, which only dM has seen. Every tile's sum is
    # 1^T dY 1 = v^T (A dY A^T) v with A^T v = 1, v = (1, 0, 0, -1): four entries of dM.
    db = column_sums(dM[0]) - column_sums(dM[3]) - column_sums(dM[12]) + column_sums(dM[15])
    return dx, kernel_transform_adjoint(dU), db


def memory(layer, x_shape, y_shape):
    """What it needs beyond x and y, per image (``Algorithm.memory``): the input's tiles
    V, 16 T C, kept for dW; in backward dM and dV, the output's tiles and the input's,
    16 T (C + O); T = ceil(Ho/2) ceil(Wo/2) tiles of one image."""
    (_, _, c), (ho, wo, o) = x_shape, y_shape
    t = -(-ho // 2) * -(-wo // 2)
    return 16 * t * c, 16 * t * (c + o), 0
