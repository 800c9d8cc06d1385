"""The transposed convolution painting patches: chapter 3's example, drawn.

A 2x2 input, a 3x3 kernel W = 1..9, stride 2, no padding, so a 5x5 output. Each input
pixel multiplies the whole kernel and paints it onto the output with its top-left
corner at (2i, 2j); where two patches overlap (the middle column) they add. Every number
is computed by npvae's own ``Conv2DTranspose``: each patch is the layer applied to one
pixel alone, and the output is the layer applied to the whole input (checked equal to
the sum of the patches).
"""
import diagram
import numpy as np

from npvae import Conv2DTranspose

FIRST, SECOND, BOTH = "#c6dbef", "#fdd0a2", "#dcc6e8"


def compute():
    """The input (2, 2), the kernel (3, 3), each pixel's patch {(i, j): (5, 5)} and the
    output (5, 5), all from npvae's layer."""
    up = Conv2DTranspose(1, 1, 3, stride=2, padding="valid", dtype=np.float64)
    up.params["W"][...] = np.arange(1.0, 10.0).reshape(3, 3, 1, 1)    # (kh, kw, O, C)
    x = np.array([[1.0, 10.0], [0.0, 0.0]])
    patches = {}
    for i, j in np.ndindex(x.shape):
        alone = np.zeros_like(x)
        alone[i, j] = x[i, j]
        patches[i, j] = up(alone.reshape(1, 2, 2, 1))[0, :, :, 0]
    output = up(x.reshape(1, 2, 2, 1))[0, :, :, 0]
    assert np.allclose(output, sum(patches.values())), "the patches must add up to the output"
    return x, up.params["W"][:, :, 0, 0], patches, output


def draw(path):
    x, W, patches, output = compute()
    figure, axes = diagram.canvas(13, 4.6, (-0.3, 24.0), (-1.9, 7.6))
    diagram.number_grid(axes, x, (0.4, 5.6), cell=1.2, size=13, fmt="{:.0f}",
                        colours=[[FIRST, SECOND], ["white", "white"]])
    axes.text(1.6, 6.0, "input x (2x2)", ha="center", fontsize=12, weight="bold")
    diagram.number_grid(axes, W, (0.4, 2.2), cell=0.8, size=10, fmt="{:.0f}",
                        colours=[["#eeeeee"] * 3] * 3)
    axes.text(1.6, 2.5, "kernel W (3x3)", ha="center", fontsize=11, weight="bold")
    axes.text(1.6, -0.5, "same colour: the pixel\nand the patch it paints;\npixels worth 0 "
              "paint nothing", ha="center", va="top", fontsize=9.5,
              color="#666666")

    painted = {(0, 0): (5.0, FIRST), (0, 1): (11.5, SECOND)}
    for (i, j), (left, colour) in painted.items():
        patch = patches[i, j]
        fill = [[colour if patch[r, c] else None for c in range(5)] for r in range(5)]
        diagram.number_grid(axes, patch, (left, 6.0), colours=fill, size=10, fmt="{:.0f}",
                            faint={(r, c) for r in range(5) for c in range(5) if not patch[r, c]})
        axes.text(left + 2.5, 6.5, f"{x[i, j]:.0f} × W, corner at ({2 * i}, {2 * j})",
                  ha="center", fontsize=11, weight="bold")
    axes.text(10.75, 3.5, "+", ha="center", va="center", fontsize=24)
    axes.text(17.25, 3.5, "=", ha="center", va="center", fontsize=24)

    both = (patches[0, 0] != 0) & (patches[0, 1] != 0)
    fill = [[BOTH if both[r, c] else FIRST if patches[0, 0][r, c] else
             SECOND if patches[0, 1][r, c] else None for c in range(5)] for r in range(5)]
    diagram.number_grid(axes, output, (18.0, 6.0), colours=fill, size=10, fmt="{:.0f}",
                        faint={(r, c) for r in range(5) for c in range(5) if not output[r, c]})
    diagram.outline(axes, (20.0, 6.0), 3, 1, colour="#7b3294")
    axes.text(20.5, 6.5, "output (5x5)", ha="center", fontsize=12, weight="bold")
    sums = ", ".join(f"{patches[0, 0][r, 2]:.0f} + {patches[0, 1][r, 2]:.0f} = "
                     f"{output[r, 2]:.0f}" for r in range(3))
    axes.text(20.5, 0.6, f"the middle column: both patches add,\n{sums}", ha="center",
              va="top", fontsize=10, color="#7b3294")
    return diagram.save(figure, path)
