"""Tests for the exercises' grading: for every exercise, npvae's own code passes, the
untouched stub is "not written yet", and realistic wrong answers fail with the diagnosis
of their mistake. (The command line and the capstone: tests/test_exercise_cli.py.)"""
import pytest

import npvae.exercises as ex
from exercise_answers import RIGHT, WRONG

NAMES = list(ex.EXERCISES)


def write(folder, name, source):
    (folder / f"{name}.py").write_text(source)


def assert_passed(result):
    assert result.passed and result.exit_code == 0, str(result)
    assert all(line.status == "ok" for line in result.lines)


def test_twelve_exercises_in_the_order_of_the_guide():
    chapters = [exercise.chapter for exercise in ex.EXERCISES.values()]
    assert len(NAMES) >= 12 and chapters == sorted(chapters)


@pytest.mark.parametrize("name", NAMES)
def test_npvae_own_code_passes_every_check(name, tmp_path):
    functions = ", ".join(ex.get(name).functions)
    write(tmp_path, name, f"from npvae.exercises.reference import {functions}\n")
    result = ex.check(name, tmp_path)
    assert_passed(result)
    assert len(result.lines) >= 3   # more than a token check


@pytest.mark.parametrize("name", NAMES)
def test_the_untouched_stub_is_not_written_yet(name, tmp_path):
    ex.start(name, tmp_path)
    result = ex.check(name, tmp_path)
    assert result.exit_code == 1 and result.not_written
    assert len(result.lines) == 1 and "is not written yet" in str(result), str(result)


def test_every_exercise_has_a_right_answer_written_by_hand():
    assert set(RIGHT) == set(NAMES)


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_right_answers_written_by_hand_pass(name, tmp_path):
    """Another order of the same sums than npvae's passes too (these feed the capstone)."""
    write(tmp_path, name, RIGHT[name])
    assert_passed(ex.check(name, tmp_path))


@pytest.mark.parametrize("name, source, diagnosis", WRONG,
                         ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(WRONG)])
def test_a_wrong_answer_fails_with_its_diagnosis(name, source, diagnosis, tmp_path):
    write(tmp_path, name, source)
    result = ex.check(name, tmp_path)
    assert result.exit_code == 1 and not result.not_written
    failed = [line for line in result.lines if line.status == "fail"]
    assert any(diagnosis in line.text + line.diagnosis for line in failed), str(result)


def test_every_exercise_has_a_wrong_answer_with_a_diagnosis():
    assert {name for name, _, _ in WRONG} == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_hints_and_solution(name):
    assert len(ex.hints(name)) >= 2
    text = ex.solution(name)
    assert text.startswith("npvae's own code: npvae/") and "def " in text


def test_the_stub_states_the_math_and_the_signatures():
    stub = ex.get("conv2d").stub
    assert "def conv2d_forward(x, W, b, stride, pads, y_shape):" in stub
    assert "dW    = cols^T @ dy" in stub and "npvae exercise check conv2d" in stub
    compile(stub, "conv2d.py", "exec")   # every stub is valid Python, checked above by running


def test_a_pass_is_remembered_until_the_file_changes(tmp_path):
    assert ex.status(tmp_path)["dense"] == "not started"
    ex.start("dense", tmp_path)
    assert ex.status(tmp_path)["dense"] == "started"
    write(tmp_path, "dense", RIGHT["dense"])
    assert ex.check("dense", tmp_path).passed and ex.status(tmp_path)["dense"] == "passed"
    write(tmp_path, "dense", RIGHT["dense"] + "\n# an edit\n")
    assert ex.status(tmp_path)["dense"] == "started"
    write(tmp_path, "dense", WRONG[4][1])
    assert not ex.check("dense", tmp_path).passed
    write(tmp_path, "dense", RIGHT["dense"])   # the old passing file, but it failed since
    assert ex.status(tmp_path)["dense"] == "started"


def test_the_gradient_check_fails_where_backward_disagrees_with_forward(tmp_path):
    """The flipped kernel of this answer is in the forward only: its dx and dW are right
    for npvae's forward, so only the gradient check sees they are wrong for its own."""
    name, source, _ = next(w for w in WRONG if w[0] == "conv2d")
    write(tmp_path, name, source)
    lines = ex.check(name, tmp_path).lines

    def status(prefix):
        return next(line.status for line in lines if line.text.startswith(prefix))
    assert status("values: y ") == "fail" and status("values: dx ") == "ok"
    assert status("gradient check of dx:") == "fail" and status("gradient check of dW:") == "fail"
    assert status("gradient check of db:") == "ok"
