"""Where the codes are, against where the prior draws: the aggregate posterior and p(z).

The KL term pulls each image's q(z|x) towards N(0, I), one image at a time. What the
decoder meets at sampling time is the prior itself; what it was trained on is the codes
of all images together, the *aggregate posterior* (the mean of q(z|x) over the data).
Chapter 8 measures how far apart the two are for the shipped ``book`` model; this
figure shows it, on the same axes:

- left, the mean code of each test digit, coloured by the digit (as ``scatter.png``);
- middle, as many draws from the prior N(0, I), each coloured by the digit of the test
  code nearest to it: the digit that region of the plane holds;
- right, per digit, its share of the test digits against its share of the prior's draws.

Both scatter panels carry the manifold's window (the prior's 5-95 % square, dashed) and
the circles that hold 50, 90 and 99 % of the prior's draws. The y axis grows downwards,
as in ``scatter.png`` and the manifold.
"""
import matplotlib
import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Circle
from scipy.spatial import cKDTree

from npvae import load_mnist
from npvae.datasets.pixels import as_float_images
from npvae.models.trained import SHIPPED
from npvae.pictures import png
from npvae.pictures.plots import normal_quantiles
from npvae.pictures.report import encode_means
from npvae.training.trainer import load_model

DIGITS = ListedColormap(matplotlib.colormaps["tab10"].colors)
PRIOR_SEED = 0  # the prior's draws: one fixed set, so the figure is the same every time
REACH = 4.2     # the axes' half-width, in the prior's standard deviations


def draw(path, limit=None):
    """Draw the figure from the first ``limit`` test images (None: all 10,000)."""
    _, (x_test, y_test) = load_mnist()
    x_test, y_test = x_test[:limit], y_test[:limit]
    codes = encode_means(load_model(SHIPPED["book"]), as_float_images(x_test))   # (N, 2)
    prior = np.random.default_rng(PRIOR_SEED).standard_normal((len(codes), 2))
    nearest = y_test[cKDTree(codes).query(prior)[1]]     # the digit of each draw's nearest code
    edge = float(normal_quantiles(0.95))

    figure, (left, middle, right) = png.new_figure(16, 5.6, ncols=3)
    for axes, points, colours, title in (
            (left, codes, y_test, "The codes: each test digit's mean code"),
            (middle, prior, nearest, "The prior: draws from N(0, I),\n"
                                     "coloured by the digit of the nearest code")):
        outside = np.mean(np.abs(points).max(axis=1) > edge)
        axes.scatter(points[:, 0], points[:, 1], c=colours, cmap=DIGITS,
                     norm=BoundaryNorm(np.arange(-0.5, 10), 10), s=2, alpha=0.5)
        prior_landmarks(axes, edge)
        axes.set(xlim=(-REACH, REACH), ylim=(REACH, -REACH), aspect="equal",
                 xlabel="z[0]", ylabel="z[1]  (grows downwards)",
                 title=f"{title}\n{outside:.0%} outside the window")
    left.legend(loc="lower left", fontsize="small")
    shares(right, y_test, nearest)
    figure.suptitle(f"Where the book model's codes lie, against where the prior draws "
                    f"({len(codes):,} test digits, {len(prior):,} draws)")
    return png.save(figure, png.png_path(path))


def prior_landmarks(axes, edge):
    """The manifold's window, and the circles that hold 50, 90 and 99 % of N(0, I)."""
    axes.plot([-edge, edge, edge, -edge, -edge], [-edge, -edge, edge, edge, -edge], "k--",
              lw=1, label="the manifold's window (prior 5-95 %)")
    for mass in (0.5, 0.9, 0.99):
        radius = np.sqrt(-2 * np.log(1 - mass))   # P(|z| < r) = 1 - exp(-r^2 / 2) in 2-D
        axes.add_patch(Circle((0, 0), radius, fill=False, color="grey", lw=0.8))
        axes.text(radius * 0.71, -radius * 0.71, f"{mass:.0%}", color="dimgrey", fontsize=8,
                  bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1})


def shares(axes, labels, nearest):
    """Each digit's share of the test digits, beside its share of the prior's draws."""
    digits = np.arange(10)
    of_codes = np.bincount(labels, minlength=10) / len(labels)
    of_prior = np.bincount(nearest, minlength=10) / len(nearest)
    axes.bar(digits - 0.2, of_codes, 0.4, color=DIGITS.colors, label="of the test digits")
    axes.bar(digits + 0.2, of_prior, 0.4, color=DIGITS.colors, alpha=0.45, hatch="//",
             label="of the prior's draws (nearest code)")
    axes.set(xticks=digits, xlabel="digit", ylabel="share",
             title="Each digit's share: of the data,\nand of the prior's draws")
    axes.legend(loc="upper left", fontsize="small")
