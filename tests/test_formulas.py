"""Every formula of the guide renders: each is parsed by a real TeX-math parser.

The guide writes its math as LaTeX, which GitHub and Jupyter render: ``$...$`` inside a
line, ``$$...$$`` for a formula set apart. Only prose is math: fenced blocks and inline
code are left out first (a console's ``$ npvae ...`` prompt is no formula). Each formula
is then parsed by matplotlib's mathtext (a dependency of npvae), which knows the TeX
commands the guide uses and refuses a broken one (an unknown command, a brace left open,
``\\frac`` with one argument). The rules a renderer needs besides, checked here too:

- an inline formula stays on one line, opens with no space after its ``$`` and closes
  with no space before its ``$`` nor a digit after it (else GitHub shows dollar signs);
- a ``$$`` formula stands alone on its line(s), a paragraph of its own;
- no backslash before punctuation (``\\,`` ``\\;`` ``\\{`` ``\\_``): markdown may eat the
  backslash before the math renderer sees it;
- in a table row, a formula holds no ``|`` (it would split the cell): use ``\\mid``;
- no dollar sign is left over: prose that means money would write it in code.

The Chinese edition's formulas (README.zh-CN.md, docs/zh/) are checked the same way.
"""
import re
from pathlib import Path

import pytest
from matplotlib.mathtext import MathTextParser
from notebook_maker import maker  # tests/, beside this file
from translations import chinese_files

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md")) + chinese_files()
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE = re.compile(r"\$(.+?)\$", re.S)
PARSER = MathTextParser("agg")


def blanked(text, pattern):
    """``text`` with every match of ``pattern`` replaced by spaces (its newlines kept, so
    that a position still has its line number)."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def formulas(text):
    """(formula, kind, line, whole line) of every formula of a markdown text, kind
    "display" or "inline"; a leftover dollar sign comes back as kind "stray". The whole
    line of a display formula is its first line, blanked but for the formula itself."""
    prose = blanked(blanked(text, maker.FENCE), CODE_SPAN)
    lines = prose.splitlines()
    found = []

    def at(position):
        number = prose.count("\n", 0, position) + 1
        return number, lines[number - 1]

    for match in DISPLAY.finditer(prose):
        number, _ = at(match.start())
        alone = (prose.rfind("\n", 0, match.start()) + 1, prose.find("\n", match.end()))
        around = prose[alone[0]:match.start()] + prose[match.end():alone[1]]
        found.append((match.group(1), "display", number, around))
    prose = blanked(prose, DISPLAY)
    for match in INLINE.finditer(prose):
        found.append((match.group(1), "inline", *at(match.start())))
    prose = blanked(prose, INLINE)
    found += [("$", "stray", *at(m.start())) for m in re.finditer(r"\$", prose)]
    return found


def problem(formula, kind, line, inline_end):
    """What is wrong with one formula, or None. ``inline_end``: the character after the
    closing dollar of an inline formula ("" at the end of a line)."""
    if kind == "stray":
        return "a lone dollar sign: close the formula, or put a literal $ in `code`"
    if kind == "display" and line.strip():
        return "a $$ formula shares its line with prose: give it a paragraph of its own"
    if re.search(r"\\[^A-Za-z\s]", formula):
        return "a backslash before punctuation: markdown may eat it (write \\quad, \\mid, ...)"
    if kind == "inline":
        if "\n" in formula:
            return "an inline formula runs over a line break: keep it on one line"
        if formula[:1].isspace() or formula[-1:].isspace():
            return "a space just inside a dollar sign: GitHub shows the dollars instead"
        if inline_end.isdigit():
            return "a digit right after the closing dollar: GitHub shows the dollars instead"
    if line.lstrip().startswith("|") and "|" in formula:
        return "a | inside a table cell splits the cell: write \\mid (or \\vert)"
    try:
        PARSER.parse(f"${' '.join(formula.split())}$")
    except Exception as error:  # mathtext raises pyparsing's and ValueError's kinds
        return f"mathtext cannot parse it: {str(error).splitlines()[-1]}"
    return None


def problems(text):
    """Every broken formula of a markdown text, as 'line N: $formula$: what is wrong'."""
    found = []
    for formula, kind, number, line in formulas(text):
        after = ""
        if kind == "inline":
            end = line.find(f"${formula}$")
            after = line[end + len(formula) + 2:][:1] if end >= 0 else ""
        wrong = problem(formula, kind, line, after)
        if wrong:
            found.append(f"line {number}: ${formula}$: {wrong}")
    return found


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_every_formula_renders(path):
    wrong = problems(path.read_text())
    assert not wrong, f"{path.relative_to(ROOT)}:\n" + "\n".join(wrong)


def test_the_guide_writes_its_math_as_latex():
    """The chapters hold formulas, in both kinds: this test is checking something."""
    found = [f for path in FILES for f in formulas(path.read_text())]
    kinds = {kind for _, kind, _, _ in found}
    assert {"display", "inline"} <= kinds and len(found) > 300, (len(found), kinds)


@pytest.mark.parametrize("text, says", [
    ("A fraction $\\frac{a}$ with one argument.", "cannot parse"),
    ("A brace left open, $x_{k$.", "cannot parse"),
    ("An unknown command, $\\sigmaa^2$.", "cannot parse"),
    ("$$\n\\log p(x) \\geq \\mathrm{ELBO\n$$", "cannot parse"),
    ("A space inside, $ x$.", "a space just inside"),
    ("Costs $x$5 here.", "a digit right after"),
    ("One dollar $ alone.", "lone dollar"),
    ("| a | $p(x|y)$ |", "table cell"),
    ("Text $$x = 1$$ in a line.", "paragraph of its own"),
    ("A thin space, $a \\, b$.", "backslash before punctuation"),
])
def test_a_broken_formula_fails(text, says):
    wrong = problems(text)
    assert len(wrong) == 1 and says in wrong[0], wrong


def test_code_and_console_prompts_are_not_math():
    text = ("Run `$ npvae train` or:\n\n```console\n$ npvae summary\n```\n\n"
            "and $\\mathrm{KL}(q \\parallel p) \\geq 0$.\n")
    assert [(f, kind) for f, kind, _, _ in formulas(text)] == \
        [("\\mathrm{KL}(q \\parallel p) \\geq 0", "inline")]
    assert problems(text) == []
