"""What an exercise is: a stub for the learner, the functions it asks for, its checks,
its hints, and where npvae's own answer lives."""
import dataclasses
import inspect
from pathlib import Path

from npvae.exercises import grading


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One exercise.

    name: what the learner types (``npvae exercise start NAME``); also the file's name.
    chapter: the chapter of the guide (docs/0N-*.md) it follows.
    stub: the text of the learner's file, as ``start`` writes it.
    functions: name -> (npvae's function with the same arguments, the names of what it
        returns): the learner's file must define each of them.
    checks: ``checks(learner)``, a generator of ``grading.Line``, one per check.
    hints: sentences, from a nudge to nearly the answer.
    solution: npvae's own functions that answer it: what ``solution`` shows.
    """

    name: str
    chapter: int
    title: str
    stub: str
    functions: dict
    checks: object
    hints: tuple
    solution: tuple

    def path(self, folder):
        return Path(folder) / f"{self.name}.py"

    def grade(self, folder):
        """A ``grading.Result`` of the learner's file in ``folder``."""
        return grading.grade(self.name, self.path(folder), self.functions, self.checks)

    def solution_text(self):
        """Where npvae's own answer is, and the source of the functions it is made of."""
        files = {}
        for function in self.solution:
            files.setdefault(source_path(function), []).append(function.__qualname__)
        where = "; ".join(f"{path} ({', '.join(names)})" for path, names in files.items())
        sources = "\n".join(inspect.getsource(function) for function in self.solution)
        return f"npvae's own code: {where}\n\n{sources}"


def source_path(function):
    """The file of ``function``, relative to the folder that holds the npvae package."""
    root = Path(inspect.getsourcefile(grading)).parents[2]
    return Path(inspect.getsourcefile(function)).relative_to(root).as_posix()
