"""Tests for the command line: every command runs, writes what it says, and fails in one line.

One tiny real training run (64 images, 1 epoch, evaluated on 200 test images with
--test-limit) is shared by the whole module.
"""
import contextlib
import io
import json
import math
import shutil
from pathlib import Path

import pytest

from npvae import cli
from npvae.pictures import report
from npvae.storage.checkpoint import load_checkpoint
from npvae.training.spikes import Spike
from npvae.training.trainer import Trainer

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TINY_RUN = ["--limit", "64", "--test-limit", "200", "--epochs", "1", "--batch-size", "32",
            "--quiet"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A 1-epoch run, with its pictures: (run folder, what it printed)."""
    run = tmp_path_factory.mktemp("cli") / "run"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = cli.main(["train", *TINY_RUN, "--out", str(run)])
    assert code == 0, stdout.getvalue()
    return run, stdout.getvalue()


@pytest.fixture
def checkpoint(trained):
    return str(trained[0] / "checkpoint.npz")


def is_png(path):
    return Path(path).read_bytes()[:8] == PNG_SIGNATURE


def assert_one_line_error(code, err, expected_code=2, fragment=""):
    """Exit code 2 (or as given) and exactly one line on stderr, with no traceback."""
    assert code == expected_code
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("npvae: error: ") and fragment in lines[0], err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- train

def test_train_prints_header_epochs_and_writes_pictures(trained):
    run, out = trained
    assert "550,629 parameters" in out
    assert "64 training images, 200 test images" in out
    assert "epoch 1/1" in out and "test loss" in out
    epoch_line = next(line for line in out.splitlines() if line.startswith("epoch 1/1"))
    assert "nats per image" in epoch_line
    assert out.index("drawing pictures") < out.index("wrote ")  # said before the wait
    assert (run / "checkpoint.npz").is_file() and (run / "history.json").is_file()
    for name in ("manifold.png", "scatter.png", "reconstructions.png"):
        assert is_png(run / name)
        assert f"wrote {run / name}" in out


def test_resume_continues_to_the_requested_epoch(trained, tmp_path, capsys):
    run = shutil.copytree(trained[0], tmp_path / "run")
    code = cli.main(["train", "--resume", "--epochs", "2", "--quiet", "--no-pictures",
                     "--test-limit", "200", "--out", str(run)])
    out = capsys.readouterr().out
    assert code == 0
    assert "resuming after epoch 1" in out and "epoch 2/2" in out and "epoch 1/2" not in out
    _, meta = load_checkpoint(run / "checkpoint.npz")
    assert meta["epoch"] == 2 and [r["epoch"] for r in meta["history"]] == [1, 2]
    assert len(json.loads((run / "history.json").read_text())) == 2


def test_resume_of_a_finished_run_says_so(trained, tmp_path, capsys):
    run = shutil.copytree(trained[0], tmp_path / "run")
    assert cli.main(["train", "--resume", "--epochs", "1", "--lr", "0.5",
                     "--out", str(run)]) == 0
    captured = capsys.readouterr()
    assert "already at epoch 1 of 1; nothing to do" in captured.out
    assert "--lr ignored with --resume" in captured.err


def test_existing_checkpoint_is_never_overwritten(trained, capsys):
    run = trained[0]
    before = (run / "checkpoint.npz").read_bytes()
    code = cli.main(["train", *TINY_RUN, "--out", str(run)])
    assert_one_line_error(code, capsys.readouterr().err, fragment="already exists")
    assert (run / "checkpoint.npz").read_bytes() == before


def test_resume_without_a_checkpoint_fails(tmp_path, capsys):
    code = cli.main(["train", "--resume", "--out", str(tmp_path / "empty")])
    assert_one_line_error(code, capsys.readouterr().err, fragment="no checkpoint at")


def test_train_into_an_unwritable_folder_fails(tmp_path, capsys):
    (tmp_path / "afile").write_text("not a folder")
    code = cli.main(["train", *TINY_RUN, "--out", str(tmp_path / "afile" / "run")])
    assert_one_line_error(code, capsys.readouterr().err, fragment="is a file, not a folder")


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid:RuntimeWarning")
def test_divergence_exits_with_code_1(tmp_path, capsys):
    code = cli.main(["train", "--limit", "2", "--batch-size", "1", "--lr", "1e30",
                     "--optimizer", "sgd", "--quiet", "--test-limit", "10",
                     "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert_one_line_error(code, err, expected_code=1, fragment="the loss became")
    assert "e.g. 1e+29" in err and "--lr 1e+29" in err  # the library's advice, the flag


def test_a_spike_is_noted_with_the_flag_that_avoids_it(tmp_path, capsys, monkeypatch):
    def spiking(self, *args, on_spike, **kwargs):
        on_spike(Spike(step=8, loss=5000.0, typical=100.0))
        return self.history
    monkeypatch.setattr(Trainer, "fit", spiking)
    code = cli.main(["train", *TINY_RUN, "--no-pictures", "--out", str(tmp_path / "run")])
    out = capsys.readouterr().out
    assert code == 0
    assert "note: step 8's loss is 5000, 50x the recent steps' (100)" in out
    assert "--lr-warmup 50 avoids it" in out and "TrainConfig" not in out


def test_interrupt_points_to_the_last_checkpoint(trained, tmp_path, capsys, monkeypatch):
    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(Trainer, "fit", interrupted)
    run = shutil.copytree(trained[0], tmp_path / "run")
    code = cli.main(["train", "--resume", "--epochs", "3", "--out", str(run)])
    err = capsys.readouterr().err
    assert code == 130
    assert (f"the last checkpoint, {run / 'checkpoint.npz'}, holds the run at the end of "
            f"epoch 1; continue from there with: npvae train --out {run} --resume") in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- evaluate

def test_evaluate_json_is_one_object_with_consistent_terms(checkpoint, capsys):
    code = cli.main(["evaluate", "--checkpoint", checkpoint, "--json", "--limit", "200",
                     "--iwae", "3"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)   # fails unless stdout is exactly one JSON
    for key in ("neg_elbo", "reconstruction", "kl", "loss", "iwae_nll"):
        assert math.isfinite(result[key]), key
    assert result["neg_elbo"] == pytest.approx(result["reconstruction"] + result["kl"])
    assert result["iwae_k"] == 3 and result["images"] == 200


def test_evaluate_prints_human_lines(checkpoint, capsys):
    assert cli.main(["evaluate", "--checkpoint", checkpoint, "--limit", "50"]) == 0
    out = capsys.readouterr().out
    assert "50 test images" in out and "negative ELBO" in out and "KL" in out
    assert "nats per image" in out.splitlines()[0]


def test_missing_checkpoint_fails(tmp_path, capsys):
    code = cli.main(["evaluate", "--checkpoint", str(tmp_path / "nope.npz")])
    assert_one_line_error(code, capsys.readouterr().err, fragment="no checkpoint file")


def test_corrupt_checkpoint_fails(tmp_path, capsys):
    garbage = tmp_path / "checkpoint.npz"
    garbage.write_bytes(b"PK\x03\x04 this is not a zip archive" * 10)
    code = cli.main(["evaluate", "--checkpoint", str(garbage)])
    assert_one_line_error(code, capsys.readouterr().err, fragment=str(garbage))


# --------------------------------------------------------------------------- pictures

@pytest.mark.parametrize("command", [
    ["manifold", "--n", "4", "--dims", "1", "0"],
    ["scatter", "--limit", "300"],
    ["reconstruct", "--n", "3", "--seed", "1"],
    ["sample", "--n", "12"],
    ["interpolate", "--from-index", "2", "--to-index", "5", "--steps", "4"],
])
def test_picture_commands_write_a_png(command, checkpoint, tmp_path, capsys):
    out = tmp_path / "new folder" / "picture.png"
    assert cli.main([*command, "--checkpoint", checkpoint, "--out", str(out)]) == 0
    assert is_png(out)
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"wrote {out}"


def test_picture_into_an_unwritable_folder_fails(checkpoint, tmp_path, capsys):
    (tmp_path / "afile").write_text("not a folder")
    code = cli.main(["sample", "--checkpoint", checkpoint,
                     "--out", str(tmp_path / "afile" / "out.png")])
    assert_one_line_error(code, capsys.readouterr().err, fragment="is a file, not a folder")


def test_bad_picture_options_fail_in_one_line(checkpoint, tmp_path, capsys):
    code = cli.main(["manifold", "--checkpoint", checkpoint, "--dims", "0", "5",
                     "--out", str(tmp_path / "m.png")])
    assert_one_line_error(code, capsys.readouterr().err, fragment="dims must be")
    code = cli.main(["interpolate", "--checkpoint", checkpoint, "--to-index", "10000",
                     "--out", str(tmp_path / "i.png")])
    assert_one_line_error(code, capsys.readouterr().err, fragment="--to-index")


# --------------------------------------------------------------------------- summary, usage

def test_summary_needs_no_checkpoint(capsys):
    assert cli.main(["summary"]) == 0
    out = capsys.readouterr().out
    assert "Total params: 550,629" in out
    assert "encoder: 494,244" in out and "decoder: 56,385" in out
    assert "(None, 14, 14, 64)" in out and "Conv2DTranspose" in out


@pytest.mark.parametrize("argv, fragment", [
    (["train", "--batch-size", "0"], "batch size"),
    (["train", "--lr", "0"], "learning rate"),
    (["train", "--lr", "inf"], "learning rate"),
    (["train", "--limit", "0"], "limit"),
    (["train", "--latent-dim", "0"], "latent_dim"),
    (["evaluate", "--checkpoint", "CHECKPOINT", "--iwae", "0"], "importance samples"),
    (["evaluate", "--checkpoint", "CHECKPOINT", "--test-limit", "0"], "--test-limit"),
    (["evaluate", "--checkpoint", "CHECKPOINT", "--limit", "0"], "--test-limit"),  # old name
    (["sample", "--checkpoint", "CHECKPOINT", "--out", "samples.jpg"], ".png"),
    (["sample", "--checkpoint", "CHECKPOINT", "--n", "0"], "n must"),
    (["interpolate", "--checkpoint", "CHECKPOINT", "--steps", "1"], "steps"),
])
def test_values_refused_by_their_owner_fail_in_one_line(argv, fragment, checkpoint, tmp_path,
                                                        capsys, monkeypatch):
    """The CLI parses; the code that owns a value checks it, and the CLI reports it."""
    monkeypatch.chdir(tmp_path)
    argv = [checkpoint if arg == "CHECKPOINT" else arg for arg in argv]
    if argv[0] == "train":
        argv += ["--quiet", "--out", str(tmp_path / "run")]
    elif argv[0] != "evaluate" and "--out" not in argv:
        argv += ["--out", str(tmp_path / "picture.png")]
    code = cli.main(argv)
    assert_one_line_error(code, capsys.readouterr().err, fragment=fragment)
    assert not (tmp_path / "run").exists() and not (tmp_path / "picture.png").exists()






# --------------------------------------------------------------------------- first-hour messages

def test_picture_out_defaults_to_a_name_beside_the_checkpoint(trained, tmp_path, capsys):
    run = shutil.copytree(trained[0], tmp_path / "run")
    assert cli.main(["sample", "--n", "4", "--checkpoint", str(run / "checkpoint.npz")]) == 0
    assert is_png(run / "samples.png")
    assert capsys.readouterr().out.strip() == f"wrote {run / 'samples.png'}"


def test_scatter_says_what_it_is_doing_before_the_wait(checkpoint, tmp_path, capsys):
    out = tmp_path / "s.png"
    assert cli.main(["scatter", "--limit", "50", "--checkpoint", checkpoint,
                     "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines() == ["encoding 50 test images ...",
                                                    f"wrote {out}"]


def test_out_of_memory_is_one_line_saying_what_to_lower(tmp_path, capsys, monkeypatch):
    def out_of_memory(self, *args, **kwargs):
        raise MemoryError("Unable to allocate 9.34 GiB for an array with shape "
                          "(60000, 28, 28, 64) and data type float32")
    monkeypatch.setattr(Trainer, "fit", out_of_memory)
    code = cli.main(["train", *TINY_RUN, "--out", str(tmp_path / "run")])
    assert_one_line_error(code, capsys.readouterr().err, fragment="lower --batch-size")


def test_a_batch_larger_than_the_data_is_said_before_training(tmp_path, capsys, monkeypatch):
    started = []
    monkeypatch.setattr(Trainer, "fit", lambda self, *a, **k: started.append(True) or [])
    code = cli.main(["train", "--limit", "8", "--batch-size", "16", "--test-limit", "10",
                     "--quiet", "--no-pictures", "--out", str(tmp_path / "run")])
    assert code == 0 and started
    err = capsys.readouterr().err
    assert "warning: the batch size 16 is larger than the 8 training images" in err


def test_interrupt_while_drawing_says_the_checkpoint_is_whole(trained, tmp_path, capsys,
                                                              monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(Trainer, "fit", lambda self, *a, **k: self.history)
    monkeypatch.setattr(report, "save_manifold", interrupted)
    run = shutil.copytree(trained[0], tmp_path / "run")
    code = cli.main(["train", "--resume", "--epochs", "2", "--quiet", "--test-limit", "20",
                     "--out", str(run)])
    err = capsys.readouterr().err
    assert code == 130 and "Traceback" not in err
    assert f"checkpoint {run / 'checkpoint.npz'} is whole" in err
    assert f"npvae manifold --checkpoint {run / 'checkpoint.npz'}" in err


def test_evaluate_with_draws_reports_their_spread_and_shows_progress(checkpoint, capsys):
    code = cli.main(["evaluate", "--checkpoint", checkpoint, "--limit", "50", "--draws", "3",
                     "--iwae", "4"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "the mean of 3 noise draws per image, which spread by" in out
    assert "IWAE, K=4" in err and "negative ELBO" in err  # the progress bars' labels
    code = cli.main(["evaluate", "--checkpoint", checkpoint, "--limit", "50", "--json",
                     "--draws", "3"])
    result = json.loads(capsys.readouterr().out)
    assert result["draws"] == 3 and result["neg_elbo_spread"] > 0


def test_beta_and_lr_warmup_reach_the_run(tmp_path, capsys):
    run = tmp_path / "run"
    code = cli.main(["train", *TINY_RUN, "--no-pictures", "--beta", "0.5", "--lr-warmup", "3",
                     "--out", str(run)])
    out = capsys.readouterr().out
    assert code == 0 and "beta 0.5" in out and "lr warm-up over 3 steps" in out
    _, meta = load_checkpoint(run / "checkpoint.npz")
    assert meta["model"]["beta"] == 0.5 and meta["train"]["lr_warmup"] == 3
