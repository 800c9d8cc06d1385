"""Tests for the capstone, ``npvae exercise check capstone``: it trains the book's VAE on
the learner's pieces, plugged in through the textbook's hooks; it must give npvae's losses
when the pieces are right, and name the first piece that differs when one is wrong."""
import numpy as np
import pytest
from exercise_answers import RIGHT
from exercise_mistakes import WRONG
from test_exercise_cli import run

import npvae.exercises as ex
from npvae.cli import exercise as cli_exercise
from npvae.exercises import capstone, comparing, plugging, progress, reference, side_by_side
from npvae.losses import LossTerms
from npvae.optim import RMSprop
from npvae.train import train_step


class Counting:
    """The learner's namespace of an exercise, made of npvae's own functions, counting calls."""

    def __init__(self, names):
        self.calls = dict.fromkeys(names, 0)
        for name in names:
            setattr(self, name, self.counted(name, getattr(reference, name)))

    def counted(self, name, function):
        def call(*args):
            self.calls[name] += 1
            return function(*args)
        return call


def tiny_vae():
    model = side_by_side.textbook_vae(input_shape=(8, 8, 1), encoder_filters=(2, 3, 3, 3),
                                      dense_units=4, decoder_filters=2, seed=0)
    return model, RMSprop()


def batch():
    return np.random.default_rng(0).random((4, 8, 8, 1), dtype=np.float32)


def counting(names):
    return {name: Counting(list(ex.get(name).functions)) for name in names}


@pytest.mark.parametrize("convolutions", [False, True])
def test_every_piece_is_plugged_in_through_the_hooks(convolutions):
    """Without the convolution exercises, npvae's convolutions run the learner's im2col
    and col2im; with them, the learner's convolutions run. No module changes, no other
    model; with npvae's own functions plugged in, the model computes the same numbers."""
    names = [name for name in capstone.PIECES
             if convolutions or name not in ("conv2d", "conv2d_transpose")]
    pieces = counting(names)
    model, optimizer = tiny_vae()
    plugging.plug_into(model, optimizer, pieces)
    plugged = [train_step(model, optimizer, batch())["loss"] for _ in range(2)]
    unused = {"sigmoid_backward"} | ({"im2col", "col2im"} if convolutions else set())
    uncalled = [f"{name}.{f}" for name, piece in pieces.items()
                for f, count in piece.calls.items() if count == 0 and f not in unused]
    assert not uncalled
    other, optimizer = tiny_vae()
    assert other.terms == LossTerms() and {layer.algorithm.name for _, layer in
                                           other.named_layers()
                                           if hasattr(layer, "algorithm")} == {"textbook"}
    own = [train_step(other, optimizer, batch())["loss"] for _ in range(2)]
    assert plugged == own   # npvae's own functions, plugged in: the same numbers


def test_a_piece_that_differs_changes_the_run():
    pieces = {"kl": Counting(["gaussian_kl"])}
    pieces["kl"].gaussian_kl = lambda mean, log_var: tuple(
        2 * v if i == 0 else v for i, v in enumerate(reference.gaussian_kl(mean, log_var)))
    model, optimizer = tiny_vae()
    plugging.plug_into(model, optimizer, pieces)
    plugged = train_step(model, optimizer, batch())["loss"]
    model, optimizer = tiny_vae()
    assert plugged != train_step(model, optimizer, batch())["loss"]


SHAPE_KEYED_RMSPROP = next(source for name, source, _ in WRONG
                           if name == "rmsprop" and "_memory" in source)


def learner_pieces(tmp_path, sources):
    """The learner's namespaces of ``sources`` (name -> file), as the capstone loads them."""
    from npvae.exercises import grading
    for name, source in sources.items():
        (tmp_path / f"{name}.py").write_text(source)
    return {name: grading.load(ex.get(name).path(tmp_path), ex.get(name).functions)
            for name in sources}


@pytest.mark.parametrize("planted, where", [
    ("rmsprop", "the update of "),
    ("relu", "decoder/"),                         # backward starts at the decoder
    ("dense_backward", "decoder/dense, backward"),
])
def test_the_comparer_names_the_first_piece_that_differs(planted, where, tmp_path):
    sources = dict(RIGHT)
    if planted == "rmsprop":
        sources["rmsprop"] = SHAPE_KEYED_RMSPROP
    elif planted == "relu":
        sources["activations"] = RIGHT["activations"].replace("y > 0", "y >= 0")
    else:
        sources["dense"] = RIGHT["dense"].replace("dy.sum(axis=0)", "dy.mean(axis=0)")
    pieces = learner_pieces(tmp_path, {name: sources[name] for name in capstone.PIECES})
    comparer = comparing.Comparer()
    side_by_side.train_losses(pieces, np.concatenate([batch()] * 2), 1, 4, "", False,
                              comparer, model=tiny_vae()[0])
    piece = {"relu": "activations", "dense_backward": "dense"}.get(planted, planted)
    assert comparer.first is not None and comparer.first.piece == piece, comparer.first
    assert comparer.first.where.startswith(where) and comparer.first.step == 1


def test_right_pieces_never_differ(tmp_path):
    pieces = learner_pieces(tmp_path, {name: RIGHT[name] for name in capstone.PIECES})
    comparer = comparing.Comparer()
    side_by_side.train_losses(pieces, np.concatenate([batch()] * 3), 1, 4, "", False,
                              comparer, model=tiny_vae()[0])
    assert comparer.first is None


def test_the_verdict_says_when_the_runs_differ(tmp_path):
    own = [500.0] * 12 + [200.0] * 20
    drifted = own[:12] + [200.0 * (1 + 3e-3)] * 20   # later steps: rounding, amplified
    result = capstone.CapstoneResult(["kl"], drifted, own, tmp_path)
    assert result.agree and "agree to float32 rounding" in str(result)
    early = [500.0 * (1 + 1e-4)] + own[1:]           # a wrong piece shows in the first steps
    elsewhere = own[:12] + [220.0] * 20              # or the run goes elsewhere
    diverged = own[:-1] + [float("nan")]
    for learner in (early, elsewhere, diverged):
        result = capstone.CapstoneResult(["kl"], learner, own, tmp_path)
        assert not result.agree and "they differ" in str(result)
    named = capstone.CapstoneResult(["kl"], own, own, tmp_path,
                                    comparing.Difference("kl", "the loss", 3, 0.5))
    assert not named.agree and "they differ: your kl is the first piece" in str(named)


def test_no_passed_piece_is_one_line(tmp_path, capsys):
    code, out, _ = run(capsys, "check", "capstone", "--dir", tmp_path)
    assert code == 1 and out.startswith("FAIL  no piece of the model has passed")


def test_the_capstone_with_right_pieces_gives_npvaes_losses(tmp_path, capsys):
    """The book's VAE on 32 MNIST images (two steps), on ten pieces written by hand."""
    for name, source in RIGHT.items():
        (tmp_path / f"{name}.py").write_text(source)
        assert run(capsys, "check", name, "--dir", tmp_path)[0] == 0
    result = capstone.run(tmp_path, images=32, progress_bar=False, time_limit=None)
    assert len(result.npvae) == 2 and len(result.pieces) == len(capstone.PIECES)
    np.testing.assert_allclose(result.learner, result.npvae, rtol=1e-5)
    assert result.first is None
    assert (tmp_path / "capstone.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out, _ = run(capsys, "check", "capstone", "--dir", tmp_path, "--images", 16,
                       "--out", tmp_path / "one_step.png")
    assert code == 0 and "agree to float32 rounding" in out, out
    assert out.splitlines()[0] == f"your pieces: {', '.join(capstone.PIECES)}"
    assert (tmp_path / "one_step.png").is_file()


def test_the_capstone_names_a_wrong_piece_that_passed_its_check(tmp_path, capsys):
    """An RMSprop that keeps its own memory by the parameter's shape (marked passed here
    as if its check had been weaker) makes the capstone name rmsprop, not "a piece"."""
    for name in ("kl", "rmsprop"):
        source = SHAPE_KEYED_RMSPROP if name == "rmsprop" else RIGHT[name]
        (tmp_path / f"{name}.py").write_text(source)
        progress.record(tmp_path, name, tmp_path / f"{name}.py", True)
    code, out, _ = run(capsys, "check", "capstone", "--dir", tmp_path, "--images", 16)
    assert code == 1, out
    assert "they differ: your rmsprop is the first piece whose output differs" in out, out
    assert "the update of encoder/" in out and "step 1" in out


def test_a_learner_error_during_the_capstone_is_one_line(tmp_path, capsys):
    """A KL that passes its check (4 images) and raises on the capstone's batch of 16."""
    source = RIGHT["kl"].replace("    var = np.exp(log_var)\n",
                                 "    if len(mean) > 4:\n        raise ValueError('boom')\n"
                                 "    var = np.exp(log_var)\n")
    (tmp_path / "kl.py").write_text(source)
    assert run(capsys, "check", "kl", "--dir", tmp_path)[0] == 0
    code, out, _ = run(capsys, "check", "capstone", "--dir", tmp_path, "--images", 16)
    assert code == 1 and out.strip() == "FAIL  gaussian_kl raised ValueError: boom (kl.py, line 4)"


def test_a_hang_during_the_capstone_is_one_line(tmp_path, capsys):
    loop = ("    end = time.time() + 30\n"   # ends by itself: see test_exercise_cli.LOOP
            "    while len(mean) > 4 and time.time() < end:\n        pass\n")
    source = "import time\n" + RIGHT["kl"].replace("    var = np.exp(log_var)\n",
                                                   loop + "    var = np.exp(log_var)\n")
    (tmp_path / "kl.py").write_text(source)
    assert run(capsys, "check", "kl", "--dir", tmp_path)[0] == 0
    code, out, _ = run(capsys, "check", "capstone", "--dir", tmp_path, "--images", 16,
                       "--time-limit", 0.5)
    assert code == 1 and out.startswith("FAIL  gaussian_kl did not return within 0.5 s"), out


def test_the_capstone_defaults_the_command_shows_are_the_capstones():
    assert (cli_exercise.CAPSTONE_IMAGES, cli_exercise.CAPSTONE_EPOCHS) == (capstone.IMAGES,
                                                                           capstone.EPOCHS)
