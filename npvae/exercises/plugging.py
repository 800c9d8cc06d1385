"""Plugging a learner's functions into the book's VAE, in place of npvae's own.

Two kinds of places take them:

- functions the model's code looks up in a module when it runs (the losses in
  ``npvae.models.vae``, im2col and col2im in ``npvae.layers.conv``, the ReLU's backward
  in the layers): ``swapped`` replaces those module attributes for the length of a
  ``with`` block and puts npvae's back after it, whatever happens;
- what a layer or the optimizer holds or does itself (a convolution's ``algorithm``,
  Dense, Sampling, the RMSprop update): ``plug_into`` gives one model's (and one
  optimizer's) objects the learner's functions, so no other layer anywhere is touched.

Each exercise's functions go where npvae's own equivalents are called, with the same
arguments; so with npvae's own code in every file the model computes the same numbers.
"""
import contextlib
import types

import numpy as np

import npvae.layers.conv
import npvae.layers.dense
import npvae.models.vae


def module_targets(pieces):
    """[(module, attribute name, new value)] for the module-level functions of ``pieces``
    (exercise name -> the learner's namespace)."""
    conv = npvae.layers.conv
    targets = []
    if "kl" in pieces:
        targets.append((npvae.models.vae, "gaussian_kl", pieces["kl"].gaussian_kl))
    if "bernoulli" in pieces:
        targets.append((npvae.models.vae, "bernoulli_reconstruction",
                        pieces["bernoulli"].bernoulli_reconstruction))
    if "activations" in pieces:
        relu_backward = pieces["activations"].relu_backward
        targets += [(npvae.layers.dense, "relu_backward", relu_backward),
                    (conv, "relu_backward", relu_backward)]
    for name in ("im2col", "col2im"):
        if name in pieces:
            targets.append((conv, name, getattr(pieces[name], name)))
    return targets


@contextlib.contextmanager
def swapped(targets):
    """Within the block, ``module.name`` is the new value of each target; after it, npvae's."""
    saved = [(module, name, getattr(module, name)) for module, name, _ in targets]
    try:
        for module, name, value in targets:
            setattr(module, name, value)
        yield
    finally:
        for module, name, value in reversed(saved):
            setattr(module, name, value)


def plug_into(model, optimizer, pieces):
    """Give ``model``'s convolutions, Dense layers and Sampling, and ``optimizer``, the
    learner's functions of ``pieces`` (only these objects change)."""
    plug_convolutions(model, pieces)
    if "dense" in pieces:
        for _, layer in model.named_layers():
            if isinstance(layer, npvae.layers.dense.Dense):
                plug_dense(layer, pieces["dense"])
    if "sampling" in pieces:
        plug_sampling(model.sampling, pieces["sampling"])
    if "rmsprop" in pieces:
        optimizer.rmsprop_update = pieces["rmsprop"].rmsprop_update


def plug_convolutions(model, pieces):
    """Each convolution of ``model`` computes with the learner's forward and backward
    (``conv2d`` for Conv2D, ``conv2d_transpose`` for Conv2DTranspose), where written."""
    for _, layer in model.named_layers():
        name = ("conv2d_transpose" if isinstance(layer, npvae.layers.conv.Conv2DTranspose)
                else "conv2d" if isinstance(layer, npvae.layers.conv.Conv2D) else None)
        if name in pieces:
            layer.algorithm = npvae.layers.conv.Algorithm(
                "yours", getattr(pieces[name], f"{name}_forward"),
                getattr(pieces[name], f"{name}_backward"))


def plug_dense(layer, learner):
    """The layer's forward and backward become the learner's, with the layer's own ReLU
    (``activation="relu"``) applied around them as ``Dense`` applies it."""
    def forward(self, x):
        self.check_input(x, ndim=2, last_dim=self.in_features)
        y, cache = learner.dense_forward(x, self.params["W"], self.params["b"])
        if self.activation == "relu":
            y = np.maximum(y, 0)
        self._cache = (cache, y if self.activation else None)
        return y

    def backward(self, dy):
        cache, y_relu = self.cached()
        if y_relu is not None:
            dy = npvae.layers.dense.relu_backward(dy, y_relu)  # the learner's, if plugged
        dx, self.grads["W"], self.grads["b"] = learner.dense_backward(dy, self.params["W"],
                                                                      cache)
        return dx

    layer.forward, layer.backward = (types.MethodType(forward, layer),
                                     types.MethodType(backward, layer))


def plug_sampling(layer, learner):
    """The Sampling layer's forward and backward become the learner's; the noise is drawn
    as ``Sampling.forward`` draws it, from the layer's own Generator."""
    def forward(self, mean, log_var, eps=None):
        if eps is None:
            eps = self.rng.standard_normal(mean.shape, dtype=self.dtype)
        z, self._cache = learner.sampling_forward(mean, log_var, eps)
        return z

    def backward(self, dz):
        return learner.sampling_backward(dz, self.cached())

    layer.forward, layer.backward = (types.MethodType(forward, layer),
                                     types.MethodType(backward, layer))
