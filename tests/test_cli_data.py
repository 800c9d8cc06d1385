"""`npvae train --data DIR` on a folder of generated colour pictures, and what follows from
it: the checkpoint records the data, every command reloads the same split, bad input is
one line and exit code 2."""
import pytest
from picture_folders import write_shapes

from npvae import cli
from npvae.storage.checkpoint import load_checkpoint

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PICTURES = ["manifold", "scatter", "reconstruct", "sample", "interpolate"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("shapes") / "shapes"
    write_shapes(path, 160, size=20, colour=True)
    return path


@pytest.fixture(scope="module")
def run(folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "run"
    code = cli.main(["train", "--data", str(folder), "--image-size", "16", "--epochs", "2",
                     "--batch-size", "16", "--quiet", "--out", str(out)])
    assert code == 0
    return out


def test_training_on_a_picture_folder_lowers_the_loss(run):
    _, meta = load_checkpoint(run / "checkpoint.npz")
    assert meta["model"]["input_shape"] == [16, 16, 3]
    first, second = meta["history"]
    assert second["test_loss"] < first["test_loss"]
    assert second["train_loss"] < first["train_loss"]
    data = meta["data"]
    assert data["kind"] == "image folder" and data["shape"] == [16, 16, 3]
    assert data["split"] == {"rule": "hold-out", "test_fraction": 0.1, "seed": 0,
                             "train": 144, "test": 16}
    assert data["label_names"] == ["disc", "square"]
    for name in ("manifold", "scatter", "reconstructions"):
        assert (run / f"{name}.png").read_bytes()[:8] == PNG_SIGNATURE


@pytest.mark.parametrize("command", PICTURES)
def test_every_picture_command_writes_a_png(run, command, tmp_path, capsys):
    out = tmp_path / f"{command}.png"
    assert cli.main([command, "--checkpoint", str(run / "checkpoint.npz"),
                     "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == PNG_SIGNATURE
    assert f"wrote {out}" in capsys.readouterr().out


def test_evaluate_uses_the_runs_test_split(run, capsys):
    assert cli.main(["evaluate", "--checkpoint", str(run / "checkpoint.npz")]) == 0
    assert "on 16 test images" in capsys.readouterr().out


def test_resume_reloads_the_same_data(run, tmp_path, capsys):
    resumed = tmp_path / "resumed"
    resumed.mkdir()
    (resumed / "checkpoint.npz").write_bytes((run / "checkpoint.npz").read_bytes())
    assert cli.main(["train", "--out", str(resumed), "--resume", "--epochs", "3",
                     "--quiet", "--no-pictures"]) == 0
    out = capsys.readouterr().out
    assert "144 training and 16 test images of 16x16x3" in out and "epoch 3/3" in out


def test_a_run_stopped_midway_and_resumed_ends_bit_identical(run, folder, tmp_path,
                                                              monkeypatch, capsys):
    """Stopped (Ctrl-C) at step 12 of 18, after a checkpoint at step 10, then resumed: the
    same weights, bit for bit, as the run that never stopped (the ``run`` fixture)."""
    import npvae.train
    real_step, calls = npvae.train.train_step, {"n": 0}

    def step_then_stop(*args):
        calls["n"] += 1
        if calls["n"] == 12:
            raise KeyboardInterrupt
        return real_step(*args)
    monkeypatch.setattr(npvae.train, "train_step", step_then_stop)
    out = tmp_path / "stopped"
    assert cli.main(["train", "--data", str(folder), "--image-size", "16", "--epochs", "2",
                     "--batch-size", "16", "--quiet", "--checkpoint-every", "5",
                     "--out", str(out)]) == 130
    monkeypatch.setattr(npvae.train, "train_step", real_step)
    assert load_checkpoint(out / "checkpoint.npz")[1]["step_in_epoch"] == 1  # step 10 of 9+9
    assert cli.main(["train", "--out", str(out), "--resume", "--quiet"]) == 0
    resumed, straight = (load_checkpoint(path / "checkpoint.npz")[0] for path in (out, run))
    differ = [key for key in straight if key.startswith("model/")
              and resumed[key].tobytes() != straight[key].tobytes()]
    assert not differ and len(straight) == len(resumed)


def bad_folders(root):
    (root / "empty").mkdir()
    (root / "text").mkdir()
    (root / "text" / "notes.txt").write_text("no pictures here")
    (root / "file.png").write_bytes(b"not a folder")


@pytest.mark.parametrize("options, fragment", [
    (["--data", "{root}/empty"], "no pictures in"),
    (["--data", "{root}/text"], "it holds 1 other files"),
    (["--data", "{root}/file.png"], "is a file, not a folder"),
    (["--data", "{folder}", "--image-size", "7"], "7x7, but the model takes even"),
    (["--data", "{folder}", "--channels", "2"], "channels must be 1 (grayscale) or 3"),
])
def test_bad_data_is_one_line_and_exit_code_2(folder, tmp_path, capsys, options, fragment):
    bad_folders(tmp_path)
    argv = [o.format(root=tmp_path, folder=folder) for o in options]
    code = cli.main(["train", *argv, "--quiet", "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("npvae: error: ") and fragment in lines[0]


@pytest.mark.parametrize("options, said", [
    ([], "lr warm-up over 50 steps"),                 # own pictures: warmed up by default
    (["--lr-warmup", "0"], None),                     # unless the user says otherwise
])
def test_own_pictures_warm_the_learning_rate_up_by_default(folder, tmp_path, capsys,
                                                           monkeypatch, options, said):
    from npvae.training.trainer import Trainer
    configs = []
    monkeypatch.setattr(Trainer, "fit", lambda self, *a, **k: configs.append(self.config) or [])
    code = cli.main(["train", "--data", str(folder), "--image-size", "16", "--epochs", "1",
                     "--quiet", "--no-pictures", "--out", str(tmp_path / "run"), *options])
    out = capsys.readouterr().out
    assert code == 0 and configs[0].lr_warmup == (50 if said else 0)
    assert (said in out) if said else ("warm-up" not in out)


def test_mnist_keeps_the_books_recipe_without_a_warm_up(tmp_path, capsys, monkeypatch):
    from npvae.training.trainer import Trainer
    configs = []
    monkeypatch.setattr(Trainer, "fit", lambda self, *a, **k: configs.append(self.config) or [])
    assert cli.main(["train", "--limit", "16", "--test-limit", "8", "--epochs", "1", "--quiet",
                     "--no-pictures", "--out", str(tmp_path / "run")]) == 0
    assert configs[0].lr_warmup == 0
