"""``npvae manifold | scatter | reconstruct | sample | generate | concept | interpolate``'s
options: one picture of a trained model each, written as a PNG beside its checkpoint
unless ``--out`` says where (a shipped model's in the current folder, named after it).

What each picture shows is said in ``npvae.pictures.report``, which draws them.
"""
from pathlib import Path

from npvae.cli.options import ATTRIBUTES, add_checkpoint, add_test_limit, number, whole_number

COMMANDS = ("manifold", "scatter", "reconstruct", "sample", "generate", "concept",
            "interpolate")


def add_parser(commands):
    for add in (_manifold, _scatter, _reconstruct, _sample, _generate, _concept, _interpolate):
        add(commands)


def _manifold(commands):
    manifold = _picture_parser(
        commands, "manifold", "manifold.png", "decode a grid of latent codes into one picture",
        "Decode an n x n grid of latent codes over two latent dimensions (the others 0) and "
        "tile the images: the decoder's map of the latent space.")
    manifold.add_argument("--n", type=whole_number, default=15,
                          help="grid size: n x n images (default 15)")
    _add_dims(manifold, "span", default=(0, 1))
    _add_label(manifold, "every code")


def _scatter(commands):
    scatter = _picture_parser(
        commands, "scatter", "scatter.png", "plot the test images' codes, coloured by label",
        "Encode the test images and plot each one's mean code, coloured by its label; a code "
        "of more than 2 numbers along its first two principal components, unless --dims "
        "names two dimensions.")
    _add_dims(scatter, "plot", default=None,
              more="(default 0 1 for a 2-number code; a longer code is plotted along its "
                   "first two principal components unless --dims is given)")
    add_test_limit(scatter)


def _reconstruct(commands):
    reconstruct = _picture_parser(
        commands, "reconstruct", "reconstructions.png",
        "draw test images above their reconstructions",
        "Draw test images picked at random above what the VAE rebuilds from their codes.")
    _add_count_and_seed(reconstruct, 10, "images", "which images")


def _sample(commands):
    sample = _picture_parser(
        commands, "sample", "samples.png", "decode codes drawn from the prior",
        "Draw codes from the prior N(0, I) and decode them.")
    _add_count_and_seed(sample, 100, "samples", "the draws")
    _add_label(sample, "every sample")


def _generate(commands):
    generate = _picture_parser(
        commands, "generate", "generated.png", "draw chosen digits with a conditional model",
        "A conditional model's images: --n of the label given by --label, each from its own "
        "code z ~ N(0, I); without --label, one row per label with the same --n codes down "
        "the columns (the label picks the digit, the code its style).")
    _add_count_and_seed(generate, 10, "images (per row, without --label)", "the codes")
    _add_label(generate, "every image")


def _concept(commands):
    concept = _picture_parser(
        commands, "concept", "concept.png", "move test images' codes along a concept vector",
        "Find a concept vector (the book's 8.4): the mean code of the test images with the "
        "most of an attribute minus that of those with the least (top and bottom quarter), "
        "then decode a few images' codes moved along it, one row per image, and measure "
        "whether the attribute grows along each row.")
    concept.add_argument("--attribute", choices=ATTRIBUTES, default="thickness",
                         help="thickness (ink per image), slant or width (default thickness)")
    _add_count_and_seed(concept, 6, "images (rows)", "which images")
    concept.add_argument("--steps", type=whole_number, default=9,
                         help="images per row, at least 2 (default 9)")
    concept.add_argument("--reach", type=number, default=1.0,
                         help="move from -REACH to +REACH times the vector (default 1)")
    add_test_limit(concept, "find the vector from", default=2000)


def _interpolate(commands):
    interpolate = _picture_parser(
        commands, "interpolate", "interpolation.png",
        "decode a line between two test images' codes",
        "Decode codes evenly spaced on the straight line between two test images' codes.")
    interpolate.add_argument("--from-index", type=whole_number, default=0,
                             help="first test image (default 0)")
    interpolate.add_argument("--to-index", type=whole_number, default=1,
                             help="last test image (default 1)")
    interpolate.add_argument("--steps", type=whole_number, default=10,
                             help="images along the line, at least 2 (default 10)")


def _picture_parser(commands, name, default_file, summary, description):
    parser = commands.add_parser(name, help=summary, description=description)
    add_checkpoint(parser)
    parser.add_argument("--out", type=Path, metavar="FILE.png",
                        help=f"where to write the picture (default: {default_file} beside "
                             f"the checkpoint; for a shipped model, in the current folder, "
                             f"named after it and any label: book-{default_file})")
    parser.add_argument("--show", action="store_true", help="also open it in a window")
    parser.set_defaults(run=f"pictures:run_{name}", default_file=default_file,
                        memory_hint="lower --n")
    return parser


def _add_dims(parser, verb, default, more="(default 0 1)"):
    parser.add_argument("--dims", type=whole_number, nargs=2, default=default,
                        metavar=("X", "Y"), help=f"latent dimensions to {verb} {more}")


def _add_label(parser, what):
    parser.add_argument("--label", type=whole_number, metavar="Y",
                        help=f"a conditional model's label for {what}, 0..K-1 (the digit "
                             f"for MNIST)")


def _add_count_and_seed(parser, default_n, things, drawn):
    parser.add_argument("--n", type=whole_number, default=default_n,
                        help=f"how many {things} (default {default_n})")
    parser.add_argument("--seed", type=whole_number, default=0,
                        help=f"random seed of {drawn} (default 0)")
