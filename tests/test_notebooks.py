"""The notebooks in docs/notebooks/ are the chapters' own, up to date, and they run.

Each is made from its chapter by ``python docs/notebooks/make.py``; a chapter edited
without remaking its notebook fails here. The chapters' code runs in tests/test_docs.py,
so each notebook is proven here to be its chapter's exact conversion rather than run
a second time; what only a notebook does, its cells run in a Python kernel (nbclient,
ipykernel) and its ``npvae`` lines return their exit code, is run here on a small
chapter made for the purpose.

The Chinese chapters (docs/zh/) have their notebooks in docs/notebooks/zh/, proven here
to be their exact conversions too. They are not run in a kernel: their code blocks are
the English chapters' (tests/test_translation.py), which the English run proves.
"""
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from notebook_maker import maker  # tests/, beside this file

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = [chapter for docs in maker.EDITIONS for chapter in maker.chapters(docs)]
IDS = [chapter.relative_to(ROOT / "docs").with_suffix("").as_posix() for chapter in CHAPTERS]


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


def test_a_chinese_chapter_links_to_the_chinese_notebooks(tmp_path):
    """docs/zh/NN.md becomes docs/notebooks/zh/NN.ipynb: a link to a Chinese chapter goes
    to its notebook beside it, one to the English chapter to the English notebook, any
    other link one folder further up than from docs/notebooks/."""
    zh = tmp_path / "docs" / "zh"
    zh.mkdir(parents=True)
    for name in ("02-next.md", "README.md", "../03-english.md"):
        (zh / name).write_text("# 2.\n")
    chapter = zh / "01-example.md"
    chapter.write_text("# 1. 例子\n\n[第 2 章](02-next.md)、[目录](README.md)、"
                       "[英文](../03-english.md)、![图](../manifold.png)、"
                       "[代码](../../npvae/fast/)\n")
    assert maker.notebook_path(chapter) == tmp_path / "docs" / "notebooks" / "zh" / \
        "01-example.ipynb"
    assert maker.convert(chapter).cells[0].source == "# 1. 例子\n\n" + (
        "[第 2 章](02-next.ipynb)、[目录](../../zh/README.md)、[英文](../03-english.ipynb)、"
        "![图](../../manifold.png)、[代码](../../../npvae/fast/)")


def test_a_converted_chapter_runs_in_a_kernel(tmp_path):
    chapter = tmp_path / "01-kernel.md"
    chapter.write_text(textwrap.dedent("""\
        # 1. In a kernel

        ```python
        >>> from npvae import Dense
        >>> Dense(2, 3).forward(__import__("numpy").ones((1, 2), "float32")).shape
        (1, 3)
        ```

        ```console
        $ npvae summary --latent-dim 3
        ```
        """))
    notebook = maker.convert(chapter)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown = [o["data"]["text/plain"] for cell in notebook.cells if cell.cell_type == "code"
             for o in cell.outputs if o["output_type"] == "execute_result"]
    assert shown == ["(1, 3)", "0"]      # the shape, then the command's exit code
