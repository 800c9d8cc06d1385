"""The VAE's two halves: the encoder q(z|x) and the decoder p(x|z).

    Encoder:  Conv2D 32 -> Conv2D 64 /2 -> Conv2D 64 -> Conv2D 64     (3x3, same, ReLU)
              -> Flatten (12544) -> Dense 32 ReLU -> z_mean (D), z_log_var (D)
    Decoder:  Dense 14*14*64 ReLU -> Reshape (14, 14, 64)
              -> Conv2DTranspose 32 x2 ReLU -> Conv2D 1 -> logits (N, 28, 28, 1)

``npvae.models.vae`` joins them through the sampling step into the model; the conditional
VAE (``npvae.models.conditional``) joins a label to the input of each half's dense layer.
"""
import numpy as np

from npvae.layers import Conv2D, Conv2DTranspose, Dense, Flatten, Layer, Reshape, Sequential


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
        self.features = Sequential(layers + [("flatten", Flatten(dtype))])
        self.dense = Dense(int(np.prod(shape)) + extra_inputs, dense_units, rng=rng,
                           dtype=dtype, activation="relu")
        self.z_mean = Dense(dense_units, latent_dim, rng=rng, dtype=dtype)
        self.z_log_var = Dense(dense_units, latent_dim, rng=rng, dtype=dtype)

    def named_layers(self):
        """The convolutions and flatten, the dense layer, then both heads."""
        return self.features.named_layers() + [("dense", self.dense), ("z_mean", self.z_mean),
                                               ("z_log_var", self.z_log_var)]

    def forward(self, x, trace=None):
        """x (N, H, W, C) -> (z_mean, z_log_var), each (N, D). ``trace(name, layer, out)``,
        if given, is called after every layer (the summary and the examples use it)."""
        return self.from_features(self.features.forward(x, trace), trace)   # (N, F)

    def from_features(self, features, trace=None):
        """The dense layer and the two heads: features (N, F) -> (z_mean, z_log_var)."""
        h = self.dense.forward(features)                            # (N, dense_units)
        mean, log_var = self.z_mean.forward(h), self.z_log_var.forward(h)
        if trace is not None:
            trace("dense", self.dense, h)
            trace("z_mean", self.z_mean, mean)
            trace("z_log_var", self.z_log_var, log_var)
        return mean, log_var

    def backward(self, dmean, dlog_var, trace=None):
        """dL/dz_mean, dL/dz_log_var (each (N, D)) -> dL/dx (N, H, W, C); fills grads."""
        return self.features.backward(self.to_features(dmean, dlog_var, trace), trace)

    def to_features(self, dmean, dlog_var, trace=None):
        """``from_features`` backwards: dL/dfeatures (N, F); fills the three layers' grads."""
        # h feeds both heads, so its gradient is the sum of what each head sends back.
        dh = self.z_mean.backward(dmean) + self.z_log_var.backward(dlog_var)
        dfeatures = self.dense.backward(dh)
        if trace is not None:
            trace("z_mean + z_log_var", self.z_mean, dh)
            trace("dense", self.dense, dfeatures)
        return dfeatures


class Decoder(Sequential):
    """p(x|z): z (N, latent_dim) -> logits (N, H, W, C) (``VAE.generate`` gives images)."""

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
