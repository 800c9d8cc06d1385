"""The training loop: shuffle, cut into batches, and for each batch forward, backward, step.

One epoch of mini-batch gradient descent, the whole idea::

    order = rng.permutation(len(x))                    a new shuffle every epoch
    for each batch of ``batch_size`` indices in order:
        out = model(x[batch])                          forward: every image's loss
        model.backward()                               gradients of the batch's mean loss
        optimizer.step(model.named_layers())           update every parameter

``train_epoch`` below is that loop and nothing more; it keeps no state of its own (the
shuffle, the position and the optimizer are the caller's), so a run can stop after any
step and go on from there. ``npvae.training.trainer.Trainer`` calls it and adds what a long run
needs: a test evaluation per epoch, checkpoints, exact resume; the shuffle, the position
and the epoch's running sums are its ``LoopState`` (``npvae/training/loop_state.py``).
``examples/train_mnist.py`` writes the same loop out by hand.
"""
import math

import numpy as np

from npvae.datasets.pixels import as_float_images


class TrainingDiverged(RuntimeError):
    """The loss or a gradient stopped being a finite number."""


def train_epoch(model, optimizer, x, order, batch_size, first_step=0, learning_rate=None,
                labels=None):
    """Train on the images ``x[order]``, ``batch_size`` at a time; yield after every step.

    Args:
        model: a ``VAE`` (anything with ``forward``, ``backward``, ``named_layers``).
        optimizer: an ``npvae.optim`` optimizer.
        x: (N, H, W, C) images: float in [0, 1], or uint8 in 0..255 (scaled per batch).
        order: the epoch's shuffle, a permutation of range(N).
        first_step: the step to start at (not 0 when a stopped epoch is resumed).
        learning_rate: optional ``learning_rate(iterations)``: the step size to use when the
            optimizer has taken ``iterations`` steps (a warm-up, say).
        labels: the images' labels (N,), for a conditional model (else None).

    Yields:
        (step, stats): the step just taken (0-based) and its batch's mean losses.
    """
    steps_per_epoch = math.ceil(len(order) / batch_size)
    for step in range(first_step, steps_per_epoch):
        indices = order[step * batch_size:(step + 1) * batch_size]
        batch = as_float_images(x[indices], model.dtype)
        if learning_rate is not None:
            optimizer.lr = learning_rate(optimizer.iterations)
        yield step, train_step(model, optimizer, batch,
                               None if labels is None else labels[indices])


def train_step(model, optimizer, batch, labels=None):
    """One step of gradient descent on one batch; returns the batch's mean losses, a dict
    with "loss", "reconstruction", "kl", "neg_elbo" and "images" (the batch size).
    ``labels`` (N,): the batch's labels, which a conditional model also takes."""
    out = model(batch, labels)              # each image's loss, (N,)
    model.backward()                        # d mean(loss) / d every parameter
    check_finite(out, model)                # a NaN step would spoil every weight it touches
    optimizer.step(model.named_layers())    # p <- p - lr * (the optimizer's step)
    return {**out.means(), "images": len(batch)}


def check_finite(out, model):
    """Raise ``TrainingDiverged`` if the loss or any gradient is NaN or infinite, before
    the optimizer applies it (and so before it can ever be saved)."""
    loss = float(out.loss.sum(dtype=np.float64))
    if not math.isfinite(loss):
        raise TrainingDiverged(f"the loss became {loss}")
    for name, layer in model.named_layers():
        for key, grad in layer.grads.items():
            if not np.isfinite(grad.sum()):  # one sum per array: any NaN or inf shows
                raise TrainingDiverged(f"the gradient of {name}/{key} became non-finite")
