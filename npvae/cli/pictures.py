"""``npvae manifold | scatter | reconstruct | sample | generate | concept | interpolate``: one
picture of a trained model each, written as a PNG beside its checkpoint unless ``--out``
says where.

What each picture shows is said in ``npvae.report``, which draws them.
"""
from pathlib import Path

import numpy as np

from npvae import concepts, memory, png, report
from npvae.cli.options import (CommandError, add_checkpoint, add_test_limit,
                               check_writable_folder, load_checkpoint_model, picture_folder,
                               number, test_set, print_paths, whole_number)
from npvae.trainer import data_description


def add_parser(commands):
    manifold = _picture_parser(
        commands, "manifold", "manifold.png", "decode a grid of latent codes into one picture",
        "Decode an n x n grid of latent codes over two latent dimensions (the others 0) and "
        "tile the images: the decoder's map of the latent space.")
    manifold.add_argument("--n", type=whole_number, default=15,
                          help="grid size: n x n images (default 15)")
    _add_dims(manifold, "span")
    _add_label(manifold, "every code")
    manifold.set_defaults(run=run_manifold)

    scatter = _picture_parser(
        commands, "scatter", "scatter.png", "plot the test images' codes, coloured by label",
        "Encode the test images and plot each one's mean code, coloured by its label; a code "
        "of more than 2 numbers along its first two principal components, unless --dims "
        "names two dimensions.")
    scatter.add_argument("--dims", type=whole_number, nargs=2, metavar=("X", "Y"),
                         help="latent dimensions to plot (default 0 1 for a 2-number code; "
                              "a longer code is plotted along its first two principal "
                              "components unless --dims is given)")
    add_test_limit(scatter)
    scatter.set_defaults(run=run_scatter)

    reconstruct = _picture_parser(
        commands, "reconstruct", "reconstructions.png",
        "draw test images above their reconstructions",
        "Draw test images picked at random above what the VAE rebuilds from their codes.")
    _add_count_and_seed(reconstruct, 10, "images", "which images")
    reconstruct.set_defaults(run=run_reconstruct)

    sample = _picture_parser(
        commands, "sample", "samples.png", "decode codes drawn from the prior",
        "Draw codes from the prior N(0, I) and decode them.")
    _add_count_and_seed(sample, 100, "samples", "the draws")
    _add_label(sample, "every sample")
    sample.set_defaults(run=run_sample)

    generate = _picture_parser(
        commands, "generate", "generated.png", "draw chosen digits with a conditional model",
        "A conditional model's images: --n of the label given by --label, each from its own "
        "code z ~ N(0, I); without --label, one row per label with the same --n codes down "
        "the columns (the label picks the digit, the code its style).")
    _add_count_and_seed(generate, 10, "images (per row, without --label)", "the codes")
    _add_label(generate, "every image")
    generate.set_defaults(run=run_generate)

    concept = _picture_parser(
        commands, "concept", "concept.png", "move test images' codes along a concept vector",
        "Find a concept vector (the book's 8.4): the mean code of the test images with the "
        "most of an attribute minus that of those with the least (top and bottom quarter), "
        "then decode a few images' codes moved along it, one row per image, and measure "
        "whether the attribute grows along each row.")
    concept.add_argument("--attribute", choices=concepts.ATTRIBUTES, default="thickness",
                         help="thickness (ink per image), slant or width (default thickness)")
    _add_count_and_seed(concept, 6, "images (rows)", "which images")
    concept.add_argument("--steps", type=whole_number, default=9,
                         help="images per row, at least 2 (default 9)")
    concept.add_argument("--reach", type=number, default=1.0,
                         help="move from -REACH to +REACH times the vector (default 1)")
    concept.add_argument("--limit", type=whole_number, default=2000, metavar="N",
                         help="find the vector from the first N test images (default 2000)")
    concept.set_defaults(run=run_concept)

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
    interpolate.set_defaults(run=run_interpolate)


def _picture_parser(commands, name, default_file, summary, description):
    parser = commands.add_parser(name, help=summary, description=description)
    add_checkpoint(parser)
    parser.add_argument("--out", type=Path, metavar="FILE.png",
                        help=f"where to write the picture (default: {default_file} beside "
                             f"the checkpoint; for a shipped model, in the current folder)")
    parser.add_argument("--show", action="store_true", help="also open it in a window")
    parser.set_defaults(default_file=default_file, memory_hint="lower --n or --limit")
    return parser


def _add_dims(parser, verb):
    parser.add_argument("--dims", type=whole_number, nargs=2, default=(0, 1),
                        metavar=("X", "Y"), help=f"latent dimensions to {verb} (default 0 1)")


def _add_label(parser, what):
    parser.add_argument("--label", type=whole_number, metavar="Y",
                        help=f"a conditional model's label for {what}, 0..K-1 (the digit "
                             f"for MNIST)")


def _add_count_and_seed(parser, default_n, things, drawn):
    parser.add_argument("--n", type=whole_number, default=default_n,
                        help=f"how many {things} (default {default_n})")
    parser.add_argument("--seed", type=whole_number, default=0,
                        help=f"random seed of {drawn} (default 0)")


def _model_and_out(args):
    """The checkpoint's model and the picture's path, checked before the slow part."""
    out = png.png_path(args.out if args.out is not None
                       else picture_folder(args.checkpoint) / args.default_file)
    check_writable_folder(out.parent, out)
    return load_checkpoint_model(args.checkpoint), out


def run_manifold(args):
    model, out = _model_and_out(args)
    _check_picture_memory(model, args.n, lambda n: n * n, f"a manifold of {args.n}x{args.n} images")
    print_paths(report.save_manifold(model, out, n=args.n, dims=args.dims, show=args.show,
                                     label=args.label))
    return 0


def _check_picture_memory(model, n, images, what):
    """Refuse a picture of ``images(n)`` decodes that would not fit in memory."""
    picture = memory.bytes_of_pictures(model, report.DECODE_BATCH)
    memory.refuse_if_too_big(lambda k: picture(images(k)), n, what, "--n")


def run_scatter(args):
    model, out = _model_and_out(args)
    x_test, y_test, names = test_set(args.checkpoint, args.limit)
    print(f"encoding {len(x_test):,} test images ...", flush=True)
    print_paths(report.save_scatter(model, x_test, y_test, out, dims=args.dims,
                                    show=args.show, label_names=names))
    return 0


def run_reconstruct(args):
    model, out = _model_and_out(args)
    x_test, y_test, _ = test_set(args.checkpoint)
    data = data_description(args.checkpoint)   # None: a checkpoint of the shipped MNIST
    print_paths(report.save_reconstructions(model, x_test, out, n=args.n,
                                            rng=np.random.default_rng(args.seed),
                                            show=args.show,
                                            mnist=data is None or data["kind"] == "mnist",
                                            labels=y_test))
    return 0


def run_sample(args):
    model, out = _model_and_out(args)
    _check_picture_memory(model, args.n, lambda n: n, f"{args.n:,} samples")
    print_paths(report.save_samples(model, out, n=args.n, rng=np.random.default_rng(args.seed),
                                    show=args.show, label=args.label,
                                    label_names=_label_names(args.checkpoint)))
    return 0


def run_generate(args):
    model, out = _model_and_out(args)
    if not model.num_classes:
        raise CommandError(f"{args.checkpoint} is not a conditional model: generate draws "
                           f"chosen labels (train one with --conditional); 'sample' draws "
                           f"from this one")
    rng, names = np.random.default_rng(args.seed), _label_names(args.checkpoint)
    if args.label is None:
        print_paths(report.save_label_grid(model, out, n=args.n, rng=rng, show=args.show,
                                           label_names=names))
    else:
        print_paths(report.save_samples(model, out, n=args.n, rng=rng, show=args.show,
                                        label=args.label, label_names=names))
    return 0


def run_concept(args):
    model, out = _model_and_out(args)
    x_test, y_test, _ = test_set(args.checkpoint, args.limit)
    path, measured = report.save_concept(
        model, x_test, y_test, out, args.attribute, n=args.n, steps=args.steps,
        reach=args.reach, rng=np.random.default_rng(args.seed), show=args.show)
    means = measured["values"].mean(axis=0)
    print(f"{args.attribute} vector: length {measured['length']:.3f}, "
          f"({', '.join(f'{v:.3f}' for v in measured['vector'])})")
    print(f"{args.attribute} of the decoded images, mean of each column: "
          f"{' '.join(f'{v:.3g}' for v in means)}")
    print(f"grows at every step in {measured['monotone_share']:.0%} of the "
          f"{len(measured['values'])} rows")
    print_paths(path)
    return 0


def _label_names(checkpoint):
    """The names of a run's labels (a picture folder's subfolders), or None (numbers)."""
    data = data_description(checkpoint)
    return None if data is None else data.get("label_names")


def run_interpolate(args):
    model, out = _model_and_out(args)
    if model.num_classes:
        raise CommandError("interpolate draws an unconditional model's line between two "
                           "codes; a conditional model's codes hold the style, not the digit: "
                           "use 'generate' or 'manifold --label Y'")
    x_test, _, _ = test_set(args.checkpoint)
    for option, index in (("--from-index", args.from_index), ("--to-index", args.to_index)):
        if not 0 <= index < len(x_test):
            raise CommandError(f"{option} must be a test image index, 0..{len(x_test) - 1}; "
                               f"got {index}")
    print_paths(report.save_interpolation(model, x_test[args.from_index],
                                          x_test[args.to_index], out, steps=args.steps,
                                          show=args.show))
    return 0
