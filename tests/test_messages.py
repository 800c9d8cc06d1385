"""Every message a new user met in their first hours, made true and helpful: each one
tested here with the situation that produced it."""
import numpy as np
import pytest
from picture_folders import write_shapes

from npvae import cli
from npvae.cli import commands
from npvae.datasets import load_data
from npvae.models import VAE
from npvae.pictures import plots, report
from npvae.training.trainer import TrainConfig, Trainer

TINY_MODEL = dict(input_shape=(8, 8, 1), encoder_filters=(2, 2, 2, 2), dense_units=4,
                  decoder_filters=2)


def one_line_error(capsys):
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("resume", [[], ["--resume"]])
def test_epochs_below_1_is_one_rule_in_one_message(resume, tmp_path, capsys):
    said = []
    for epochs in ("0", "-1"):
        with pytest.raises(SystemExit) as exit_:
            cli.main(["train", "--epochs", epochs, "--out", str(tmp_path / "e0"), "--quiet",
                      *resume])
        said.append(capsys.readouterr().err.strip().splitlines()[-1])
        assert exit_.value.code == 2 and "checkpoint.npz" not in said[-1]
    assert said == [f"npvae train: error: argument --epochs: the run's total of epochs must "
                    f"be 1 or more; got {epochs}" for epochs in ("0", "-1")]
    assert not (tmp_path / "e0").exists()  # nothing left behind


def test_evaluate_on_a_run_whose_pictures_moved_says_so_without_data(tmp_path, capsys):
    folder = tmp_path / "shapes"
    write_shapes(folder, 20, size=8, colour=False)
    data = load_data(folder, progress=False)
    model = VAE(input_shape=data.x_train.shape[1:], latent_dim=2)
    Trainer(model, TrainConfig(epochs=1), tmp_path / "run", data=data.description).save()
    folder.rename(tmp_path / "moved")
    code = cli.main(["evaluate", "--checkpoint", str(tmp_path / "run" / "checkpoint.npz")])
    err = one_line_error(capsys)
    assert code == 2 and f"trained on the pictures in {folder}, which are no longer there" in err
    assert "--data" not in err


def test_a_file_that_is_no_checkpoint_is_called_so(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("# npvae\n\nA convolutional VAE.\n")
    code = cli.main(["manifold", "--checkpoint", str(readme)])
    err = one_line_error(capsys)
    assert code == 2 and f"{readme} is not a checkpoint" in err
    assert "pickle" not in err and "corrupt" not in err


@pytest.mark.parametrize("text, values", [("-0.5,1", [-0.5, 1.0]), ("-1", [-1.0]),
                                          ("-.5,2", [-0.5, 2.0]), ("-1e-3,0", [-0.001, 0.0]),
                                          ("0.5,-1", [0.5, -1.0])])
def test_at_takes_a_code_with_a_leading_minus(text, values):
    args = commands.parse(["explore", "--checkpoint", "c.npz", "--at", text, "--out", "v.png"])
    assert args.at == values


def test_a_new_run_into_a_finished_one_points_to_the_command_line(tmp_path, capsys):
    Trainer(VAE(latent_dim=2), TrainConfig(epochs=1), tmp_path).save()
    code = cli.main(["train", "--limit", "16", "--test-limit", "8", "--epochs", "1",
                     "--quiet", "--out", str(tmp_path)])
    err = one_line_error(capsys)
    assert code == 2 and "already exists: continue that run with --resume" in err
    assert "Trainer" not in err


def test_a_long_decode_shows_progress(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(report, "PROGRESS_AFTER", 0)  # as if each batch took seconds
    report.save_manifold(VAE(latent_dim=2, seed=0, **TINY_MODEL), tmp_path / "m.png", n=12)
    err = capsys.readouterr().err
    assert "decoding:" in err and "/144 [" in err  # the bar counts the 12 x 12 codes


def test_a_short_decode_shows_none(tmp_path, capsys):
    report.save_manifold(VAE(latent_dim=2, seed=0, **TINY_MODEL), tmp_path / "m.png", n=3)
    assert "decoding" not in capsys.readouterr().err


def test_resuming_a_no_pictures_run_draws_none_and_warns_of_no_frames(tmp_path, capsys):
    assert cli.main(["train", "--epochs", "1", "--no-pictures", "--limit", "32", "--test-limit",
                     "8", "--batch-size", "16", "--quiet", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert cli.main(["train", "--resume", "--epochs", "2", "--quiet", "--out", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert "pictures: none, as this run was started with --no-pictures" in out
    assert "frames" not in err and "warning" not in err
    assert not list(tmp_path.glob("manifold*")) and not list(tmp_path.glob("*.png"))[1:]


# --------------------------------------------------------------------------- the first hour, II

def test_sixteen_samples_are_two_rows_of_eight_not_ten_and_six():
    assert [plots.balanced_columns(n) for n in (10, 16, 11, 100, 1000)] == [10, 8, 6, 10, 32]


def test_a_suggested_command_names_a_shipped_model_by_its_short_name(capsys, monkeypatch):
    for display in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(display, raising=False)
    assert cli.main(["explore", "--checkpoint", "book"]) == 2
    err = one_line_error(capsys)
    assert "instead: npvae explore --checkpoint book --at 0,0 --out explore.png" in err
    assert cli.main(["summary", "--checkpoint", "book"]) == 0
    assert "checkpoint: book\n" in capsys.readouterr().out


def test_explore_says_when_the_code_is_off_the_plane(tmp_path, capsys):
    assert cli.main(["explore", "--checkpoint", "book", "--at", "100,-100",
                     "--out", str(tmp_path / "far.png")]) == 0
    err = capsys.readouterr().err
    assert "npvae: note: the code is outside the plane drawn" in err
    assert cli.main(["explore", "--checkpoint", "book", "--at", "1,-1",
                     "--out", str(tmp_path / "near.png")]) == 0
    assert capsys.readouterr().err == ""


def test_concept_says_why_its_columns_grow_when_its_rows_do_not(tmp_path, capsys, monkeypatch):
    values = np.array([[0.1, 0.3, 0.2], [0.3, 0.2, 0.6]])   # columns 0.2, 0.25, 0.4; no row
    measured = {"vector": np.zeros(2), "length": 1.0, "values": values, "monotone_share": 0.0}
    monkeypatch.setattr(report, "save_concept", lambda *a, **k: (tmp_path / "c.png", measured))
    assert cli.main(["concept", "--checkpoint", "book", "--n", "2", "--steps", "3",
                     "--test-limit", "50", "--out", str(tmp_path / "c.png")]) == 0
    line = capsys.readouterr().out.splitlines()[2]
    assert line.startswith("grows at every step in 0% of the 2 rows; the column means grow, "
                           "yet few rows do: along a row the digit itself may change")
