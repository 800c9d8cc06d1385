"""Learners' right answers for tests/test_exercises*.py and tests/test_capstone.py, written
by hand (not npvae's code: other orders of the same sums). The wrong ones are in
tests/exercise_mistakes.py."""

RIGHT = {
    "kl": """\
import numpy as np
def gaussian_kl(mean, log_var):
    var = np.exp(log_var)
    kl = 0.5 * np.sum(var + mean**2 - 1 - log_var, axis=1)
    return kl, (mean, 0.5 * (var - 1))
""",
    "bernoulli": """\
import numpy as np
def bernoulli_reconstruction(logits, x):
    e = np.exp(-np.abs(logits))
    loss = (np.maximum(logits, 0) - x * logits + np.log1p(e)).reshape(len(x), -1).sum(axis=1)
    s = np.where(logits >= 0, 1 / (1 + e), e / (1 + e))
    return loss, s - x
""",
    "dense": """\
import numpy as np
def dense_forward(x, W, b):
    return x @ W + b, x
def dense_backward(dy, W, cache):
    return dy @ W.T, cache.T @ dy, dy.sum(axis=0)
""",
    "activations": """\
def relu_backward(dy, y):
    return dy * (y > 0)
def sigmoid_backward(dy, y):
    return dy * y * (1 - y)
""",
    "im2col": """\
import numpy as np
def im2col(x, kh, kw, stride, padding):
    n, h, w, c = x.shape
    t, b, l, r = padding
    ho, wo = (h + t + b - kh) // stride + 1, (w + l + r - kw) // stride + 1
    xp = np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)))
    cols = np.zeros((n, ho, wo, kh, kw, c), x.dtype)
    for p in range(kh):
        for q in range(kw):
            cols[:, :, :, p, q] = xp[:, p:p + stride * ho:stride, q:q + stride * wo:stride]
    return cols.reshape(n * ho * wo, -1)
""",
    "col2im": """\
import numpy as np
def col2im(cols, x_shape, kh, kw, stride, padding):
    n, h, w, c = x_shape
    t, b, l, r = padding
    ho, wo = (h + t + b - kh) // stride + 1, (w + l + r - kw) // stride + 1
    win = cols.reshape(n, ho, wo, kh, kw, c)
    xp = np.zeros((n, h + t + b, w + l + r, c), cols.dtype)
    for p in range(kh):
        for q in range(kw):
            xp[:, p:p + stride * ho:stride, q:q + stride * wo:stride] += win[:, :, :, p, q]
    return xp[:, t:t + h, l:l + w]
""",
    "conv2d": """\
import numpy as np
from npvae.exercises.reference import col2im, im2col
def conv2d_forward(x, W, b, stride, pads, y_shape):
    kh, kw, c, o = W.shape
    cols = im2col(x, kh, kw, stride, pads)
    return (cols @ W.reshape(-1, o) + b).reshape(y_shape), (x.shape, stride, pads, cols)
def conv2d_backward(dy, W, cache):
    shape, stride, pads, cols = cache
    kh, kw, c, o = W.shape
    dy = dy.reshape(-1, o)
    dx = col2im(dy @ W.reshape(-1, o).T, shape, kh, kw, stride, pads)
    return dx, (cols.T @ dy).reshape(W.shape), dy.sum(axis=0)
""",
    "conv2d_transpose": """\
import numpy as np
from npvae.exercises.reference import col2im, im2col
def conv2d_transpose_forward(x, W, b, stride, pads, y_shape):
    kh, kw, o, c = W.shape
    rows = x.reshape(-1, c)
    y = col2im(rows @ W.reshape(-1, c).T, y_shape, kh, kw, stride, pads) + b
    return y, (x.shape, stride, pads, rows)
def conv2d_transpose_backward(dy, W, cache):
    shape, stride, pads, rows = cache
    kh, kw, o, c = W.shape
    dcols = im2col(dy, kh, kw, stride, pads)
    dx = (dcols @ W.reshape(-1, c)).reshape(shape)
    return dx, (dcols.T @ rows).reshape(W.shape), dy.reshape(-1, o).sum(axis=0)
""",
    "sampling": """\
import numpy as np
def sampling_forward(mean, log_var, eps):
    sigma = np.exp(0.5 * log_var)
    return mean + sigma * eps, (eps, sigma)
def sampling_backward(dz, cache):
    eps, sigma = cache
    return dz, dz * eps * 0.5 * sigma
""",
    "rmsprop": """\
import numpy as np
def rmsprop_update(param, grad, ms, lr, rho, eps):
    ms *= rho
    ms += (1 - rho) * grad**2
    param -= lr * grad / np.sqrt(ms + eps)
""",
    "log_mean_exp": """\
import numpy as np
def log_mean_exp(log_w):
    m = log_w.max(axis=1)
    return m + np.log(np.exp(log_w - m[:, None]).mean(axis=1))
""",
    "gradient_check": """\
import numpy as np
def numerical_gradient(f, x, h=1e-5):
    grad = np.empty(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f()
        x[i] = old - h
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad
def relative_error(analytic, numeric):
    scale = max(np.abs(analytic).max(), np.abs(numeric).max())
    return 0.0 if scale == 0 else float(np.abs(analytic - numeric).max() / scale)
""",
}


def variant(name, old, new):
    """The right answer of exercise ``name`` with ``old`` replaced by ``new`` (once)."""
    assert RIGHT[name].count(old) == 1, (name, old)
    return RIGHT[name].replace(old, new)
