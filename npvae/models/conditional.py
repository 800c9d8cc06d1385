"""The conditional VAE (Sohn, Lee & Yan, 2015): both halves of the book's VAE also see the label.

    x (N, 28, 28, 1), y (N,) in 0..K-1,  one_hot(y) (N, K)
      Encoder:  the same convolutions on x alone -> Flatten (12544)
                -> [features, one_hot(y)] (12544 + K) -> Dense 32 ReLU -> z_mean, z_log_var
      Sampling: z = z_mean + exp(0.5 * z_log_var) * eps                       (N, D)
      Decoder:  [z, one_hot(y)] (D + K) -> Dense 14*14*64 ReLU -> ... -> logits
      Loss:     -log p(x|z, y) + KL(q(z|x, y) || N(0, I)), per image

The label is given, not inferred, so the bound is on -log p(x|y)::

    log p(x|y) >= E_q(z|x,y)[log p(x|z, y)] - KL(q(z|x, y) || p(z))

Nothing else changes: the same sampling, the same two loss terms, the same walk
(``VAE.forward`` and ``VAE.backward`` run unchanged). The labels are an argument of every
pass, ``model(x, labels)``, ``encode(x, labels)``, ``decode(z, labels)``, as they are of
the VAE's, which reads none; here ``encode`` and ``decode`` hand their one-hot to the
halves. It enters through a ``Concatenate`` (``npvae.layers.concatenate``), whose
backward hands the dense layer's input gradient back in two parts; the label's part is
dropped, as a label is data, not a parameter. Since the decoder is told the digit, z is
free to hold what the label does not say: the style (slant, thickness, width).
"""
import numpy as np

from npvae.datasets.labels import check_labels
from npvae.layers import Concatenate
from npvae.models.halves import Decoder, Encoder
from npvae.models.vae import VAE, _prefixed


def one_hot(labels, num_classes, dtype=np.float32):
    """labels (N,) whole numbers in 0..K-1 -> (N, K), a 1 at each label's index."""
    return np.eye(num_classes, dtype=dtype)[labels]


class ConditionalEncoder(Encoder):
    """q(z|x, y): the label joined to the flattened features before the dense layer,
    ``h = relu([flatten(convs(x)), one_hot(y)] @ W + b)``, (N, dense_units)."""

    def __init__(self, num_classes, *args, **kwargs):
        super().__init__(*args, extra_inputs=num_classes, **kwargs)
        self.join = Concatenate(self.dtype)

    def forward(self, x, labels_one_hot, trace=None):
        """x (N, H, W, C) and the labels, one-hot (N, K) -> (z_mean, z_log_var), each (N, D)."""
        features = self.features.forward(x, trace)                          # (N, F)
        return self.from_features(self.join.forward(features, labels_one_hot), trace)

    def backward(self, dmean, dlog_var, trace=None):
        dfeatures, _ = self.join.backward(self.to_features(dmean, dlog_var, trace))
        return self.features.backward(dfeatures, trace)   # the label's part was dropped


class ConditionalDecoder(Decoder):
    """p(x|z, y): ``[z, one_hot(y)]`` (N, D + K) -> logits (N, H, W, C)."""

    def __init__(self, latent_dim, num_classes, dense_shape, filters, output_channels, rng,
                 dtype):
        super().__init__(latent_dim + num_classes, dense_shape, filters, output_channels,
                         rng=rng, dtype=dtype)
        self.latent_dim = latent_dim
        self.join = Concatenate(dtype)

    def forward(self, z, labels_one_hot, trace=None):
        """z (N, D) and the labels, one-hot (N, K) -> logits (N, H, W, C)."""
        return super().forward(self.join.forward(z, labels_one_hot), trace)

    def backward(self, dy, trace=None):
        dz, _ = self.join.backward(super().backward(dy, trace))   # the label's part dropped
        return dz


class ConditionalVAE(VAE):
    """A VAE whose encoder and decoder also take the label: q(z|x, y), p(x|z, y).

    Args:
        num_classes: K, the number of labels (10 for MNIST's digits).
        seed, and every other argument: as ``VAE``'s. The initial weights are drawn from
            the random seed's third child (a VAE's come from its first), the noise from its
            second, as a VAE's: from one seed, the two models get different weights.

    ``model(x, labels)`` is the one walk, ``model.backward()`` the one walk back.
    """

    WEIGHTS_STREAM = 2

    def __init__(self, num_classes=10, seed=0, fast=True, **options):
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
                or num_classes < 2:
            raise ValueError(f"num_classes must be a whole number, at least 2 (the number of "
                             f"labels); got {num_classes!r}")
        self.num_classes = int(num_classes)   # before VAE.__init__, which builds the halves
        super().__init__(seed=seed, fast=fast, **options)
        self.config["num_classes"] = self.num_classes

    def build_halves(self, rng):
        """The conditional encoder q(z|x, y) and decoder p(x|z, y), their initial weights
        drawn from ``rng`` (the encoder's first, in the order of the VAE's halves)."""
        c, k = self.config, self.num_classes
        encoder = ConditionalEncoder(k, c["input_shape"], c["latent_dim"], c["encoder_filters"],
                                     dense_units=c["dense_units"], rng=rng, dtype=self.dtype)
        decoder = ConditionalDecoder(c["latent_dim"], k, encoder.conv_output_shape,
                                     c["decoder_filters"], c["input_shape"][-1], rng, self.dtype)
        return encoder, decoder

    def __repr__(self):
        return f"Conditional{super().__repr__()[:-1]}, num_classes={self.num_classes})"

    def encode(self, x, labels=None, trace=None):
        """q(z|x, y): images x (N, H, W, C) and their labels (N,) -> (z_mean, z_log_var)."""
        return self.encoder.forward(x, self.one_hot(labels, len(x)), _prefixed(trace, "encoder"))

    def decode(self, z, labels=None, trace=None):
        """p(x|z, y): codes z (N, D) and labels (N,) -> the decoder's logits (N, H, W, C)."""
        return self.decoder.forward(z, self.one_hot(labels, len(z)), _prefixed(trace, "decoder"))

    def one_hot(self, labels, n):
        """The labels (n,), checked, as one-hot rows (n, K) in the model's dtype."""
        return one_hot(self.check_labels(labels, n), self.num_classes, self.dtype)

    def check_labels(self, labels, n):
        """``labels`` as an int64 array (n,) of whole numbers in 0..K-1, or a ValueError."""
        if labels is None:
            raise ValueError(f"a conditional model reads a label for each image, 0.."
                             f"{self.num_classes - 1}; none were given")
        return check_labels(labels, n, self.num_classes)

    def condition(self, labels, n, source="the images"):
        """The labels of ``source`` (n,), checked: p(x|y) needs them."""
        if labels is None:
            raise ValueError(f"a conditional model needs the labels of {source}, and there "
                             f"are none")
        return self.check_labels(labels, n)


def build_model(config, seed=0):
    """The model a checkpoint's config describes: a ConditionalVAE if it names
    ``num_classes``, else a VAE."""
    if "num_classes" in config:
        return ConditionalVAE(**config, seed=seed)
    return VAE(**config, seed=seed)
