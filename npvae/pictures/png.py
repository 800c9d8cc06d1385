"""Figures that become PNG files: a private Figure, an atomic save, an optional window.

Every picture of npvae is drawn on its own ``matplotlib.figure.Figure`` (pyplot never hears
of it, so importing the drawing code changes no global matplotlib state and no display is
needed), then saved atomically: the PNG goes to a hidden temporary file in the same folder
and is renamed onto its path, so a failure midway never replaces a good picture with half
of one.
"""
from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import matplotlib.image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from npvae.storage.atomic import atomic_write


def png_path(path) -> Path:
    """``path`` as a Path; a ValueError unless it ends in .png (it is written as PNG)."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ValueError(f"the picture's path must end in .png (it is written as PNG), "
                         f"got {str(path)!r}")
    return path


def new_figure(width: float, height: float, ncols: int = 1):
    """A fresh figure with ``ncols`` Axes side by side; it needs no closing."""
    figure = blank_figure(width, height)
    return figure, figure.subplots(1, ncols)


def blank_figure(width: float, height: float):
    """A fresh figure without Axes, for a layout of one's own; it needs no closing."""
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save(figure: Figure, path: Path, show: bool = False) -> Path:
    """Write ``figure`` to ``path`` so that it always holds a whole picture, old or new;
    with ``show``, then open the saved file in a window."""
    with atomic_write(path) as file:
        figure.savefig(file, format="png")
    if show:
        show_png(path)
    return path


def display_available() -> bool:
    """Windows and macOS always have a screen; elsewhere a GUI needs X11 or Wayland."""
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def show_png(path: Path) -> None:
    """Open the saved PNG in a pyplot window (blocks until it is closed), or warn and skip."""
    if not display_available():
        warnings.warn(f"show=True but no display was found (DISPLAY and WAYLAND_DISPLAY are "
                      f"unset); the picture was saved to {path} but not shown", stacklevel=4)
        return
    import matplotlib.pyplot as plt  # only here: importing pyplot chooses a GUI backend

    image = matplotlib.image.imread(path)  # (height, width, 4)
    figure = plt.figure(figsize=(image.shape[1] / 100, image.shape[0] / 100), dpi=100)
    figure.figimage(image)  # the saved pixels, one to one
    plt.show()  # on a non-GUI backend matplotlib itself warns instead of showing
    plt.close(figure)
