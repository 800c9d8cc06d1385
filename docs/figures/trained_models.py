"""The guide's pictures of trained models, drawn by the ``npvae`` command itself.

Each figure is the command a chapter quotes, run in-process through ``npvae.cli.main``
on a shipped model (``book``, ``conditional``), so the guide shows exactly what a
learner's own command draws:

    manifold.png             npvae manifold --checkpoint book
    scatter.png              npvae scatter --checkpoint book
    aggregate_posterior.png  the book model's codes against the prior's draws
                                 (aggregate_posterior.py; chapter 8)
    reconstructions.png      npvae reconstruct --checkpoint book
    loss_curve.png           the book run's history, kept in the shipped file
    explorer.png             npvae explore --checkpoint book --at=-0.5,1       (chapter 8)
    conditional_grid.png     npvae generate --checkpoint conditional --n 10    (chapter 9)
    concept_book.png         npvae concept --checkpoint book --attribute thickness
                                 --limit 1000 --n 4                           (chapter 9)
    concept_conditional.png  the same, of the conditional model
    book_manifold.png        npvae manifold of a book-loss run (chapter 4), not shipped
"""
import contextlib
import io

import aggregate_posterior

from npvae.cli import main
from npvae.models.trained import SHIPPED
from npvae.pictures.plots import plot_history
from npvae.storage.checkpoint import load_checkpoint

BOOK_RUN_HINT = ("to remake it, run 'npvae train --loss book --book-sampling "
                 "--out runs/book-loss' (about 10 minutes), then 'python docs/figures/make.py "
                 "--book-run runs/book-loss/checkpoint.npz'")
CONCEPT_LIMIT = 1000  # chapter 9's command: the vector from the first 1,000 test images


def npvae(*argv):
    """Run one npvae command line; its printed lines are kept unless it fails."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([str(a) for a in argv])
    if code != 0:
        raise RuntimeError(f"npvae {' '.join(map(str, argv))} exited with {code}:\n"
                           f"{out.getvalue()}")


def figures(limit=None):
    """{file name: draw(path)} of every figure of a shipped model. ``limit``: at most
    that many test images are encoded by the pictures that encode some (scatter,
    aggregate posterior, explorer, concept); None: each command's own number, as the chapters
    quote them."""
    some = [] if limit is None else ["--limit", limit]
    concept = ["--attribute", "thickness", "--n", 4, "--limit",
               CONCEPT_LIMIT if limit is None else min(limit, CONCEPT_LIMIT)]
    return {
        "manifold.png": lambda path: npvae("manifold", "--checkpoint", "book", "--out", path),
        "scatter.png": lambda path: npvae("scatter", "--checkpoint", "book", *some,
                                          "--out", path),
        "reconstructions.png": lambda path: npvae("reconstruct", "--checkpoint", "book",
                                                  "--out", path),
        "aggregate_posterior.png": lambda path: aggregate_posterior.draw(path, limit),
        "loss_curve.png": loss_curve,
        "explorer.png": lambda path: npvae("explore", "--checkpoint", "book", "--at=-0.5,1",
                                           *some, "--out", path),
        "conditional_grid.png": lambda path: npvae("generate", "--checkpoint", "conditional",
                                                   "--n", 10, "--out", path),
        "concept_book.png": lambda path: npvae("concept", "--checkpoint", "book", *concept,
                                               "--out", path),
        "concept_conditional.png": lambda path: npvae("concept", "--checkpoint",
                                                      "conditional", *concept, "--out", path),
    }


def loss_curve(path):
    """The book run's loss curve, from the history and the points within epochs that its
    shipped file keeps."""
    _, meta = load_checkpoint(SHIPPED["book"])
    return plot_history(meta["history"], path, points=meta.get("points") or ())


def book_manifold(checkpoint, path):
    """The manifold of a book-loss run (``npvae train --loss book --book-sampling``)."""
    npvae("manifold", "--checkpoint", checkpoint, "--out", path)
