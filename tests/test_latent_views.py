"""A latent of more than two dimensions: the scatter along its first two principal
components unless dimensions are named, the manifold over the named ones; and
``npvae summary --checkpoint`` showing the trained model's own shape."""
import matplotlib
import numpy as np
import pytest
from picture_folders import write_shapes

from npvae import cli
from npvae.models import VAE
from npvae.pictures import animation, png, report
from npvae.training.trainer import load_model

TINY_MODEL = dict(input_shape=(8, 8, 3), encoder_filters=(4, 8, 8, 8), dense_units=8,
                  decoder_filters=4)


def test_principal_components_find_the_directions_of_most_spread():
    rng = np.random.default_rng(0)
    # Codes spread 3 along (1, 1, 0)/sqrt 2, 1 along z[2], 0.1 along (1, -1, 0)/sqrt 2.
    axes = np.array([[1, 1, 0], [0, 0, 1], [1, -1, 0]]) / np.array([[2 ** .5], [1], [2 ** .5]])
    z = (rng.standard_normal((2000, 3)) * [3, 1, 0.1]) @ axes + [5, -2, 1]
    components, variance = report.principal_components(z)
    # The reference: the covariance matrix's eigenvectors, a different road to the answer.
    values, vectors = np.linalg.eigh(np.cov(z.T, bias=True))
    values, vectors = values[::-1], vectors[:, ::-1]                  # largest first
    vectors *= np.sign(vectors[np.abs(vectors).argmax(axis=0), range(3)])  # the sign rule
    np.testing.assert_allclose(variance, values[:2] / values.sum(), rtol=1e-10)
    np.testing.assert_allclose(components, (z - z.mean(axis=0)) @ vectors[:, :2], atol=1e-10)
    # ... and they are the axes the codes were spread along.
    assert abs(vectors[:, 0] @ axes[0]) > 0.999 and abs(vectors[:, 1] @ axes[1]) > 0.999


def test_principal_components_turn_each_direction_the_same_way():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((300, 4)) * [4, 2, 1, 0.5]
    first, _ = report.principal_components(z)
    flipped, _ = report.principal_components(-z)   # the same cloud, mirrored
    np.testing.assert_allclose(flipped, -first, atol=1e-9)
    # The sign rule: the code's dimension that weighs most in a direction counts positively.
    assert np.corrcoef(first[:, 0], z[:, 0])[0, 1] > 0.99


@pytest.fixture
def drawn_figures(monkeypatch):
    figures, save = [], png.save
    monkeypatch.setattr(png, "save",
                        lambda figure, *a, **k: figures.append(figure) or save(figure, *a, **k))
    return figures


def scatter_axes(figures):
    axes = figures[-1].axes[0]
    return axes.get_xlabel(), axes.get_ylabel(), axes.get_legend()


def test_a_longer_code_is_scattered_along_its_principal_components(tmp_path, drawn_figures):
    model = VAE(latent_dim=3, seed=0, **TINY_MODEL)
    x = np.random.default_rng(0).random((60, 8, 8, 3), dtype=np.float32)
    report.save_scatter(model, x, None, tmp_path / "pca.png")
    _, variance = report.principal_components(report.encode_means(model, x))
    x_label, y_label, legend = scatter_axes(drawn_figures)
    assert x_label == f"principal component 1 ({variance[0]:.0%} of variance)"
    assert y_label == f"principal component 2 ({variance[1]:.0%} of variance)"
    assert legend is None   # no manifold window: it is a square in latent dims, not in these
    report.save_scatter(model, x, None, tmp_path / "raw.png", dims=(0, 2))
    assert scatter_axes(drawn_figures)[:2] == ("z_mean[0]", "z_mean[2]  (grows downwards)")


def test_a_two_number_code_is_scattered_as_it_is(tmp_path, drawn_figures):
    model = VAE(latent_dim=2, seed=0, **TINY_MODEL)
    x = np.random.default_rng(0).random((20, 8, 8, 3), dtype=np.float32)
    report.save_scatter(model, x, None, tmp_path / "s.png")
    assert scatter_axes(drawn_figures)[0] == "z_mean[0]"


# --------------------------------------------------------------------------- the command line

@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A 1-epoch run of a 3-number code on 8x8 colour pictures, walking dims 2 and 0:
    (its folder, the figures it drew)."""
    folder = tmp_path_factory.mktemp("shapes") / "shapes"
    write_shapes(folder, 80, size=8, colour=True)
    out = tmp_path_factory.mktemp("run") / "run"
    figures, save = [], png.save
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(png, "save",
                      lambda figure, *a, **k: figures.append(figure) or save(figure, *a, **k))
        assert cli.main(["train", "--data", str(folder), "--latent-dim", "3", "--dims", "2",
                         "0", "--epochs", "1", "--batch-size", "16", "--quiet",
                         "--out", str(out)]) == 0
    return out, figures


@pytest.fixture
def run(trained):
    return trained[0]


def test_train_dims_choose_the_manifold_the_gif_and_the_scatter(trained):
    run, figures = trained
    manifold, scatter = (next(f.axes[0] for f in figures if f.axes[0].get_title().startswith(
        start)) for start in ("Decoder's map", "How the encoder"))
    assert manifold.get_xlabel().startswith("z[2]") and manifold.get_ylabel().startswith("z[0]")
    assert scatter.get_xlabel() == "z_mean[2]"
    assert animation.ManifoldFilm._load(load_model(run / "checkpoint.npz"), run).dims == (2, 0)


@pytest.mark.parametrize("options, expected_x_label", [
    ([], "principal component 1"),
    (["--dims", "1", "2"], "z_mean[1]"),
])
def test_scatter_command_plots_components_unless_dims_are_given(
        run, tmp_path, drawn_figures, options, expected_x_label):
    assert cli.main(["scatter", "--checkpoint", str(run / "checkpoint.npz"),
                     "--out", str(tmp_path / "s.png"), *options]) == 0
    assert scatter_axes(drawn_figures)[0].startswith(expected_x_label)


def test_manifold_command_walks_the_given_dims(run, tmp_path, drawn_figures):
    assert cli.main(["manifold", "--checkpoint", str(run / "checkpoint.npz"),
                     "--out", str(tmp_path / "m.png"), "--dims", "2", "1"]) == 0
    axes = drawn_figures[-1].axes[0]
    assert axes.get_xlabel().startswith("z[2]") and axes.get_ylabel().startswith("z[1]")
    assert "other dimensions = 0" in axes.get_title()


def test_summary_of_a_checkpoint_shows_the_trained_models_shape(run, capsys):
    assert cli.main(["summary", "--checkpoint", str(run / "checkpoint.npz")]) == 0
    out = capsys.readouterr().out
    assert "latent_dim=3" in out and "(None, 8, 8, 3)" in out
    assert "72 training and 8 test images of 8x8x3" in out
    assert f"Total params: {load_model(run / 'checkpoint.npz').count_params():,}" in out


def test_summary_without_a_checkpoint_is_a_new_mnist_model(capsys):
    assert cli.main(["summary", "--latent-dim", "3"]) == 0
    out = capsys.readouterr().out
    assert "latent_dim=3" in out and "(None, 28, 28, 1)" in out


def test_summary_takes_a_checkpoint_or_a_latent_dim_not_both(run, capsys):
    with pytest.raises(SystemExit) as exit:
        cli.main(["summary", "--latent-dim", "3", "--checkpoint", str(run / "checkpoint.npz")])
    assert exit.value.code == 2 and "not allowed with" in capsys.readouterr().err


def test_summary_of_a_missing_checkpoint_is_one_line(tmp_path, capsys):
    assert cli.main(["summary", "--checkpoint", str(tmp_path / "none.npz")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no checkpoint file at" in err


@pytest.mark.parametrize("k", [2, 10, 30])
def test_each_label_gets_its_own_colour(tmp_path, drawn_figures, k):
    from npvae.pictures import plots
    rng = np.random.default_rng(0)
    labels = np.arange(90) % k
    plots.plot_scatter(rng.standard_normal((90, 2)), labels, tmp_path / "s.png",
                       label_names=[f"label {i}" for i in range(k)])
    colours = drawn_figures[-1].axes[0].collections[0].get_facecolors()[:, :3]
    by_label = [colours[labels == d] for d in range(k)]
    assert all(np.ptp(c, axis=0).max() == 0 for c in by_label)   # one colour per label...
    assert len({tuple(c[0]) for c in by_label}) == k             # ... each its own
    if k <= 10:   # the palette's first k colours: two labels are blue and orange
        np.testing.assert_allclose([c[0] for c in by_label],
                                   matplotlib.colormaps["tab10"].colors[:k])


def test_the_pictures_decode_a_few_codes_at_a_time(tmp_path, monkeypatch):
    model = VAE(latent_dim=2, seed=0, **TINY_MODEL)
    batches, forward = [], model.decoder.forward
    monkeypatch.setattr(model.decoder, "forward",
                        lambda z, *a, **k: batches.append(len(z)) or forward(z, *a, **k))
    report.save_manifold(model, tmp_path / "m.png", n=15)
    assert sum(batches) == 225 and max(batches) == report.DECODE_BATCH
    batches.clear()
    animation.ManifoldFilm(model, tmp_path).snapshot(1, 100.0, tested=True)
    assert sum(batches) == 225 and max(batches) == report.DECODE_BATCH


def test_the_note_on_mnists_digits_is_left_out_for_other_images(tmp_path, drawn_figures):
    model = VAE(latent_dim=2, seed=0, **TINY_MODEL)
    x = np.random.default_rng(0).random((4, 8, 8, 3), dtype=np.float32)
    for mnist in (True, False):
        report.save_reconstructions(model, x, tmp_path / "r.png", n=2, mnist=mnist,
                                    rng=np.random.default_rng(0))
    on_mnist, on_others = (figure.axes[0].get_title() for figure in drawn_figures)
    assert on_mnist.splitlines()[1] == report.TWO_DIM_NOTE and "\n" not in on_others
