"""The four tile transforms of Winograd's F(2x2, 3x3), each a numba loop beside its twin.

See ``npvae.fast.winograd`` for the math. The twins (``*_numpy``) are the formulas as
``einsum``s over all tiles at once; the numba loops compute the same sums, tile by
tile, with the channel innermost (contiguous in NHWC) and only selects inside it, no
branches that depend on the data, which is what makes them fast.
``tests/test_fast_winograd.py`` holds each pair equal.

Tile ``t = (n*th + ti)*tw + tj`` is the 2x2 output block whose top-left output is
(2*ti, 2*tj); it reads the 4x4 input tile at padded pixel (2*ti, 2*tj). Position
``k = 4*a + b`` of the Winograd domain is row a, column b of the 4x4 transform.
"""
import numba
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

B_T = np.array([[1.0, 0.0, -1.0, 0.0],
                [0.0, 1.0, 1.0, 0.0],
                [0.0, -1.0, 1.0, 0.0],
                [0.0, 1.0, 0.0, -1.0]])
A_T = np.array([[1.0, 1.0, 1.0, 0.0],
                [0.0, 1.0, -1.0, -1.0]])

# ------------------------------------------------ each matrix applied to one vector


@numba.njit(inline="always")
def _b_t(d0, d1, d2, d3):
    """B^T @ (d0, d1, d2, d3)."""
    return d0 - d2, d1 + d2, d2 - d1, d1 - d3


@numba.njit(inline="always")
def _b(v0, v1, v2, v3):
    """B @ (v0, v1, v2, v3): the transpose of ``_b_t``."""
    return v0, v1 - v2 + v3, v1 + v2 - v0, -v3


@numba.njit(inline="always")
def _a_t(m0, m1, m2, m3):
    """A^T @ (m0, m1, m2, m3)."""
    return m0 + m1 + m2, m1 - m2 - m3


@numba.njit(inline="always")
def _a(y0, y1):
    """A @ (y0, y1): the transpose of ``_a_t``."""
    return y0, y0 + y1, y0 - y1, -y1


@numba.njit(inline="always")
def _at_least(value, floor):
    """``value``, raised to ``floor`` if below it: ``max(value, 0)`` for a ReLU (floor 0),
    ``value`` itself for none (floor -inf). A NaN stays NaN, as in ``activations.relu``.
    One select and no branch, so the loop over channels stays vectorized either way."""
    return floor if value < floor else value


# ---------------------------------------------------------------- the numba loops


@numba.njit(parallel=True, cache=True)
def _input_transform_loop(x_pad, th, tw, V):
    n_batch, _, _, channels = x_pad.shape
    for n_ti in numba.prange(n_batch * th):
        n, r = n_ti // th, 2 * (n_ti % th)
        for tj in range(tw):
            t, s = n_ti * tw + tj, 2 * tj
            for c in range(channels):
                # B^T down each of the tile's 4 columns, then along each row (times B).
                c0 = _b_t(x_pad[n, r, s, c], x_pad[n, r + 1, s, c],
                          x_pad[n, r + 2, s, c], x_pad[n, r + 3, s, c])
                c1 = _b_t(x_pad[n, r, s + 1, c], x_pad[n, r + 1, s + 1, c],
                          x_pad[n, r + 2, s + 1, c], x_pad[n, r + 3, s + 1, c])
                c2 = _b_t(x_pad[n, r, s + 2, c], x_pad[n, r + 1, s + 2, c],
                          x_pad[n, r + 2, s + 2, c], x_pad[n, r + 3, s + 2, c])
                c3 = _b_t(x_pad[n, r, s + 3, c], x_pad[n, r + 1, s + 3, c],
                          x_pad[n, r + 2, s + 3, c], x_pad[n, r + 3, s + 3, c])
                for a in range(4):
                    v = _b_t(c0[a], c1[a], c2[a], c3[a])
                    for b in range(4):
                        V[4 * a + b, t, c] = v[b]


@numba.njit(parallel=True, cache=True)
def _output_transform_loop(M, bias, th, tw, floor, y):
    n_batch, out_h, out_w, out_c = y.shape
    for n_ti in numba.prange(n_batch * th):
        n, r = n_ti // th, 2 * (n_ti % th)
        rows = min(2, out_h - r)  # 1 for a last, half-used row of tiles
        for tj in range(tw):
            t, s = n_ti * tw + tj, 2 * tj
            cols = min(2, out_w - s)
            for o in range(out_c):
                # A^T down each of the 4 columns of M's 4x4 tile, then along both rows.
                u0, w0 = _a_t(M[0, t, o], M[4, t, o], M[8, t, o], M[12, t, o])
                u1, w1 = _a_t(M[1, t, o], M[5, t, o], M[9, t, o], M[13, t, o])
                u2, w2 = _a_t(M[2, t, o], M[6, t, o], M[10, t, o], M[14, t, o])
                u3, w3 = _a_t(M[3, t, o], M[7, t, o], M[11, t, o], M[15, t, o])
                top = _a_t(u0, u1, u2, u3)
                bottom = _a_t(w0, w1, w2, w3)
                for j in range(cols):
                    y[n, r, s + j, o] = _at_least(top[j] + bias[o], floor)
                    if rows == 2:
                        y[n, r + 1, s + j, o] = _at_least(bottom[j] + bias[o], floor)


@numba.njit(parallel=True, cache=True)
def _output_transform_adjoint_loop(dy, y, relu, th, tw, dM):
    n_batch, out_h, out_w, out_c = dy.shape
    zero = np.zeros(1, dtype=dy.dtype)[0]  # of dy's dtype, so every tile entry has one type
    one = np.ones(1, dtype=dy.dtype)[0]
    for n_ti in numba.prange(n_batch * th):
        n, r = n_ti // th, 2 * (n_ti % th)
        has_bottom = r + 1 < out_h
        for tj in range(tw):
            t, s = n_ti * tw + tj, 2 * tj
            has_right = s + 1 < out_w
            for o in range(out_c):
                # The outputs past the image are not outputs: their gradient is zero.
                g00 = dy[n, r, s, o]
                g01 = dy[n, r, s + 1, o] if has_right else zero
                g10 = dy[n, r + 1, s, o] if has_bottom else zero
                g11 = dy[n, r + 1, s + 1, o] if has_bottom and has_right else zero
                if relu:  # nor is that of an output the ReLU set to zero (times 0, as
                    # activations.relu_backward: a NaN in dy stays NaN)
                    g00 *= one if y[n, r, s, o] > 0 else zero
                    g01 *= one if has_right and y[n, r, s + 1, o] > 0 else zero
                    g10 *= one if has_bottom and y[n, r + 1, s, o] > 0 else zero
                    g11 *= one if has_bottom and has_right and y[n, r + 1, s + 1, o] > 0 else zero
                top = _a(g00, g01)       # A (row of dY), for both rows ...
                bottom = _a(g10, g11)
                for b in range(4):       # ... then A down each column: A dY A^T
                    m = _a(top[b], bottom[b])
                    for a in range(4):
                        dM[4 * a + b, t, o] = m[a]


@numba.njit(parallel=True, cache=True)
def _input_transform_adjoint_loop(dV, th, tw, top, left, dx):
    n_batch, height, width, channels = dx.shape
    # One image per task: tiles overlap, but only tiles of the same image, so no two
    # threads add into the same pixel. Each image's tiles are added into a padded
    # buffer of its own, small enough to stay in cache, then its inside copied out.
    for n in numba.prange(n_batch):
        dx_pad = np.zeros((2 * th + 2, 2 * tw + 2, channels), dtype=dx.dtype)
        for ti in range(th):
            r = 2 * ti
            for tj in range(tw):
                t, s = (n * th + ti) * tw + tj, 2 * tj
                for c in range(channels):
                    # B along each row of the 4x4 dV tile, then down each column: B dV B^T.
                    r0 = _b(dV[0, t, c], dV[1, t, c], dV[2, t, c], dV[3, t, c])
                    r1 = _b(dV[4, t, c], dV[5, t, c], dV[6, t, c], dV[7, t, c])
                    r2 = _b(dV[8, t, c], dV[9, t, c], dV[10, t, c], dV[11, t, c])
                    r3 = _b(dV[12, t, c], dV[13, t, c], dV[14, t, c], dV[15, t, c])
                    for j in range(4):
                        d = _b(r0[j], r1[j], r2[j], r3[j])
                        for i in range(4):
                            dx_pad[r + i, s + j, c] += d[i]
        dx[n] = dx_pad[top:top + height, left:left + width]


def _domain_array(images, th, tw):
    """A new Winograd-domain array (16, T, C) for the tiles of images (N, ., ., C)."""
    return np.empty((16, len(images) * th * tw, images.shape[-1]), dtype=images.dtype)


def input_transform(x_pad, th, tw):
    """V[k, t, c] = (B^T d B)[a, b] of every 4x4 input tile: x_pad -> V (16, T, C)."""
    x_pad = np.ascontiguousarray(x_pad)
    V = _domain_array(x_pad, th, tw)
    _input_transform_loop(x_pad, th, tw, V)
    return V


def output_transform(M, bias, y_shape, th, tw, relu=False):
    """y tile = A^T M A + b: M (16, T, O) -> y (N, Ho, Wo, O), past-the-edge outputs
    dropped; then max(y, 0) if ``relu``."""
    y = np.empty(y_shape, dtype=M.dtype)
    floor = M.dtype.type(0 if relu else -np.inf)
    _output_transform_loop(M, bias, th, tw, floor, y)
    return y


def output_transform_adjoint(dy, th, tw, y_relu=None):
    """dM = A dY A^T of every 2x2 tile of dy (N, Ho, Wo, O) -> dM (16, T, O); with
    ``y_relu``, the output of a ReLU, dY is dy * [y_relu > 0]."""
    dy = np.ascontiguousarray(dy)
    relu = y_relu is not None
    dM = _domain_array(dy, th, tw)
    _output_transform_adjoint_loop(dy, y_relu if relu else dy, relu, th, tw, dM)
    return dM


def input_transform_adjoint(dV, x_shape, pads, th, tw):
    """dx: each tile's B dV B^T added back where it was read, then the padding cropped."""
    dx = np.empty(x_shape, dtype=dV.dtype)
    _input_transform_adjoint_loop(dV, th, tw, pads[0], pads[2], dx)
    return dx


# ------------------------------------------------------------ the plain-NumPy twins


def input_transform_numpy(x_pad, th, tw):
    """Twin of ``input_transform``: V = B^T d B for every tile d at once."""
    d = sliding_window_view(x_pad, (4, 4), axis=(1, 2))[:, ::2, ::2][:, :th, :tw]
    V = np.einsum("ai,nuwcij,bj->abnuwc", B_T, d, B_T)          # (4, 4, N, th, tw, C)
    return V.reshape(16, -1, x_pad.shape[-1]).astype(x_pad.dtype)


def output_transform_numpy(M, bias, y_shape, th, tw, relu=False):
    """Twin of ``output_transform``: Y = A^T M A + b, tiles laid side by side, cropped."""
    n_batch, out_h, out_w, out_c = y_shape
    m = M.reshape(4, 4, n_batch, th, tw, out_c)
    Y = np.einsum("ia,abnuwo,jb->nuiwjo", A_T, m, A_T)          # (N, th, 2, tw, 2, O)
    Y = Y.reshape(n_batch, 2 * th, 2 * tw, out_c)
    y = (Y[:, :out_h, :out_w] + bias).astype(M.dtype)
    return np.maximum(y, 0) if relu else y


def output_transform_adjoint_numpy(dy, th, tw, y_relu=None):
    """Twin of ``output_transform_adjoint``: dM = A dY A^T, dY zero past the edge."""
    n_batch, out_h, out_w, out_c = dy.shape
    if y_relu is not None:
        dy = dy * (y_relu > 0)
    dY = np.zeros((n_batch, 2 * th, 2 * tw, out_c), dtype=dy.dtype)
    dY[:, :out_h, :out_w] = dy
    dY = dY.reshape(n_batch, th, 2, tw, 2, out_c)
    dM = np.einsum("ia,nuiwjo,jb->abnuwo", A_T, dY, A_T)        # (4, 4, N, th, tw, O)
    return dM.reshape(16, -1, out_c).astype(dy.dtype)


def input_transform_adjoint_numpy(dV, x_shape, pads, th, tw):
    """Twin of ``input_transform_adjoint``: B dV B^T per tile, overlap-added, cropped."""
    n_batch, height, width, channels = x_shape
    dv = dV.reshape(4, 4, n_batch, th, tw, channels)
    dd = np.einsum("ai,abnuwc,bj->nuwijc", B_T, dv, B_T)        # (N, th, tw, 4, 4, C)
    dx_pad = np.zeros((n_batch, 2 * th + 2, 2 * tw + 2, channels), dtype=dV.dtype)
    for i in range(4):
        for j in range(4):
            dx_pad[:, i:i + 2 * th:2, j:j + 2 * tw:2] += dd[:, :, :, i, j]
    top, _, left, _ = pads
    return dx_pad[:, top:top + height, left:left + width]
