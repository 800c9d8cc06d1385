"""The book's convolutional VAE: an encoder, the sampling trick, and a decoder.

    x (N, 28, 28, 1)
      Encoder:  Conv2D 32 -> Conv2D 64 /2 -> Conv2D 64 -> Conv2D 64     (3x3, same, ReLU)
                -> Flatten (12544) -> Dense 32 ReLU -> z_mean (D), z_log_var (D)
      Sampling: z = z_mean + exp(0.5 * z_log_var) * eps,  eps ~ N(0, I)  (N, D)
      Decoder:  Dense 14*14*64 ReLU -> Reshape (14, 14, 64)
                -> Conv2DTranspose 32 x2 ReLU -> Conv2D 1 -> logits (N, 28, 28, 1)
      Loss:     -log p(x|z) (Bernoulli, from the logits) + KL(q(z|x) || N(0, I)), per image

The two halves are ``Encoder`` and ``Decoder`` (``npvae/models/halves.py``); ``encode``
and ``decode`` run them. ``VAE.forward`` is the one walk through the model and
``VAE.backward`` the one walk back; training, evaluation, the summary table and the
examples all go through them::

    out = model(x)                         # forward: out.loss is (N,), one loss per image
    model.backward()                       # gradients of out.loss.mean() into every layer
    optimizer.step(model.named_layers())   # update every parameter

Every pass also takes ``labels``, for the conditional VAE (``npvae.models.conditional``),
which reads them: ``model(x, labels)``. This one reads none, and its labels stay None.

A VAE is a ``Model`` (``npvae/models/base.py``), not a layer: it ends in its loss, so its
backward starts from the loss and takes no ``dy``.

The decoder ends in logits, not in a sigmoid: the loss is computed from logits
(``npvae.losses``), which is exact where sigmoid would round to 0 or 1.

Widths are arguments so that the tests can build the same model, tiny, in float64.
"""
import dataclasses
import warnings

import numpy as np

from npvae.datasets.pixels import check_images
from npvae.layers import Sampling
from npvae.layers.activations import sigmoid
from npvae.losses import LossTerms, book_loss
from npvae.models.base import Model, in_batches
from npvae.models.halves import Decoder, Encoder


def _prefixed(trace, prefix):
    """``trace`` with ``prefix`` put before every layer name (None stays None)."""
    if trace is None:
        return None
    return lambda name, layer, array: trace(f"{prefix}/{name}", layer, array)


@dataclasses.dataclass
class VAEOutput:
    """What one forward pass computed. Losses are per image, in nats (the book's loss
    is in its own units); arrays are (N,) unless noted."""

    loss: np.ndarray            # what training minimises: the negative ELBO, or the book's
    reconstruction: np.ndarray  # -log p(x|z)
    kl: np.ndarray              # KL(q(z|x) || p(z))
    z_mean: np.ndarray          # (N, D)
    z_log_var: np.ndarray       # (N, D)
    z: np.ndarray               # (N, D), the sampled codes
    logits: np.ndarray          # (N, H, W, C), the decoder's output before the sigmoid

    def means(self):
        """Batch means of the losses, as Python floats: "loss", "reconstruction", "kl"
        and "neg_elbo" (reconstruction + kl, whatever the training loss)."""
        terms = {"loss": self.loss, "reconstruction": self.reconstruction, "kl": self.kl,
                 "neg_elbo": self.reconstruction + self.kl}
        return {name: float(values.mean(dtype=np.float64)) for name, values in terms.items()}

    def __repr__(self):
        # The arrays in full would fill a screen: the logits alone are 784 numbers an image.
        means = self.means()
        shapes = ", ".join(f"{field.name} {getattr(self, field.name).shape}"
                           for field in dataclasses.fields(self))
        return (f"VAEOutput({len(self.loss)} images; means: loss {means['loss']:.3f}, "
                f"reconstruction {means['reconstruction']:.3f}, KL {means['kl']:.3f}; "
                f"{shapes})")


LOSSES = ("elbo", "book")


class VAE(Model):
    """Encoder + Sampling + Decoder, trained on the negative ELBO (or the book's loss).

    Args:
        input_shape: (H, W, C) of one image; H and W even (the decoder upsamples by 2).
        latent_dim: D, the size of z.
        seed: an int or a ``numpy.random.Generator``; draws the initial weights and the
            sampling noise (two independent streams, so one does not shift the other).
        loss: "elbo" (the true negative ELBO, nats per image) or "book" (the book's loss).
        beta: the weight of the KL term in the "elbo" loss, ``reconstruction + beta * kl``
            (a beta-VAE; 1 is the ELBO). The book's loss is, up to a factor of 1/P for P
            pixels, the case ``beta = 1e-3 * P / D`` (0.39 for MNIST; ``npvae.losses``).
        book_sampling: scale the noise by ``exp(log_var)`` as the book does (a bug kept
            for comparison) instead of ``exp(0.5 * log_var)``.
        encoder_filters, dense_units, decoder_filters: widths (the book's by default).
        dtype: float32 to train, float64 for gradient checks.
        fast: give the convolutions ``npvae.fast``'s algorithms (the same sums, faster;
            they need numba). False: every layer runs the textbook, as one you build.
    """

    WEIGHTS_STREAM = 0    # the random seed's child that draws the weights (1: the noise)

    def __init__(self, input_shape=(28, 28, 1), latent_dim=2, seed=0, loss="elbo",
                 book_sampling=False, encoder_filters=(32, 64, 64, 64), dense_units=32,
                 decoder_filters=32, beta=1.0, dtype=np.float32, fast=True):
        _check_arguments(input_shape, latent_dim, loss, beta)
        super().__init__(dtype)
        self.config = dict(input_shape=[int(s) for s in input_shape], latent_dim=int(latent_dim),
                           loss=loss, book_sampling=bool(book_sampling),
                           encoder_filters=[int(f) for f in encoder_filters],
                           dense_units=int(dense_units), decoder_filters=int(decoder_filters),
                           beta=float(beta), dtype=self.dtype.name)
        self.loss, self.beta = loss, float(beta)
        self.terms = LossTerms()  # the "elbo" loss's two functions (npvae.losses)
        children = np.random.default_rng(seed).spawn(max(2, self.WEIGHTS_STREAM + 1))
        self.encoder, self.decoder = self.build_halves(children[self.WEIGHTS_STREAM])
        self.sampling = Sampling(children[1], dtype, book=book_sampling)
        if self.decoder.image_shape != tuple(input_shape):
            raise ValueError(f"the decoder would output {self.decoder.image_shape}, "
                             f"not {tuple(input_shape)}: height and width must be even")
        self.fast = fast and with_fast_algorithms(self)

    def build_halves(self, rng):
        """The encoder q(z|x) and the decoder p(x|z) the config describes, their initial
        weights drawn from ``rng`` (the encoder's first)."""
        c = self.config
        encoder = Encoder(c["input_shape"], c["latent_dim"], c["encoder_filters"],
                          dense_units=c["dense_units"], rng=rng, dtype=self.dtype)
        decoder = Decoder(c["latent_dim"], encoder.conv_output_shape, c["decoder_filters"],
                          c["input_shape"][-1], rng=rng, dtype=self.dtype)
        return encoder, decoder

    def __repr__(self):
        beta = f", beta={self.beta:g}" if self.beta != 1 else ""
        return f"VAE(latent_dim={self.config['latent_dim']}, loss={self.loss!r}{beta})"

    def named_layers(self):
        """(name, layer) for every layer, names like "encoder/conv1"."""
        return ([(f"encoder/{name}", layer) for name, layer in self.encoder.named_layers()]
                + [(f"decoder/{name}", layer) for name, layer in self.decoder.named_layers()])

    # ------------------------------------------------------------ the one walk

    def encode(self, x, labels=None, trace=None):
        """q(z|x): images x (N, H, W, C) -> (z_mean, z_log_var), each (N, D)."""
        self.check_labels(labels, len(x))
        return self.encoder.forward(x, _prefixed(trace, "encoder"))

    def decode(self, z, labels=None, trace=None):
        """p(x|z): codes z (N, D) -> the decoder's logits (N, H, W, C)."""
        self.check_labels(labels, len(z))
        return self.decoder.forward(z, _prefixed(trace, "decoder"))

    def forward(self, x, labels=None, eps=None, trace=None):
        """Encode, sample, decode and score a batch: the one walk through the model.

        Args:
            x: (N, H, W, C) images in [0, 1], the model's dtype.
            labels: None here; a conditional model's labels (N,).
            eps: optional (N, D) noise for the sampling step (drawn from the model's
                Generator if None).
            trace: optional ``trace(name, layer, output)``, called after every layer.

        Returns:
            a ``VAEOutput``: every image's loss and its two terms, the codes, the logits.
        """
        self.check_images(x)
        mean, log_var = self.encode(x, labels, trace)                         # (N, D) each
        z = self.sampling.forward(mean, log_var, eps)                          # (N, D)
        if trace is not None:
            trace("sampling", self.sampling, z)
        logits = self.decode(z, labels, trace)                                 # (N, H, W, C)
        reconstruction, dlogits = self.terms.reconstruction(logits, x)
        kl, (dmean, dlog_var) = self.terms.kl(mean, log_var)
        if self.loss == "elbo":
            loss, pixel_scale = reconstruction + self.beta * kl, 1.0
            dmean, dlog_var = self.beta * dmean, self.beta * dlog_var
        else:  # the book's loss weighs each pixel's cross-entropy by 1/P
            loss, (dlogits, dmean, dlog_var) = book_loss(logits, x, mean, log_var)
            pixel_scale = 1.0 / x[0].size
        # What backward needs: each image's loss gradients, and the logits, which are
        # (minus) the gradient of the cross-entropy with respect to its target x.
        self._cache = (dlogits, dmean, dlog_var, logits, pixel_scale)
        return VAEOutput(loss, reconstruction, kl, mean, log_var, z, logits)

    def backward(self, dloss=None, trace=None):
        """Backpropagate from the loss of the last ``forward``, by default the batch's mean
        ``out.loss.mean()``: fill every layer's grads. Returns None; dL/dx (N, H, W, C) is
        kept in ``self.input_gradient``.

        Args:
            dloss: optional (N,) dL/dloss_n, to backpropagate ``sum_n dloss[n] * loss_n``
                instead; the mean is ``dloss = 1/N`` each.
            trace: optional ``trace(name, layer, gradient)``, called after every layer.

        The image enters twice, through the encoder and as the reconstruction's target;
        dL/dx is the sum of both paths.
        """
        dlogits, dmean_kl, dlog_var_kl, logits, pixel_scale = self.cached()
        n = len(logits)
        dloss = (np.full(n, 1.0 / n, self.dtype) if dloss is None
                 else _per_image(dloss, n, self.dtype))
        dloss_per_pixel = dloss.reshape((n,) + (1,) * (logits.ndim - 1))
        dz = self.decoder.backward(dlogits * dloss_per_pixel, _prefixed(trace, "decoder"))
        if trace is not None:
            trace("decoder/input", self.decoder, dz)
        dmean, dlog_var = self.sampling.backward(dz)
        # The KL term sends its own gradient straight to the encoder's two heads.
        dx = self.encoder.backward(dmean + dmean_kl * dloss[:, None],
                                   dlog_var + dlog_var_kl * dloss[:, None],
                                   _prefixed(trace, "encoder"))
        # d(-x*l)/dx = -l per pixel: the reconstruction's path, x as the target
        self.input_gradient = dx - logits * (dloss_per_pixel * pixel_scale)

    def generate(self, z, labels=None, batch_size=256):
        """Images (N, H, W, C) in [0, 1] decoded from codes z (N, D), ``batch_size`` at a
        time (a conditional model's with their labels (N,))."""
        z = np.asarray(z, dtype=self.dtype)
        return in_batches(lambda part, given: sigmoid(self.decode(part, given)), batch_size,
                          z, self.check_labels(labels, len(z)))

    def check_images(self, x, source="the batch"):
        """Raise ``ValueError`` unless x is (N, H, W, C) of the model's shape and dtype,
        with pixels in [0, 1]."""
        check_images(x, self.config["input_shape"], self.dtype, f"VAE: {source}")

    def summary(self):
        """Print a Keras-like table of the layers, their output shapes and parameters."""
        from npvae.models.summary import summary_table  # it builds a VAE's table: no cycle
        print(summary_table(self))


def trace_blank_image(model, trace):
    """Send one blank image through ``model.forward`` with zero noise (the model's
    Generator is not drawn from) and, for a model that reads labels, the first label;
    ``trace(name, layer, output)`` sees every layer's output (the summary table and the
    memory estimate read their shapes)."""
    x = np.zeros((1, *model.config["input_shape"]), model.dtype)
    eps = np.zeros((1, model.config["latent_dim"]), model.dtype)
    model.forward(x, model.condition(np.zeros(1, np.int64), 1), eps=eps, trace=trace)


def _per_image(dloss, n, dtype):
    """``backward``'s dloss as an array (n,) of ``dtype``, or a ValueError saying why not."""
    dloss = np.asarray(dloss, dtype=dtype)
    if dloss.shape != (n,):
        raise ValueError(f"VAE.backward: dloss must have shape ({n},), one number per "
                         f"image of the last forward; got {dloss.shape} (for the gradient "
                         f"of the batch's mean loss, call model.backward() without it)")
    return dloss


def _check_arguments(input_shape, latent_dim, loss, beta):
    """Raise ``ValueError``, naming the argument, for a VAE that cannot be built."""
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}")
    if not (isinstance(beta, (int, float)) and 0 <= beta < float("inf")):
        raise ValueError(f"beta, the KL term's weight, must be a number >= 0; got {beta!r}")
    if loss == "book" and beta != 1:
        raise ValueError("beta weighs the KL of the 'elbo' loss; the book's loss has its "
                         "own weight (leave beta at 1, or use loss='elbo')")
    if isinstance(latent_dim, bool) or not isinstance(latent_dim, (int, np.integer)) \
            or latent_dim < 1:
        raise ValueError(f"latent_dim must be a whole number, at least 1; got {latent_dim!r}")
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (H, W, C), e.g. (28, 28, 1) for MNIST; got "
                         f"{tuple(input_shape)}")


def with_fast_algorithms(model):
    """Give the model ``npvae.fast``'s algorithms: True, or False (with a warning saying
    what to do) where numba is not installed."""
    try:
        from npvae import fast  # the speed room: it imports this module's layers, not the reverse
    except ModuleNotFoundError as error:
        if error.name != "numba":
            raise
        warnings.warn("numba is not installed, so the VAE runs the textbook algorithms: "
                      "the same results, slower (pip install numba to speed it up)")
        return False
    fast.speed_up(model)
    return True
