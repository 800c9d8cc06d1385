"""im2col on chapter 2's worked example: a 4x4 image, a 2x2 kernel, no padding, stride 1.

Every number is computed by npvae: the window matrix by ``npvae.im2col.im2col``, the
output by ``cols @ W``. Three of the nine windows are coloured, in the image, as rows of
the window matrix, and as the output pixels they make, so the eye can follow a window
from where it sits to the one number it becomes.
"""
import diagram
import numpy as np

from npvae.im2col import im2col

SHOWN = {0: ("#c6dbef", "#2171b5"), 4: ("#fdd0a2", "#d94801"), 8: ("#c7e9c0", "#238b45")}


def compute():
    """The example of docs/02: x (1, 4, 4, 1), cols (9, 4), W (2, 2), y (3, 3)."""
    x = np.arange(16, dtype=np.float64).reshape(1, 4, 4, 1)
    cols = im2col(x, 2, 2, 1, (0, 0, 0, 0))                 # (N*Ho*Wo, kh*kw*C) = (9, 4)
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = (cols @ W.reshape(4, 1)).reshape(3, 3)
    return x[0, :, :, 0], cols, W, y


def draw(path):
    image, cols, W, y = compute()
    figure, axes = diagram.canvas(13, 6.4, (-0.6, 24.4), (-0.4, 12.0))
    fill = [[None] * 4 for _ in range(4)]
    diagram.number_grid(axes, image, (0.5, 9.5), colours=fill, size=12)
    for r, (_, strong) in SHOWN.items():   # the window of row r: top-left at (r // 3, r % 3)
        i, j = divmod(r, 3)
        inset = 0.06 * (list(SHOWN).index(r) - 1)
        diagram.outline(axes, (0.5 + j + inset, 9.5 - i - inset), 2, 2, colour=strong)
    axes.text(2.5, 10.0, "image x (4x4)", ha="center", fontsize=12, weight="bold")
    diagram.number_grid(axes, W, (1.5, 3.5), size=12, colours=[["#eeeeee"] * 2] * 2)
    axes.text(2.5, 4.0, "kernel W (2x2)", ha="center", fontsize=12, weight="bold")

    rows = [[SHOWN.get(r, (None,))[0]] * 4 for r in range(9)]
    diagram.number_grid(axes, cols, (8.0, 10.5), colours=rows, size=11)
    axes.text(10.0, 11.0, "cols = im2col(x)  (9x4)", ha="center", fontsize=12, weight="bold")
    for r in range(9):
        axes.text(7.8, 10.0 - r, f"window {r}, corner ({r // 3}, {r % 3})", ha="right",
                  va="center", fontsize=9, color=SHOWN.get(r, (0, "#555555"))[1])
    for k in range(4):   # the kernel's order (p, q, c): the order W is flattened in
        axes.text(8.5 + k, 1.05, f"({k // 2}, {k % 2})", ha="center", va="center", fontsize=9,
                  color="#555555")
    axes.text(10.0, 0.45, "pixel (p, q) of each window", ha="center", va="center",
              fontsize=9, color="#555555")

    axes.text(12.75, 6.0, "@", ha="center", va="center", fontsize=20)
    diagram.number_grid(axes, W.reshape(4, 1), (13.5, 8.0), size=12,
                        colours=[["#eeeeee"]] * 4)
    axes.text(14.0, 8.5, "W as\n(4x1)", ha="center", fontsize=10)
    axes.text(15.4, 6.0, "=", ha="center", va="center", fontsize=20)
    column = [[SHOWN.get(r, (None,))[0]] for r in range(9)]
    diagram.number_grid(axes, y.reshape(9, 1), (16.0, 10.5), colours=column, size=11,
                        cell=1.0, fmt="{:.0f}")
    axes.text(16.5, 11.0, "cols @ W", ha="center", fontsize=12, weight="bold")

    diagram.arrow(axes, (17.3, 6.0), (19.2, 6.0), text="reshape", text_offset=(0, 0.45))
    grid = [[SHOWN.get(3 * i + j, (None,))[0] for j in range(3)] for i in range(3)]
    diagram.number_grid(axes, y, (19.6, 7.5), colours=grid, size=11, fmt="{:.0f}",
                        cell=1.5)
    axes.text(21.85, 8.0, "output y (3x3)", ha="center", fontsize=12, weight="bold")
    terms = " + ".join(f"{a:.0f}*{w:.0f}" for a, w in zip(cols[0], W.ravel()))
    axes.text(21.85, 2.1, f"y[0, 0] = {terms}\n= {y[0, 0]:.0f}", ha="center", va="center",
              fontsize=10, color=SHOWN[0][1])
    return diagram.save(figure, path)
