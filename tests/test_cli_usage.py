"""Tests for the command line's usage: bad options are argparse errors, the help texts read
well, and ``python -m npvae.cli`` is the same command."""
import contextlib
import io
import re
import subprocess
import sys

import pytest

from npvae import cli
from test_cli import assert_one_line_error


@pytest.mark.parametrize("argv", [
    ["train", "--optimizer", "lbfgs"],
    ["train", "--epochs", "two"],
    ["train", "--lr", "fast"],
    ["evaluate"],
    [],
])
def test_bad_options_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert "error: " in err.strip().splitlines()[-1] and "Traceback" not in err


def test_subprocess_entry_point():
    summary = subprocess.run([sys.executable, "-m", "npvae.cli", "summary"],
                             capture_output=True, text=True, timeout=120)
    assert summary.returncode == 0 and "550,629" in summary.stdout
    missing = subprocess.run([sys.executable, "-m", "npvae.cli", "evaluate", "--checkpoint",
                              "no/such/checkpoint.npz"], capture_output=True, text=True,
                             timeout=120)
    assert_one_line_error(missing.returncode, missing.stderr, fragment="no checkpoint file")


def command_help(*argv):
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), pytest.raises(SystemExit):
        cli.main([*argv, "--help"])
    return " ".join(stdout.getvalue().split())


@pytest.mark.parametrize("command", ["manifold", "scatter", "reconstruct", "sample",
                                     "interpolate"])
def test_picture_help_reads_as_a_sentence(command):
    text = command_help(command)
    description = text.split(" options: ")[0].split("] ")[-1]  # between usage and options
    assert "Draw decode" not in description and description.endswith(".")
    assert "beside the checkpoint" in text


def test_train_help_says_the_book_and_how_checkpoint_every_counts():
    text = command_help("train")
    # "seed" is the random seed's option and nothing else: never Chollet's script.
    assert re.sub(r"--seed|random seed", "", text).count("seed") == 0
    assert "'book' (the book's loss)" in text and "as the book does" in text
    assert "every N steps, counted over the whole run" in text
