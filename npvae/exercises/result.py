"""A check's verdict, line by line: what ``check`` returns and prints.

Nothing here imports numpy: the process that runs ``npvae exercise check`` only starts
the check's own process, collects these lines from it and prints them
(``npvae/exercises/watchdog.py``).
"""
import dataclasses

MARKS = {"ok": "ok  ", "fail": "FAIL", "not written": "TODO"}


@dataclasses.dataclass
class Line:
    """One check's verdict: ``status`` is "ok", "fail" or "not written"; ``diagnosis``
    says, for a wrong answer, what the mistake most likely is."""

    status: str
    text: str
    diagnosis: str = ""

    def __str__(self):
        arrow = f"\n      -> {self.diagnosis}" if self.diagnosis else ""
        return f"{MARKS[self.status]}  {self.text}{arrow}"


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
