"""Boxes, arrows and grids of numbers: what the guide's diagrams are drawn with.

Each diagram is one matplotlib Figure (``npvae.pictures.png``: private, no pyplot, saved
atomically) with one Axes whose data coordinates are the diagram's own units, and no
axis lines: a diagram is a drawing, not a plot.
"""
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from npvae.pictures import png

# One colour per role, the same in every diagram, so that a learner can read them across
# chapters: the encoder blue, the decoder green, random draws orange, gradients red.
ENCODER, DECODER, RANDOM, GRADIENT = "#4c72b0", "#55a868", "#dd8452", "#c44e52"
DATA, INK = "#e8e8e8", "#222222"
DPI = 100


def canvas(width, height, xlim, ylim):
    """A figure of ``width`` x ``height`` inches with one blank Axes spanning ``xlim``,
    ``ylim`` in data units, equal in both directions (a circle stays round)."""
    figure, axes = png.new_figure(width, height)
    axes.set_xlim(*xlim)
    axes.set_ylim(*ylim)
    axes.set_aspect("equal")
    axes.axis("off")
    return figure, axes


def save(figure, path):
    """Write ``figure`` to ``path`` (a PNG) at the guide's resolution; return the path."""
    figure.set_dpi(DPI)
    return png.save(figure, png.png_path(path))


def box(axes, centre, width, height, text, colour=DATA, edge=INK, size=10, weight="normal",
        rounded=True, text_colour=INK, alpha=1.0):
    """A (rounded) box centred at ``centre`` with ``text`` in its middle."""
    x, y = centre
    style = "round,pad=0,rounding_size=0.12" if rounded else "square,pad=0"
    axes.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                  boxstyle=style, facecolor=colour, edgecolor=edge, lw=1.2,
                                  alpha=alpha))
    if text:
        axes.text(x, y, text, ha="center", va="center", fontsize=size, weight=weight,
                  color=text_colour)


def arrow(axes, start, end, colour=INK, width=1.5, style="-|>", dashed=False, bend=0.0,
          text=None, text_offset=(0, 0), size=9, shrink=2):
    """An arrow from ``start`` to ``end`` (bent by ``bend``, as a fraction of its
    length), with an optional label at its middle moved by ``text_offset``."""
    axes.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=14,
                                   color=colour, lw=width, linestyle="--" if dashed else "-",
                                   connectionstyle=f"arc3,rad={bend}", shrinkA=shrink,
                                   shrinkB=shrink))
    if text:
        middle = (np.add(start, end) / 2) + np.asarray(text_offset)
        axes.text(*middle, text, ha="center", va="center", fontsize=size, color=colour)


def number_grid(axes, values, corner, cell=1.0, colours=None, size=10, fmt="{:g}",
                edge="#888888", faint=()):
    """Draw the 2-D array ``values`` as a grid of numbered cells, row 0 at the top, its
    top-left corner at ``corner``; ``colours[i][j]`` (or None) fills a cell, and cells
    listed in ``faint`` are written in grey (a zero nobody painted)."""
    rows, cols = np.shape(values)
    left, top = corner
    for i in range(rows):
        for j in range(cols):
            fill = colours[i][j] if colours is not None and colours[i][j] else "white"
            axes.add_patch(Rectangle((left + j * cell, top - (i + 1) * cell), cell, cell,
                                     facecolor=fill, edgecolor=edge, lw=0.8))
            axes.text(left + (j + 0.5) * cell, top - (i + 0.5) * cell, fmt.format(values[i][j]),
                      ha="center", va="center", fontsize=size,
                      color="#aaaaaa" if (i, j) in faint else INK)


def outline(axes, corner, rows, cols, cell=1.0, colour=INK, width=2.5):
    """A thick frame around the cells (rows x cols) whose top-left corner is ``corner``."""
    left, top = corner
    axes.add_patch(Rectangle((left, top - rows * cell), cols * cell, rows * cell, fill=False,
                             edgecolor=colour, lw=width))
