"""Write it yourself: exercises that grade a learner's own forward and backward passes.

Each exercise asks for the functions behind one piece of the VAE (a loss, a layer, the
optimizer), in a file of the learner's own that ``start`` writes from a stub: the math
and the shapes in its docstring, the signatures, bodies that raise NotImplementedError.
``check`` grades it one line per check (shapes and dtypes, values against npvae's own
code, a central-difference gradient check) and, for a wrong answer, says what the
mistake most likely is. The capstone (``npvae.exercises.capstone``) trains the book's
VAE on the pieces that pass. From Python::

    import npvae.exercises as ex
    ex.start("dense", "exercises")            # writes exercises/dense.py
    result = ex.check("dense", "exercises")   # a Result: print it, result.passed

The same from the command line: ``npvae exercise list | start | check | hint | solution``.
"""

from npvae.exercises import (activations, bernoulli, col2im, conv2d, conv2d_transpose, dense,
                             gradient_check, im2col, kl, log_mean_exp, progress, rmsprop,
                             sampling)

# In the order of the guide's chapters.
EXERCISES = {module.EXERCISE.name: module.EXERCISE for module in (
    kl, bernoulli, log_mean_exp, dense, activations, im2col, col2im, conv2d,
    conv2d_transpose, sampling, rmsprop, gradient_check)}
DEFAULT_FOLDER = "exercises"


class ExerciseError(ValueError):
    """A request that cannot be done (an unknown name, a file that exists): one line."""


def get(name):
    """The Exercise called ``name``; ExerciseError naming the others if there is none."""
    if name not in EXERCISES:
        raise ExerciseError(f"no exercise {name!r}; the exercises are: {', '.join(EXERCISES)}"
                            f" (and the capstone)")
    return EXERCISES[name]


def start(name, folder=DEFAULT_FOLDER):
    """Write the stub of exercise ``name`` into ``folder``; never over an existing file."""
    exercise = get(name)
    path = exercise.path(folder)
    if path.exists():
        raise ExerciseError(f"{path} exists already, and start never overwrites your work: "
                            f"to start over, rename or delete it, then run start again")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x") as file:  # "x": fails rather than overwrite, whatever happened since
        file.write(exercise.stub)
    return path


def check(name, folder=DEFAULT_FOLDER):
    """Grade the learner's file of exercise ``name``: a ``grading.Result``."""
    exercise = get(name)
    path = exercise.path(folder)
    if not path.is_file():
        raise ExerciseError(f"there is no {path} to check: write it with "
                            f"'npvae exercise start {name} --dir {folder}' first")
    result = exercise.grade(folder)
    progress.record(folder, name, path, result.passed)
    return result


def status(folder=DEFAULT_FOLDER):
    """name -> "not started", "started" or "passed", for every exercise, in order."""
    return {name: progress.status(folder, name, exercise.path(folder))
            for name, exercise in EXERCISES.items()}


def hints(name):
    return get(name).hints


def solution(name):
    """Where npvae's own answer to exercise ``name`` is, and its source."""
    return get(name).solution_text()


__all__ = ["EXERCISES", "ExerciseError", "check", "get", "hints", "solution", "start",
           "status"]
