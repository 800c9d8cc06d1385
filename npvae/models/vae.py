"""The seed's convolutional VAE: an encoder, the sampling trick, and a decoder.

    x (N, 28, 28, 1)
      Encoder:  Conv2D 32 -> Conv2D 64 /2 -> Conv2D 64 -> Conv2D 64     (3x3, same, ReLU)
                -> Flatten (12544) -> Dense 32 ReLU -> z_mean (D), z_log_var (D)
      Sampling: z = z_mean + exp(0.5 * z_log_var) * eps,  eps ~ N(0, I)  (N, D)
      Decoder:  Dense 14*14*64 ReLU -> Reshape (14, 14, 64)
                -> Conv2DTranspose 32 x2 ReLU -> Conv2D 1 -> logits (N, 28, 28, 1)
    p(x|z) = Bernoulli(sigmoid(logits)); images are ``sigmoid(logits)``.

The decoder ends in logits, not in a sigmoid: the loss is computed from logits
(``npvae.losses``), which is exact where sigmoid would round to 0 or 1.

Widths are arguments so that the tests can build the same model, tiny, in float64.
"""
import numpy as np

from npvae.layers import (Conv2D, Conv2DTranspose, Dense, Flatten, ReLU, Reshape,
                          Sampling, Sequential)
from npvae.layers.activations import sigmoid
from npvae.losses import bernoulli_reconstruction, book_loss, gaussian_kl


class Encoder:
    """q(z|x): image (N, H, W, C) -> (z_mean, z_log_var), each (N, latent_dim)."""

    def __init__(self, input_shape=(28, 28, 1), latent_dim=2, filters=(32, 64, 64, 64),
                 strides=(1, 2, 1, 1), dense_units=32, rng=None, dtype=np.float32):
        self.input_shape = tuple(input_shape)
        layers, shape = [], self.input_shape
        for i, (width, stride) in enumerate(zip(filters, strides), start=1):
            conv = Conv2D(shape[-1], width, 3, stride=stride, rng=rng, dtype=dtype)
            shape = conv.output_shape(shape)
            layers += [(f"conv{i}", conv), (f"relu{i}", ReLU(dtype))]
        self.conv_output_shape = shape  # (14, 14, 64) for the seed: the decoder mirrors it
        layers += [("flatten", Flatten(dtype)),
                   ("dense", Dense(int(np.prod(shape)), dense_units, rng=rng, dtype=dtype)),
                   ("dense_relu", ReLU(dtype))]
        self.trunk = Sequential(layers)
        self.z_mean = Dense(dense_units, latent_dim, rng=rng, dtype=dtype)
        self.z_log_var = Dense(dense_units, latent_dim, rng=rng, dtype=dtype)

    @property
    def named_layers(self):
        """(name, layer) pairs, as ``Sequential.named_layers``: the trunk, then both heads."""
        return self.trunk.named_layers + [("z_mean", self.z_mean),
                                          ("z_log_var", self.z_log_var)]

    def forward(self, x):
        h = self.trunk.forward(x)                                   # (N, dense_units)
        return self.z_mean.forward(h), self.z_log_var.forward(h)   # (N, D) each

    def backward(self, dmean, dlog_var):
        """Fill every layer's grads from dL/dz_mean and dL/dz_log_var (each (N, D)).

        Returns None: the first convolution skips dL/dx, as nothing needs it."""
        # h feeds both heads, so its gradient is the sum of what each head sends back.
        dh = self.z_mean.backward(dmean) + self.z_log_var.backward(dlog_var)
        return self.trunk.backward(dh)


class Decoder(Sequential):
    """p(x|z): z (N, latent_dim) -> logits (N, H, W, C). ``generate`` gives images."""

    def __init__(self, latent_dim=2, dense_shape=(14, 14, 64), filters=32, output_channels=1,
                 rng=None, dtype=np.float32):
        size = int(np.prod(dense_shape))
        super().__init__([
            ("dense", Dense(latent_dim, size, rng=rng, dtype=dtype)),
            ("dense_relu", ReLU(dtype)),
            ("reshape", Reshape(dense_shape, dtype)),
            ("deconv", Conv2DTranspose(dense_shape[-1], filters, 3, stride=2, rng=rng,
                                       dtype=dtype)),
            ("deconv_relu", ReLU(dtype)),
            ("conv_out", Conv2D(filters, output_channels, 3, rng=rng, dtype=dtype)),
        ])
        self.latent_dim = latent_dim
        upsampled = self.named_layers[3][1].output_shape(dense_shape)
        self.image_shape = upsampled[:2] + (output_channels,)

    def generate(self, z, batch_size=256):
        """Decode latent points z (N, latent_dim) into images (N, H, W, C) in [0, 1]."""
        z = np.asarray(z, dtype=self.dtype)
        return np.concatenate([sigmoid(self.forward(z[i:i + batch_size]))
                               for i in range(0, len(z), batch_size)])


LOSSES = ("elbo", "book")


class VAE:
    """Encoder + Sampling + Decoder, trained on the negative ELBO (or the seed's loss).

    Args:
        input_shape: (H, W, C) of one image; H and W even (the decoder upsamples by 2).
        latent_dim: D, the size of z.
        seed: an int or a ``numpy.random.Generator``; draws the initial weights and the
            sampling noise (two independent streams, so one does not shift the other).
        loss: "elbo" (the true negative ELBO, nats per image) or "book" (the seed's loss).
        book_sampling: scale the noise by ``exp(log_var)`` as the seed does (a bug kept
            for comparison) instead of ``exp(0.5 * log_var)``.
        encoder_filters, dense_units, decoder_filters: widths (the seed's by default).
        dtype: float32 to train, float64 for gradient checks.
    """

    def __init__(self, input_shape=(28, 28, 1), latent_dim=2, seed=0, loss="elbo",
                 book_sampling=False, encoder_filters=(32, 64, 64, 64), dense_units=32,
                 decoder_filters=32, dtype=np.float32):
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}")
        if int(latent_dim) < 1:
            raise ValueError(f"latent_dim must be at least 1; got {latent_dim}")
        self.config = dict(input_shape=[int(s) for s in input_shape], latent_dim=int(latent_dim),
                           loss=loss, book_sampling=bool(book_sampling),
                           encoder_filters=[int(f) for f in encoder_filters],
                           dense_units=int(dense_units), decoder_filters=int(decoder_filters),
                           dtype=np.dtype(dtype).name)
        self.loss, self.dtype = loss, np.dtype(dtype)
        init_rng, noise_rng = np.random.default_rng(seed).spawn(2)
        self.encoder = Encoder(input_shape, latent_dim, encoder_filters, dense_units=dense_units,
                               rng=init_rng, dtype=dtype)
        self.sampling = Sampling(noise_rng, dtype, book=book_sampling)
        self.decoder = Decoder(latent_dim, self.encoder.conv_output_shape, decoder_filters,
                               input_shape[-1], rng=init_rng, dtype=dtype)
        if self.decoder.image_shape != tuple(input_shape):
            raise ValueError(f"the decoder would output {self.decoder.image_shape}, "
                             f"not {tuple(input_shape)}: height and width must be even")

    def named_layers(self):
        """(name, layer) for every layer, names like "encoder/conv1": what optimizers walk."""
        return ([(f"encoder/{name}", layer) for name, layer in self.encoder.named_layers]
                + [(f"decoder/{name}", layer) for name, layer in self.decoder.named_layers])

    # ------------------------------------------------------------------ training

    def loss_and_gradients(self, x, eps=None):
        """One forward and backward pass over a batch; fills every layer's ``grads``.

        Args:
            x: (N, H, W, C) images in [0, 1].
            eps: optional (N, D) fixed noise for the sampling step.

        Returns:
            dict of batch means: "loss" (what is minimised), "reconstruction" and
            "kl" (nats per image, whatever the loss), "neg_elbo" (their sum).
        """
        self.check_images(x)
        n = len(x)
        (loss, reconstruction, kl), (dlogits, dmean_kl, dlog_var_kl) = self._losses(x, eps)
        # Gradients of the batch *mean*: every per-example gradient is divided by N.
        dmean, dlog_var = self.sampling.backward(self.decoder.backward(dlogits / n))
        self.encoder.backward(dmean + dmean_kl / n, dlog_var + dlog_var_kl / n)
        return {"loss": float(loss.mean()), "reconstruction": float(reconstruction.mean()),
                "kl": float(kl.mean()), "neg_elbo": float((reconstruction + kl).mean())}

    def losses(self, x, eps):
        """Forward only: per-example (loss, reconstruction, kl), each (N,), for noise eps."""
        self.check_images(x)
        return self._losses(x, eps)[0]

    def _losses(self, x, eps):
        mean, log_var = self.encoder.forward(x)                # (N, D) each
        z = self.sampling.forward(mean, log_var, eps)          # (N, D)
        logits = self.decoder.forward(z)                       # (N, H, W, C)
        reconstruction, dlogits = bernoulli_reconstruction(logits, x)
        kl, (dmean, dlog_var) = gaussian_kl(mean, log_var)
        if self.loss == "elbo":
            return (reconstruction + kl, reconstruction, kl), (dlogits, dmean, dlog_var)
        loss, gradients = book_loss(logits, x, mean, log_var)
        return (loss, reconstruction, kl), gradients

    def check_images(self, x, source="the batch"):
        """Raise ``ValueError`` unless x is (N, H, W, C) of the model's shape and dtype."""
        expected = tuple(self.config["input_shape"])
        if not isinstance(x, np.ndarray) or x.ndim != 4 or x.shape[1:] != expected:
            got = getattr(x, "shape", type(x).__name__)
            raise ValueError(f"VAE: {source} must have shape (N, {', '.join(map(str, expected))}); "
                             f"got {got}")
        if x.dtype != self.dtype:
            raise ValueError(f"VAE: {source} must have dtype {self.dtype.name}; got "
                             f"{x.dtype.name} (convert with .astype(np.{self.dtype.name}))")

    # ------------------------------------------------------------------ weights

    def weights(self):
        """Flat dict "encoder/conv1/W" -> the parameter array itself (not a copy)."""
        return {f"{name}/{key}": param for name, layer in self.named_layers()
                for key, param in layer.params.items()}

    def load_weights(self, arrays):
        """Copy ``arrays`` (as returned by ``weights``) into the model, checking every shape."""
        own = self.weights()
        missing = sorted(set(own) - set(arrays))
        unexpected = sorted(set(arrays) - set(own))
        if missing or unexpected:
            raise ValueError(f"the weights do not fit this model: missing {missing[:4]}, "
                             f"unexpected {unexpected[:4]}")
        for key, param in own.items():
            if arrays[key].shape != param.shape:
                raise ValueError(f"the weights do not fit this model: {key} has shape "
                                 f"{arrays[key].shape}, the model expects {param.shape}")
            param[...] = arrays[key]

    def count_params(self):
        return sum(p.size for p in self.weights().values())

    def summary(self):
        """Print a Keras-like table of the layers, their output shapes and parameters."""
        from npvae.models.summary import summary_table  # it builds a VAE's table: no cycle
        print(summary_table(self))


def check_finite(x, source):
    """Raise ``ValueError`` naming ``source`` if x holds a NaN or an infinity."""
    if not np.isfinite(x).all():
        bad = np.argwhere(~np.isfinite(x.reshape(len(x), -1)))[0][0]
        raise ValueError(f"{source} contain NaN or infinite values (the first in image {bad}); "
                         f"clean the data first")
