"""``npvae explore``'s options: move through the latent space in a window
(``npvae.explorer.state``), or draw one view of it into a PNG with ``--at`` and ``--out``."""
import argparse
import math
import re
from pathlib import Path

from npvae.cli.options import add_checkpoint, add_test_limit, whole_number

COMMANDS = ("explore",)
CODE_OPTIONS = ("--at",)  # options whose value is a code, which may start with a minus
# What argparse would take for an option, but is a code: -0.5,1  -1  -.5,2  -1e-3,0
NEGATIVE_CODE = re.compile(r"^-\.?\d[\d.,eE+-]*$")


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
    add_test_limit(explore, "show the codes of", default=2000)
    explore.add_argument("--at", type=code, metavar="Z1,Z2[,...]",
                         help="draw the view at this code, one number per latent dimension, "
                              "without a window")
    explore.add_argument("--out", type=Path, metavar="FILE.png",
                         help="with --at: where to write the picture")
    explore.add_argument("--label", type=whole_number, metavar="Y",
                         help="a conditional model's label to draw first (default 0); in the "
                              "window, the keys 0-9 choose another")
    # show=True: the command must not force the Agg backend, a window may open.
    explore.set_defaults(run="explore:run", show=True)


def attach_codes(argv):
    """``argv`` with ``--at -0.5,1`` written ``--at=-0.5,1``: argparse takes a value that
    starts with a minus for an option unless it is a lone negative number."""
    attached = []
    for arg in argv:
        if attached and attached[-1] in CODE_OPTIONS and NEGATIVE_CODE.match(arg):
            attached[-1] = f"{attached[-1]}={arg}"
        else:
            attached.append(arg)
    return attached


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
