"""Tests for the command line's usage: bad options are argparse errors before anything
loads, the help texts read well, each option name means one thing, and ``python -m npvae``
and ``python -m npvae.cli`` are the same command."""
import contextlib
import inspect
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import assert_one_line_error

import npvae
from npvae import cli
from npvae.cli import commands, options
from npvae.models import VAE
from npvae.models.vae import LOSSES
from npvae.optim import OPTIMIZERS
from npvae.pictures import concepts
from npvae.training.trainer import TrainConfig


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
                             capture_output=True, text=True, timeout=1800)
    assert summary.returncode == 0 and "550,629" in summary.stdout
    missing = subprocess.run([sys.executable, "-m", "npvae.cli", "evaluate", "--checkpoint",
                              "no/such/checkpoint.npz"], capture_output=True, text=True,
                             timeout=1800)
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


# --------------------------------------------------------------------------- what loads

# Runs in a fresh process: each command line must be refused (or answered) by the parser
# alone, with neither numpy nor numba loaded.
BEFORE_ANYTHING_LOADS = """
import contextlib, io, sys
from npvae import cli
for argv in ([], ["--version"], ["train", "--lr", "abc"], ["train", "--epochs", "0"],
             ["train", "--help"], ["sample", "--checkpoint", "book", "--n", "x"],
             ["explore", "--checkpoint", "book", "--at", "1,z"], ["evaluate"]):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            cli.main(argv)
        except SystemExit:
            pass
print(sorted(m for m in ("numpy", "numba", "matplotlib") if m in sys.modules))
"""


def test_a_bad_argument_is_refused_before_numpy_or_numba_loads():
    child = subprocess.run([sys.executable, "-c", BEFORE_ANYTHING_LOADS], capture_output=True,
                           text=True, timeout=1800)
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "[]"


def test_python_dash_m_npvae_is_the_command():
    child = subprocess.run([sys.executable, "-m", "npvae", "--version"], capture_output=True,
                           text=True, timeout=1800)
    assert child.returncode == 0 and child.stdout.strip() == f"npvae {npvae.__version__}"


def test_the_values_the_help_quotes_are_their_owners():
    """The parser writes them down to load nothing (npvae/cli/options.py); here they are
    held equal to the code that owns them."""
    defaults = {name: p.default for name, p in inspect.signature(VAE).parameters.items()}
    assert options.BOOK_MODEL == {name: defaults[name] for name in options.BOOK_MODEL}
    assert options.BOOK_TRAINING == {name: getattr(TrainConfig(), name)
                                     for name in options.BOOK_TRAINING}
    assert sorted(options.OPTIMIZER_NAMES) == sorted(OPTIMIZERS)
    assert options.LOSS_NAMES == LOSSES and options.ATTRIBUTES == concepts.ATTRIBUTES


# --------------------------------------------------------------------------- option names

def test_each_listed_option_name_means_one_thing_across_commands():
    """--test-limit is test images everywhere, --train-limit training images; --limit, the
    old name of both, is listed nowhere but still parses (to test images except in train)."""
    names = [name for group in commands.LIGHT_GROUPS for name in group.COMMANDS]
    helps = {name: command_help(name) for name in [*names, "exercise"]}
    assert not any("--limit" in text for text in helps.values())
    for name, text in helps.items():
        if "--test-limit" in text:
            assert "first N test images" in text.split("--test-limit N")[-1][:90], name
    assert "--train-limit N train on the first N training images" in helps["train"]
    for command in ("evaluate", "scatter", "explore", "concept"):
        argv = [command, "--checkpoint", "book", "--limit", "7"]
        assert commands.parse(argv).test_limit == 7 == commands.parse(
            [*argv[:-2], "--test-limit", "7"]).test_limit
    old, new = (commands.parse(["train", flag, "7"]) for flag in ("--limit", "--train-limit"))
    assert old.limit == new.limit == 7 and old.test_limit is None


def test_the_command_line_sets_no_private_attribute_of_argparse():
    sources = "\n".join(path.read_text() for path in Path(cli.__file__).parent.rglob("*.py"))
    assert not re.search(r"\w\._[a-z]\w*\s*=[^=]", sources)
