"""Bringing a picture to the size the model takes: crop to the aspect ratio, then resize.

The model needs every image the same height H and width W, each even and at least 8 (the
encoder halves the size once and the decoder doubles it back, so an odd side would come
back one pixel short). A picture of another shape is first cropped about its centre to
the aspect ratio W / H, so that nothing is stretched, and then resized to H x W with
Pillow's LANCZOS filter (a windowed sinc: sharp, and it averages over the source pixels
when shrinking, so there is no aliasing).
"""
import re

import numpy as np
from PIL import Image

MIN_SIDE = 8
RESAMPLING = Image.Resampling.LANCZOS


def image_size(value):
    """``value`` (None, N, (H, W), or the text "N" / "HxW") as None or (H, W); a one-line
    ``ValueError`` unless both sides are even and at least 8."""
    if value is None:
        return None
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+)\s*(?:[xX]\s*(\d+)\s*)?", value)
        if match is None:
            raise ValueError(f"image size must be N or HxW (e.g. 32 or 48x64); got {value!r}")
        h, w = match.groups()
        value = int(h) if w is None else (int(h), int(w))
    sides = (value, value) if isinstance(value, int) else tuple(value)
    if len(sides) != 2 or not all(isinstance(side, int) for side in sides):
        raise ValueError(f"image size must be N or (H, W), whole numbers; got {value!r}")
    check_model_size(sides, "the image size asked for")
    return sides


def check_model_size(sides, what):
    """Raise ``ValueError`` unless (H, W) are both even and at least ``MIN_SIDE``."""
    if all(side >= MIN_SIDE and side % 2 == 0 for side in sides):
        return
    h, w = sides
    even = [max(MIN_SIDE, side + side % 2) for side in sides]
    raise ValueError(f"{what} is {h}x{w}, but the model takes even heights and widths from "
                     f"{MIN_SIDE} up: ask for an image size such as {even[0]}x{even[1]} "
                     f"(--image-size)")


def centre_box(width, height, size):
    """The largest box (left, top, right, bottom) of the aspect ratio of ``size`` (H, W)
    centred in a width x height picture."""
    h, w = size
    if width * h > height * w:            # too wide: keep the height, trim the sides
        crop_w, crop_h = height * w / h, height
    else:                                 # too tall: keep the width, trim top and bottom
        crop_w, crop_h = width, width * h / w
    left, top = (width - crop_w) / 2, (height - crop_h) / 2
    return (left, top, left + crop_w, top + crop_h)


def crop_and_resize(image, size):
    """``image`` (a PIL image) cropped about its centre to the aspect of ``size`` (H, W),
    then resized to it with LANCZOS. One step: Pillow resamples the box directly."""
    h, w = size
    if image.size == (w, h):
        return image
    return image.resize((w, h), RESAMPLING, box=centre_box(*image.size, size))


def fit_images(x, size=None, channels=None):
    """Images x (N, H, W, C) uint8 brought to ``size`` (H, W) and ``channels`` (1 or 3);
    x itself when it already fits. Colour to gray uses Pillow's "L" (ITU-R 601-2 luma)."""
    to_size = size is not None and tuple(x.shape[1:3]) != tuple(size)
    to_gray = channels == 1 and x.shape[-1] == 3
    if to_size or to_gray:
        mode = "L" if x.shape[-1] == 1 or to_gray else "RGB"
        fitted = []
        for image in x:
            picture = Image.fromarray(image[..., 0] if x.shape[-1] == 1 else image)
            picture = picture.convert(mode)
            fitted.append(np.asarray(crop_and_resize(picture, size) if to_size else picture))
        x = np.stack(fitted).reshape(len(x), *fitted[0].shape[:2], -1)
    if channels == 3 and x.shape[-1] == 1:
        x = np.repeat(x, 3, axis=-1)
    return x
