"""Grading a learner's file: import it safely, call its functions safely, collect the verdict.

A learner's file is ordinary Python that may be anything: half written, with a syntax
error, importing a module that does not exist, with a function that takes the wrong
arguments, forgets its ``return`` or changes an array it was given. Every such case
becomes one line that says where and what (never a traceback), and the grade is "fail"
(exit code 1). A function that still raises the stub's ``NotImplementedError`` is "not
written yet".

The learner's functions are called through ``LearnerFunction``, which turns whatever goes
wrong inside them into a ``LearnerError`` naming the function, the exception and the line
of the learner's file, and tells a ``watch`` when the learner's code starts and ends: in
the checking process that ``check`` starts, the watch reports to the process that waits
for it, which ends a call that outlasts the time limit (``npvae/exercises/watchdog.py``).
"""
import importlib
import importlib.util
import inspect
import traceback
from pathlib import Path

import numpy as np

from npvae.exercises.result import Line


class LearnerError(Exception):
    """The learner's file cannot be checked further: the message is the one line to show."""


class NotWritten(LearnerError):
    """A function still raises the stub's NotImplementedError."""


class Unwatched:
    """The watch of a check run in this process: no time limit, nobody told."""

    def calling(self, what, verb="return"):
        pass

    def returned(self):
        pass


def where(error, path):
    """', line N' of the innermost frame of ``error`` in the learner's file (or '')."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if Path(f.filename).resolve() == Path(path).resolve()]
    return f", line {frames[-1].lineno}" if frames else ""


def one_line(error):
    return " ".join(str(error).split()) or "(no message)"


class LearnerFunction:
    """A learner's function, called safely, as its ``Function`` (exercise.py) describes."""

    def __init__(self, function, name, path, spec, watch):
        self.function, self.name, self.path, self.spec = function, name, path, spec
        self.watch = watch
        self.arguments = spec.arguments()

    def __call__(self, *args):
        kept = self.inputs_to_keep(args)
        self.watch.calling(self.name)
        try:
            with np.errstate(all="ignore"):  # an overflow is graded, not printed
                result = self.function(*args)
        except NotImplementedError as error:
            raise NotWritten(f"{self.name} is not written yet: {error}") from None
        except (Exception, SystemExit) as error:  # the learner's bug, whatever it is: one line
            raise LearnerError(f"{self.name} raised {type(error).__name__}: {one_line(error)} "
                               f"({Path(self.path).name}{where(error, self.path)})") from None
        finally:
            self.watch.returned()
        self.check_kept(args, kept)
        self.check_returned(result)
        return result

    def inputs_to_keep(self, args):
        """(name, argument, a copy of it) of each array argument that must not change."""
        allowed = set(self.spec.changes) | {"cache"}
        return [(name, arg, arg.copy()) for name, arg in zip(self.arguments, args)
                if isinstance(arg, np.ndarray) and name not in allowed]

    def check_kept(self, args, kept):
        for name, arg, copy in kept:
            if not np.array_equal(arg, copy, equal_nan=True):
                may = (f"; only {' and '.join(self.spec.changes)} may change"
                       if self.spec.changes else "")
                raise LearnerError(f"{self.name} changed its argument {name}: leave the arrays "
                                   f"it is given as they were and write into new ones (the "
                                   f"model uses {name} again){may}")

    def check_returned(self, result):
        returns = self.spec.returns
        expected = ", ".join(returns)
        if returns and result is None:
            raise LearnerError(f"{self.name} returned None: it must return {expected} "
                               f"(is its `return` missing?)")
        if len(returns) > 1 and (not isinstance(result, (tuple, list))
                                 or len(result) != len(returns)):
            got = (f"{len(result)} things" if isinstance(result, (tuple, list))
                   else f"a {type(result).__name__}")
            raise LearnerError(f"{self.name} must return {len(returns)} things, "
                               f"({expected}); it returned {got}")


def load(path, functions, watch=Unwatched()):
    """The learner's functions of the file ``path``, wrapped, as a namespace.

    ``functions`` maps each name to its ``Function``, whose reference's signature is the
    one the learner's function must accept.
    """
    module = import_file(path, watch)
    learner = {}
    for name, spec in functions.items():
        function = getattr(module, name, None)
        if not callable(function):
            raise LearnerError(f"{path.name} has no function {spec.call_text(name)}: keep the "
                               f"names and arguments the file was started with")
        check_signature(function, spec.arguments(), spec.call_text(name))
        learner[name] = LearnerFunction(function, name, path, spec, watch)
    return type("Learner", (), learner)()


def check_signature(function, arguments, expected):
    """A LearnerError unless ``function`` can be called with ``arguments``."""
    try:
        inspect.signature(function).bind(*arguments)
    except TypeError:
        raise LearnerError(f"{function.__name__}{inspect.signature(function)} has the wrong "
                           f"arguments: the exercise calls {expected}") from None
    except ValueError:  # no signature to read (a builtin): let the calls tell
        pass


def import_file(path, watch=Unwatched()):
    """Run the learner's file as a module of its own; any failure is one LearnerError."""
    spec = importlib.util.spec_from_file_location(f"npvae_learner_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    watch.calling(f"{path.name}'s top level", "finish")
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
    finally:
        watch.returned()
    return module


def grade(exercise, path, watch=Unwatched()):
    """Yield the Lines of ``exercise``'s checks of the learner's file ``path``.

    The parts run in turn. A function not written yet ends its part with one "not
    written" line (once, however many parts need it), and the next part runs; any other
    failure of the learner's code ends the grading with its one line.
    """
    try:
        learner = load(Path(path), exercise.functions, watch)
    except LearnerError as error:
        yield Line("fail", str(error))
        return
    todo = set()
    for part in exercise.parts:
        try:
            yield from part(learner)
        except NotWritten as error:
            if str(error) not in todo:
                todo.add(str(error))
                yield Line("not written", str(error))
        except LearnerError as error:
            yield Line("fail", str(error))
            return
        except (TypeError, ValueError, IndexError) as error:  # what came back cannot be read
            yield Line("fail", f"what the functions returned cannot be used: "
                               f"{type(error).__name__}: {one_line(error)} (see the file's "
                               f"docstring for what each returns)")
            return


def lines_of(name, folder, watch=Unwatched()):
    """The lines of ``check``ing exercise ``name`` in ``folder``, as [status, text,
    diagnosis] lists: what the checking process sends back."""
    exercise = importlib.import_module(f"npvae.exercises.{name}").EXERCISE
    for line in grade(exercise, exercise.path(folder), watch):
        yield [line.status, line.text, line.diagnosis]
