"""Make each chapter of the guide a Jupyter notebook: ``python docs/notebooks/make.py``.

The chapters (``docs/NN-*.md`` and ``docs/exercises.md``) stay the one source: each
notebook is made from its chapter, and ``tests/test_notebooks.py`` fails when one is
out of date. The rules follow those by which ``tests/test_docs.py`` runs the chapters:

- prose becomes markdown cells, one per section (a heading starts a new cell); its
  relative links and images are made to work from ``docs/notebooks/``, and a link to a
  chapter goes to that chapter's notebook;
- a ``python`` block becomes code: a doctest's ``>>>`` and ``...`` prompts are stripped
  and its expected output dropped (the kernel prints the real one); a new cell starts
  after each line whose output the chapter shows, so that every output is seen;
- each ``$ npvae ...`` line of a ``console`` block becomes a cell that runs the command
  in the kernel, ``main([...])`` of ``npvae.cli``, which prints what the command prints
  and returns its exit code, 0 when it succeeds; the output the chapter shows is dropped;
- ``sh`` and ``text`` blocks stay in the markdown, as listings: they are commands to
  type in a shell (a ten-minute training) or formulas, not cells to run.

The Chinese chapters (``docs/zh/``, the same file names) become the notebooks of
``docs/notebooks/zh/`` by the same rules, their links to chapters going to the Chinese
notebooks; while ``docs/zh/`` holds no chapter, there are none.

Run here, the cells write their files (runs, pictures, exercises) beside the notebooks,
where git ignores them (``.gitignore``); the test runs each notebook in a fresh folder.
"""
import argparse
import doctest
import os
import re
import shlex
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent
FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```\s*$", re.S | re.M)
LINK = re.compile(r"(\]\()([^)#\s]+)((?:#[^)]*)?\))")
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


EDITIONS = (DOCS, DOCS / "zh")   # the chapters' folders: the English, the Chinese


def chapters(docs=DOCS):
    """The markdown files that become notebooks, in reading order (those that exist)."""
    return sorted(docs.glob("[0-9][0-9]-*.md")) + [
        path for path in [docs / "exercises.md"] if path.is_file()]


def notebook_folder(docs):
    """Where the notebooks of the chapters in ``docs`` go: docs/notebooks/, and
    docs/notebooks/zh/ for the Chinese chapters of docs/zh/."""
    return docs.parent / "notebooks" / "zh" if docs.name == "zh" else docs / "notebooks"


def notebook_path(chapter, folder=None):
    """The notebook of ``chapter``: in ``folder``, or in its edition's notebook folder."""
    folder = notebook_folder(chapter.parent) if folder is None else folder
    return folder / chapter.with_suffix(".ipynb").name


def convert(chapter):
    """The notebook (an nbformat NotebookNode) of one chapter's markdown file."""
    text = chapter.read_text()
    cells, prose, end = [], [], 0
    for match in FENCE.finditer(text):
        language, code = match.group(1), match.group(2)
        prose.append(text[end:match.start()])
        end = match.end()
        if language in ("python", "console"):
            cells += markdown_cells("".join(prose), chapter)
            prose = []
            cells += python_cells(code) if language == "python" else console_cells(code)
        else:
            prose.append(match.group(0))  # a listing stays in the prose, fence and all
    cells += markdown_cells("".join(prose) + text[end:], chapter)
    notebook = new_notebook(cells=cells, metadata={"kernelspec": KERNEL,
                                                   "language_info": {"name": "python"}})
    for k, cell in enumerate(notebook.cells):  # fixed ids: the same chapter, the same file
        cell.id = f"{chapter.stem[:2]}-{k:03d}"
    return notebook


def markdown_cells(text, chapter):
    """Prose split at its headings, one cell per section, links made to work from here."""
    sections, current = [], []
    in_listing = False
    for line in text.strip("\n").splitlines():
        if line.startswith("```"):
            in_listing = not in_listing
        if line.startswith("#") and not in_listing and current:
            sections.append(current)
            current = []
        current.append(line)
    sections.append(current)
    return [new_markdown_cell(relinked("\n".join(s).strip("\n"), chapter))
            for s in sections if "\n".join(s).strip()]


def relinked(text, chapter):
    """Relative links of ``chapter`` rewritten for its notebook (in ``notebook_folder``)."""
    here = notebook_folder(chapter.parent).resolve()

    def target(match):
        path = match.group(2)
        if "://" in path or path.startswith("mailto:"):
            return match.group(0)
        linked = (chapter.parent / path).resolve()
        if linked in {c.resolve() for c in chapters(linked.parent)}:
            linked = notebook_path(linked)                # the chapter's own notebook
        slash = "/" if path.endswith("/") else ""
        return match.group(1) + os.path.relpath(linked, here) + slash + match.group(3)
    return LINK.sub(target, text)


def python_cells(code):
    """A python block's cells: as it is, or a doctest split after each shown output."""
    if ">>>" not in code:
        return [new_code_cell(code.strip("\n"))]
    cells, source = [], []
    for example in doctest.DocTestParser().get_examples(code):
        source.append(example.source)
        if example.want:
            cells.append(new_code_cell("".join(source).strip("\n")))
            source = []
    if source:
        cells.append(new_code_cell("".join(source).strip("\n")))
    return cells


def console_cells(code):
    """One cell per ``$ npvae ...`` line; the output lines after it are dropped."""
    cells = []
    for line in code.splitlines():
        if not line.startswith("$ "):
            continue
        argv = shlex.split(line[2:], comments=True)
        if argv[:1] != ["npvae"]:
            raise ValueError(f"a console block runs npvae commands only, got {line!r}")
        imported = "" if cells else "from npvae.cli import main   # the npvae command\n\n"
        cells.append(new_code_cell(f"{imported}main({argv[1:]!r})   # {line[2:]}"))
    return cells


def write_all(folder=HERE):
    """Write every chapter's notebook into ``folder``, the Chinese ones into
    ``folder/zh``; return the paths written."""
    written = []
    for docs in EDITIONS:
        for chapter in chapters(docs):
            path = notebook_path(chapter, folder / notebook_folder(docs).relative_to(HERE))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(nbformat.writes(convert(chapter)))
            written.append(path)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description="Make each chapter of the guide a notebook.")
    parser.add_argument("--out", type=Path, default=HERE, metavar="DIR",
                        help="where to write them, the Chinese ones in DIR/zh "
                             "(default: docs/notebooks/)")
    for path in write_all(parser.parse_args(argv).out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
