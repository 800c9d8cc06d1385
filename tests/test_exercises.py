"""Tests for the exercises' grading: for every exercise, npvae's own code passes, the
untouched stub is "not written yet", and wrong answers of each class of mistake fail with
the diagnosis of their mistake. The checks run in this process here (``time_limit=None``),
the same checks the command runs in a process of its own (that, the time limit and the
capstone: tests/test_exercise_cli.py)."""
import importlib
import re

import pytest
from exercise_answers import RIGHT
from exercise_mistakes import WRONG

import npvae.exercises as ex

NAMES = list(ex.NAMES)


def write(folder, name, source):
    (folder / f"{name}.py").write_text(source)


def check(name, folder):
    return ex.check(name, folder, time_limit=None)


def assert_passed(result):
    assert result.passed and result.exit_code == 0, str(result)
    assert all(line.status == "ok" for line in result.lines)


def test_twelve_exercises_in_the_order_of_the_guide():
    chapters = [ex.get(name).chapter for name in NAMES]
    assert len(NAMES) >= 12 and chapters == sorted(chapters)


@pytest.mark.parametrize("name", NAMES)
def test_npvae_own_code_passes_every_check(name, tmp_path):
    functions = ", ".join(ex.get(name).functions)
    write(tmp_path, name, f"from npvae.exercises.reference import {functions}\n")
    result = check(name, tmp_path)
    assert_passed(result)
    assert len(result.lines) >= 3   # more than a token check


@pytest.mark.parametrize("name", NAMES)
def test_the_untouched_stub_is_not_written_yet(name, tmp_path):
    assert ex.start(name, tmp_path).read_text() == ex.get(name).stub_path.read_text()
    result = check(name, tmp_path)
    assert result.exit_code == 1 and result.not_written
    assert all(line.status == "not written" for line in result.lines), str(result)
    assert "is not written yet" in str(result)


@pytest.mark.parametrize("name", NAMES)
def test_each_stub_is_a_module_with_the_functions_to_write(name):
    """The stubs are files of their own, shipped with the package: they import, and each
    function takes the arguments the checks pass and raises NotImplementedError."""
    stub = importlib.import_module(f"npvae.exercises.stubs.{name}")
    assert stub.__doc__.startswith(f"Exercise {name}") and f"check {name}" in stub.__doc__
    for function, spec in ex.get(name).functions.items():
        with pytest.raises(NotImplementedError):
            getattr(stub, function)(*[None] * len(spec.arguments()))


def test_every_exercise_has_a_right_answer_written_by_hand():
    assert set(RIGHT) == set(NAMES)


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_right_answers_written_by_hand_pass(name, tmp_path):
    """Another order of the same sums than npvae's passes too (these feed the capstone)."""
    write(tmp_path, name, RIGHT[name])
    assert_passed(check(name, tmp_path))


@pytest.mark.parametrize("name, source, diagnosis", WRONG,
                         ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(WRONG)])
def test_a_wrong_answer_fails_with_its_diagnosis(name, source, diagnosis, tmp_path):
    write(tmp_path, name, source)
    result = check(name, tmp_path)
    assert result.exit_code == 1 and not result.not_written
    failed = [line for line in result.lines if line.status == "fail"]
    assert any(diagnosis in line.text + line.diagnosis for line in failed), str(result)
    # "850 instead of 850": a number shown as wrong is never written as its right value
    assert not re.search(r"(?<![\w.+-])([\w.+-]+) instead of \1(?![\w.])", str(result)), \
        str(result)


def test_every_exercise_has_a_wrong_answer_with_a_diagnosis():
    assert {name for name, _, _ in WRONG} == set(NAMES)


@pytest.mark.parametrize("source", [
    RIGHT["bernoulli"].replace("return loss, s - x", "return loss, x - s"),   # the sign only
    RIGHT["bernoulli"].replace(".sum(axis=1)", ".mean(axis=1)"),              # a pixel mean
])
def test_the_bernoulli_stability_line_blames_log_sigmoid_only_where_it_is_to_blame(source,
                                                                                  tmp_path):
    write(tmp_path, "bernoulli", source)
    result = check("bernoulli", tmp_path)
    assert not result.passed and "log(0)" not in str(result), str(result)


@pytest.mark.parametrize("source", [RIGHT["gradient_check"].replace("(up - down) / (2 * h)",
                                                                    "(up - down) / h"),
                                    RIGHT["gradient_check"].replace("h=1e-5", "h=0.5"),
                                    RIGHT["gradient_check"].replace("h=1e-5", "h=1e-13")])
def test_a_central_difference_is_never_called_one_sided(source, tmp_path):
    write(tmp_path, "gradient_check", source)
    result = check("gradient_check", tmp_path)
    assert not result.passed and "one-sided" not in str(result), str(result)


STUB_BACKWARD = {
    "dense": ("def dense_backward(dy, W, cache):\n    raise NotImplementedError('later')\n",
              "values: y equals npvae's"),
    "conv2d": ("def conv2d_backward(dy, W, cache):\n    raise NotImplementedError('later')\n",
               "values: y equals npvae's"),
    "sampling": ("def sampling_backward(dz, cache):\n    raise NotImplementedError('later')\n",
                 "values: z equals npvae's"),
    "activations": ("def sigmoid_backward(dy, y):\n    raise NotImplementedError('later')\n",
                    "values: ReLU's dx equals npvae's"),
}


@pytest.mark.parametrize("name", STUB_BACKWARD)
def test_a_right_forward_is_graded_while_the_backward_is_todo(name, tmp_path):
    """The forward's lines are all "ok", and the function not written yet is the one TODO."""
    stubbed, graded = STUB_BACKWARD[name]
    function = stubbed.split("(")[0].removeprefix("def ")
    write(tmp_path, name, RIGHT[name] + stubbed)   # the later definition wins
    result = check(name, tmp_path)
    todo = [line for line in result.lines if line.status == "not written"]
    assert result.exit_code == 1 and not any(line.status == "fail" for line in result.lines)
    assert [line.text.split()[0] for line in todo] == [function], str(result)
    assert any(line.text == graded for line in result.lines if line.status == "ok"), str(result)
    assert sum(line.status == "ok" for line in result.lines) >= 3


@pytest.mark.parametrize("name", NAMES)
def test_hints_and_solution(name):
    assert len(ex.hints(name)) >= 2
    text = ex.solution(name)
    assert text.startswith("npvae's own code: npvae/") and "def " in text


def test_the_stub_states_the_math_the_signatures_and_the_rules():
    stub = ex.get("conv2d").stub
    assert "def conv2d_forward(x, W, b, stride, pads, y_shape):" in stub
    assert "dW    = cols^T @ dy" in stub and "npvae exercise check conv2d" in stub
    assert "float32 in, float32 out" in stub and "leave" in stub
    assert "LARGEST" in ex.get("log_mean_exp").stub
    assert "(0 if both are 0)" in ex.get("gradient_check").stub


def test_a_pass_is_remembered_until_the_file_changes(tmp_path):
    assert ex.status(tmp_path)["dense"] == "not started"
    ex.start("dense", tmp_path)
    assert ex.status(tmp_path)["dense"] == "started"
    write(tmp_path, "dense", RIGHT["dense"])
    assert check("dense", tmp_path).passed and ex.status(tmp_path)["dense"] == "passed"
    write(tmp_path, "dense", RIGHT["dense"] + "\n# an edit\n")
    assert ex.status(tmp_path)["dense"] == "started"
    write(tmp_path, "dense", WRONG[4][1])
    assert not check("dense", tmp_path).passed
    write(tmp_path, "dense", RIGHT["dense"])   # the old passing file, but it failed since
    assert ex.status(tmp_path)["dense"] == "started"


def test_the_gradient_check_fails_where_backward_disagrees_with_forward(tmp_path):
    """The flipped kernel of this answer is in the forward only: its dx and dW are right
    for npvae's forward, so only the gradient check sees they are wrong for its own."""
    name, source, _ = next(w for w in WRONG if w[0] == "conv2d")
    write(tmp_path, name, source)
    lines = check(name, tmp_path).lines

    def status(prefix):
        return next(line.status for line in lines if line.text.startswith(prefix))
    assert status("values: y ") == "fail" and status("values: dx ") == "ok"
    assert status("gradient check of dx:") == "fail" and status("gradient check of dW:") == "fail"
    assert status("gradient check of db:") == "ok"


def test_a_difference_shows_the_digits_that_differ():
    """A loss of 850.0004 where 850 is right was shown as "850 instead of 850"."""
    from npvae.exercises.checks import difference
    assert difference(850.0004, 850.0) == "850.0004 instead of 850"
    assert difference([1.0, 850.0004], [1.0, 850.0]).endswith("850.0004 instead of 850")
