"""npvae.pictures.style: the pictures and the explorer look alike because they draw through
it (the same label colours, the same window, the same tiles), and the batched pass that
every picture decodes and encodes with (``npvae.models.base.in_batches``)."""
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from npvae.explorer.state import Explorer
from npvae.models import VAE
from npvae.models.base import in_batches
from npvae.pictures import plots, png
from npvae.pictures.style import label_colours


def dot_colours(axes):
    """The RGB colour of every dot of the axes' scatter, (N, 3), as drawn."""
    axes.figure.canvas.draw()
    return axes.collections[0].get_facecolors()[:, :3]


@pytest.mark.parametrize("classes", [2, 10, 12])
def test_the_explorer_colours_every_label_as_the_scatter_picture_does(classes, tmp_path,
                                                                       monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.random((3 * classes, 8, 8, 1), dtype=np.float32)
    labels = np.arange(3 * classes) % classes
    model = VAE(input_shape=(8, 8, 1), encoder_filters=(2, 2, 2, 2), dense_units=4,
                decoder_filters=2, seed=1)
    explorer = Explorer(model, x, labels)
    figures, save = [], png.save
    monkeypatch.setattr(png, "save", lambda f, *a, **k: figures.append(f) or save(f, *a, **k))
    plots.plot_scatter(rng.standard_normal((3 * classes, 2)), labels, tmp_path / "s.png",
                       label_names=[f"label {k}" for k in range(classes)])
    expected = [to_rgb(label_colours(classes)(k)) for k in labels]
    np.testing.assert_allclose(dot_colours(explorer.view.plane), expected)
    np.testing.assert_allclose(dot_colours(figures[0].axes[0]), expected)
    assert len({tuple(colour) for colour in expected}) == classes   # one colour a label


def test_in_batches_cuts_every_array_alike_and_hands_none_on():
    x, y = np.arange(10.0), np.arange(10) * 2
    seen = []

    def record(a, b, c):
        seen.append((len(a), c))
        return a + b

    np.testing.assert_array_equal(in_batches(record, 4, x, y, None), x + y)
    assert seen == [(4, None), (4, None), (2, None)]
