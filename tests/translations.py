"""The Chinese edition's files and the checks that keep them the English files' twins.

Every English page of the guide (``docs/*.md``) has a Chinese twin of the same name in
``docs/zh/``; the README's twin is ``README.zh-CN.md``. A twin's first line records which
version of its English file it translates::

    <!-- translation of docs/05-training.md at sha256 0123456789ab -->

(the first 12 hex digits of the English file's sha256), and its fenced code blocks are
the English file's, block for block: the English run proves them. Each check takes paths
and returns what is wrong, or None, so that tests/test_translation.py can try it on small
files of its own as well as on the real ones.
"""
import hashlib
import re
from pathlib import Path

from notebook_maker import maker  # tests/, beside this file

ROOT = Path(__file__).resolve().parent.parent
HEADER = re.compile(r"\A<!-- translation of (\S+) at sha256 ([0-9a-f]{12}) -->\n")
README, README_ZH = "README.md", "README.zh-CN.md"


def english_files(root=ROOT):
    """The English files that have a Chinese twin: README.md and every docs/*.md."""
    return [root / README] + sorted((root / "docs").glob("*.md"))


def twin(english, root=ROOT):
    """The Chinese twin's path of an English file (whether or not it exists yet)."""
    if english == root / README:
        return root / README_ZH
    return english.parent / "zh" / english.name


def chinese_files(root=ROOT):
    """The Chinese files that exist: README.zh-CN.md and docs/zh/*.md."""
    readme = [root / README_ZH] if (root / README_ZH).is_file() else []
    return readme + sorted((root / "docs" / "zh").glob("*.md"))


def english_of(chinese, root=ROOT):
    """The English file a Chinese file translates, by its name."""
    if chinese == root / README_ZH:
        return root / README
    return chinese.parent.parent / chinese.name


def fingerprint(path):
    """The first 12 hex digits of the file's sha256: what a translation's header records."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def version_problem(chinese, root=ROOT):
    """What is wrong with the header of ``chinese``, or None if it names the English file
    as it is now."""
    english = english_of(chinese, root).relative_to(root).as_posix()
    name = chinese.relative_to(root).as_posix()
    update = f"sha256sum {english} | cut -c1-12"
    found = HEADER.match(chinese.read_text(encoding="utf-8"))
    if not found or found.group(1) != english:
        return (f"{name}: its first line must be '<!-- translation of {english} at sha256 "
                f"XXXXXXXXXXXX -->', XXXXXXXXXXXX from: {update}")
    now = fingerprint(root / english)
    if found.group(2) != now:
        return (f"{english} changed since {name} was translated (sha256 {found.group(2)}, "
                f"now {now}): bring the translation up to date with the change "
                f"(git log -p -- {english}), then put the new hash in its first line: "
                f"{update}")
    return None


def code_blocks(path):
    """(language, code) of every fenced block, read as the notebooks and the tests read it."""
    return [(m.group(1), m.group(2)) for m in maker.FENCE.finditer(path.read_text("utf-8"))]


def block_problem(chinese, english, root=ROOT):
    """Where the code blocks of ``chinese`` first differ from those of ``english``, or None."""
    ours, theirs = code_blocks(chinese), code_blocks(english)
    name, english_name = (path.relative_to(root).as_posix() for path in (chinese, english))
    for number, (zh, en) in enumerate(zip(ours, theirs), start=1):
        if zh != en:
            return (f"{name}: code block {number} differs from {english_name}'s: "
                    f"{first_difference(zh, en)}; copy the English block byte for byte")
    if len(ours) != len(theirs):
        return (f"{name} has {len(ours)} code blocks, {english_name} has "
                f"{len(theirs)}: the first {min(len(ours), len(theirs))} agree; every English "
                f"block is copied, none added")
    return None


def first_difference(zh, en):
    """The language, or the first line, in which two (language, code) blocks differ."""
    if zh[0] != en[0]:
        return f"its language is ```{zh[0]}, the English block's ```{en[0]}"
    ours, theirs = zh[1].splitlines(), en[1].splitlines()
    line = next((k for k, pair in enumerate(zip(ours, theirs)) if pair[0] != pair[1]),
                min(len(ours), len(theirs)))
    mine, english = (lines[line] if line < len(lines) else "(the end)" for lines in (ours, theirs))
    return f"its line {line + 1} is {mine!r}, the English line is {english!r}"


def missing_twins(root=ROOT):
    """The Chinese twins not written yet, as paths relative to ``root``."""
    return [twin(english, root).relative_to(root).as_posix()
            for english in english_files(root) if not twin(english, root).is_file()]
