"""Folders of generated pictures for the tests: discs and squares at random places and sizes.

Drawn with NumPy (not with the code under test) and written with Pillow, so nothing is
downloaded and each folder is the same for the same seed.
"""
import numpy as np
from PIL import Image


def shape_picture(rng, size, kind, colour=True):
    """A (size, size, 3) or (size, size) uint8 picture: a disc or a square on a dark ground."""
    yy, xx = np.mgrid[:size, :size]
    radius = rng.uniform(size / 8, size / 3)
    cy, cx = rng.uniform(radius, size - radius, 2)
    if kind == "disc":
        inside = (yy - cy) ** 2 + (xx - cx) ** 2 <= radius ** 2
    else:
        inside = (abs(yy - cy) <= radius) & (abs(xx - cx) <= radius)
    ink = rng.integers(128, 256, 3 if colour else 1).astype(np.uint8)
    picture = np.zeros((size, size, 3 if colour else 1), np.uint8)
    picture[inside] = ink
    return picture if colour else picture[..., 0]


def write_shapes(folder, n, size=16, colour=True, labelled=True, seed=0, suffix=".png"):
    """Write n pictures under ``folder`` (in disc/ and square/ if ``labelled``); return
    their paths."""
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(n):
        kind = ("disc", "square")[i % 2]
        target = (folder / kind) if labelled else folder
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"{i:04d}{suffix}"
        Image.fromarray(shape_picture(rng, size, kind, colour)).save(path)
        paths.append(path)
    return paths
