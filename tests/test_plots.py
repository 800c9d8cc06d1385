"""Tests for npvae.pictures.plots: valid PNGs, the manifold's orientation, clear errors,
atomic saves."""

import re

import matplotlib.axes
import matplotlib.figure
import matplotlib.image
import numpy as np
import pytest
from scipy.stats import norm

from npvae.pictures import plots, png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def coordinate_decoder(latent_dim):
    """A fake decoder that writes its code into pixels: pixel (0, d) = Phi(z[d]) in [0, 1].

    The normal CDF Phi undoes the grid's ppf, so a grid code shows up as its probability.
    """
    def decode(z):
        assert z.shape[1] == latent_dim and z.dtype == np.float32
        images = np.zeros((len(z), 28, 28, 1), dtype=np.float32)
        images[:, 0, :latent_dim, 0] = norm.cdf(z)
        return images
    return decode


def blank_images(n):
    return np.linspace(0, 1, n * 28 * 28, dtype=np.float32).reshape(n, 28, 28, 1)


def example_history(with_test=True):
    history = [dict(epoch=e, train_loss=200.0 / e, train_reconstruction=190.0 / e,
                    train_kl=10.0 - 1.0 / e) for e in range(1, 5)]
    if with_test:
        for record in history:
            record.update(test_loss=record["train_loss"] + 1, test_reconstruction=None,
                          test_kl=record["train_kl"])  # None: "not measured this epoch"
        del history[2]["test_loss"]
    return history


def assert_png(path, min_height=100, min_width=100):
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    height, width = matplotlib.image.imread(path).shape[:2]
    assert height >= min_height and width >= min_width


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


# --------------------------------------------------------------------------- latent grid


def test_latent_grid_values_are_the_books_prior_quantiles():
    grid, z = plots.latent_grid(2)
    np.testing.assert_allclose(grid, norm.ppf(np.linspace(0.05, 0.95, 15)))
    assert z.shape == (225, 2) and z.dtype == np.float32


def test_latent_grid_orientation_follows_the_book():
    """The book: for i, yi in enumerate(grid): for j, xi in enumerate(grid):
    tile (i, j) <- [xi, yi]."""
    grid, z = plots.latent_grid(4, n=5, dims=(3, 1))
    tiles = z.reshape(5, 5, 4)  # (row i, column j, latent)
    for i in range(5):
        for j in range(5):
            np.testing.assert_allclose(tiles[i, j], [0, grid[i], 0, grid[j]], rtol=1e-6)


def test_manifold_tiles_hold_the_decode_of_their_own_code():
    p = np.linspace(0.05, 0.95, 15)  # Phi(grid) as written by coordinate_decoder
    grid, image = plots.manifold_image(coordinate_decoder(3), 3, dims=(2, 0))
    assert image.shape == (15 * 28, 15 * 28)
    for i in (0, 4, 14):
        for j in (0, 9, 14):
            pixels = image[i * 28, j * 28:j * 28 + 3]  # (Phi(z[0]), Phi(z[1]), Phi(z[2]))
            np.testing.assert_allclose(pixels, [p[i], 0.5, p[j]], atol=1e-6)


def test_plot_manifold_draws_the_tiled_decodes(tmp_path, monkeypatch):
    drawn = []
    original_imshow = matplotlib.axes.Axes.imshow
    monkeypatch.setattr(matplotlib.axes.Axes, "imshow",
                        lambda self, X, *a, **k:
                            drawn.append(X) or original_imshow(self, X, *a, **k))
    path = plots.plot_manifold(coordinate_decoder(2), 2, tmp_path / "manifold.png", n=4)
    assert_png(path, 400, 400)
    _, expected = plots.manifold_image(coordinate_decoder(2), 2, n=4)
    assert len(drawn) == 1
    np.testing.assert_array_equal(drawn[0], expected)
    assert drawn[0][0, 28] > drawn[0][0, 0]  # z[0] grows to the right ...
    assert drawn[0][28, 1] > drawn[0][0, 1]  # ... and z[1] downwards


def test_tile_images_places_image_k_at_row_k_div_ncols():
    images = np.arange(5, dtype=np.float32)[:, None, None] * np.ones((5, 2, 3))
    canvas = plots.tile_images(images, ncols=2, gap=1)
    assert canvas.shape == (3 * 3 - 1, 2 * 4 - 1)
    assert canvas[3, 4] == 3 and canvas[6, 0] == 4  # row 1 col 1, row 2 col 0
    assert np.isnan(canvas[2, 0]) and np.isnan(canvas[6, 4])  # a gap, an empty cell


# --------------------------------------------------------------------------- every picture


def test_every_plot_writes_a_valid_png_and_returns_its_path(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "new" / "folder"  # does not exist yet
    paths = [
        plots.plot_scatter(rng.standard_normal((300, 3)), rng.integers(0, 10, 300),
                           folder / "scatter.png", dims=(2, 0)),
        plots.plot_reconstructions(blank_images(6), blank_images(6)[::-1], folder / "rec.png"),
        plots.plot_samples(blank_images(13), folder / "samples.png", ncols=5),
        plots.plot_interpolation(blank_images(8), str(folder / "interp.png")),
        plots.plot_history(example_history(), folder / "history.png"),
        plots.plot_history(example_history(with_test=False)[:1], folder / "one_epoch.png"),
    ]
    for path in paths:
        assert isinstance(path, type(tmp_path)) and path.parent == folder
        assert_png(path)
    assert leftovers(folder) == []


def test_show_without_a_display_warns_and_still_saves(tmp_path, monkeypatch):
    monkeypatch.setattr(png, "display_available", lambda: False)
    with pytest.warns(UserWarning, match="no display"):
        path = plots.plot_samples(blank_images(2), tmp_path / "s.png", show=True)
    assert_png(path)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, names", [
    (lambda p: plots.latent_grid(2, dims=(0, 2)), "dims"),
    (lambda p: plots.latent_grid(2, dims=(1, 1)), "dims"),
    (lambda p: plots.latent_grid(2, n=0), "n must"),
    (lambda p: plots.latent_grid(2, low=0.0), "low"),
    (lambda p: plots.plot_manifold(lambda z: blank_images(3), 2, p, n=4), "16 images"),
    (lambda p: plots.plot_manifold(lambda z: 5 * blank_images(len(z)), 2, p), "logits"),
    (lambda p: plots.plot_scatter(np.zeros((5, 2)), np.zeros(4, int), p), "labels"),
    (lambda p: plots.plot_scatter(np.zeros((5, 2)), np.full(5, 10), p), "0..9"),
    (lambda p: plots.plot_scatter(np.full((5, 2), np.nan), np.zeros(5, int), p), "z_mean"),
    (lambda p: plots.plot_scatter(np.zeros(5), np.zeros(5, int), p), "(N, latent_dim)"),
    (lambda p: plots.plot_reconstructions(blank_images(3), blank_images(2), p), "match"),
    (lambda p: plots.plot_samples(np.zeros((4, 28, 28)), p), "(n, height, width, 1 or 3)"),
    (lambda p: plots.plot_samples(blank_images(4), p, ncols=0), "ncols"),
    (lambda p: plots.plot_interpolation(np.full((3, 28, 28, 1), np.inf), p), "finite"),
    (lambda p: plots.plot_history([], p), "history"),
    (lambda p: plots.plot_history([{"epoch": 1, "train_loss": 1.0}], p), "train_reconstruction"),
    (lambda p: plots.plot_history(
        [dict(example_history()[0], test_kl=float("nan"))], p), "test_kl"),
    (lambda p: plots.plot_samples(blank_images(1), p.with_suffix(".jpg")), ".png"),
])
def test_bad_input_raises_a_value_error_naming_it_before_touching_disk(tmp_path, call, names):
    folder = tmp_path / "out"
    with pytest.raises(ValueError, match=re.escape(names)):
        call(folder / "picture.png")
    assert not folder.exists()


# --------------------------------------------------------------------------- atomic saving


def test_a_failed_save_leaves_the_previous_png_intact(tmp_path, monkeypatch):
    path = plots.plot_samples(blank_images(3), tmp_path / "samples.png")
    good = path.read_bytes()

    def savefig_that_dies_midway(self, file, **kwargs):
        file.write(PNG_SIGNATURE + b"half a picture")
        raise RuntimeError("disk full")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", savefig_that_dies_midway)
    with pytest.raises(RuntimeError, match="disk full"):
        plots.plot_samples(blank_images(5), path)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["samples.png"]  # no temporary left


def test_saving_replaces_an_existing_png(tmp_path):
    path = plots.plot_samples(blank_images(3), tmp_path / "samples.png")
    first = path.read_bytes()
    plots.plot_samples(blank_images(20), path)
    assert path.read_bytes() != first
    assert_png(path)
    assert leftovers(tmp_path) == []


# --------------------------------------------------------------------------- words on the pictures


@pytest.fixture
def drawn_figures(monkeypatch):
    """Keep every figure png.save is handed (still saving it); return the list."""
    figures, save = [], png.save
    monkeypatch.setattr(png, "save",
                        lambda figure, *a, **k: figures.append(figure) or save(figure, *a, **k))
    return figures


def test_loss_curve_axes_carry_units(tmp_path, drawn_figures):
    plots.plot_history(example_history(), tmp_path / "history.png")
    labels = [axes.get_ylabel() for axes in drawn_figures[0].axes]
    assert len(labels) == 3 and all(label.endswith("(nats per image)") for label in labels)


def test_scatter_legend_names_the_manifolds_window_not_a_function(tmp_path, drawn_figures):
    rng = np.random.default_rng(0)
    plots.plot_scatter(rng.standard_normal((50, 2)), rng.integers(0, 10, 50), tmp_path / "s.png")
    (legend_text,) = [t.get_text() for t in drawn_figures[0].axes[0].get_legend().get_texts()]
    assert legend_text == "the manifold's window (prior 5%-95%)"


def test_reconstructions_note_is_a_second_title_line(tmp_path, drawn_figures):
    plots.plot_reconstructions(blank_images(2), blank_images(2), tmp_path / "r.png", note="hello")
    plots.plot_reconstructions(blank_images(2), blank_images(2), tmp_path / "r.png")
    with_note, without = (figure.axes[0].get_title() for figure in drawn_figures)
    assert with_note.splitlines()[1] == "hello" and len(without.splitlines()) == 1


# --------------------------------------------------------------------------- what the pictures draw


def test_scatter_draws_the_manifolds_window_at_the_grids_quantiles(tmp_path, drawn_figures):
    """The dashed square is where the manifold decodes: corners at norm.ppf(0.05),
    norm.ppf(0.95)."""
    rng = np.random.default_rng(0)
    plots.plot_scatter(rng.standard_normal((50, 2)), rng.integers(0, 10, 50), tmp_path / "s.png")
    axes = drawn_figures[0].axes[0]
    (window,) = axes.get_lines()
    low, high = norm.ppf([0.05, 0.95])
    corners = np.column_stack(window.get_data())
    np.testing.assert_allclose(corners, [[low, low], [high, low], [high, high], [low, high],
                                         [low, low]])
    grid, _ = plots.latent_grid(2)
    np.testing.assert_allclose([grid[0], grid[-1]], [low, high])  # the manifold's own edges
    assert axes.yaxis_inverted() and not axes.xaxis_inverted()  # rows grow downwards


def test_manifold_ticks_name_the_grid_values_at_their_tiles(tmp_path, drawn_figures):
    plots.plot_manifold(coordinate_decoder(2), 2, tmp_path / "m.png", n=5)
    axes = drawn_figures[0].axes[0]
    grid = norm.ppf(np.linspace(0.05, 0.95, 5))
    expected = [f"{value + 0.0:.2f}" for value in np.round(grid, 2)]
    for ticks, labels in ((axes.get_xticks(), axes.get_xticklabels()),
                          (axes.get_yticks(), axes.get_yticklabels())):
        np.testing.assert_allclose(ticks, np.arange(5) * 28 + 13.5)  # each tile's centre
        assert [label.get_text() for label in labels] == expected


def test_a_first_epochs_spike_puts_the_loss_curve_on_a_log_scale(tmp_path, drawn_figures):
    """Own colour pictures: epoch 1 at 8e9 nats, then 2000 falling to 1100: on a linear
    axis the epochs after the first lie flat on zero and no learning shows."""
    spiked = example_history(with_test=False)
    spiked[0].update(train_loss=8e9, train_kl=8e9)
    plots.plot_history(spiked, tmp_path / "spiked.png")
    plots.plot_history(example_history(), tmp_path / "calm.png")
    (total, parts, kl), calm = drawn_figures[0].axes, drawn_figures[1].axes
    assert total.get_yscale() == "log" and kl.get_yscale() == "log"
    assert parts.get_yscale() == "linear"  # reconstruction 190 .. 47.5: no spike there
    assert total.get_ylabel() == "loss (nats per image, log scale)"
    assert [axes.get_yscale() for axes in calm] == ["linear"] * 3


def test_a_one_epoch_runs_two_terms_are_drawn_apart(tmp_path, drawn_figures):
    """One epoch gives each curve a single point; drawn on two y scales over one panel,
    the KL's points landed exactly on the reconstruction's and hid them."""
    record = dict(epoch=1, train_loss=353.2, train_reconstruction=242.5, train_kl=110.7,
                  test_loss=224.9, test_reconstruction=212.2, test_kl=12.7)
    plots.plot_history([record], tmp_path / "one_epoch.png")
    where = {}
    for axes in drawn_figures[0].axes:
        for line in axes.get_lines():
            (point,) = np.column_stack(line.get_data())
            where[line.get_label()] = axes.transData.transform(point)   # in pixels
    for split in ("train", "test"):
        apart = np.abs(where[f"{split} reconstruction"] - where[f"{split} KL"]).max()
        assert apart > 20, f"{split}: the KL's point lies on the reconstruction's"
