"""Plugging a learner's functions into the book's VAE, in place of npvae's own, through
the hooks the textbook keeps for it:

- the model's ``terms`` (``npvae.losses.LossTerms``): the two losses;
- a layer's ``algorithm`` (``npvae.layers.base.Algorithm``, a forward and a backward):
  Dense, Sampling, both convolutions. A convolution whose own exercise has not passed
  runs npvae's formula with the learner's im2col and col2im (the textbook takes them as
  keywords); one whose exercise has passed runs the learner's functions, with the im2col
  and col2im the learner's file imports;
- a layer's ``relu_backward`` (Dense and the convolutions);
- the optimizer's ``rmsprop_update``.

Only this model's and this optimizer's objects change: no module is touched, and no other
model anywhere. Each function (or forward and backward pair) is given to ``wrap`` first,
with npvae's own that it replaces and where it goes, so that the capstone can compare the
two on the same inputs (``npvae/exercises/side_by_side.py``); by default ``wrap`` plugs it
in as it is.
"""
import functools
import inspect

from npvae import im2col as unfolding
from npvae.layers import activations, dense
from npvae.layers.base import Algorithm
from npvae.layers.conv import Conv2D, Conv2DTranspose
from npvae.losses import LossTerms
from npvae.optim import rmsprop_update


class AsItIs:
    """Plug each function in as it is. (``where`` says where it goes: a layer's name, or
    for the optimizer's update a function of the call's arguments.)"""

    def function(self, piece, where, learner, own):
        return learner

    def pair(self, piece, where, learner, own):
        """``learner`` and ``own`` are Algorithms; so is what it returns."""
        return learner


def plug_into(model, optimizer, pieces, wrap=AsItIs()):
    """Give ``model`` and ``optimizer`` the learner's functions of ``pieces`` (exercise name
    -> the learner's namespace), each through ``wrap``."""
    own = LossTerms()
    model.terms = LossTerms(
        reconstruction=piece_or_own(pieces, wrap, "bernoulli", "bernoulli_reconstruction",
                                    "the loss", own.reconstruction),
        kl=piece_or_own(pieces, wrap, "kl", "gaussian_kl", "the loss", own.kl))
    for name, layer in model.named_layers():
        if "activations" in pieces and hasattr(layer, "relu_backward"):
            layer.relu_backward = wrap.function("activations", name,
                                                pieces["activations"].relu_backward,
                                                activations.relu_backward)
        if isinstance(layer, dense.Dense) and "dense" in pieces:
            layer.algorithm = wrap.pair("dense", name, pair(pieces["dense"], "dense"),
                                        layer.algorithm)
        if isinstance(layer, (Conv2D, Conv2DTranspose)):
            layer.algorithm = convolution(layer, name, pieces, wrap)
    if "sampling" in pieces:
        model.sampling.algorithm = wrap.pair("sampling", "sampling",
                                             pair(pieces["sampling"], "sampling"),
                                             model.sampling.algorithm)
    if "rmsprop" in pieces:
        names = {id(param): name for name, param in model.weights().items()}
        optimizer.rmsprop_update = wrap.function(
            "rmsprop", lambda args: f"the update of {names.get(id(args[0]), 'a parameter')}",
            pieces["rmsprop"].rmsprop_update, rmsprop_update)


def piece_or_own(pieces, wrap, piece, function, where, own):
    if piece not in pieces:
        return own
    return wrap.function(piece, where, getattr(pieces[piece], function), own)


def pair(namespace, prefix):
    """The learner's ``{prefix}_forward`` and ``{prefix}_backward`` as an Algorithm."""
    return Algorithm("yours", getattr(namespace, f"{prefix}_forward"),
                     getattr(namespace, f"{prefix}_backward"))


def convolution(layer, name, pieces, wrap):
    """The Algorithm of a convolution layer: the learner's own convolution if its
    exercise passed, else npvae's formula with the learner's im2col and col2im (if
    passed), else npvae's as it was."""
    piece = "conv2d_transpose" if layer.transposed else "conv2d"
    if piece in pieces:
        return wrap.pair(piece, name, pair(pieces[piece], piece), layer.textbook)
    unfold = {function: wrap.function(function, name, getattr(pieces[function], function),
                                      getattr(unfolding, function))
              for function in ("im2col", "col2im") if function in pieces}
    if not unfold:
        return layer.algorithm
    forward, backward = layer.textbook.forward, layer.textbook.backward
    return Algorithm("textbook, your " + " and ".join(unfold),
                     functools.partial(forward, **keywords(forward, unfold)),
                     functools.partial(backward, **keywords(backward, unfold)))


def keywords(function, unfold):
    """The entries of ``unfold`` that ``function`` takes as keyword arguments."""
    taken = inspect.signature(function).parameters
    return {key: value for key, value in unfold.items() if key in taken}
