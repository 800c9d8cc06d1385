"""Concept vectors (the book's §8.4): a direction in latent space that adds an attribute.

Encode images with the attribute and images without it; the difference of their mean
codes points from "without" to "with"::

    v = mean{ z_mean(x) : x has the attribute } - mean{ z_mean(x) : x has not }    (D,)

Moving a code along v, ``z + t v``, should then add the attribute to the decoded image
(t > 0) or take it away (t < 0), and change little else. The book's example is a smile
vector on faces. On MNIST, attributes can be measured without labels of their own, from
the ink p[r, c] in [0, 1] of each image (r down the rows, c across the columns):

    thickness   the mean ink per pixel: thicker strokes put down more ink
    slant       sum p * x * y / sum p * y^2, with x = c - mean c, y = mean r - r (up):
                the shear that would stand the digit upright; > 0 leans right
    width       the standard deviation of the ink's column positions

"With" and "without" are the top and bottom quarter of the images by the attribute.
Whether the vector works is measured, not assumed: along each row of decoded images the
attribute should grow at every step (``monotone_rows``).
"""
import numpy as np

ATTRIBUTES = ("thickness", "slant", "width")


def measure(images, attribute):
    """The attribute of each image (N, H, W, 1) in [0, 1]: (N,) in float64."""
    if attribute not in ATTRIBUTES:
        raise ValueError(f"the attribute must be one of {ATTRIBUTES}; got {attribute!r}")
    p = np.asarray(images, np.float64).sum(axis=-1)                     # (N, H, W) ink
    if attribute == "thickness":
        return p.mean(axis=(1, 2))
    mass = np.maximum(p.sum(axis=(1, 2)), 1e-12)                        # (N,)
    rows, cols = np.indices(p.shape[1:], dtype=np.float64)              # (H, W) each
    mean_r = (p * rows).sum(axis=(1, 2)) / mass
    mean_c = (p * cols).sum(axis=(1, 2)) / mass
    x = cols - mean_c[:, None, None]                                    # (N, H, W)
    if attribute == "width":
        return np.sqrt((p * x**2).sum(axis=(1, 2)) / mass)
    y = mean_r[:, None, None] - rows                                    # up is positive
    return (p * x * y).sum(axis=(1, 2)) / np.maximum((p * y**2).sum(axis=(1, 2)), 1e-12)


def concept_vector(codes, values, fraction=0.25):
    """The mean code of the images whose ``values`` are in the top ``fraction`` minus that of
    the bottom ``fraction``: codes (N, D), values (N,) -> (D,)."""
    if not 0 < fraction <= 0.5:
        raise ValueError(f"the fraction of images in each group must be in (0, 0.5]; got "
                         f"{fraction}")
    order = np.argsort(values, kind="stable")
    k = max(1, int(round(fraction * len(values))))
    return codes[order[-k:]].mean(axis=0) - codes[order[:k]].mean(axis=0)


def walk(z, vector, steps=9, reach=1.0):
    """Codes moved along ``vector``: row i is ``z[i] + t * vector`` for ``steps`` values of
    t evenly from -reach to +reach. z (n, D) -> (n * steps, D), row by row; and t."""
    t = np.linspace(-reach, reach, steps, dtype=np.float32)             # (steps,)
    codes = z[:, None, :] + t[None, :, None] * vector[None, None, :]    # (n, steps, D)
    return codes.reshape(-1, z.shape[1]).astype(np.float32), t


def monotone_rows(values):
    """The share of rows of ``values`` (n, steps) that grow at every step."""
    return float(np.mean(np.all(np.diff(values, axis=1) > 0, axis=1)))
