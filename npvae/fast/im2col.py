"""im2col and col2im as numba loops over pixels: the twins of ``npvae/im2col.py``.

The textbook functions (``npvae.im2col``) copy one strided slice of the padded image per
kernel offset: ``kh * kw`` passes over memory, each through a padded copy of the input.
These loops make one pass: each thread takes whole rows of windows (im2col) or of image
pixels (col2im) and writes them once, into a buffer the caller may pass in (``out=``),
so a training step can reuse the same memory every time. ``tests/test_fast_im2col.py``
holds both equal to the textbook, bit for bit.

The loops copy one pixel's C channels at a time, which suits C = 32 or 64. A one-channel
image would pay that inner loop's overhead for every single number, so one-channel
images take loops of their own that run along whole image rows instead. In the book's
model they serve im2col of the input image (the first layer) and of the gradient of the
one-channel output, and col2im that paints that output (the last layer runs in the
scatter form, see ``npvae.fast.scatter``). ``python benchmarks/im2col.py`` times both
kinds of loop against the textbook.
"""
import numba
import numpy as np

from npvae.im2col import check_cols_shape, output_hw

# ------------------------------------------------------------------ the loops


@numba.njit(parallel=True, cache=True)
def _im2col_loop(x, kh, kw, stride, pad_top, pad_left, out_h, out_w, cols):
    n_batch, height, width, channels = x.shape
    # One output row (n, i) per thread: each writes its own rows of cols, so no races.
    for ni in numba.prange(n_batch * out_h):
        n, i = ni // out_h, ni % out_h
        for j in range(out_w):
            row = (n * out_h + i) * out_w + j
            for p in range(kh):
                row_in = i * stride + p - pad_top  # the input row window (i, j) reads at p
                for q in range(kw):
                    col_in = j * stride + q - pad_left
                    start = (p * kw + q) * channels
                    if 0 <= row_in < height and 0 <= col_in < width:
                        # The C channels of one pixel are contiguous in NHWC.
                        for c in range(channels):
                            cols[row, start + c] = x[n, row_in, col_in, c]
                    else:
                        for c in range(channels):
                            cols[row, start + c] = 0.0


@numba.njit(parallel=True, cache=True)
def _col2im_loop(cols, kh, kw, stride, pad_top, pad_left, out_h, out_w, x):
    n_batch, height, width, channels = x.shape
    # Gather, not scatter: each thread owns whole image rows (n, row_in) and collects every
    # window entry that was copied from them, so threads never write the same pixel,
    # and the sum runs over (p, q) in the same order as the NumPy twin (equal bits).
    for n_row in numba.prange(n_batch * height):
        n, row_in = n_row // height, n_row % height
        for col_in in range(width):
            for c in range(channels):
                x[n, row_in, col_in, c] = 0.0
            for p in range(kh):
                i_scaled = row_in + pad_top - p  # = i * stride for the window that read it at p
                if i_scaled < 0 or i_scaled % stride != 0 or i_scaled // stride >= out_h:
                    continue
                i = i_scaled // stride
                for q in range(kw):
                    j_scaled = col_in + pad_left - q
                    if j_scaled < 0 or j_scaled % stride != 0 or j_scaled // stride >= out_w:
                        continue
                    row = (n * out_h + i) * out_w + j_scaled // stride
                    start = (p * kw + q) * channels
                    for c in range(channels):
                        x[n, row_in, col_in, c] += cols[row, start + c]


@numba.njit(cache=True)
def _windows_inside(tap_offset, stride, size, n_windows):
    """Windows j in [j0, j1) that read inside the image at a tap (a kernel offset q):
    those with ``0 <= j*stride + tap_offset < size``, where ``tap_offset = q - pad``."""
    j0 = min(n_windows, max(0, -(tap_offset // stride)))            # ceil(-offset / s)
    j1 = max(j0, min(n_windows, -((tap_offset - size) // stride)))  # ceil((size - offset) / s)
    return j0, j1


@numba.njit(parallel=True, cache=True)
def _im2col_one_channel_loop(x, kh, kw, stride, pad_top, pad_left, out_h, out_w, cols):
    n_batch, height, width = x.shape
    for ni in numba.prange(n_batch * out_h):  # one row of windows (n, i) per thread
        n, i = ni // out_h, ni % out_h
        first_row = ni * out_w  # the row of cols that holds window (n, i, 0)
        for p in range(kh):
            row_in = i * stride + p - pad_top
            for q in range(kw):
                # Column p*kw + q of this row of windows, as three runs: padding on the
                # left, a strided run of image row ``row_in``, padding on the right.
                if row_in < 0 or row_in >= height:
                    j0 = j1 = out_w  # the whole row of taps lies in the padding
                else:
                    j0, j1 = _windows_inside(q - pad_left, stride, width, out_w)
                for j in range(j0):
                    cols[first_row + j, p * kw + q] = 0.0
                for j in range(j0, j1):
                    cols[first_row + j, p * kw + q] = x[n, row_in, j * stride + q - pad_left]
                for j in range(j1, out_w):
                    cols[first_row + j, p * kw + q] = 0.0


@numba.njit(parallel=True, cache=True)
def _col2im_one_channel_loop(cols, kh, kw, stride, pad_top, pad_left, out_h, out_w, x):
    n_batch, height, width = x.shape
    for n_row in numba.prange(n_batch * height):  # one image row per thread, as above
        n, row_in = n_row // height, n_row % height
        for col_in in range(width):
            x[n, row_in, col_in] = 0.0
        for p in range(kh):
            i_scaled = row_in + pad_top - p
            if i_scaled < 0 or i_scaled % stride != 0 or i_scaled // stride >= out_h:
                continue
            first_row = (n * out_h + i_scaled // stride) * out_w
            for q in range(kw):
                # Along the row, (p, q) adds the same column of cols to every stride-th
                # pixel; per pixel the taps still come in (p, q) order, as in the twin.
                j0, j1 = _windows_inside(q - pad_left, stride, width, out_w)
                for j in range(j0, j1):
                    x[n, row_in, j * stride + q - pad_left] += cols[first_row + j, p * kw + q]


def im2col(x, kh, kw, stride, padding, out=None):
    """``npvae.im2col.im2col`` as one parallel pass over the rows of windows: x (N, H, W, C)
    -> cols (N*Ho*Wo, kh*kw*C), written into ``out`` if given (of that shape, x's dtype)."""
    n_batch, height, width, channels = x.shape
    top, bottom, left, right = padding
    out_h, out_w = output_hw(height, width, kh, kw, stride, padding)
    shape = (n_batch * out_h * out_w, kh * kw * channels)
    cols = _buffer(out, shape, x.dtype)
    x = np.ascontiguousarray(x)
    if channels == 1:
        _im2col_one_channel_loop(x.reshape(x.shape[:3]), kh, kw, stride, top, left,
                                 out_h, out_w, cols)
    else:
        _im2col_loop(x, kh, kw, stride, top, left, out_h, out_w, cols)
    return cols


def col2im(cols, x_shape, kh, kw, stride, padding, out=None):
    """``npvae.im2col.col2im`` as one parallel pass over the image rows: cols
    (N*Ho*Wo, kh*kw*C) -> x ``x_shape`` (N, H, W, C), written into ``out`` if given."""
    n_batch, height, width, channels = x_shape
    top, bottom, left, right = padding
    out_h, out_w = output_hw(height, width, kh, kw, stride, padding)
    check_cols_shape(cols, (n_batch * out_h * out_w, kh * kw * channels))
    x = _buffer(out, tuple(x_shape), cols.dtype)
    cols = np.ascontiguousarray(cols)
    if channels == 1:
        _col2im_one_channel_loop(cols, kh, kw, stride, top, left, out_h, out_w,
                                 x.reshape(x.shape[:3]))
    else:
        _col2im_loop(cols, kh, kw, stride, top, left, out_h, out_w, x)
    return x


def _buffer(out, shape, dtype):
    """Return ``out`` if it is a usable buffer of this shape and dtype, else a new one."""
    if out is None:
        return np.empty(shape, dtype=dtype)
    if out.shape != shape or out.dtype != dtype or not out.flags.c_contiguous:
        raise ValueError(
            f"output buffer must be a C-contiguous {np.dtype(dtype).name} array of shape "
            f"{shape}; got {out.dtype.name} {out.shape}"
        )
    return out
