"""Exercise bernoulli: -log p(x|z) from the decoder's logits, and its gradient
(guide, chapter 1).

The decoder gives one logit l per pixel; the pixel is on with probability sigmoid(l).
For a target x in [0, 1], the binary cross-entropy of one pixel is

    bce(l, x) = -x log sigmoid(l) - (1 - x) log(1 - sigmoid(l))

Written like that it takes log(0) as soon as sigmoid rounds to 0 or 1 (|l| > 40 or so in
float64, > 17 in float32). Rewritten from the logit it is exact for ANY logit:

    bce(l, x) = max(l, 0) - x * l + log(1 + exp(-|l|))
    d bce / dl = sigmoid(l) - x

Shapes: logits, x (N, H, W, C) -> loss (N,): the sum of bce over each image's pixels;
dlogits (N, H, W, C), the gradient of the sum of loss. Keep the inputs' dtype (float32
in, float32 out: the model trains in float32), and leave logits and x as they are.

Check it:  npvae exercise check bernoulli
A hint:    npvae exercise hint bernoulli
"""
import numpy as np


def bernoulli_reconstruction(logits, x):
    """-log p(x|z) of each image from the logits, and its gradient.

    Args:
        logits: (N, ...) decoder outputs before the sigmoid.
        x: (N, ...) targets in [0, 1], same shape.

    Returns:
        loss: (N,), nats per image (the sum over its pixels); dlogits: (N, ...).
    """
    raise NotImplementedError("compute each pixel's bce from the logits, sum it per image, "
                              "and return loss, dlogits")
