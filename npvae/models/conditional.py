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
(``VAE.forward`` and ``VAE.backward`` run unchanged). The label is a condition both halves
read, set by ``condition_on`` before each walk. Its one-hot enters through a
``Concatenate`` (``npvae.layers.concatenate``), whose backward hands the dense layer's
input gradient back in two parts; the label's part is dropped, as a label is data, not a
parameter. Since the decoder is told the digit, z is free to hold what the label does not
say: the style (slant, thickness, width).
"""
import numpy as np

from npvae.layers import Concatenate, Layer, Sequential
from npvae.layers.activations import sigmoid
from npvae.models.vae import VAE, Decoder, Encoder, with_fast_algorithms


def one_hot(labels, num_classes, dtype=np.float32):
    """labels (N,) whole numbers in 0..K-1 -> (N, K), a 1 at each label's index."""
    return np.eye(num_classes, dtype=dtype)[labels]


class LabelledTrunk(Layer):
    """The encoder's trunk with the label joined before its dense layer:
    ``h = relu([flatten(convs(x)), one_hot(y)] @ W + b)``, (N, dense_units).
    Built from an Encoder's trunk (whose dense layer is K inputs wider), same layer names."""

    def __init__(self, trunk):
        super().__init__(trunk.dtype)
        *features, (_, self.dense) = trunk.named_layers()
        self.features = Sequential(features)    # conv1 .. conv4, flatten
        self.join = Concatenate(trunk.dtype)
        self.labels = None                      # (N, K), set by ConditionalVAE.condition_on

    def named_layers(self):
        return self.features.named_layers() + [("dense", self.dense)]

    def forward(self, x, trace=None):
        features = self.features.forward(x, trace)                          # (N, F)
        h = self.dense.forward(self.join.forward(features, self.labels))    # (N, dense_units)
        if trace is not None:
            trace("dense", self.dense, h)
        return h

    def backward(self, dh, trace=None):
        dfeatures, _ = self.join.backward(self.dense.backward(dh))   # the label's part dropped
        if trace is not None:
            trace("dense", self.dense, dfeatures)
        return self.features.backward(dfeatures, trace)


class ConditionalDecoder(Decoder):
    """p(x|z, y): ``[z, one_hot(y)]`` (N, D + K) -> logits (N, H, W, C)."""

    def __init__(self, latent_dim, num_classes, dense_shape, filters, output_channels, rng,
                 dtype):
        super().__init__(latent_dim + num_classes, dense_shape, filters, output_channels,
                         rng=rng, dtype=dtype)
        self.latent_dim, self.num_classes = latent_dim, num_classes
        self.join = Concatenate(dtype)
        self.labels = None                      # (N, K), set by ConditionalVAE.condition_on

    def forward(self, z, trace=None):
        return super().forward(self.join.forward(z, self.labels), trace)

    def backward(self, dy, trace=None):
        dz, _ = self.join.backward(super().backward(dy, trace))   # the label's part dropped
        return dz

    def generate(self, z, labels, batch_size=256):
        """Decode codes z (N, D), each with its label (N,), into images in [0, 1]."""
        z = np.asarray(z, dtype=self.dtype)
        labels = check_labels(labels, self.num_classes, len(z))
        images = []
        for i in range(0, len(z), batch_size):
            self.labels = one_hot(labels[i:i + batch_size], self.num_classes, self.dtype)
            images.append(sigmoid(self.forward(z[i:i + batch_size])))
        return np.concatenate(images)


class ConditionalVAE(VAE):
    """A VAE whose encoder and decoder also take the label: q(z|x, y), p(x|z, y).

    Args:
        num_classes: K, the number of labels (10 for MNIST's digits).
        seed, and every other argument: as ``VAE``'s. ``VAE.__init__`` checks them and
            builds the unconditional halves; the conditional halves replace them, their
            weights drawn from a generator of their own spawned from ``seed``.

    ``model(x, labels)`` is the one walk, ``model.backward()`` the one walk back.
    """

    def __init__(self, num_classes=10, seed=0, fast=True, **options):
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
                or num_classes < 2:
            raise ValueError(f"num_classes must be a whole number, at least 2 (the number of "
                             f"labels); got {num_classes!r}")
        super().__init__(seed=seed, fast=False, **options)
        config, dtype = self.config, self.dtype
        self.config = {**config, "num_classes": int(num_classes)}
        rng = np.random.default_rng(seed).spawn(3)[2]   # VAE took the first two children
        self.encoder = Encoder(config["input_shape"], config["latent_dim"],
                               config["encoder_filters"], dense_units=config["dense_units"],
                               rng=rng, dtype=dtype, extra_inputs=num_classes)
        self.encoder.trunk = LabelledTrunk(self.encoder.trunk)
        self.decoder = ConditionalDecoder(config["latent_dim"], num_classes,
                                          self.encoder.conv_output_shape,
                                          config["decoder_filters"], config["input_shape"][-1],
                                          rng=rng, dtype=dtype)
        self.fast = fast and with_fast_algorithms(self)

    def __repr__(self):
        return f"Conditional{super().__repr__()[:-1]}, num_classes={self.config['num_classes']})"

    def condition_on(self, labels, n=None):
        """Make ``labels`` (n,), whole numbers in 0..K-1, the condition both halves see."""
        labels = check_labels(labels, self.config["num_classes"], n)
        self.encoder.trunk.labels = self.decoder.labels = one_hot(
            labels, self.config["num_classes"], self.dtype)

    def forward(self, x, labels, eps=None, trace=None):
        """``VAE.forward`` with the label y (N,) given: the conditional negative ELBO,
        -log p(x|z, y) + KL(q(z|x, y) || p(z)), per image."""
        self.check_images(x)
        self.condition_on(labels, len(x))
        return super().forward(x, eps, trace)

    def generate(self, z, labels, batch_size=256):
        """Images (N, H, W, C) in [0, 1] decoded from codes z (N, D) and labels (N,)."""
        return self.decoder.generate(z, labels, batch_size)


def check_labels(labels, num_classes, n=None):
    """``labels`` as an int64 array (n,) of whole numbers in 0..num_classes-1, or ValueError."""
    array = np.asarray(labels)
    expected = f"({n},)" if n is not None else "(N,)"
    if array.ndim != 1 or (n is not None and len(array) != n):
        raise ValueError(f"the labels must have shape {expected}, one per image; got shape "
                         f"{array.shape}")
    if array.size and (array.dtype.kind not in "iu" or array.min() < 0
                       or array.max() >= num_classes):
        raise ValueError(f"the labels must be whole numbers in 0..{num_classes - 1}; got "
                         f"{array.dtype.name} values from {array.min()} to {array.max()}")
    return array.astype(np.int64)


def is_conditional(model):
    """True for a model that needs labels (its config names its number of classes)."""
    return "num_classes" in model.config


def build_model(config, seed=0):
    """The model a checkpoint's config describes: a ConditionalVAE if it names
    ``num_classes``, else a VAE."""
    if "num_classes" in config:
        return ConditionalVAE(**config, seed=seed)
    return VAE(**config, seed=seed)
