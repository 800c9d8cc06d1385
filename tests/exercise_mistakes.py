"""Learners' wrong answers for tests/test_exercises*.py, each with a fragment of the
diagnosis it must get: one or more of each class of mistake the checker names. Written
here, as a learner would write them (most as a right answer with one thing changed)."""
from exercise_answers import RIGHT, variant

# (exercise, the learner's file, a fragment of the diagnosis it must get)
WRONG = [
    ("kl", """\
import numpy as np
def gaussian_kl(mean, log_var):
    var = np.exp(log_var)
    return np.sum(var + mean**2 - 1 - log_var, axis=1), (mean, var - 1)
""", "the 0.5 in front of the sum is missing"),
    ("kl", """\
import numpy as np
def gaussian_kl(mean, log_var):
    var, n = np.exp(log_var), len(mean)
    return 0.5 * np.sum(var + mean**2 - 1 - log_var, axis=1) / n, (mean / n, 0.5 * (var - 1) / n)
""", "divided by the batch size N=4"),
    ("bernoulli", """\
import numpy as np
def bernoulli_reconstruction(logits, x):
    s = 1 / (1 + np.exp(-logits))
    loss = -x * np.log(s) - (1 - x) * np.log(1 - s)
    return loss.reshape(len(x), -1).sum(axis=1), s - x
""", "log(sigmoid(l)) takes log(0)"),
    ("log_mean_exp", """\
import numpy as np
def log_mean_exp(log_w):
    m = log_w.max()
    return m + np.log(np.mean(np.exp(log_w - m), axis=1))
""", "each row needs its own"),
    ("dense", RIGHT["dense"].replace("dy.sum(axis=0)", "dy.mean(axis=0)"),
     "off by a factor of 0.25: divided by the batch size N=4"),
    ("dense", RIGHT["dense"].replace("cache.T @ dy", "dy.T @ cache"), "transposed"),
    ("activations", RIGHT["activations"].replace("y > 0", "y >= 0"), "use y > 0, not y >= 0"),
    ("activations", RIGHT["activations"].replace("dy * y * (1 - y)",
                                                 "dy * (1 / (1 + 2.718281828459045**-y)) "
                                                 "* (1 - 1 / (1 + 2.718281828459045**-y))"),
     "the sigmoid was applied to y again"),
    ("im2col", RIGHT["im2col"].replace("t, b, l, r = padding", "b, t, r, l = padding"),
     "padding on the wrong side"),
    ("col2im", RIGHT["col2im"].replace("] += win", "] = win"),
     "overlaps assigned instead of added"),
    ("conv2d", RIGHT["conv2d"].replace("W.reshape(-1, o) + b", "W[::-1, ::-1].reshape(-1, o) + b"),
     "the kernel is flipped"),
    ("conv2d_transpose", RIGHT["conv2d_transpose"].replace(
        "y_shape, kh, kw, stride, pads) + b", "y_shape, kh, kw, stride, pads[::-1]) + b"),
     "padding on the wrong side"),
    ("sampling", RIGHT["sampling"].replace("np.exp(0.5 * log_var)", "np.exp(log_var)"),
     "the book's mistake"),
    ("sampling", RIGHT["sampling"].replace("dz * eps * 0.5 * sigma", "dz * eps * sigma"),
     "the 0.5 of d exp(0.5 log_var) / d log_var is missing"),
    ("rmsprop", RIGHT["rmsprop"].replace("np.sqrt(ms + eps)", "(np.sqrt(ms) + eps)"),
     "eps outside the square root"),
    ("rmsprop", RIGHT["rmsprop"].replace("    ms *= rho\n    ms += ", "    ms = rho * ms + "),
     "update it in place"),
    ("gradient_check", """\
import numpy as np
def numerical_gradient(f, x, h=1e-5):
    grad, flat = np.zeros_like(x), x.reshape(-1)
    f0 = f()
    for i in range(flat.size):
        flat[i] += h
        grad.reshape(-1)[i] = (f() - f0) / h
        flat[i] -= h
    return grad
def relative_error(analytic, numeric):
    scale = max(np.abs(analytic).max(), np.abs(numeric).max())
    return 0.0 if scale == 0 else float(np.abs(analytic - numeric).max() / scale)
""", "a one-sided difference"),
    ("gradient_check", """\
import numpy as np
def numerical_gradient(f, x, h=1e-5):
    grad, flat = np.zeros_like(x), x.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        up = f()
        flat[i] = old - h
        grad.reshape(-1)[i] = (up - f()) / (2 * h)
        flat[i] = old
    return grad
def relative_error(analytic, numeric):
    scale = np.maximum(np.abs(analytic), np.abs(numeric))
    return float(np.max(np.abs(analytic - numeric) / scale))
""", "entry by entry"),
]



IM2COL_SLICE = "xp[:, p:p + stride * ho:stride, q:q + stride * wo:stride]"

# The classes of mistakes of issue #32: each diagnosis computed from what was returned.
WRONG += [
    # gradient_check: each wrong numerical gradient told apart by what it returned
    ("gradient_check", variant("gradient_check", "(up - down) / (2 * h)", "(up - down) / h"),
     "twice the gradient"),
    ("gradient_check", """\
import numpy as np
def numerical_gradient(f, x, h=1e-5):
    grad, flat = np.zeros_like(x), x.flatten()
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        up = f()
        flat[i] = old - h
        grad.reshape(-1)[i] = (up - f()) / (2 * h)
        flat[i] = old
    return grad
def relative_error(analytic, numeric):
    scale = max(np.abs(analytic).max(), np.abs(numeric).max())
    return 0.0 if scale == 0 else float(np.abs(analytic - numeric).max() / scale)
""", "all zero: f() never saw the perturbation"),
    ("gradient_check", variant("gradient_check", "h=1e-5", "h=0.5"), "h is too large (about 0.5)"),
    ("gradient_check", variant("gradient_check", "h=1e-5", "h=1e-13"),
     "the error is rounding noise, with no pattern: h is too small"),
    ("gradient_check", variant("gradient_check", "grad = np.empty(x.shape)",
                               "grad = np.zeros(x.shape, dtype=int)"),
     "an array of whole numbers (int64)"),
    ("gradient_check", variant("gradient_check", "    return grad\n",
                               "    return grad.astype(int).astype(float)\n"),
     "every value is a whole number"),
    ("gradient_check", variant("gradient_check", "0.0 if scale == 0 else float(", "float("),
     "0/0 is nan"),
    # bernoulli: the stability line judges the loss and the gradient apart
    ("bernoulli", variant("bernoulli", "return loss, s - x", "return loss, x - s"),
     "the sign is flipped"),
    ("bernoulli", variant("bernoulli", ".reshape(len(x), -1).sum(axis=1)",
                          ".reshape(len(x), -1).mean(axis=1)"),
     "a mean over the 16 pixels"),
    ("bernoulli", """\
import numpy as np
def bernoulli_reconstruction(logits, x):
    e = np.exp(-np.abs(logits))
    s = np.where(logits >= 0, 1 / (1 + e), e / (1 + e))
    p = np.clip(s, 1e-7, 1 - 1e-7)
    loss = -(x * np.log(p) + (1 - x) * np.log(1 - p))
    return loss.reshape(len(x), -1).sum(axis=1), s - x
""", "wrong only where |l| is large"),
    # im2col and col2im: orders, the stride, overlaps, the crop
    ("im2col", variant("im2col", "return cols.reshape(n * ho * wo, -1)",
                       "return cols.transpose(0, 1, 2, 5, 3, 4).reshape(n * ho * wo, -1)"),
     "the columns run over (c, p, q)"),
    ("im2col", variant("im2col", "return cols.reshape(n * ho * wo, -1)",
                       "return cols.transpose(0, 2, 1, 3, 4, 5).reshape(n * ho * wo, -1)"),
     "the rows run over (n, j, i)"),
    ("im2col", variant("im2col", "return cols.reshape(n * ho * wo, -1)",
                       "return cols.transpose(2, 1, 0, 3, 4, 5).reshape(n * ho * wo, -1)"),
     "the right rows in another order"),
    ("im2col", variant("im2col", IM2COL_SLICE, "xp[:, p:p + ho, q:q + wo]"),
     "the stride is ignored"),
    ("im2col", variant("im2col", IM2COL_SLICE, "xp[:, p:p + ho, q:q + wo]").replace(
        "(h + t + b - kh) // stride + 1, (w + l + r - kw) // stride + 1",
        "h + t + b - kh + 1, w + l + r - kw + 1"), "the stride is ignored"),
    ("col2im", """\
import numpy as np
def col2im(cols, x_shape, kh, kw, stride, padding):
    n, h, w, c = x_shape
    t, b, l, r = padding
    ho, wo = (h + t + b - kh) // stride + 1, (w + l + r - kw) // stride + 1
    win = cols.reshape(n, ho, wo, kh, kw, c)
    xp = np.zeros((n, h + t + b, w + l + r, c), cols.dtype)
    count = np.zeros_like(xp)
    for p in range(kh):
        for q in range(kw):
            xp[:, p:p + stride * ho:stride, q:q + stride * wo:stride] += win[:, :, :, p, q]
            count[:, p:p + stride * ho:stride, q:q + stride * wo:stride] += 1
    xp = np.divide(xp, count, out=np.zeros_like(xp), where=count > 0)
    return xp[:, t:t + h, l:l + w]
""", "overlaps averaged"),
    ("col2im", variant("col2im", "return xp[:, t:t + h, l:l + w]",
                       "return xp[:, b:b + h, r:r + w]"), "cropped on the wrong side"),
    ("col2im", variant("col2im", "win = cols.reshape(n, ho, wo, kh, kw, c)",
                       "win = cols.reshape(n, wo, ho, kh, kw, c).transpose(0, 2, 1, 3, 4, 5)"),
     "the rows run over (n, j, i)"),
    ("col2im", variant("col2im", "xp[:, p:p + stride * ho:stride, q:q + stride * wo:stride]",
                       "xp[:, p:p + ho, q:q + wo]"), "the stride is ignored"),
    # the convolutions
    ("conv2d", variant("conv2d", "(cols.T @ dy).reshape(W.shape)",
                       "(dy.T @ cols).reshape(W.shape)"), "dW as dy^T @ cols"),
    ("conv2d", variant("conv2d", "cols @ W.reshape(-1, o) + b", "cols @ W.reshape(o, -1).T + b"),
     "PyTorch's kernel layout"),
    ("conv2d_transpose", variant("conv2d_transpose", "y_shape, kh, kw, stride, pads) + b",
                                 "y_shape, kh, kw, stride, pads)"),
     "the bias b is missing"),
    # rmsprop
    ("rmsprop", variant("rmsprop", "np.sqrt(ms + eps)", "(ms + eps)"),
     "the square root is missing"),
    ("rmsprop", variant("rmsprop", "param -= ", "param += "), "the step goes up the gradient"),
    ("rmsprop", """\
import numpy as np
_memory = {}
def rmsprop_update(param, grad, ms, lr, rho, eps):
    mean_square = _memory.setdefault(param.shape, np.zeros_like(param))
    mean_square *= rho
    mean_square += (1 - rho) * grad**2
    ms[...] = mean_square
    param -= lr * grad / np.sqrt(mean_square + eps)
""", "keeps a memory of its own"),
    # sampling: eps is given
    ("sampling", variant("sampling", "    return mean + sigma * eps, (eps, sigma)",
                         "    eps = np.random.standard_normal(mean.shape)\n"
                         "    return mean + sigma * eps, (eps, sigma)"),
     "draws noise of its own"),
    ("sampling", variant("sampling", "    return mean + sigma * eps, (eps, sigma)",
                         "    eps = np.random.default_rng(0).standard_normal(mean.shape)\n"
                         "    return mean + sigma * eps, (eps, sigma)"),
     "it does not use eps"),
    # log_mean_exp
    ("log_mean_exp", "import numpy as np\n"
                     "def log_mean_exp(log_w):\n    return np.mean(log_w, axis=1)\n",
     "the mean of the log weights"),
    ("log_mean_exp", variant("log_mean_exp", "m = log_w.max(axis=1)", "m = log_w.min(axis=1)"),
     "shifted by the smallest log weight"),
    # the stubs' rules: float32 in, float32 out; the arrays given left as they were
    ("kl", variant("kl", "    var = np.exp(log_var)\n",
                   "    mean, log_var = mean.astype(np.float64), log_var.astype(np.float64)\n"
                   "    var = np.exp(log_var)\n"),
     "keep the inputs' dtype"),
    ("activations", variant("activations", "    return dy * (y > 0)\n",
                            "    dy[y <= 0] = 0\n    return dy\n"),
     "relu_backward changed its argument dy"),
]
