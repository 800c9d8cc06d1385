"""Write it yourself: exercises that grade a learner's own forward and backward passes.

Each exercise asks for the functions behind one piece of the VAE (a loss, a layer, the
optimizer), in a file of the learner's own that ``start`` copies from the exercise's stub
(``npvae/exercises/stubs/NAME.py``): the math and the shapes in its docstring, the
signatures, bodies that raise NotImplementedError. ``check`` grades it one line per check
(shapes and dtypes, values against npvae's own code, a central-difference gradient check)
and, for a wrong answer, says what the mistake most likely is. The capstone
(``npvae.exercises.capstone``) trains the book's VAE on the pieces that pass. From Python::

    import npvae.exercises as ex
    ex.start("dense", "exercises")            # writes exercises/dense.py
    result = ex.check("dense", "exercises")   # a Result: print it, result.passed

The same from the command line: ``npvae exercise list | start | check | hint | solution``.

A check runs in a process of its own, in which each call of the learner's code has
``TIME_LIMIT`` seconds (``npvae/exercises/watchdog.py``); this package imports no more
than it needs to start it, and each exercise's module (``npvae/exercises/NAME.py``) only
when that exercise is asked for.
"""
import importlib
from pathlib import Path

from npvae.exercises import progress
from npvae.exercises.exercise import LANGUAGES
from npvae.exercises.result import Line, Result

# In the order of the guide's chapters.
NAMES = ("kl", "bernoulli", "log_mean_exp", "dense", "activations", "im2col", "col2im",
         "conv2d", "conv2d_transpose", "sampling", "rmsprop", "gradient_check")
DEFAULT_FOLDER = "exercises"
TIME_LIMIT = 10   # seconds a call of the learner's code may take in a check: ample for
#                   the checks' small arrays, even in loops of pure Python


class ExerciseError(ValueError):
    """A request that cannot be done (an unknown name, a file that exists): one line."""


def get(name):
    """The Exercise called ``name``; ExerciseError naming the others if there is none."""
    check_name(name)
    return importlib.import_module(f"npvae.exercises.{name}").EXERCISE


def check_name(name):
    if name not in NAMES:
        raise ExerciseError(f"no exercise {name!r}; the exercises are: {', '.join(NAMES)}"
                            f" (and the capstone)")


def exercises():
    """name -> Exercise, every one, in order."""
    return {name: get(name) for name in NAMES}


def learner_path(name, folder):
    """The learner's file of exercise ``name``: folder/NAME.py."""
    check_name(name)
    return Path(folder) / f"{name}.py"


def start(name, folder=DEFAULT_FOLDER, language="en"):
    """Copy the stub of exercise ``name`` into ``folder``, its docstrings in ``language``
    ("en", or "zh": Simplified Chinese); never over an existing file."""
    path = learner_path(name, folder)
    if path.exists():
        raise ExerciseError(f"{path} exists already, and start never overwrites your work: "
                            f"to start over, rename or delete it, then run start again")
    path.parent.mkdir(parents=True, exist_ok=True)
    stub = get(name).stub_in(language)
    with open(path, "x", encoding="utf-8") as file:  # "x": never over what appeared since
        file.write(stub)
    return path


def check(name, folder=DEFAULT_FOLDER, time_limit=TIME_LIMIT):
    """Grade the learner's file of exercise ``name``: a ``Result``.

    The checks run in a process of their own, where each call of the learner's code has
    ``time_limit`` seconds; ``time_limit=None`` runs them in this process, with no limit
    (to step through your code with a debugger).
    """
    path = learner_path(name, folder)
    if not path.is_file():
        raise ExerciseError(f"there is no {path} to check: write it with "
                            f"'npvae exercise start {name} --dir {folder}' first")
    if time_limit is None:
        from npvae.exercises import grading
        lines = [Line(*line) for line in grading.lines_of(name, str(folder))]
    else:
        lines = watched_lines(name, folder, time_limit)
    result = Result(name, lines)
    progress.record(folder, name, path, result.passed)
    return result


def watched_lines(name, folder, time_limit):
    """The lines of the check run in a child process; a hang ends it with a FAIL line."""
    from npvae.exercises import watchdog
    lines = []
    try:
        for line in watchdog.run("npvae.exercises.grading:lines_of", [name, str(folder)],
                                 time_limit):
            lines.append(Line(*line))
    except watchdog.Stopped as error:
        lines.append(Line("fail", str(error)))
    return lines


def status(folder=DEFAULT_FOLDER):
    """name -> "not started", "started" or "passed", for every exercise, in order."""
    return {name: progress.status(folder, name, learner_path(name, folder)) for name in NAMES}


def hints(name, language="en"):
    return get(name).hints_in(language)


def solution(name):
    """Where npvae's own answer to exercise ``name`` is, and its source."""
    return get(name).solution_text()


__all__ = ["DEFAULT_FOLDER", "ExerciseError", "LANGUAGES", "NAMES", "TIME_LIMIT", "check",
           "exercises", "get", "hints", "solution", "start", "status"]
