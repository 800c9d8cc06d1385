"""Pictures that make a VAE understandable, each saved as a PNG.

A VAE has two halves, and each picture looks at one of them:

- ``plot_manifold``: the *decoder's* map of the latent space. A grid of codes over two latent
  dimensions, each decoded. Digits that morph smoothly into each other show the decoder learned
  a continuous space, not a lookup table.
- ``plot_scatter``: how the *encoder* arranges real digits, one dot per test image at its mean
  code, coloured by label. Clusters appear without the encoder ever seeing a label; the KL term
  keeps the whole cloud near the prior N(0, I).
- ``plot_reconstructions``: inputs above their reconstructions. What survives the squeeze through
  a few numbers (shape, slant) and what does not (fine detail).
- ``plot_samples``: decoded draws from the prior. This works only because the KL term made the
  encoder fill the region where the prior puts its mass.
- ``plot_interpolation``: decodes along a straight line between two codes.
- ``plot_history``: the loss, and its two terms: the tug of war between "copy the input"
  (reconstruction) and "keep codes close to the prior" (KL).

Orientation (the seed's convention): in the manifold, tile (row i, column j) is the decode of
``z[dims[0]] = grid[j]``, ``z[dims[1]] = grid[i]``, so ``z[dims[0]]`` grows to the right and
``z[dims[1]]`` grows *downwards*. The scatter plot turns its y axis downwards too, so the two
pictures can be laid side by side: a cluster in the scatter's top left decodes in the
manifold's top left.

Every function takes plain arrays or callables (never a model), draws on its own
``matplotlib.figure.Figure`` (so importing this module changes no global matplotlib state), and
saves atomically: the PNG is written to a hidden temporary file in the same folder and renamed
onto ``path``, so a failure midway never replaces a good picture with half of one.
"""

from __future__ import annotations

import operator
import os
import sys
import warnings
from pathlib import Path

import matplotlib
import matplotlib.image
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure

from npvae.atomic import atomic_write

# Greys_r draws 0 black and 1 white, like MNIST. NaN (gaps between tiles) is drawn white.
_GREYS = matplotlib.colormaps["Greys_r"].with_extremes(bad="white")
_GRID_LOW, _GRID_HIGH = 0.05, 0.95  # probabilities: the grid avoids the prior's far tails
_GAP = 2  # white pixels between tiled images, so neighbours do not merge into one picture

# --------------------------------------------------------------------------- the latent grid


def normal_quantiles(probabilities):
    """``scipy.stats.norm.ppf``: the standard normal's quantiles, as the seed's grid uses.

    scipy.stats is imported here, when a picture needs it, not with the module: the
    import takes half a second, which every start of ``npvae train`` would pay first.
    """
    from scipy.stats import norm
    return norm.ppf(probabilities)


def latent_grid(latent_dim: int, n: int = 15, dims=(0, 1), low: float = _GRID_LOW,
                high: float = _GRID_HIGH) -> tuple[np.ndarray, np.ndarray]:
    """Return the grid values (n,) and the grid's latent codes z (n*n, latent_dim), float32.

    ``grid = norm.ppf(linspace(low, high, n))``: points equally spaced in *probability* under the
    prior N(0, 1), so each covers the same share of prior mass (they crowd near 0, where codes
    are common). Row ``z[i*n + j]`` belongs to tile (row i, column j) and holds
    ``z[dims[0]] = grid[j]``, ``z[dims[1]] = grid[i]``; other dimensions are 0, the prior mean.
    """
    latent_dim, n = _positive_int("latent_dim", latent_dim), _positive_int("n", n)
    dims = _check_dims(dims, latent_dim)
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
    images = _as_images("decode(z)", decode(z))
    if images.shape[0] != n * n:
        raise ValueError(f"decode(z) must return one image per code: expected {n * n} images "
                         f"for z of shape {z.shape}, got {images.shape[0]}")
    return grid, tile_images(images, ncols=n, gap=0)  # no gaps, as in the seed


def tile_images(images: np.ndarray, ncols: int, gap: int = _GAP) -> np.ndarray:
    """Arrange images (n, H, W) or colour (n, H, W, 3) row by row into one picture, ``gap``
    pixels apart.

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

# --------------------------------------------------------------------------- the pictures


def plot_manifold(decode, latent_dim: int, path, n: int = 15, dims=(0, 1),
                  show: bool = False) -> Path:
    """Draw the decoder's map of the latent plane spanned by ``dims``; return the PNG path."""
    path = _png_path(path)
    grid, image = manifold_image(decode, latent_dim, n, dims)
    figure, axes = _new_figure(8, 8.4)
    axes.imshow(image, cmap=_GREYS, vmin=0, vmax=1, interpolation="nearest")
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
    return _finish(figure, path, show)


def plot_scatter(z_mean, labels, path, dims=(0, 1), show: bool = False,
                 label_names=None) -> Path:
    """Draw encoder means z_mean (N, latent_dim) coloured by labels (N,): digits 0..9, or
    indices into ``label_names``; ``labels`` None draws every dot in one colour."""
    path = _png_path(path)
    z_mean = _as_finite("z_mean", z_mean, ndim=2, shape_text="(N, latent_dim)")
    dims = _check_dims(dims, z_mean.shape[1])
    figure, axes = _new_figure(8, 7)
    x, y = z_mean[:, dims[0]], z_mean[:, dims[1]]
    if labels is None:
        axes.scatter(x, y, s=3, alpha=0.6)
    else:
        names = [str(d) for d in range(10)] if label_names is None else list(label_names)
        labels = _check_labels(labels, len(z_mean), len(names))
        k = len(names)
        # One colour per label: boundaries at half-integers map label d to colour d exactly.
        points = axes.scatter(x, y, c=labels, cmap="tab10" if k <= 10 else "tab20",
                              norm=BoundaryNorm(np.arange(-0.5, k), 10 if k <= 10 else 20),
                              s=3, alpha=0.6)
        colorbar = figure.colorbar(points, ax=axes, ticks=range(k) if k <= 20 else None)
        if k <= 20:
            colorbar.set_ticklabels(names)
        colorbar.set_label("digit" if label_names is None else "label")
        colorbar.solids.set_alpha(1)  # the key should not be as faint as the dots
    # The window plot_manifold decodes: dots outside it never appear in the manifold.
    edge = normal_quantiles([_GRID_LOW, _GRID_HIGH])
    axes.plot(edge[[0, 1, 1, 0, 0]], edge[[0, 0, 1, 1, 0]], "k--", lw=1,
              label="window decoded by plot_manifold")
    axes.invert_yaxis()  # downwards, like the manifold's rows (see the module docstring)
    axes.set_aspect("equal", adjustable="datalim")
    axes.set_xlabel(f"z_mean[{dims[0]}]")
    axes.set_ylabel(f"z_mean[{dims[1]}]  (grows downwards)")
    axes.set_title(f"How the encoder arranges {len(z_mean)} "
                   f"{'digits' if label_names is None else 'images'}: "
                   f"z_mean[{dims[0]}] vs z_mean[{dims[1]}]")
    axes.legend(loc="upper right", fontsize="small")
    return _finish(figure, path, show)


def plot_reconstructions(originals, reconstructions, path, show: bool = False) -> Path:
    """Draw originals (n, H, W, 1) in the top row and their reconstructions below."""
    path = _png_path(path)
    originals = _as_images("originals", originals)
    reconstructions = _as_images("reconstructions", reconstructions)
    if reconstructions.shape != originals.shape:
        raise ValueError(f"reconstructions must match originals: expected shape "
                         f"{originals.shape + (1,)}, got {reconstructions.shape + (1,)}")
    n = len(originals)
    canvas = tile_images(np.concatenate([originals, reconstructions]), ncols=n)
    figure, axes = _image_axes(canvas, width=min(1.0 * n + 2, 16))
    h = originals.shape[1]
    axes.set_yticks([(h - 1) / 2, h + _GAP + (h - 1) / 2], ["original", "reconstruction"])
    axes.set_title("Inputs (top) and what the VAE rebuilds from their codes (bottom)")
    return _finish(figure, path, show)


def plot_samples(images, path, ncols: int = 10, show: bool = False) -> Path:
    """Draw images (n, H, W, 1), e.g. decoded prior draws, in a grid ``ncols`` wide."""
    path = _png_path(path)
    images, ncols = _as_images("images", images), _positive_int("ncols", ncols)
    figure, axes = _image_axes(tile_images(images, ncols), width=min(0.8 * ncols + 1, 16))
    axes.set_title(f"{len(images)} samples: decoder(z) with z drawn from the prior N(0, I)")
    return _finish(figure, path, show)


def plot_interpolation(images, path, show: bool = False) -> Path:
    """Draw images (n, H, W, 1), decoded along a line between two codes, in one row."""
    path = _png_path(path)
    images = _as_images("images", images)
    n, w = len(images), images.shape[2]
    figure, axes = _image_axes(tile_images(images, ncols=n), width=min(1.0 * n + 1, 16))
    axes.set_xticks([(w - 1) / 2, (n - 1) * (w + _GAP) + (w - 1) / 2], ["start", "end"])
    axes.set_title("Interpolation: decoder(z) along a straight line between two codes")
    return _finish(figure, path, show)


def plot_history(history, path, show: bool = False) -> Path:
    """Draw per-epoch loss curves (train solid, test dashed) from a list of epoch dicts."""
    path = _png_path(path)
    curves = _history_curves(history)
    figure, (total, parts) = _new_figure(12, 4.5, ncols=2)
    parts_kl = parts.twinx()  # KL is often 10-100x smaller than reconstruction: own scale
    for split, style in (("train", "-"), ("test", "--")):
        for axes, key, name, colour in ((total, "loss", "loss", "k"),
                                        (parts, "reconstruction", "reconstruction", "tab:blue"),
                                        (parts_kl, "kl", "KL", "tab:orange")):
            epochs, values = curves[f"{split}_{key}"]
            if epochs:  # a run without a test set has no test curves at all
                axes.plot(epochs, values, style, color=colour, marker="o", ms=3,
                          label=f"{split} {name}")
    total.set(title="The loss being minimised", xlabel="epoch", ylabel="loss")
    parts.set(title="The two terms of the loss", xlabel="epoch")
    parts.set_ylabel("reconstruction", color="tab:blue")
    parts_kl.set_ylabel("KL divergence", color="tab:orange")
    total.legend()
    lines = parts.get_lines() + parts_kl.get_lines()
    # Reconstruction falls and KL rises, which usually leaves the middle right empty.
    parts.legend(lines, [line.get_label() for line in lines], loc="center right")
    return _finish(figure, path, show)

# --------------------------------------------------------------------------- drawing and saving


def _new_figure(width: float, height: float, ncols: int = 1):
    """A fresh figure with ``ncols`` Axes side by side. pyplot never hears of it, so it needs
    no closing and works without a display."""
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.subplots(1, ncols)


def _image_axes(canvas: np.ndarray, width: float):
    """A figure showing ``canvas`` (a tiled picture) at its own aspect ratio, without ticks."""
    height = width * canvas.shape[0] / canvas.shape[1] + 0.5  # + room for the title
    figure, axes = _new_figure(width, height)
    axes.imshow(canvas, cmap=_GREYS, vmin=0, vmax=1, interpolation="nearest")
    axes.set_xticks([])
    axes.set_yticks([])
    return figure, axes


def _finish(figure: Figure, path: Path, show: bool) -> Path:
    _save_atomically(figure, path)
    if show:
        _show_png(path)
    return path


def _save_atomically(figure: Figure, path: Path) -> None:
    """Write the PNG so that ``path`` always holds a whole picture, old or new."""
    with atomic_write(path) as file:
        figure.savefig(file, format="png")


def _display_available() -> bool:
    """Windows and macOS always have a screen; elsewhere a GUI needs X11 or Wayland."""
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _show_png(path: Path) -> None:
    """Open the saved PNG in a pyplot window (blocks until it is closed), or warn and skip."""
    if not _display_available():
        warnings.warn(f"show=True but no display was found (DISPLAY and WAYLAND_DISPLAY are "
                      f"unset); the picture was saved to {path} but not shown", stacklevel=4)
        return
    import matplotlib.pyplot as plt  # only here: importing pyplot chooses a GUI backend

    image = matplotlib.image.imread(path)  # (height, width, 4)
    figure = plt.figure(figsize=(image.shape[1] / 100, image.shape[0] / 100), dpi=100)
    figure.figimage(image)  # the saved pixels, one to one
    plt.show()  # on a non-GUI backend matplotlib itself warns instead of showing
    plt.close(figure)

# --------------------------------------------------------------------------- input checks


def _png_path(path) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ValueError(f"path must end in .png (the file is written as PNG), got {str(path)!r}")
    return path


def _positive_int(name: str, value) -> int:
    try:
        if operator.index(value) >= 1:  # index() accepts np.int64, refuses 2.5 and "3"
            return operator.index(value)
    except TypeError:
        pass
    raise ValueError(f"{name} must be an integer >= 1, got {value!r}")


def _check_dims(dims, latent_dim: int) -> tuple[int, int]:
    """Two different latent dimensions, each in 0..latent_dim-1."""
    try:
        first, second = (operator.index(d) for d in dims)
    except (TypeError, ValueError):
        raise ValueError(f"dims must be two integers such as (0, 1), got {dims!r}") from None
    if first == second or not (0 <= first < latent_dim and 0 <= second < latent_dim):
        raise ValueError(f"dims must be two different integers in 0..{latent_dim - 1} "
                         f"(latent_dim={latent_dim}), got {dims!r}")
    return first, second


def _as_finite(name: str, value, ndim: int, shape_text: str) -> np.ndarray:
    array = np.asarray(value)
    if array.ndim != ndim or array.size == 0 or array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a non-empty real array of shape {shape_text}, "
                         f"got shape {array.shape} and dtype {array.dtype}")
    bad = array.size - np.count_nonzero(np.isfinite(array))
    if bad:
        raise ValueError(f"{name} must be finite, got {bad} NaN or infinite value(s)")
    return array


def _as_images(name: str, images) -> np.ndarray:
    """Check images (n, H, W, 1 or 3) in [0, 1]; return them as (n, H, W) or (n, H, W, 3)."""
    array = _as_finite(name, images, ndim=4, shape_text="(n, height, width, 1 or 3)")
    if array.shape[-1] not in (1, 3):
        raise ValueError(f"{name} must have shape (n, height, width, 1 or 3), got {array.shape}")
    low, high = array.min(), array.max()
    if low < 0 or high > 1:
        raise ValueError(f"{name} must be pixel intensities in [0, 1], got values in "
                         f"[{low:.3g}, {high:.3g}]; if these are logits, apply a sigmoid first")
    return array[..., 0] if array.shape[-1] == 1 else array


def _check_labels(labels, count: int, classes: int = 10) -> np.ndarray:
    array = np.asarray(labels)
    if array.shape != (count,) or array.dtype.kind not in "iu":
        raise ValueError(f"labels must be integers of shape ({count},), one per row of z_mean, "
                         f"got shape {array.shape} and dtype {array.dtype}")
    if array.min() < 0 or array.max() > classes - 1:
        what = "digits 0..9" if classes == 10 else f"label indices 0..{classes - 1}"
        raise ValueError(f"labels must be {what}, got values in "
                         f"[{array.min()}, {array.max()}]")
    return array


def _history_curves(history) -> dict[str, tuple[list, list]]:
    """Return {"train_loss": (epochs, values), ...}; test values may be missing or None."""
    if not isinstance(history, (list, tuple)) or not history:
        raise ValueError(f"history must be a non-empty list of per-epoch dicts, got {history!r}")
    curves = {f"{split}_{key}": ([], []) for split in ("train", "test")
              for key in ("loss", "reconstruction", "kl")}
    for index, record in enumerate(history):
        if not isinstance(record, dict):
            raise ValueError(f"history[{index}] must be a dict, got {type(record).__name__}")
        epoch = _finite_number(f"history[{index}]['epoch']", record.get("epoch"))
        for key, (epochs, values) in curves.items():
            value = record.get(key)
            if value is None and key.startswith("test_"):
                continue  # no test pass that epoch: leave a gap, not a zero
            values.append(_finite_number(f"history[{index}][{key!r}]", value))
            epochs.append(epoch)
    return curves


def _finite_number(name: str, value) -> float:
    if isinstance(value, (bool, str)) or not np.isscalar(value) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)
