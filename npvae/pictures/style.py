"""How npvae's pictures look, said once: the greys, the gaps between tiled images, the
prior's window, one colour per label.

The fixed pictures (``npvae.pictures.plots``) and the explorer (``npvae.explorer.view``) both draw
decoded images, tiles of them, codes coloured by label and the window of codes the
manifold decodes; drawn from here, they look the same in both, and a label has the same
colour in the scatter plot and in the explorer's plane.
"""
import matplotlib
import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap

# Greys_r draws 0 black and 1 white, like MNIST. NaN (gaps between tiles) is drawn white.
GREYS = matplotlib.colormaps["Greys_r"].with_extremes(bad="white")
GAP = 2  # white pixels between tiled images, so neighbours do not merge into one picture
# Probabilities: the manifold's grid avoids the prior's far tails, and the window drawn
# over the codes is the square it covers.
PRIOR_WINDOW = (0.05, 0.95)


def normal_quantiles(probabilities):
    """``scipy.stats.norm.ppf``: the standard normal's quantiles, as the book's grid uses.

    Computed by ``scipy.special.ndtri``, the function ``norm.ppf`` calls: importing all of
    scipy.stats would make ``npvae explore`` wait seconds for one function. Imported
    here, when a picture needs it, not with the module.
    """
    from scipy.special import ndtri
    return ndtri(probabilities)


def draw_prior_window(axes, label):
    """The square of codes the manifold decodes, the prior's window in each of the plane's
    two dimensions: dashed, named ``label`` in the legend."""
    edge = normal_quantiles(PRIOR_WINDOW)
    axes.plot(edge[[0, 1, 1, 0, 0]], edge[[0, 0, 1, 1, 0]], "k--", lw=1, label=label)


def tile_images(images: np.ndarray, ncols: int, gap: int = GAP) -> np.ndarray:
    """Arrange images (n, H, W) or colour (n, H, W, 3) row by row into one picture,
    ``gap`` pixels apart.

    Image k lands in row k // ncols, column k % ncols. The result has shape
    (rows*(H+gap) - gap, ncols*(W+gap) - gap[, 3]); gaps and unused cells are NaN (drawn
    white) in gray, 1 (white) in colour, as imshow draws no NaN in an RGB picture.
    """
    n, h, w = images.shape[:3]
    rows = -(-n // ncols)  # ceiling division
    canvas = np.full((rows * (h + gap) - gap, ncols * (w + gap) - gap) + images.shape[3:],
                     np.nan if images.ndim == 3 else 1.0, np.float32)
    for k, image in enumerate(images):
        top, left = (k // ncols) * (h + gap), (k % ncols) * (w + gap)
        canvas[top:top + h, left:left + w] = image
    return canvas


def label_colours(k):
    """k colours, one per label: the first k of a qualitative palette (two labels get
    blue and orange, far apart, not the two ends of a palette of ten), or for more than
    20 labels k steps of a continuous one."""
    if k <= 20:
        return ListedColormap(matplotlib.colormaps["tab10" if k <= 10 else "tab20"].colors[:k])
    return matplotlib.colormaps["viridis"].resampled(k)


def scatter_by_label(axes, x, y, labels, names, title, pad=0.05, **dots):
    """Dots at (x, y), label d in colour d of ``label_colours(len(names))``, and a colour
    bar titled ``title`` that names the labels (up to 20 of them); return the bar."""
    k = len(names)
    # Boundaries at half-integers map label d to colour d exactly.
    points = axes.scatter(x, y, c=labels, cmap=label_colours(k),
                          norm=BoundaryNorm(np.arange(-0.5, k), k), **dots)
    colorbar = axes.figure.colorbar(points, ax=axes, ticks=range(k) if k <= 20 else None,
                                    pad=pad)
    if k <= 20:
        colorbar.set_ticklabels([str(name) for name in names])
    colorbar.set_label(title)
    colorbar.solids.set_alpha(1)  # the key should not be as faint as the dots
    return colorbar
