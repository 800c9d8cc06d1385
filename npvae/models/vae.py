"""The book's convolutional VAE: an encoder, the sampling trick, and a decoder.

    x (N, 28, 28, 1)
      Encoder:  Conv2D 32 -> Conv2D 64 /2 -> Conv2D 64 -> Conv2D 64     (3x3, same, ReLU)
                -> Flatten (12544) -> Dense 32 ReLU -> z_mean (D), z_log_var (D)
      Sampling: z = z_mean + exp(0.5 * z_log_var) * eps,  eps ~ N(0, I)  (N, D)
      Decoder:  Dense 14*14*64 ReLU -> Reshape (14, 14, 64)
                -> Conv2DTranspose 32 x2 ReLU -> Conv2D 1 -> logits (N, 28, 28, 1)
      Loss:     -log p(x|z) (Bernoulli, from the logits) + KL(q(z|x) || N(0, I)), per image

``VAE.forward`` is the one walk through the model and ``VAE.backward`` the one walk back;
training, evaluation, the summary table and the examples all go through them::

    out = model(x)                         # forward: out.loss is (N,), one loss per image
    model.backward()                       # gradients of out.loss.mean() into every layer
    optimizer.step(model.named_layers())   # update every parameter

A VAE is a ``Model`` (``npvae/models/base.py``), not a layer: it ends in its loss, so its
backward starts from the loss and takes no ``dy``.

The decoder ends in logits, not in a sigmoid: the loss is computed from logits
(``npvae.losses``), which is exact where sigmoid would round to 0 or 1.

Widths are arguments so that the tests can build the same model, tiny, in float64.
"""
import dataclasses
import warnings

import numpy as np

from npvae.datasets.pixels import check_pixels
from npvae.layers import (Conv2D, Conv2DTranspose, Dense, Flatten, Layer, Reshape, Sampling,
                          Sequential)
from npvae.layers.activations import sigmoid
from npvae.losses import LossTerms, book_loss
from npvae.models.base import Model


def _prefixed(trace, prefix):
    """``trace`` with ``prefix`` put before every layer name (None stays None)."""
    if trace is None:
        return None
    return lambda name, layer, array: trace(f"{prefix}/{name}", layer, array)


class Encoder(Layer):
    """q(z|x): image (N, H, W, C) -> (z_mean, z_log_var), each (N, latent_dim).

    ``extra_inputs`` widens the dense layer's input for numbers joined to the flattened
    features (the conditional VAE's one-hot label, ``npvae.models.conditional``)."""

    def __init__(self, input_shape=(28, 28, 1), latent_dim=2, filters=(32, 64, 64, 64),
                 strides=(1, 2, 1, 1), dense_units=32, rng=None, dtype=np.float32,
                 extra_inputs=0):
        super().__init__(dtype)
        layers, shape = [], tuple(input_shape)
        for i, (width, stride) in enumerate(zip(filters, strides), start=1):
            conv = Conv2D(shape[-1], width, 3, stride=stride, rng=rng, dtype=dtype,
                          activation="relu")
            shape = conv.output_shape(shape)
            layers.append((f"conv{i}", conv))
        self.conv_output_shape = shape  # (14, 14, 64) for the book: the decoder mirrors it
        layers += [("flatten", Flatten(dtype)),
                   ("dense", Dense(int(np.prod(shape)) + extra_inputs, dense_units, rng=rng,
                                   dtype=dtype, activation="relu"))]
        self.trunk = Sequential(layers)
        self.z_mean = Dense(dense_units, latent_dim, rng=rng, dtype=dtype)
        self.z_log_var = Dense(dense_units, latent_dim, rng=rng, dtype=dtype)

    def named_layers(self):
        """The trunk's ``(name, layer)`` pairs, then both heads."""
        return self.trunk.named_layers() + [("z_mean", self.z_mean),
                                            ("z_log_var", self.z_log_var)]

    def forward(self, x, trace=None):
        """x (N, H, W, C) -> (z_mean, z_log_var), each (N, D). ``trace(name, layer, out)``,
        if given, is called after every layer (the summary and the examples use it)."""
        h = self.trunk.forward(x, trace)                            # (N, dense_units)
        mean, log_var = self.z_mean.forward(h), self.z_log_var.forward(h)
        if trace is not None:
            trace("z_mean", self.z_mean, mean)
            trace("z_log_var", self.z_log_var, log_var)
        return mean, log_var

    def backward(self, dmean, dlog_var, trace=None):
        """dL/dz_mean, dL/dz_log_var (each (N, D)) -> dL/dx (N, H, W, C); fills grads."""
        # h feeds both heads, so its gradient is the sum of what each head sends back.
        dh = self.z_mean.backward(dmean) + self.z_log_var.backward(dlog_var)
        if trace is not None:
            trace("z_mean + z_log_var", self.z_mean, dh)
        return self.trunk.backward(dh, trace)


class Decoder(Sequential):
    """p(x|z): z (N, latent_dim) -> logits (N, H, W, C). ``generate`` gives images."""

    def __init__(self, latent_dim=2, dense_shape=(14, 14, 64), filters=32, output_channels=1,
                 rng=None, dtype=np.float32):
        deconv = Conv2DTranspose(dense_shape[-1], filters, 3, stride=2, rng=rng, dtype=dtype,
                                 activation="relu")
        super().__init__([
            ("dense", Dense(latent_dim, int(np.prod(dense_shape)), rng=rng, dtype=dtype,
                            activation="relu")),
            ("reshape", Reshape(dense_shape, dtype)),
            ("deconv", deconv),
            ("conv_out", Conv2D(filters, output_channels, 3, rng=rng, dtype=dtype)),
        ])
        self.latent_dim = latent_dim
        self.image_shape = deconv.output_shape(dense_shape)[:2] + (output_channels,)

    def generate(self, z, batch_size=256):
        """Decode latent points z (N, latent_dim) into images (N, H, W, C) in [0, 1]."""
        z = np.asarray(z, dtype=self.dtype)
        return np.concatenate([sigmoid(self.forward(z[i:i + batch_size]))
                               for i in range(0, len(z), batch_size)])


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
        init_rng, noise_rng = np.random.default_rng(seed).spawn(2)
        self.encoder = Encoder(input_shape, latent_dim, encoder_filters, dense_units=dense_units,
                               rng=init_rng, dtype=dtype)
        self.sampling = Sampling(noise_rng, dtype, book=book_sampling)
        self.decoder = Decoder(latent_dim, self.encoder.conv_output_shape, decoder_filters,
                               input_shape[-1], rng=init_rng, dtype=dtype)
        if self.decoder.image_shape != tuple(input_shape):
            raise ValueError(f"the decoder would output {self.decoder.image_shape}, "
                             f"not {tuple(input_shape)}: height and width must be even")
        self.fast = fast and with_fast_algorithms(self)

    def __repr__(self):
        beta = f", beta={self.beta:g}" if self.beta != 1 else ""
        return f"VAE(latent_dim={self.config['latent_dim']}, loss={self.loss!r}{beta})"

    def named_layers(self):
        """(name, layer) for every layer, names like "encoder/conv1"."""
        return ([(f"encoder/{name}", layer) for name, layer in self.encoder.named_layers()]
                + [(f"decoder/{name}", layer) for name, layer in self.decoder.named_layers()])

    # ------------------------------------------------------------ the one walk

    def forward(self, x, eps=None, trace=None):
        """Encode, sample, decode and score a batch: the one walk through the model.

        Args:
            x: (N, H, W, C) images in [0, 1], the model's dtype.
            eps: optional (N, D) noise for the sampling step (drawn from the model's
                Generator if None).
            trace: optional ``trace(name, layer, output)``, called after every layer.

        Returns:
            a ``VAEOutput``: every image's loss and its two terms, the codes, the logits.
        """
        self.check_images(x)
        mean, log_var = self.encoder.forward(x, _prefixed(trace, "encoder"))   # (N, D) each
        z = self.sampling.forward(mean, log_var, eps)                          # (N, D)
        if trace is not None:
            trace("sampling", self.sampling, z)
        logits = self.decoder.forward(z, _prefixed(trace, "decoder"))          # (N, H, W, C)
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
        dloss = np.full(n, 1.0 / n, self.dtype) if dloss is None else self._per_image(dloss, n)
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

    def _per_image(self, dloss, n):
        dloss = np.asarray(dloss, dtype=self.dtype)
        if dloss.shape != (n,):
            raise ValueError(f"VAE.backward: dloss must have shape ({n},), one number per "
                             f"image of the last forward; got {dloss.shape} (for the gradient "
                             f"of the batch's mean loss, call model.backward() without it)")
        return dloss

    def check_images(self, x, source="the batch"):
        """Raise ``ValueError`` unless x is (N, H, W, C) of the model's shape and dtype,
        with pixels in [0, 1]."""
        expected = tuple(self.config["input_shape"])
        if not isinstance(x, np.ndarray) or x.ndim != 4 or x.shape[1:] != expected \
                or len(x) == 0:
            got = (f"shape {x.shape}" if isinstance(x, np.ndarray)
                   else f"a {type(x).__name__}")
            shape = getattr(x, "shape", ())
            hint = (" (one image? add a batch axis: x[None])" if shape == expected else
                    " (no channel axis? add one: x[..., None])" if shape[1:] == expected[:-1]
                    else "")
            raise ValueError(f"VAE: {source} must have shape (N, {', '.join(map(str, expected))}) "
                             f"with N >= 1; got {got}{hint}")
        if x.dtype != self.dtype:
            fix = (f"scale them to [0, 1]: x.astype(np.{self.dtype.name}) / 255, or "
                   f"npvae.datasets.as_float_images(x)" if x.dtype == np.uint8 else
                   f"convert with .astype(np.{self.dtype.name})")
            raise ValueError(f"VAE: {source} must have dtype {self.dtype.name}; got "
                             f"{x.dtype.name} ({fix})")
        check_pixels(x, f"VAE: {source}")

    def summary(self):
        """Print a Keras-like table of the layers, their output shapes and parameters."""
        from npvae.models.summary import summary_table  # it builds a VAE's table: no cycle
        print(summary_table(self))


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
