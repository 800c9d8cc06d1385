"""Tests for ``npvae exercise``: what a learner's broken file gives (one line, exit 1), what
start refuses, what list shows; and the capstone, which trains the book's VAE on the
learner's pieces and must give npvae's losses when the pieces are right."""
import numpy as np
import pytest

import npvae.layers.conv
import npvae.models.vae
from exercise_answers import RIGHT, WRONG
from npvae import cli
from npvae.exercises import capstone, grading, plugging, reference
from npvae.optim import RMSprop
from npvae.train import train_step


def run(capsys, *argv):
    """(exit code, stdout, stderr) of ``npvae exercise ARGV``."""
    code = cli.main(["exercise", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


BROKEN = {
    "a syntax error": ("def dense_forward(x, W, b)\n    return x @ W + b, x\n",
                       "dense.py, line 1: SyntaxError"),
    "an import error": ("import numpy as np\nfrom npvae.nowhere import matmul\n",
                        "line 2: ModuleNotFoundError: No module named 'npvae.nowhere'"),
    "a wrong signature": (RIGHT["dense"].replace("def dense_forward(x, W, b)",
                                                 "def dense_forward(x, W)"),
                          "dense_forward(x, W) has the wrong arguments: the exercise calls "
                          "dense_forward(x, W, b)"),
    "a missing return": (RIGHT["dense"].replace("    return x @ W + b, x", "    y = x @ W + b"),
                         "dense_forward returned None: it must return y, cache"),
    "a missing function": ("def dense_forward(x, W, b):\n    return x @ W + b, x\n",
                           "has no function dense_backward(dy, W, cache)"),
    "an exception inside": (RIGHT["dense"].replace("x @ W + b", "x @ W.T + b"),
                            "dense_forward raised ValueError: matmul"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_file_is_one_line_and_exit_1(case, tmp_path, capsys):
    source, fragment = BROKEN[case]
    (tmp_path / "dense.py").write_text(source)
    code, out, err = run(capsys, "check", "dense", "--dir", tmp_path)
    assert code == 1
    assert len(out.strip().splitlines()) == 1 and fragment in out, out
    assert "Traceback" not in out + err and err == ""


def test_an_exception_names_the_line_of_the_learners_file(tmp_path, capsys):
    (tmp_path / "dense.py").write_text(BROKEN["an exception inside"][0])
    _, out, _ = run(capsys, "check", "dense", "--dir", tmp_path)
    assert "(dense.py, line 3)" in out, out


def test_start_check_and_the_exit_codes(tmp_path, capsys):
    code, out, _ = run(capsys, "start", "kl", "--dir", tmp_path)
    assert code == 0 and f"wrote {tmp_path / 'kl.py'}" in out
    code, out, _ = run(capsys, "check", "kl", "--dir", tmp_path)
    assert code == 1 and out.startswith("TODO  gaussian_kl is not written yet")
    (tmp_path / "kl.py").write_text(WRONG[0][1])
    code, out, _ = run(capsys, "check", "kl", "--dir", tmp_path)
    assert code == 1 and "-> off by a factor of 2: the 0.5 in front of the sum is missing" in out
    (tmp_path / "kl.py").write_text(RIGHT["kl"])
    code, out, _ = run(capsys, "check", "kl", "--dir", tmp_path)
    assert code == 0 and out.strip().endswith("kl: passed, all 7 checks")


def test_start_never_overwrites(tmp_path, capsys):
    (tmp_path / "dense.py").write_text("# my work\n")
    code, _, err = run(capsys, "start", "dense", "--dir", tmp_path)
    assert code == 2 and "exists already" in err and "to start over, rename or delete" in err
    assert len(err.strip().splitlines()) == 1
    assert (tmp_path / "dense.py").read_text() == "# my work\n"


@pytest.mark.parametrize("argv, fragment", [
    (["check", "densest"], "no exercise 'densest'"),
    (["start", "capstone"], "no exercise 'capstone'"),
    (["check", "dense"], "there is no"),
])
def test_usage_errors_exit_2(argv, fragment, tmp_path, capsys):
    code, _, err = run(capsys, *argv, "--dir", tmp_path)
    assert code == 2 and fragment in err and len(err.strip().splitlines()) == 1


def test_list_hint_and_solution(tmp_path, capsys):
    (tmp_path / "kl.py").write_text(RIGHT["kl"])
    run(capsys, "check", "kl", "--dir", tmp_path)
    run(capsys, "start", "dense", "--dir", tmp_path)
    code, out, _ = run(capsys, "list", "--dir", tmp_path)
    rows = {line.split()[1]: line.split()[2] for line in out.splitlines()[1:13]}
    assert code == 0 and len(rows) == 12
    assert rows["kl"] == "passed" and rows["dense"] == "started" and rows["im2col"] == "not"
    assert "(1 of 10 so far)" in out
    code, out, _ = run(capsys, "hint", "rmsprop")
    assert code == 0 and out.startswith("1. ")
    code, out, _ = run(capsys, "solution", "col2im")
    assert code == 0 and "npvae/" in out and "def col2im" in out


# ------------------------------------------------------------------ the capstone

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
    model = capstone.textbook_vae(input_shape=(8, 8, 1), encoder_filters=(2, 3, 3, 3),
                                  dense_units=4, decoder_filters=2, seed=0)
    return model, RMSprop()


def test_every_piece_is_plugged_in_and_npvae_is_put_back():
    pieces = {name: Counting(capstone_functions(name)) for name in capstone.PIECES}
    batch = np.random.default_rng(0).random((4, 8, 8, 1), dtype=np.float32)
    model, optimizer = tiny_vae()
    plugging.plug_into(model, optimizer, pieces)
    before = (npvae.models.vae.gaussian_kl, npvae.layers.conv.im2col)
    with plugging.swapped(plugging.module_targets(pieces)):
        plugged = [train_step(model, optimizer, batch)["loss"] for _ in range(2)]
    assert (npvae.models.vae.gaussian_kl, npvae.layers.conv.im2col) == before
    assert {layer.algorithm.name for _, layer in tiny_vae()[0].named_layers()
            if hasattr(layer, "algorithm")} == {"textbook"}   # other models: npvae's own
    uncalled = [f"{name}.{f}" for name, piece in pieces.items()
                for f, count in piece.calls.items() if count == 0 and f != "sigmoid_backward"]
    assert not uncalled
    model, optimizer = tiny_vae()
    own = [train_step(model, optimizer, batch)["loss"] for _ in range(2)]
    assert plugged == own   # npvae's own functions, plugged in: the same numbers


def capstone_functions(name):
    from npvae.exercises import EXERCISES
    return list(EXERCISES[name].functions)


def test_a_piece_that_differs_changes_the_run():
    pieces = {"kl": Counting(["gaussian_kl"])}
    pieces["kl"].gaussian_kl = lambda mean, log_var: tuple(
        2 * v if i == 0 else v for i, v in enumerate(reference.gaussian_kl(mean, log_var)))
    batch = np.random.default_rng(0).random((4, 8, 8, 1), dtype=np.float32)
    model, optimizer = tiny_vae()
    with plugging.swapped(plugging.module_targets(pieces)):
        plugged = train_step(model, optimizer, batch)["loss"]
    model, optimizer = tiny_vae()
    assert plugged != train_step(model, optimizer, batch)["loss"]


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


def test_no_passed_piece_is_one_line(tmp_path, capsys):
    code, out, _ = run(capsys, "check", "capstone", "--dir", tmp_path)
    assert code == 1 and out.startswith("FAIL  no piece of the model has passed")


def test_the_capstone_with_right_pieces_gives_npvaes_losses(tmp_path, capsys):
    """The book's VAE on 32 MNIST images (two steps), on ten pieces written by hand."""
    for name, source in RIGHT.items():
        (tmp_path / f"{name}.py").write_text(source)
        assert run(capsys, "check", name, "--dir", tmp_path)[0] == 0
    result = capstone.run(tmp_path, images=32, progress_bar=False)
    assert len(result.npvae) == 2 and len(result.pieces) == len(capstone.PIECES)
    np.testing.assert_allclose(result.learner, result.npvae, rtol=1e-5)
    assert (tmp_path / "capstone.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out, _ = run(capsys, "check", "capstone", "--dir", tmp_path, "--images", 16,
                       "--out", tmp_path / "one_step.png")
    assert code == 0 and "agree to float32 rounding" in out, out
    assert out.splitlines()[0] == f"your pieces: {', '.join(capstone.PIECES)}"
    assert (tmp_path / "one_step.png").is_file()


def test_a_learner_error_during_the_capstone_is_one_line(tmp_path, capsys, monkeypatch):
    (tmp_path / "kl.py").write_text(RIGHT["kl"])
    assert run(capsys, "check", "kl", "--dir", tmp_path)[0] == 0

    def broken(folder):
        raise grading.LearnerError("gaussian_kl raised ValueError: boom (kl.py, line 3)")
    monkeypatch.setattr(capstone, "passed_pieces", broken)
    code, out, _ = run(capsys, "check", "capstone", "--dir", tmp_path, "--images", 16)
    assert code == 1 and out.strip() == "FAIL  gaussian_kl raised ValueError: boom (kl.py, line 3)"
