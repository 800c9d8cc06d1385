"""``npvae explore``: move through the latent space in a window (``npvae.explorer``), or
draw one view of it into a PNG with ``--at`` and ``--out``."""
import argparse
import re
import math
from pathlib import Path

from npvae import explorer, explorer_window
from npvae.cli.options import (PROG, CommandError, add_checkpoint, check_writable_folder,
                               load_checkpoint_model, picture_folder, test_set, print_paths,
                               whole_number)


def add_parser(commands):
    explore = commands.add_parser(
        "explore", help="move through the latent space in a window",
        description="Open a window: left the latent plane with the test images' codes, right "
                    "the decoder's image at the mouse. Click pins a point, i interpolates "
                    "between the last two pins, s saves a PNG beside the checkpoint, ? lists "
                    "the keys. With --at and --out, draw that view for one code into a PNG.")
    add_checkpoint(explore)
    explore.add_argument("--dims", type=whole_number, nargs=2, default=(0, 1),
                         metavar=("X", "Y"), help="latent dimensions spanning the plane; each "
                                                  "other one gets a slider (default 0 1)")
    explore.add_argument("--limit", type=whole_number, default=2000, metavar="N",
                         help="show the codes of the first N test images (default 2000)")
    explore.add_argument("--at", type=code, metavar="Z1,Z2[,...]",
                         help="draw the view at this code, one number per latent dimension, "
                              "without a window")
    explore.add_argument("--out", type=Path, metavar="FILE.png",
                         help="with --at: where to write the picture")
    explore.add_argument("--label", type=whole_number, metavar="Y",
                         help="a conditional model's label to draw first (default 0); in the "
                              "window, the keys 0-9 choose another")
    # argparse takes "-0.5,1" for an option unless it looks like a negative number, and
    # its pattern knows no commas: this one lets a code start with a minus.
    explore._negative_number_matcher = NEGATIVE_CODE
    # show=True: main must not force the Agg backend, a window may open.
    explore.set_defaults(run=run_explore, show=True)


NEGATIVE_CODE = re.compile(r"^-\.?\d[\d.,eE+-]*$")  # -0.5,1  -1  -.5,2  -1e-3,0


def code(text):
    """A latent code written as numbers separated by commas: "0.5,-1"."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, such as "
                                         f"0.5,-1; got {text!r}") from None
    if not all(map(math.isfinite, values)):
        raise argparse.ArgumentTypeError(f"expected finite numbers, got {text!r}")
    return values


def run_explore(args):
    if (args.at is None) != (args.out is None):
        raise CommandError("--at and --out go together: --at Z1,Z2 --out FILE.png draws one view")
    problem = None if args.at else explorer_window.display_problem()
    if problem:
        raise CommandError(f"cannot open a window: {problem}; draw one view into a file "
                           f"instead: {PROG} explore --checkpoint {args.checkpoint} "
                           f"--at 0,0 --out explore.png")
    if args.out is not None:
        check_writable_folder(args.out.parent, args.out)  # fail before the slow part
    model = load_checkpoint_model(args.checkpoint)
    latent_dim = model.config["latent_dim"]
    dims = (0,) if latent_dim == 1 else args.dims
    if latent_dim == 1:
        print("the latent has one dimension: x is z[0]; the y axis only spreads the codes by "
              "digit, and the mouse's height is ignored")
    if args.at is not None and len(args.at) != latent_dim:
        raise CommandError(f"--at needs {latent_dim} numbers (the checkpoint's latent_dim), "
                           f"got {len(args.at)}")
    x_test, y_test, _ = test_set(args.checkpoint, args.limit)
    if args.at is not None:
        print_paths(explorer.render_at(model, args.at, args.out, x_test, y_test, dims,
                                       label=args.label))
    else:
        explorer_window.open_window(model, x_test, y_test, dims,
                                    save_folder=picture_folder(args.checkpoint),
                                    label=args.label)
    return 0
