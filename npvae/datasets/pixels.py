"""What the Bernoulli loss needs of an image: finite pixels, each in [0, 1] (and what a
model needs of a batch: its image shape and dtype, ``check_images``).

The reconstruction term treats every pixel as the probability of a coin coming up
"on"; a value of 255 or -1 is no probability, and its cross-entropy is meaningless
(on 0..255 images it comes out around 1e14 nats, without an error of its own).
"""
import numpy as np


def check_pixels(x, source):
    """Raise ``ValueError`` naming ``source`` unless every value of x is in [0, 1].

    Two reductions (min and max) see every value once; a NaN fails both comparisons,
    so it is caught too.
    """
    if x.size == 0:
        return
    low, high = x.min(), x.max()
    if low >= 0 and high <= 1:
        return
    if not (np.isfinite(low) and np.isfinite(high)):
        flat = np.isfinite(x.reshape(len(x), -1))
        bad = int(np.argwhere(~flat)[0][0])
        raise ValueError(f"{source} contain NaN or infinite values (the first in image "
                         f"{bad}); clean the data first")
    hint = (" (images in 0..255? scale them with x / 255)" if high > 1 and high <= 255
            and low >= 0 else "")
    raise ValueError(f"{source} must have pixels in [0, 1] (the Bernoulli loss reads them "
                     f"as probabilities); found values in [{low:.4g}, {high:.4g}]{hint}")


def check_images(x, shape, dtype, source):
    """Raise ``ValueError`` naming ``source`` unless x is (N, H, W, C) with (H, W, C) =
    ``shape`` and N >= 1, of ``dtype``, with pixels in [0, 1]."""
    expected = tuple(shape)
    if not isinstance(x, np.ndarray) or x.ndim != 4 or x.shape[1:] != expected \
            or len(x) == 0:
        got = (f"shape {x.shape}" if isinstance(x, np.ndarray)
               else f"a {type(x).__name__}")
        given = getattr(x, "shape", ())
        hint = (" (one image? add a batch axis: x[None])" if given == expected else
                " (no channel axis? add one: x[..., None])" if given[1:] == expected[:-1]
                else "")
        raise ValueError(f"{source} must have shape (N, {', '.join(map(str, expected))}) "
                         f"with N >= 1; got {got}{hint}")
    if x.dtype != dtype:
        name = np.dtype(dtype).name
        fix = (f"scale them to [0, 1]: x.astype(np.{name}) / 255, or "
               f"npvae.datasets.as_float_images(x)" if x.dtype == np.uint8 else
               f"convert with .astype(np.{name})")
        raise ValueError(f"{source} must have dtype {name}; got {x.dtype.name} ({fix})")
    check_pixels(x, source)


def as_float_images(x, dtype=np.float32):
    """Images as the model takes them: uint8 0..255 scaled to [0, 1] in ``dtype`` (a
    new array), anything else returned as it is (the model checks it)."""
    if x.dtype != np.uint8:
        return x
    images = x.astype(dtype)
    images /= np.dtype(dtype).type(255)  # the same rounding as load_mnist's x / 255
    return images
