"""Tests for ``npvae exercise``: what a learner's broken or hanging file gives (one line,
exit 1), what start refuses, what list shows, what a check imports. (The capstone:
tests/test_capstone.py.)"""
import subprocess
import sys

import pytest
from exercise_answers import RIGHT
from exercise_mistakes import WRONG

import npvae.exercises as ex
from npvae import cli


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


# ------------------------------------------------------------------ time limits

# The loops end by themselves after 30 s, the sleep too: with a time limit that failed
# to stop them, these tests would fail then, not hang the suite or leave a process busy.
LOOP = "import time\nEND = time.time() + 30\n"
HANGS = {
    "an endless loop": (LOOP + "def dense_forward(x, W, b):\n    while time.time() < END:\n"
                        "        pass\n"
                        "def dense_backward(dy, W, cache):\n    pass\n",
                        "dense_forward did not return within 0.5 s"),
    "a long sleep": ("import time\ndef dense_forward(x, W, b):\n    time.sleep(30)\n"
                     "def dense_backward(dy, W, cache):\n    pass\n",
                     "dense_forward did not return within 0.5 s"),
    "a loop at the top level": (LOOP + "while time.time() < END:\n    pass\n",
                                "dense.py's top level did not finish within 0.5 s"),
    "the process ended": ("import os\ndef dense_forward(x, W, b):\n    os._exit(3)\n"
                          "def dense_backward(dy, W, cache):\n    pass\n",
                          "dense_forward ended the checking process (exit code 3)"),
}


@pytest.mark.parametrize("case", HANGS)
def test_a_call_that_does_not_return_ends_the_check_in_one_line(case, tmp_path, capsys):
    source, fragment = HANGS[case]
    (tmp_path / "dense.py").write_text(source)
    code, out, err = run(capsys, "check", "dense", "--dir", tmp_path, "--time-limit", 0.5)
    assert code == 1 and len(out.strip().splitlines()) == 1, out
    assert out.startswith(f"FAIL  {fragment}"), out
    assert "--time-limit" in out or "did not" not in fragment   # what to do if only slow


def test_the_lines_before_a_hang_are_kept(tmp_path):
    """A forward that is right is graded; its backward's hang is the last line."""
    source = LOOP + RIGHT["dense"].replace(
        "    return dy @ W.T,", "    while time.time() < END:\n        pass\n    return dy @ W.T,")
    (tmp_path / "dense.py").write_text(source)
    result = ex.check("dense", tmp_path, time_limit=0.5)
    assert result.lines[-1].text.startswith("dense_backward did not return within 0.5 s")
    assert [line.status for line in result.lines[:-1]] == ["ok"] * 3, str(result)


def test_the_learners_prints_reach_stderr(tmp_path, capsys):
    (tmp_path / "kl.py").write_text(RIGHT["kl"].replace("    var = np.exp(log_var)\n",
                                                        "    print('inside kl')\n"
                                                        "    var = np.exp(log_var)\n"))
    code, out, err = run(capsys, "check", "kl", "--dir", tmp_path)
    assert code == 0 and "inside kl" in err and "inside kl" not in out


def test_a_check_imports_only_what_it_needs(tmp_path):
    """The command's side needs no numpy to start a check; the checking side imports the
    exercise's own module and npvae's functions it is graded against, no other exercise,
    no picture code, no model."""
    (tmp_path / "kl.py").write_text(RIGHT["kl"])
    program = ("import sys, npvae.exercises\n"
               "parent = 'numpy' in sys.modules\n"
               "import npvae.exercises.grading as g\n"
               "list(g.lines_of('kl', sys.argv[1]))\n"
               "loaded = [m for m in sys.modules if m.startswith(('npvae.exercises.', "
               "'npvae.models', 'matplotlib', 'npvae.fast', 'numba'))]\n"
               "print(parent, sorted(loaded))")
    out = subprocess.run([sys.executable, "-c", program, str(tmp_path)], capture_output=True,
                         text=True, check=True).stdout
    assert out.startswith("False "), out
    assert eval(out.split(" ", 1)[1]) == ["npvae.exercises.checks", "npvae.exercises.exercise",
                                          "npvae.exercises.grading", "npvae.exercises.kl",
                                          "npvae.exercises.progress", "npvae.exercises.result"]
