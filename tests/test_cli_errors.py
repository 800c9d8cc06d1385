"""Whose fault a failure is: the user's (one line, exit 2) or npvae's (one line that says it
is a bug and how to see the traceback, exit 1; ``--debug`` or NPVAE_DEBUG=1 show it)."""
import subprocess
import sys

import pytest

from npvae import cli
from npvae.layers.dense import Dense

TINY_RUN = ["train", "--train-limit", "16", "--test-limit", "8", "--epochs", "1",
            "--batch-size", "8", "--quiet", "--no-pictures"]
# numpy's words for a shape bug: a ValueError, as the library's own checks raise
PLANTED = "operands could not be broadcast together with shapes (8,32) (31,)"

# The same bug, planted in a fresh process that runs the command as a user would.
PLANTED_IN_A_CHILD = f"""
import sys
from npvae.layers.dense import Dense
def forward(self, x):
    raise ValueError({PLANTED!r})
Dense.forward = forward
from npvae.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture
def planted(monkeypatch):
    """A bug inside a layer's forward pass: every Dense layer fails as a shape bug does."""
    def forward(self, x):
        raise ValueError(PLANTED)
    monkeypatch.setattr(Dense, "forward", forward)


def test_an_exception_inside_a_layer_is_called_a_bug_in_one_line(planted, tmp_path, capsys,
                                                                 monkeypatch):
    monkeypatch.delenv("NPVAE_DEBUG", raising=False)
    code = cli.main([*TINY_RUN, "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("npvae: error: a bug in npvae, not in what you gave (ValueError: "
                          "operands could not be broadcast")
    assert "please report it" in err and "--debug" in err and "NPVAE_DEBUG=1" in err


@pytest.mark.parametrize("where", ["before the command", "after it", "environment"])
def test_debug_shows_the_bug_itself(where, planted, tmp_path, monkeypatch):
    argv = [*TINY_RUN, "--out", str(tmp_path / "run")]
    if where == "environment":
        monkeypatch.setenv("NPVAE_DEBUG", "1")
    else:
        argv = ["--debug", *argv] if where == "before the command" else [*argv, "--debug"]
    with pytest.raises(ValueError, match="operands could not be broadcast"):
        cli.main(argv)


def test_debug_prints_the_traceback_of_the_npvae_command(tmp_path):
    argv = [sys.executable, "-c", PLANTED_IN_A_CHILD, *TINY_RUN, "--out", "run"]
    quiet = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=1800)
    loud = subprocess.run([*argv, "--debug"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=1800)
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr
    assert "a bug in npvae" in quiet.stderr
    assert loud.returncode == 1 and "Traceback (most recent call last)" in loud.stderr
    assert "in forward" in loud.stderr and PLANTED in loud.stderr.splitlines()[-1]


@pytest.mark.parametrize("argv, fragment", [
    (["--batch-size", "0"], "batch size must be at least 1"),          # TrainConfig's check
    (["--latent-dim", "0"], "latent_dim"),                              # VAE's check
    (["--data", "no/such/folder"], "no folder at no/such/folder"),      # the data's
])
def test_a_value_the_library_refuses_is_still_the_users_error(argv, fragment, tmp_path,
                                                              capsys):
    code = cli.main([*TINY_RUN, *argv, "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("npvae: error: ") and fragment in err and "bug" not in err
    assert not (tmp_path / "run" / "checkpoint.npz").exists()
