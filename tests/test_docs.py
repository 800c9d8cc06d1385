"""Every code block of README.md and docs/*.md runs here, so that the guide cannot rot.

The rule, by the language named after the block's opening fence:

- ``python``: run. The blocks of one file share one namespace and run in the order they
  appear, in a fresh temporary folder, like the cells of a notebook. A block with ``>>>``
  prompts is a doctest: the output it shows is checked (ELLIPSIS and NORMALIZE_WHITESPACE;
  ``...`` stands for what varies). A block without prompts must run without an error.
- ``console``: run. Each ``$ npvae ...`` line is a command run for real (in-process,
  through ``npvae.cli.main``), in the same folder and in the same order as the file's
  Python blocks; it must exit with 0, and the lines after it, up to the next ``$``, are
  its expected standard output, matched as a doctest's. For quick commands only (summary,
  ``--help``, a training of a few dozen images).
- ``sh``: not run (the book's training takes minutes, see README.md), but checked line by line:
  every ``npvae ...`` command is parsed by the real parser (``npvae.cli.commands.parse``),
  so an option that is renamed or removed fails here; ``python FILE ...`` must name a
  file of the repository, ``python -m npvae.MODULE`` a runnable module of npvae; lines that
  install, lint or test (``pip``, ``ruff``, ``pytest``, ``python -m
  venv``, ``.``/``source`` of an activate script, ``cd``, ``git``) are left alone. Any
  other line fails: give it a rule here first.
- ``text`` (or no language): output, diagrams, formulas; never run.

Any other language fails, so that no block escapes these rules by its fence. Relative
links and images must point at files that exist.

The Chinese edition (README.zh-CN.md, docs/zh/) has the cheap checks too, its links and
its shell lines; its blocks are not run, since tests/test_translation.py holds them
equal to the English blocks, which run here.
"""
import contextlib
import doctest
import io
import re
import shlex
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from notebook_maker import maker  # noqa: E402  (tests/, beside this file)
from translations import chinese_files  # noqa: E402

from npvae.cli import main  # noqa: E402
from npvae.cli.commands import parse  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
BOTH = DOCS + chinese_files()   # the English and the Chinese edition
LANGUAGES = {"python", "console", "sh", "text", ""}
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
FENCE = maker.FENCE  # a fenced block, read as the notebooks read it: (language, code)
EXEMPT = ("pip ", "pytest", "ruff ", "python -m venv", "python3 -m venv", ". ", "source ", "cd ",
          "git ")


def blocks(path):
    """(language, code, line number of the code's first line) of every fenced block."""
    text = path.read_text()
    return [(m.group(1), m.group(2), text.count("\n", 0, m.start(2)) + 1)
            for m in FENCE.finditer(text)]


def where(path, line):
    return f"{path.relative_to(ROOT)}:{line}"


def ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


# ----------------------------------------------------------------- running the blocks

def run_python(code, namespace, path, line):
    if ">>>" not in code:
        exec(compile(code, where(path, line), "exec"), namespace)
        return
    test = doctest.DocTestParser().get_doctest(code, namespace, where(path, line),
                                               str(path), line - 1)
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test, out=report.write, clear_globs=False)
    namespace.update(test.globs)  # DocTest works on a copy: the next block needs the names
    if runner.failures:
        pytest.fail(f"doctest at {where(path, line)} failed:\n{report.getvalue()}",
                    pytrace=False)


def console_commands(code, path, line):
    """(argv, expected output, line) of every ``$ npvae ...`` command of a console block."""
    commands = []
    for offset, text in enumerate(code.splitlines()):
        if text.startswith("$ "):
            argv = shlex.split(text[2:], comments=True)
            assert argv[:1] == ["npvae"], \
                f"{where(path, line + offset)}: console blocks run npvae commands only"
            commands.append((argv[1:], [], line + offset))
        else:
            assert commands, f"{where(path, line + offset)}: output before any '$ ' command"
            commands[-1][1].append(text)
    return [(argv, "\n".join(want) + "\n" if want else "", at) for argv, want, at in commands]


def run_console(code, path, line):
    for argv, want, at in console_commands(code, path, line):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()) as err:
            try:
                exit_code = main(argv)
            except SystemExit as exit:  # --help
                exit_code = exit.code
        got = out.getvalue()
        assert exit_code == 0, f"{where(path, at)}: npvae {' '.join(argv)} exited with " \
                               f"{exit_code}: " \
                          f"{err.getvalue()[-500:]}"
        checker = doctest.OutputChecker()
        if not checker.check_output(want, got, FLAGS):
            pytest.fail(f"{where(path, at)}: the output of npvae {' '.join(argv)} differs:\n"
                        + checker.output_difference(doctest.Example("", want), got, FLAGS),
                        pytrace=False)


@pytest.mark.parametrize("path", DOCS, ids=ids(DOCS))
def test_blocks_run(path, tmp_path, monkeypatch):
    """The python and console blocks of one file, in order, in a fresh folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")  # argparse's help wraps at the terminal's width
    namespace = {"__name__": f"docs_{path.stem}"}
    for language, code, line in blocks(path):
        assert language in LANGUAGES, \
            f"{where(path, line)}: a ```{language} block: use one of {sorted(LANGUAGES)}"
        if language == "python":
            run_python(code, namespace, path, line)
        elif language == "console":
            run_console(code, path, line)


# ----------------------------------------------------------------- the shell lines

def shell_commands(code):
    """The commands of a sh block: continuations joined, comments dropped, && split."""
    joined = code.replace("\\\n", " ")
    for text in joined.splitlines():
        text = text.split(" #")[0].strip() if not text.lstrip().startswith("#") else ""
        for command in filter(None, (c.strip() for c in text.split("&&"))):
            yield command


def check_shell_command(command, at):
    if command.startswith(EXEMPT):
        return
    argv = shlex.split(command)
    if argv[0] == "npvae":
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                parse(argv[1:])
            except SystemExit as exit:
                assert exit.code == 0, f"{at}: {command!r} does not parse: {err.getvalue()}"
        return
    if argv[:2] == ["python", "-m"]:
        module = ROOT.joinpath(*argv[2].split("."))
        assert argv[2].startswith("npvae.") and (
            module.with_suffix(".py").is_file() or (module / "__main__.py").is_file()), \
            f"{at}: {argv[2]} is no runnable module of npvae"
        return
    if argv[0] == "python":
        assert (ROOT / argv[1]).is_file(), f"{at}: {argv[1]} is no file of the repository"
        return
    pytest.fail(f"{at}: no rule for the shell line {command!r} (see tests/test_docs.py)",
                pytrace=False)


@pytest.mark.parametrize("path", BOTH, ids=ids(BOTH))
def test_shell_lines_parse(path):
    for language, code, line in blocks(path):
        if language == "sh":
            for command in shell_commands(code):
                check_shell_command(command, where(path, line))


# ----------------------------------------------------------------- links

LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("path", BOTH, ids=ids(BOTH))
def test_links_point_at_files(path):
    text = FENCE.sub("", path.read_text())
    for target in LINK.findall(text):
        if "://" in target:
            continue
        assert (path.parent / target).exists(), \
            f"{path.relative_to(ROOT)} links to {target}, which does not exist"


def test_the_guide_has_its_chapters():
    """The training's spike note sends users to docs/05-training.md: it must be there."""
    from npvae.training.spikes import SPIKE_NOTE
    chapters = sorted(p.name for p in (ROOT / "docs").glob("[0-9][0-9]-*.md"))
    assert len(chapters) >= 6, chapters
    named = re.findall(r"docs/(\S+\.md)", SPIKE_NOTE)
    assert named and all((ROOT / "docs" / name).is_file() for name in named), named
