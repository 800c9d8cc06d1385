"""Drawing the pictures of a VAE from plain arrays, each into a PNG.

What each picture shows, and why it teaches something about a VAE, is said once, in
``npvae.pictures.report`` (which runs a model and hands the arrays to these functions). This module
only draws: it takes arrays or callables (never a model), checks them with
``npvae.pictures.inputs`` before drawing, and saves through ``npvae.pictures.png``
(a private Figure,
written atomically).

Orientation (the book's convention): in the manifold, tile (row i, column j) is the decode of
``z[dims[0]] = grid[j]``, ``z[dims[1]] = grid[i]``, so ``z[dims[0]]`` grows to the right and
``z[dims[1]]`` grows *downwards*. The scatter plot turns its y axis downwards too, so the two
pictures can be laid side by side: a cluster in the scatter's top left decodes in the
manifold's top left.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.ticker import MaxNLocator

from npvae.datasets.labels import check_labels
from npvae.losses import UNITS
from npvae.pictures import png
from npvae.pictures.inputs import as_finite, as_images, check_dims, count, history_curves
from npvae.pictures.style import (
    GAP,
    GREYS,
    PRIOR_WINDOW,
    draw_prior_window,
    normal_quantiles,
    scatter_by_label,
    tile_images,
)

_GRID_LOW, _GRID_HIGH = PRIOR_WINDOW
# A tiled picture's longer side, at most: thousands of rows would make a PNG taller than
# matplotlib can draw (2^16 pixels) and take gigabytes to draw; such a picture is scaled down.
_MAX_INCHES = 40

# --------------------------------------------------------------------------- the latent grid


def latent_grid(latent_dim: int, n: int = 15, dims=(0, 1), low: float = _GRID_LOW,
                high: float = _GRID_HIGH) -> tuple[np.ndarray, np.ndarray]:
    """Return the grid values (n,) and the grid's latent codes z (n*n, latent_dim), float32.

    ``grid = norm.ppf(linspace(low, high, n))``: points equally spaced in *probability* under the
    prior N(0, 1), so each covers the same share of prior mass (they crowd near 0, where codes
    are common). Row ``z[i*n + j]`` belongs to tile (row i, column j) and holds
    ``z[dims[0]] = grid[j]``, ``z[dims[1]] = grid[i]``; other dimensions are 0, the prior mean.
    """
    latent_dim, n = count("latent_dim", latent_dim), count("n", n)
    dims = check_dims(dims, latent_dim)
    if not 0 < low < high < 1:
        raise ValueError(f"need 0 < low < high < 1 (they are probabilities), got {low=}, {high=}")
    grid = normal_quantiles(np.linspace(low, high, n))
    rows, cols = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")  # each (n, n)
    z = np.zeros((n * n, latent_dim), dtype=np.float32)
    z[:, dims[0]] = grid[cols.ravel()]  # across the columns: left to right
    z[:, dims[1]] = grid[rows.ravel()]  # down the rows: top to bottom
    return grid, z


def manifold_image(decode, latent_dim: int, n: int = 15, dims=(0, 1)):
    """Decode the latent grid and tile it: return (grid (n,), image (n*H, n*W)).

    ``decode`` maps z (M, latent_dim) float32 to images (M, H, W, 1) in [0, 1]. All n*n codes
    go through it in one batch.
    """
    grid, z = latent_grid(latent_dim, n, dims)
    images = as_images("decode(z)", decode(z))
    if images.shape[0] != n * n:
        raise ValueError(f"decode(z) must return one image per code: expected {n * n} images "
                         f"for z of shape {z.shape}, got {images.shape[0]}")
    return grid, tile_images(images, ncols=n, gap=0)  # no gaps, as in the book


def balanced_columns(n: int, widest: int = 10) -> int:
    """Columns for ``n`` tiles: at most ``widest`` a row, the rows as even as they can be
    (16 tiles: two rows of 8, not 10 and 6); past ``widest`` rows, a square, so that the
    picture grows both ways."""
    rows = math.ceil(math.sqrt(n)) if n > widest ** 2 else math.ceil(n / widest)
    return math.ceil(n / rows)


# --------------------------------------------------------------------------- the pictures


def plot_manifold(decode, latent_dim: int, path, n: int = 15, dims=(0, 1),
                  show: bool = False) -> Path:
    """Draw the decoder's map of the latent plane spanned by ``dims``; return the PNG path."""
    path = png.png_path(path)
    grid, image = manifold_image(decode, latent_dim, n, dims)
    figure, axes = png.new_figure(8, 8.4)
    axes.imshow(image, cmap=GREYS, vmin=0, vmax=1, interpolation="nearest")
    tile = image.shape[0] / n
    ticks = np.unique(np.linspace(0, n - 1, min(n, 5)).round().astype(int))  # a few, not all n
    # Tick at tile centres; "+ 0.0" turns the -0.0 that rounding the middle value gives into 0.
    centres, labels = (ticks + 0.5) * tile - 0.5, [f"{round(grid[k], 2) + 0.0:.2f}" for k in ticks]
    axes.set_xticks(centres, labels)
    axes.set_yticks(centres, labels)
    axes.set_xlabel(f"z[{dims[0]}]  (grows to the right)")
    axes.set_ylabel(f"z[{dims[1]}]  (grows downwards)")
    others = " other dimensions = 0," if latent_dim > 2 else ""
    axes.set_title(f"Decoder's map of the latent space: z[{dims[0]}] vs z[{dims[1]}],{others}"
                   f"\n{n}x{n} grid at prior quantiles {_GRID_LOW:g}..{_GRID_HIGH:g}")
    return png.save(figure, path, show)


def plot_scatter(z_mean, labels, path, dims=(0, 1), show: bool = False,
                 label_names=None, variance=None) -> Path:
    """Draw encoder means z_mean (N, latent_dim) coloured by labels (N,): digits 0..9, or
    indices into ``label_names``; ``labels`` None draws every dot in one colour.

    ``variance`` given: z_mean holds the codes' principal components instead (N, 2), and
    ``variance`` the share of the codes' variance along each; the axes say so, and the
    manifold's window (a square in two latent dimensions, not in these) is left out."""
    path = png.png_path(path)
    z_mean = as_finite("z_mean", z_mean, ndim=2, shape_text="(N, latent_dim)")
    dims = check_dims(dims, z_mean.shape[1])
    figure, axes = png.new_figure(8, 7)
    x, y = z_mean[:, dims[0]], z_mean[:, dims[1]]
    if labels is None:
        axes.scatter(x, y, s=3, alpha=0.6)
    else:
        names = range(10) if label_names is None else list(label_names)
        scatter_by_label(axes, x, y, check_labels(labels, len(z_mean), len(names)), names,
                         "digit" if label_names is None else "label", s=3, alpha=0.6)
    axes.set_aspect("equal", adjustable="datalim")
    things = f"{len(z_mean)} {'digits' if label_names is None else 'images'}"
    if variance is not None:
        variance = as_finite("variance", variance, ndim=1, shape_text="(2,)")
        if variance.shape != (2,) or z_mean.shape[1] != 2:
            raise ValueError(f"principal components need z_mean (N, 2) and variance (2,), "
                             f"got shapes {z_mean.shape} and {variance.shape}")
        first, second = (f"principal component {i + 1} ({share:.0%} of variance)"
                         for i, share in enumerate(variance))
        axes.set(xlabel=first, ylabel=second, title=f"How the encoder arranges {things}: "
                 f"the first two principal components of z_mean")
        return png.save(figure, path, show)
    # The window the manifold decodes: dots outside it never appear in the manifold.
    draw_prior_window(axes, f"the manifold's window (prior {_GRID_LOW:.0%}-{_GRID_HIGH:.0%})")
    axes.invert_yaxis()  # downwards, like the manifold's rows (see the module docstring)
    axes.set_xlabel(f"z_mean[{dims[0]}]")
    axes.set_ylabel(f"z_mean[{dims[1]}]  (grows downwards)")
    axes.set_title(f"How the encoder arranges {things}: "
                   f"z_mean[{dims[0]}] vs z_mean[{dims[1]}]")
    axes.legend(loc="upper right", fontsize="small")
    return png.save(figure, path, show)


def plot_reconstructions(originals, reconstructions, path, note: str = "",
                         show: bool = False) -> Path:
    """Draw originals (n, H, W, 1) in the top row and their reconstructions below;
    ``note``, if given, is a second line of the title."""
    path = png.png_path(path)
    originals = as_images("originals", originals)
    reconstructions = as_images("reconstructions", reconstructions)
    if reconstructions.shape != originals.shape:
        raise ValueError(f"reconstructions must match originals: expected shape "
                         f"{originals.shape + (1,)}, got {reconstructions.shape + (1,)}")
    n = len(originals)
    canvas = tile_images(np.concatenate([originals, reconstructions]), ncols=n)
    figure, axes = _image_axes(canvas, width=min(1.0 * n + 2, 16))
    h = originals.shape[1]
    axes.set_yticks([(h - 1) / 2, h + GAP + (h - 1) / 2], ["original", "reconstruction"])
    axes.set_title("Inputs (top) and what the VAE rebuilds from their codes (bottom)"
                   + (f"\n{note}" if note else ""))
    return png.save(figure, path, show)


def plot_samples(images, path, ncols: int = 10, show: bool = False, label=None) -> Path:
    """Draw images (n, H, W, 1), e.g. decoded prior draws, in a grid ``ncols`` wide;
    ``label``: the name of the label a conditional decoder was given, for the title."""
    path = png.png_path(path)
    images, ncols = as_images("images", images), count("ncols", ncols)
    figure, axes = _image_axes(tile_images(images, ncols), width=min(0.8 * ncols + 1, 16))
    given = "" if label is None else f", label {label}"
    axes.set_title(f"{len(images)} samples: decoder(z{given}) with z drawn from the prior "
                   f"N(0, I)")
    return png.save(figure, path, show)


def plot_rows(images, row_names, path, title: str, show: bool = False) -> Path:
    """Draw images (rows * ncols, H, W, 1) as one row per name in ``row_names``, the names
    written at the left (a conditional model's labels, a concept's starting images)."""
    path = png.png_path(path)
    images = as_images("images", images)
    rows = len(row_names)
    if rows == 0 or len(images) % rows:
        raise ValueError(f"{len(images)} images do not fill {rows} rows evenly")
    ncols, h = len(images) // rows, images.shape[1]
    figure, axes = _image_axes(tile_images(images, ncols), width=min(0.8 * ncols + 1.5, 16))
    axes.set_yticks([k * (h + GAP) + (h - 1) / 2 for k in range(rows)],
                    [str(name) for name in row_names])
    axes.set_title(title)
    return png.save(figure, path, show)


def plot_interpolation(images, path, show: bool = False) -> Path:
    """Draw images (n, H, W, 1), decoded along a line between two codes, in one row."""
    path = png.png_path(path)
    images = as_images("images", images)
    n, w = len(images), images.shape[2]
    figure, axes = _image_axes(tile_images(images, ncols=n), width=min(1.0 * n + 1, 16))
    axes.set_xticks([(w - 1) / 2, (n - 1) * (w + GAP) + (w - 1) / 2], ["start", "end"])
    axes.set_title("Interpolation: decoder(z) along a straight line between two codes")
    return png.save(figure, path, show)


def plot_history(history, path, points=(), show: bool = False) -> Path:
    """Draw per-epoch loss curves (train solid, test dashed) from a list of epoch dicts,
    and, if given, ``points`` within epochs, dicts with "epoch" (a fraction) and
    "train_loss"."""
    path = png.png_path(path)
    curves = history_curves(history)
    figure = png.blank_figure(12, 5.5)
    grid = figure.add_gridspec(2, 2)
    total = figure.add_subplot(grid[:, 0])
    # Each term on its own axes: KL is often 10-100x smaller than reconstruction, and on
    # two scales sharing one panel a single epoch's points would lie on top of each other.
    parts, parts_kl = (figure.add_subplot(grid[row, 1], sharex=total) for row in (0, 1))
    # Markers tell train from test where a line cannot: a one-epoch run has single points.
    for split, style, face in (("train", "-o", None), ("test", "--s", "white")):
        for axes, key, name, colour in ((total, "loss", "loss", "k"),
                                        (parts, "reconstruction", "reconstruction", "tab:blue"),
                                        (parts_kl, "kl", "KL", "tab:orange")):
            epochs, values = curves[f"{split}_{key}"]
            if epochs:  # a run without a test set has no test curves at all
                axes.plot(epochs, values, style, color=colour, ms=5, mfc=face,
                          label=f"{split} {name}")
    if points:  # the training loss within epochs too: a one-epoch run still shows a curve
        within = sorted([(p["epoch"], p["train_loss"]) for p in points]
                        + list(zip(*curves["train_loss"])))
        total.plot(*zip(*within), "-", color="0.6", lw=1, zorder=1,
                   label="train loss, mean of the epoch so far")
    scales = [_readable_scale(axes) for axes in (total, parts, parts_kl)]
    total.set(title="The loss being minimised", xlabel="epoch",
              ylabel=f"loss ({UNITS}{scales[0]})")
    parts.set(title="The two terms of the loss", ylabel=f"reconstruction ({UNITS}{scales[1]})")
    parts_kl.set(xlabel="epoch", ylabel=f"KL divergence ({UNITS}{scales[2]})")
    parts.tick_params(labelbottom=False)  # the KL panel below names the epochs
    total.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    for axes in (total, parts, parts_kl):
        axes.legend(fontsize="small")
    return png.save(figure, path, show)


def _readable_scale(axes, spread=100.0):
    """Put ``axes`` on a log scale if its curves span more than ``spread`` times (a first
    epoch's spike at 1e9 would flatten every later epoch onto the axis); return the words
    its label gets, ", log scale", or ""."""
    values = np.concatenate([line.get_ydata() for line in axes.get_lines()] or [[1.0]])
    values = values[np.isfinite(values)]
    if values.size and values.min() > 0 and values.max() > spread * values.min():
        axes.set_yscale("log")
        return ", log scale"
    return ""


def _image_axes(canvas: np.ndarray, width: float):
    """A figure showing ``canvas`` (a tiled picture) at its own aspect ratio, without ticks."""
    height = width * canvas.shape[0] / canvas.shape[1] + 0.5  # + room for the title
    scale = min(1.0, _MAX_INCHES / max(width, height))
    figure, axes = png.new_figure(width * scale, height * scale)
    axes.imshow(canvas, cmap=GREYS, vmin=0, vmax=1, interpolation="nearest")
    axes.set_xticks([])
    axes.set_yticks([])
    return figure, axes
