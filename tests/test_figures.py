"""``python docs/figures/make.py`` redraws every figure of the guide.

Run into a temporary folder (with fewer test images encoded), it must write each figure
the guide shows as a real picture, not blank, of the size of the one in docs/; and say
how to remake book_manifold.png, whose run is not shipped (drawn here from the shipped
book model, standing in for that run's checkpoint).
"""
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
MAKE = DOCS / "figures" / "make.py"
DIAGRAMS = ["vae_shapes.png", "graphical_model.png", "reparameterization.png",
            "im2col_example.png", "transposed_paint.png"]
OF_MODELS = ["manifold.png", "scatter.png", "aggregate_posterior.png", "reconstructions.png",
             "loss_curve.png",
             "explorer.png", "conditional_grid.png", "concept_book.png",
             "concept_conditional.png"]


def make(*argv):
    return subprocess.run([sys.executable, str(MAKE), *map(str, argv)], cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """The folder make.py drew into, and what it printed."""
    out = tmp_path_factory.mktemp("figures")
    done = make("--out", out, "--limit", 200)
    assert done.returncode == 0, done.stderr[-2000:]
    return out, done.stdout


@pytest.mark.parametrize("name", DIAGRAMS + OF_MODELS)
def test_every_figure_is_drawn_as_in_the_guide(drawn, name):
    assert_like_the_guides(drawn[0] / name)


def test_the_book_runs_manifold_is_drawn_from_a_checkpoint_or_explained(drawn, tmp_path):
    assert not (drawn[0] / "book_manifold.png").exists()
    (said,) = [line for line in drawn[1].splitlines() if line.startswith("book_manifold.png")]
    assert "npvae train --loss book --book-sampling --out runs/book-loss" in said
    assert "--book-run runs/book-loss/checkpoint.npz" in said
    sys.path.insert(0, str(MAKE.parent))
    try:
        import trained_models
    finally:
        sys.path.remove(str(MAKE.parent))
    trained_models.book_manifold(ROOT / "npvae" / "models" / "trained" / "book.npz",
                                 tmp_path / "book_manifold.png")
    assert_like_the_guides(tmp_path / "book_manifold.png")


def assert_like_the_guides(path):
    """A real picture, not blank, of the size of the one of that name in docs/."""
    name = path.name
    assert path.is_file(), f"make.py wrote no {name}"
    image = matplotlib.image.imread(path)[..., :3]              # (height, width, RGB)
    assert image.shape == matplotlib.image.imread(DOCS / name)[..., :3].shape, \
        f"{name} is {image.shape[1]}x{image.shape[0]}, not the size of docs/{name}"
    ink = np.mean(np.abs(image - np.median(image, axis=(0, 1))).max(axis=2) > 0.1)
    assert ink > 0.01, f"{name} is nearly blank: {ink:.2%} of its pixels differ from its background"


def test_the_guide_shows_every_new_diagram():
    """A diagram nobody links to is lost work: each is an image of some chapter."""
    text = "\n".join(p.read_text() for p in DOCS.glob("*.md"))
    missing = [name for name in DIAGRAMS if f"]({name})" not in text]
    assert not missing, f"no chapter shows {missing}"
