"""Plugging a learner's functions into the book's VAE, in place of npvae's own.

Two kinds of places take them:

- functions the model's code looks up in a module when it runs (the losses in
  ``npvae.models.vae``, im2col and col2im and the textbook convolutions in
  ``npvae.layers.conv``, the ReLU's backward in the layers): ``swapped`` replaces those
  module attributes for the length of a ``with`` block and puts npvae's back after it,
  whatever happens;
- what a layer or the optimizer does itself (Dense, Sampling, the RMSprop step):
  ``plug_into`` gives one model's (and one optimizer's) objects methods that call the
  learner's functions, so no other Dense or Sampling anywhere is touched.

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
    return targets + convolution_targets(pieces)


def convolution_targets(pieces):
    """The textbook convolutions: the layers find them in ``npvae.layers.conv.TEXTBOOK``
    (keyed by ``transposed``), so that table is replaced, beside the module's names."""
    conv, table = npvae.layers.conv, dict(npvae.layers.conv.TEXTBOOK)
    targets = []
    for name, transposed in (("conv2d", False), ("conv2d_transpose", True)):
        if name in pieces:
            forward = getattr(pieces[name], f"{name}_forward")
            backward = getattr(pieces[name], f"{name}_backward")
            table[transposed] = (forward, backward)
            targets += [(conv, f"{name}_forward", forward), (conv, f"{name}_backward", backward)]
    return targets + ([(conv, "TEXTBOOK", table)] if targets else [])


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
    """Give ``model``'s Dense layers and Sampling, and ``optimizer``, the learner's
    functions of ``pieces`` (only these objects change)."""
    if "dense" in pieces:
        for _, layer in model.named_layers():
            if isinstance(layer, npvae.layers.dense.Dense):
                plug_dense(layer, pieces["dense"])
    if "sampling" in pieces:
        plug_sampling(model.sampling, pieces["sampling"])
    if "rmsprop" in pieces:
        update = pieces["rmsprop"].rmsprop_update
        optimizer.update = lambda param, grad, ms: update(param, grad, ms, optimizer.lr,
                                                          optimizer.rho, optimizer.eps)


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
