"""How good is a trained VAE? Two estimates of -log p(x) on held-out images, in nats.

Negative ELBO (an upper bound on -log p(x))
-------------------------------------------
One z per image, drawn from q(z|x)::

    -ELBO(x) = -log p(x|z) + KL(q(z|x) || p(z)),   z = mu + sigma * eps

Importance-weighted bound, IWAE (Burda, Grosse & Salakhutdinov, 2016)
---------------------------------------------------------------------
K draws z_1..z_K from q(z|x), each weighted by how much likelier it is under the
model than under the encoder::

    log w_k = log p(x|z_k) + log p(z_k) - log q(z_k|x)
    -log p(x) <= -E[ log (1/K sum_k w_k) ] = -E[ logsumexp_k log w_k - log K ]

The expectation is over the K draws: E_q[w] = p(x), and by Jensen's inequality (log is
concave) E[log mean w] <= log E[mean w] = log p(x). One set of K draws can land above
log p(x); the mean over many images is what bounds. K = 1 gives the ELBO back (in
expectation); the bound tightens as K grows, so with K = 1000 it is the usual estimate of
a VAE's test negative log-likelihood. (MNIST's grey pixels are used as soft targets, as
Keras does, so these numbers are not comparable with papers that binarize MNIST first.)
The sum is done in logs, with logsumexp: log w is tens to hundreds of nats below 0 for a
digit (docs/01-vae-and-elbo.md prints some, for the shipped book model), and w itself
would be 0 in float32, the model's precision (below about exp(-103)), and for a larger
image even in float64 (below about exp(-745)). logsumexp shifts every log w by the
largest, so that term is exactly 1 and one that still underflows is too small to
change the sum.

Both functions draw their noise from the Generator they are given, never from the
model's own, so evaluating does not change a training run, and both run the model's own
pieces (``model.forward``; for IWAE the encoder once per image, then the sampling step
and the decoder K times). A model trained with the book's ``exp(log_var)`` sampling is
scored with the q(z|x) it really samples from: the book's noise scale ``exp(log_var)``
is the standard deviation of that q, and ``log q`` below uses it.
"""
import numpy as np
from tqdm import tqdm

from npvae.losses import bernoulli_reconstruction_loss

LOG_2PI = np.log(2 * np.pi)
EVAL_BATCH = 128  # images per forward pass: bounds the memory of the layers' work arrays
IWAE_BATCH = 256  # codes per decoder pass of the importance samples, for the same reason


def negative_elbo(model, x, rng, batch_size=EVAL_BATCH, progress=False, labels=None):
    """Means over the images x (N, H, W, C) of -ELBO, reconstruction and KL (nats per
    image), and of "loss", the model's own objective (the -ELBO, or the book's loss).
    A conditional model is given the images' ``labels`` (N,): its bound is on -log p(x|y).

    One z per image, drawn from ``rng``: other noise gives a slightly different number."""
    model.check_images(x, "the evaluation images")
    labels = model.check_labels(labels, len(x))
    totals = np.zeros(3)
    for start in _batches(len(x), batch_size, progress, "negative ELBO"):
        batch = x[start:start + batch_size]
        eps = rng.standard_normal((len(batch), model.config["latent_dim"]), dtype=x.dtype)
        out = model.forward(batch, _part(labels, start, batch_size), eps=eps)
        totals += [float(v.sum(dtype=np.float64)) for v in (out.loss, out.reconstruction, out.kl)]
    loss, reconstruction, kl = (float(t) for t in totals / len(x))
    return {"loss": loss, "reconstruction": reconstruction, "kl": kl,
            "neg_elbo": reconstruction + kl}


def iwae_nll(model, x, k, rng, batch_size=IWAE_BATCH, progress=False, labels=None):
    """Mean IWAE estimate of -log p(x) with ``k`` samples per image, nats per image (of
    -log p(x|y) for a conditional model, given the images' ``labels``). Its expectation
    over the draws is an upper bound on the mean -log p(x); one estimate can be below it.

    The k samples of an image are decoded ``batch_size`` at a time, so k = 1000 needs
    no more memory than any other batch.
    """
    model.check_images(x, "the evaluation images")
    labels = model.check_labels(labels, len(x))
    if k < 1:
        raise ValueError(f"the number of importance samples must be at least 1; got {k}")
    images_per_pass = max(1, batch_size // k)
    total = 0.0
    for start in _batches(len(x), images_per_pass, progress, f"IWAE, K={k}"):
        batch = x[start:start + images_per_pass]
        batch_labels = _part(labels, start, images_per_pass)
        mean, log_var = model.encode(batch, batch_labels)                   # (B, D)
        log_w = np.concatenate([log_weights(model, batch, mean, log_var, rng, chunk,
                                            batch_labels)
                                for chunk in _chunks(k, max(1, batch_size // len(batch)))],
                               axis=1)                                      # (B, k)
        total += float(np.sum(logsumexp(log_w) - np.log(k)))
    return -total / len(x)


def log_weights(model, x, mean, log_var, rng, samples, labels=None):
    """log w = log p(x|z) + log p(z) - log q(z|x) for ``samples`` draws per image:
    (B, samples), in float64. With ``labels`` (B,), p(x|z, y) and q(z|x, y)."""
    b, d = mean.shape
    eps = rng.standard_normal((b * samples, d), dtype=mean.dtype)
    mean_k, log_var_k = np.repeat(mean, samples, axis=0), np.repeat(log_var, samples, axis=0)
    z = model.sampling.forward(mean_k, log_var_k, eps)                     # (B*samples, D)
    labels_k = None if labels is None else np.repeat(labels, samples)     # each image's
    reconstruction = bernoulli_reconstruction_loss(model.decode(z, labels_k),
                                                   np.repeat(x, samples, axis=0))
    log_scale = np.log(model.sampling.scale(log_var_k).astype(np.float64))
    log_p_z = log_prior(z.astype(np.float64))
    # z = mean + scale * eps, so q(z|x) = N(mean, scale^2): its log density at z, per dim,
    # is -0.5 (eps^2 + log 2 pi) - log scale.
    log_q_z = -np.sum(0.5 * (eps.astype(np.float64)**2 + LOG_2PI) + log_scale, axis=1)
    return (-reconstruction.astype(np.float64) + log_p_z - log_q_z).reshape(b, samples)


def log_prior(z):
    """log N(z; 0, I) of each code: -0.5 * sum_d (z_d^2 + log 2 pi), (G,) from (G, D)."""
    return -0.5 * np.sum(z**2 + LOG_2PI, axis=1)


def _part(labels, start, size):
    """The labels of the images from ``start`` on, ``size`` of them (None stays None)."""
    return None if labels is None else labels[start:start + size]


def logsumexp(a):
    """log sum_k exp(a[:, k]) of each row, without overflow: shift by the row maximum."""
    top = a.max(axis=1, keepdims=True)
    return top[:, 0] + np.log(np.sum(np.exp(a - top), axis=1))


def _chunks(total, size):
    """Sizes of consecutive chunks of at most ``size`` that add up to ``total``."""
    return [min(size, total - start) for start in range(0, total, size)]


def _batches(n_images, batch_size, progress, what):
    """Yield the start index of every batch; with ``progress``, a bar counts the images."""
    with tqdm(total=n_images, desc=what, unit="image", disable=not progress,
              dynamic_ncols=True, leave=False) as bar:
        for start in range(0, n_images, batch_size):
            yield start
            bar.update(min(batch_size, n_images - start))
