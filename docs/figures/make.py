"""Redraw every figure of the guide: ``python docs/figures/make.py [--out DIR]``.

Two kinds of figure, each drawn by npvae's own code:

- diagrams of the ideas (one module each, here): the model with its shapes, the
  graphical model, the reparameterization trick, im2col on chapter 2's 4x4 example, the
  transposed convolution painting patches (chapter 3);
- pictures of the shipped trained models, ``book`` and ``conditional``, drawn by the
  ``npvae`` command's own entry point (``trained_models.py``), as the chapters quote it.

``book_manifold.png`` is of a book-loss run that is not shipped: given ``--book-run
runs/book-loss/checkpoint.npz`` it is drawn from that checkpoint, otherwise a line says
what to run to remake it. ``--limit N`` encodes at most the first N test images for the pictures
that encode some (scatter, explorer, concept); the defaults make the guide's figures,
the test uses fewer.
"""
import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the figure modules beside this file, run from anywhere

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # never a window: figures go to files

import graphical_model  # noqa: E402
import im2col_example  # noqa: E402
import model_shapes  # noqa: E402
import reparameterization  # noqa: E402
import trained_models  # noqa: E402
import transposed_paint  # noqa: E402

# The diagrams: file name -> the module that draws it.
DIAGRAMS = {
    "vae_shapes.png": model_shapes,
    "graphical_model.png": graphical_model,
    "reparameterization.png": reparameterization,
    "im2col_example.png": im2col_example,
    "transposed_paint.png": transposed_paint,
}


def parse(argv):
    parser = argparse.ArgumentParser(description="Redraw every figure of the guide.")
    parser.add_argument("--out", type=Path, default=HERE.parent, metavar="DIR",
                        help="where to write the PNGs (default: docs/)")
    parser.add_argument("--book-run", type=Path, metavar="CHECKPOINT",
                        help="the checkpoint of 'npvae train --loss book --book-sampling "
                             "--out runs/book-loss', for book_manifold.png")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="encode at most the first N test images (scatter, explorer, "
                             "concept; default: as the guide's commands do)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, module in DIAGRAMS.items():
        _timed(name, lambda: module.draw(args.out / name))
    for name, draw in trained_models.figures(args.limit).items():
        _timed(name, lambda: draw(args.out / name))
    if args.book_run is None:
        print(f"book_manifold.png: not drawn; {trained_models.BOOK_RUN_HINT}")
    else:
        _timed("book_manifold.png",
               lambda: trained_models.book_manifold(args.book_run, args.out / "book_manifold.png"))
    return 0


def _timed(name, draw):
    start = time.perf_counter()
    draw()
    print(f"{name}: drawn in {time.perf_counter() - start:.1f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
