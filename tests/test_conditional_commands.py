"""The conditional VAE through the commands: ``npvae train --conditional`` on labelled and
unlabelled data, the pictures, ``evaluate`` and the explorer's label keys."""
import numpy as np
import pytest
from picture_folders import write_shapes
from test_conditional import TINY

from npvae import cli
from npvae.models.conditional import ConditionalVAE
from npvae.models.vae import VAE
from npvae.storage.checkpoint import load_checkpoint


def test_train_conditional_on_a_picture_folder_with_labels(tmp_path, capsys):
    folder = tmp_path / "shapes"
    write_shapes(folder, 40, size=8, colour=False)
    out = tmp_path / "run"
    assert cli.main(["train", "--conditional", "--data", str(folder), "--epochs", "1",
                     "--quiet", "--no-pictures", "--out", str(out)]) == 0
    assert "ConditionalVAE on 2 labels" in capsys.readouterr().out
    _, meta = load_checkpoint(out / "checkpoint.npz")
    assert meta["model"]["num_classes"] == 2


def test_train_conditional_refuses_pictures_without_labels(tmp_path, capsys):
    folder = tmp_path / "shapes"
    write_shapes(folder, 20, size=8, colour=False, labelled=False)
    assert cli.main(["train", "--conditional", "--data", str(folder), "--quiet",
                     "--out", str(tmp_path / "run")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "--conditional needs labelled images" in error
    assert not (tmp_path / "run" / "checkpoint.npz").exists()


# ------------------------------------------------------------- the commands, on MNIST

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def mnist_run(tmp_path_factory):
    """A conditional model trained one short epoch on 64 MNIST digits."""
    out = tmp_path_factory.mktemp("cvae") / "run"
    assert cli.main(["train", "--conditional", "--limit", "64", "--test-limit", "64",
                     "--epochs", "1", "--quiet", "--no-pictures", "--out", str(out)]) == 0
    return out / "checkpoint.npz"


@pytest.mark.parametrize("command", [["generate", "--label", "7", "--n", "4"],
                                     ["generate", "--n", "3"], ["manifold", "--label", "3"],
                                     ["sample", "--label", "0"], ["reconstruct"],
                                     ["scatter", "--limit", "50"]])
def test_picture_commands_draw_a_conditional_model(mnist_run, command, tmp_path):
    out = tmp_path / "picture.png"
    assert cli.main(command + ["--checkpoint", str(mnist_run), "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == PNG_SIGNATURE


@pytest.mark.parametrize("command, message", [
    (["manifold"], "--label: a conditional model reads a label for each image, 0..9"),
    (["generate", "--label", "10"], "--label: the labels must be whole numbers in 0..9; got "
                                    "int64 values from 10"),
    (["interpolate"], "use 'generate' or 'manifold --label Y'")])
def test_a_conditional_picture_without_its_label_is_one_line(mnist_run, command, message,
                                                            tmp_path, capsys):
    assert cli.main(command + ["--checkpoint", str(mnist_run),
                               "--out", str(tmp_path / "p.png")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error
    assert not (tmp_path / "p.png").exists()


def test_label_and_generate_refuse_an_unconditional_model(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["train", "--limit", "16", "--test-limit", "16", "--epochs", "1",
                     "--quiet", "--no-pictures", "--out", str(out)]) == 0
    checkpoint = str(out / "checkpoint.npz")
    assert cli.main(["generate", "--checkpoint", checkpoint, "--label", "1"]) == 2
    assert cli.main(["manifold", "--checkpoint", checkpoint, "--label", "1"]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert "is not a conditional model" in errors[0]
    assert "--label: labels were given, but this VAE is not conditional" in errors[1]


def test_evaluate_reports_bounds_on_minus_log_p_x_given_y(mnist_run, capsys):
    assert cli.main(["evaluate", "--checkpoint", str(mnist_run), "--limit", "20",
                     "--iwae", "5"]) == 0
    printed = capsys.readouterr().out
    assert "upper bound on -log p(x|y)" in printed and "IWAE, K=5" in printed


# ------------------------------------------------------------------------ the explorer

def test_the_explorer_keys_choose_the_label_a_conditional_model_draws(tmp_path):
    from matplotlib.backend_bases import KeyEvent

    from npvae.explorer.state import Explorer
    model = ConditionalVAE(num_classes=3, input_shape=(8, 8, 1), encoder_filters=(2, 2, 2, 2),
                           dense_units=4, decoder_filters=2, seed=1)
    rng = np.random.default_rng(0)
    x, labels = rng.random((12, 8, 8, 1), dtype=np.float32), rng.integers(0, 3, 12)
    explorer = Explorer(model, x, labels)
    assert explorer.choice.label == 0
    explorer.figure.canvas.draw()
    explorer.move_to(np.array([0.5, -0.5]))

    def image():
        return np.asarray(explorer.view.image.get_array()).copy()

    def press(name):
        canvas = explorer.figure.canvas
        canvas.callbacks.process("key_press_event", KeyEvent("key_press_event", canvas, name))

    as_label_0 = image()
    press("2")
    assert explorer.choice.label == 2 and "drawing label 2" in explorer.view.status.get_text()
    expected = model.generate(np.array([[0.5, -0.5]], np.float32), [2])[0, ..., 0]
    np.testing.assert_allclose(image(), expected, atol=1e-6)
    assert not np.allclose(image(), as_label_0)
    press("7")   # no such label among 3: nothing changes
    assert explorer.choice.label == 2
    with pytest.raises(ValueError, match="--label: labels were given, but this VAE is not"):
        Explorer(VAE(**TINY), label=1)
    with pytest.raises(ValueError, match="--label: the labels must be whole numbers in 0..2"):
        Explorer(model, label=3)
