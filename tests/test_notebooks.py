"""The notebooks in docs/notebooks/ are the chapters' own, up to date, and they run.

Each is made from its chapter by ``python docs/notebooks/make.py``; a chapter edited
without remaking its notebook fails here. Each notebook is then run as a learner runs
it, cell by cell in a Python kernel (nbclient, ipykernel), in a fresh folder, and every
npvae command in it must return the exit code 0.
"""
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from notebook_maker import maker  # tests/, beside this file

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = maker.chapters()
IDS = [chapter.stem for chapter in CHAPTERS]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_each_notebook_is_made_from_its_chapter(chapter):
    path = maker.notebook_path(chapter)
    assert path.is_file(), f"no {path.relative_to(ROOT)}: run python docs/notebooks/make.py"
    assert path.read_text() == nbformat.writes(maker.convert(chapter)), \
        f"{path.relative_to(ROOT)} is older than its chapter: run python docs/notebooks/make.py"


def test_the_conversion_follows_the_chapters_rules(tmp_path):
    chapter = tmp_path / "01-example.md"
    (tmp_path / "02-next.md").write_text("# 2.\n")
    chapter.write_text(textwrap.dedent("""\
        # 1. Example

        Some prose, a [link](02-next.md) and a picture ![p](manifold.png).

        ```python
        >>> x = 2
        >>> x + 1
        3
        >>> for k in range(2):
        ...     x += k
        ```

        ```sh
        npvae train --out runs/vae
        ```

        ## A section

        ```console
        $ npvae summary --latent-dim 3     # a comment
        Model: ...
        ```
        """))
    cells = maker.convert(chapter).cells
    kinds = ["markdown", "code", "code", "markdown", "markdown", "code"]
    assert [c.cell_type for c in cells] == kinds
    assert "[link](02-next.ipynb)" in cells[0].source
    assert "![p](../manifold.png)" in cells[0].source
    assert cells[1].source == "x = 2\nx + 1"                 # a cell ends at a shown output
    assert cells[2].source == "for k in range(2):\n    x += k"
    assert cells[3].source == "```sh\nnpvae train --out runs/vae\n```"   # a listing
    assert cells[4].source == "## A section"                 # a heading starts a cell
    assert cells[5].source.endswith("main(['summary', '--latent-dim', '3'])   "
                                    "# npvae summary --latent-dim 3     # a comment")
    assert "Model:" not in cells[5].source


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_each_notebook_runs(chapter, tmp_path):
    notebook = nbformat.read(maker.notebook_path(chapter), as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.splitlines()[-1].startswith("main(["):
            results = [o["data"]["text/plain"] for o in cell.outputs
                       if o["output_type"] == "execute_result"]
            assert results == ["0"], f"{cell.source.splitlines()[-1]} returned {results}"
