"""Sampling: the reparameterization trick that lets gradients flow through a random draw.

The encoder outputs the mean ``mu`` and the log-variance ``log_var`` of a diagonal
Gaussian q(z|x). Drawing ``z ~ N(mu, sigma^2)`` directly would be a dead end for
backpropagation, so we draw the noise separately and *compute* z from it::

    eps ~ N(0, I)                                   (N, D)  from a seeded Generator
    sigma = exp(0.5 * log_var)                      the standard deviation
    z = mu + sigma * eps                            (N, D)

Now z is a smooth function of mu and log_var, with eps held fixed::

    dmu      = dz
    dlog_var = dz * eps * 0.5 * sigma               since d sigma / d log_var = sigma / 2

A note on the book (Chollet, *Deep Learning with Python*, 8.4): it computes
``z_mean + exp(z_log_var) * epsilon``, i.e. it scales the noise by the *variance*
sigma^2 where the standard deviation sigma belongs. That is a bug; npvae uses
``exp(0.5 * log_var)``. ``Sampling(book=True)`` reproduces the book's version, so
the difference can be measured (see the README).
"""
import numpy as np

from npvae.layers.base import Algorithm, Layer, as_generator


def sampling_forward(mean, log_var, eps):
    """z = mean + exp(0.5 log_var) * eps: (N, D) each -> (z, cache)."""
    sigma = np.exp(0.5 * log_var)                  # the standard deviation
    return mean + sigma * eps, (eps, sigma)


def sampling_backward(dz, cache):
    """(dmean, dlog_var) of ``sampling_forward`` from dz (N, D)."""
    eps, sigma = cache
    return dz, dz * eps * (0.5 * sigma)            # d sigma / d log_var = sigma / 2


def book_sampling_forward(mean, log_var, eps):
    """The book's z = mean + exp(log_var) * eps, the variance where sigma belongs."""
    variance = np.exp(log_var)
    return mean + variance * eps, (eps, variance)


def book_sampling_backward(dz, cache):
    """(dmean, dlog_var) of ``book_sampling_forward``."""
    eps, variance = cache
    return dz, dz * eps * variance                 # d exp(log_var) / d log_var = exp(log_var)


class Sampling(Layer):
    """``z = mean + exp(0.5 * log_var) * eps``, with ``eps ~ N(0, I)``. No parameters.

    ``book=True`` uses the book's ``exp(log_var)`` instead (for comparison only).
    ``algorithm`` (an attribute): the pair of functions that computes z and its gradients
    from the drawn eps, ``textbook`` (or ``book``) until another is set.
    """

    textbook = Algorithm("textbook", sampling_forward, sampling_backward)
    book_algorithm = Algorithm("book", book_sampling_forward, book_sampling_backward)

    def __init__(self, rng=None, dtype=np.float32, book=False):
        super().__init__(dtype)
        self.rng = as_generator(rng)
        self.book = book

    @property
    def book(self):
        """True while the book's exp(log_var) is used; setting it sets the algorithm."""
        return self._book

    @book.setter
    def book(self, book):
        self._book = bool(book)
        self.algorithm = self.book_algorithm if self._book else self.textbook

    def __repr__(self):
        return "Sampling(book=True)" if self.book else "Sampling()"

    def forward(self, mean, log_var, eps=None):
        """mean, log_var: (N, D) -> z: (N, D). ``eps`` (N, D) fixes the noise if given."""
        _check_inputs(self, mean, log_var, eps)
        if eps is None:
            eps = self.rng.standard_normal(mean.shape, dtype=self.dtype)
        z, cache = self.algorithm.forward(mean, log_var, eps)
        self._cache = mean.shape, cache
        return z

    def scale(self, log_var):
        """The factor the noise is multiplied by: the standard deviation exp(0.5 log_var),
        or, with ``book=True``, the book's exp(log_var), which is the variance."""
        return np.exp(log_var) if self.book else np.exp(0.5 * log_var)

    def backward(self, dz):
        """dz: (N, D) -> (dmean, dlog_var), each (N, D)."""
        shape, cache = self.cached()
        self.check_gradient(dz, shape)
        return self.algorithm.backward(dz, cache)


def _check_inputs(layer, mean, log_var, eps):
    """Raise ``ValueError`` unless mean, log_var and eps (if given) are (N, D) alike."""
    layer.check_input(mean, ndim=2, what="mean")
    layer.check_input(log_var, ndim=2, last_dim=mean.shape[1], what="log_var")
    if log_var.shape != mean.shape:
        raise ValueError(f"{layer!r}: mean and log_var must have the same shape; got "
                         f"{mean.shape} and {log_var.shape}")
    if eps is not None:
        layer.check_input(eps, ndim=2, what="eps")
        if eps.shape != mean.shape:
            raise ValueError(f"{layer!r}: eps must have shape {mean.shape}; got {eps.shape}")
