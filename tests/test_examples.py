"""The examples run, as a reader would run them, and print what they promise."""
import re
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(script, *args, cwd):
    result = subprocess.run([sys.executable, str(EXAMPLES / script), *args], cwd=cwd,
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_step_through_layers_shows_shapes_and_a_passing_gradient_check(tmp_path):
    out = run("step_through_layers.py", cwd=tmp_path)
    assert re.search(r"encoder/conv2 +\(1, 14, 14, 64\)", out)
    assert re.search(r"decoder/conv_out +\(1, 28, 28, 1\)", out)
    assert re.search(r"dL/d input of encoder/conv1 +\(1, 28, 28, 1\)", out)
    columns = {line.index("(1,") for line in out.splitlines() if line.startswith("  ")
               and "(1," in line}
    assert len(columns) == 1, "the shapes are not in one column"
    errors = [float(line.split()[-1]) for line in out.splitlines()
              if "max relative error" in line]
    assert len(errors) == 3 and max(errors) < 1e-6


def test_train_mnist_trains_and_draws(tmp_path):
    out = run("train_mnist.py", "--epochs", "1", "--train-limit", "64", "--test-limit", "100",
              "--out", "run", cwd=tmp_path)
    assert "550,629 parameters" in out and "epoch 1:" in out
    for name in ("manifold.png", "scatter.png", "reconstructions.png"):
        assert (tmp_path / "run" / name).read_bytes().startswith(b"\x89PNG")


def test_train_mnist_reports_a_bad_option_in_one_line(tmp_path):
    result = subprocess.run([sys.executable, str(EXAMPLES / "train_mnist.py"), "--epochs", "0"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--epochs" in result.stderr
    assert "Traceback" not in result.stderr
