"""Grading a learner's file: import it safely, call its functions safely, collect the verdict.

A learner's file is ordinary Python that may be anything: half written, with a syntax
error, importing a module that does not exist, with a function that takes the wrong
arguments or forgets its ``return``. Every such case becomes one line that says where and
what (never a traceback), and the grade is "fail" (exit code 1). A function that still
raises the stub's ``NotImplementedError`` is "not written yet".

The learner's functions are called through ``LearnerFunction``, which turns whatever goes
wrong inside them into a ``LearnerError`` naming the function, the exception and the line
of the learner's file, and which checks that a function returns what it should (one
array, or a tuple of a given length).
"""
import dataclasses
import importlib.util
import inspect
import traceback
from pathlib import Path

import numpy as np


class LearnerError(Exception):
    """The learner's file cannot be checked further: the message is the one line to show."""


class NotWritten(LearnerError):
    """A function still raises the stub's NotImplementedError."""


@dataclasses.dataclass
class Line:
    """One check's verdict: ``status`` is "ok", "fail" or "not written"; ``diagnosis``
    says, for a wrong answer, what the mistake most likely is."""

    status: str
    text: str
    diagnosis: str = ""

    def __str__(self):
        mark = {"ok": "ok  ", "fail": "FAIL", "not written": "TODO"}[self.status]
        return f"{mark}  {self.text}" + (f"\n      -> {self.diagnosis}" if self.diagnosis else "")


@dataclasses.dataclass
class Result:
    """The grade of one exercise: its lines, in the order the checks ran."""

    name: str
    lines: list

    @property
    def passed(self):
        return bool(self.lines) and all(line.status == "ok" for line in self.lines)

    @property
    def not_written(self):
        return any(line.status == "not written" for line in self.lines)

    @property
    def exit_code(self):
        return 0 if self.passed else 1

    def __str__(self):
        text = "\n".join(str(line) for line in self.lines)
        if self.passed:
            return text + f"\n{self.name}: passed, all {len(self.lines)} checks"
        return text


def where(error, path):
    """', line N' of the innermost frame of ``error`` in the learner's file (or '')."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if Path(f.filename).resolve() == Path(path).resolve()]
    return f", line {frames[-1].lineno}" if frames else ""


class LearnerFunction:
    """A learner's function, called safely: ``returns`` names what it must return (one
    name: an array; several: a tuple of them; none: it works in place)."""

    def __init__(self, function, name, path, returns):
        self.function, self.name, self.path, self.returns = function, name, path, returns

    def __call__(self, *args):
        try:
            with np.errstate(all="ignore"):  # an overflow is graded, not printed
                result = self.function(*args)
        except NotImplementedError as error:
            raise NotWritten(f"{self.name} is not written yet: {error}") from None
        except (Exception, SystemExit) as error:  # the learner's bug, whatever it is: one line
            message = " ".join(str(error).split()) or "(no message)"
            raise LearnerError(f"{self.name} raised {type(error).__name__}: {message} "
                               f"({Path(self.path).name}{where(error, self.path)})") from None
        self.check_returned(result)
        return result

    def check_returned(self, result):
        expected = ", ".join(self.returns)
        if self.returns and result is None:
            raise LearnerError(f"{self.name} returned None: it must return {expected} "
                               f"(is its `return` missing?)")
        if len(self.returns) > 1 and (not isinstance(result, (tuple, list))
                                      or len(result) != len(self.returns)):
            got = (f"{len(result)} things" if isinstance(result, (tuple, list))
                   else f"a {type(result).__name__}")
            raise LearnerError(f"{self.name} must return {len(self.returns)} things, "
                               f"({expected}); it returned {got}")


def load(path, functions):
    """The learner's functions of the file ``path``, wrapped, as a namespace.

    ``functions`` maps each name to (its reference function, what it returns): the
    reference's signature is the one the learner's function must accept.
    """
    module = import_file(path)
    learner = {}
    for name, (reference, returns) in functions.items():
        function = getattr(module, name, None)
        expected = f"{name}{inspect.signature(reference)}"
        if not callable(function):
            raise LearnerError(f"{path.name} has no function {expected}: keep the names "
                               f"and arguments the file was started with")
        check_signature(function, reference, expected)
        learner[name] = LearnerFunction(function, name, path, returns)
    return type("Learner", (), learner)()


def check_signature(function, reference, expected):
    """A LearnerError unless ``function`` can be called as ``reference`` is."""
    arguments = list(inspect.signature(reference).parameters)
    try:
        inspect.signature(function).bind(*arguments)
    except TypeError:
        raise LearnerError(f"{function.__name__}{inspect.signature(function)} has the wrong "
                           f"arguments: the exercise calls {expected}") from None
    except ValueError:  # no signature to read (a builtin): let the calls tell
        pass


def import_file(path):
    """Run the learner's file as a module of its own; any failure is one LearnerError."""
    spec = importlib.util.spec_from_file_location(f"npvae_learner_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        raise LearnerError(f"{path}, line {error.lineno}: SyntaxError: {error.msg} "
                           f"(Python cannot read the file; fix that line)") from None
    except ImportError as error:
        raise LearnerError(f"{path}{where(error, path)}: {type(error).__name__}: {error} "
                           f"(an import of the file failed)") from None
    except (Exception, SystemExit) as error:
        raise LearnerError(f"{path}{where(error, path)}: {type(error).__name__}: {error} "
                           f"(while running the file's top level)") from None
    return module


def grade(name, path, functions, checks):
    """Import the learner's ``path`` and run ``checks(learner)``, a generator of Lines."""
    lines = []
    try:
        for line in checks(load(Path(path), functions)):
            lines.append(line)
    except NotWritten as error:
        lines.append(Line("not written", str(error)))
    except LearnerError as error:
        lines.append(Line("fail", str(error)))
    except (TypeError, ValueError, IndexError) as error:  # what came back cannot be read
        lines.append(Line("fail", f"what the functions returned cannot be used: "
                                  f"{type(error).__name__}: {error} (see the file's "
                                  f"docstring for what each returns)"))
    return Result(name, lines)
