"""What an exercise is: the functions it asks for, its checks, its hints, where its stub
is and where npvae's own answer lives."""
import dataclasses
import importlib
import inspect
from pathlib import Path
from typing import Callable

STUBS = Path(__file__).parent / "stubs"   # the files ``start`` copies, one per exercise
LANGUAGES = ("en", "zh")   # English; Simplified Chinese (stubs/zh/, each module's HINTS_ZH)
NOT_TRANSLATED = "# 这个练习的中文说明还在翻译中，下面先给出英文原文。\n"


@dataclasses.dataclass(frozen=True)
class Function:
    """A function the learner writes.

    reference: npvae's function with the same arguments (the learner's must accept its
        arguments without defaults: those are the ones the checks pass).
    returns: the names of what it returns: one (an array), several (a tuple), none (it
        works in place).
    changes: the arguments it may change in place; any other array it is given must be
        as it was after the call (the model uses it again). A ``cache`` is the learner's
        own and may be anything.
    """

    reference: Callable
    returns: tuple
    changes: tuple = ()

    def arguments(self):
        """The names of the arguments the checks pass, in order."""
        return [name for name, parameter in inspect.signature(self.reference).parameters.items()
                if parameter.default is parameter.empty and parameter.kind in (
                    parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)]

    def call_text(self, name):
        return f"{name}({', '.join(self.arguments())})"


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One exercise.

    name: what the learner types (``npvae exercise start NAME``); also the file's name.
    chapter: the chapter of the guide (docs/0N-*.md) it follows.
    functions: name -> ``Function``: the learner's file must define each of them.
    parts: functions ``part(learner)``, each a generator of ``Line``s, run in turn. A
        part stops at a function that is not written yet and the next part runs: so a
        forward that is written is graded while its backward is still to do.
    hints: sentences, from a nudge to nearly the answer.
    hints_zh: the same hints in Simplified Chinese (empty: not translated yet).
    solution: npvae's own functions that answer it, what ``solution`` shows: each a
        function, or "module:name" for one whose module is not worth importing to check.
    """

    name: str
    chapter: int
    title: str
    functions: dict
    parts: tuple
    hints: tuple
    solution: tuple
    hints_zh: tuple = ()

    def path(self, folder):
        return Path(folder) / f"{self.name}.py"

    @property
    def stub_path(self):
        return STUBS / f"{self.name}.py"

    @property
    def stub(self):
        """The text of the learner's file, as ``start`` writes it."""
        return self.stub_path.read_text(encoding="utf-8")

    def stub_in(self, language):
        """The stub with its docstrings in ``language`` ("en" or "zh"); a stub not yet
        translated is the English one, under a line that says so in Chinese."""
        check_language(language)
        if language == "en":
            return self.stub
        translated = STUBS / language / f"{self.name}.py"
        if translated.is_file():
            return translated.read_text(encoding="utf-8")
        return NOT_TRANSLATED + self.stub

    def hints_in(self, language):
        """The hints in ``language``; the English ones where no translation is written."""
        check_language(language)
        return self.hints_zh if language == "zh" and self.hints_zh else self.hints

    def solution_text(self):
        """Where npvae's own answer is, and the source of the functions it is made of."""
        files = {}
        functions = [resolve(function) for function in self.solution]
        for function in functions:
            files.setdefault(source_path(function), []).append(function.__qualname__)
        where = "; ".join(f"{path} ({', '.join(names)})" for path, names in files.items())
        sources = "\n".join(inspect.getsource(function) for function in functions)
        return f"npvae's own code: {where}\n\n{sources}"


def check_language(language):
    if language not in LANGUAGES:
        raise ValueError(f"no language {language!r}; the languages are: {', '.join(LANGUAGES)}")


def resolve(function):
    """``function`` itself, or the function that "module:Class.name" names."""
    if not isinstance(function, str):
        return function
    module, name = function.split(":")
    found = importlib.import_module(module)
    for part in name.split("."):
        found = getattr(found, part)
    return found


def source_path(function):
    """The file of ``function``, relative to the folder that holds the npvae package."""
    root = Path(__file__).resolve().parents[2]
    return Path(inspect.getsourcefile(function)).resolve().relative_to(root).as_posix()
