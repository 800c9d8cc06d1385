"""The picture commands: each checks what it was given and refuses a picture that would
not fit in memory, before any work; then ``npvae.pictures.report`` draws it."""
from pathlib import Path

import numpy as np

from npvae.cli.errors import UsageError, users_values
from npvae.cli.options import spelled
from npvae.cli.run.files import (
    check_label,
    check_writable_folder,
    load_checkpoint_model,
    picture_folder,
    print_paths,
    test_set,
)
from npvae.models.trained import shipped_name
from npvae.pictures import png, report
from npvae.pictures.inputs import check_dims, count
from npvae.training import memory
from npvae.training.trainer import data_description

# Under the concept's numbers, when the column means grow at every step but few rows do.
ROWS_NOTE = ("the column means grow, yet few rows do: along a row the digit itself may "
             "change (docs/09-conditional-vae.md)")


def run_manifold(args):
    model, out = _model_and_out(args, args.label)
    check_label(model, args.label)
    _checked_dims(args.dims, model)
    _refuse_too_big(model, args.n, lambda n: n * n, f"a manifold of {args.n}x{args.n} images")
    print_paths(report.save_manifold(model, out, n=args.n, dims=args.dims, show=args.show,
                                     label=args.label))
    return 0


def run_scatter(args):
    model, out = _model_and_out(args)
    if args.dims is not None:
        _checked_dims(args.dims, model)
    x_test, y_test, names = test_set(args.checkpoint, args.test_limit)
    print(f"encoding {len(x_test):,} test images ...", flush=True)
    print_paths(report.save_scatter(model, x_test, y_test, out, dims=args.dims,
                                    show=args.show, label_names=names))
    return 0


def run_reconstruct(args):
    model, out = _model_and_out(args)
    x_test, y_test, _ = test_set(args.checkpoint)
    _refuse_too_big(model, args.n, lambda n: 2 * n, f"a picture of {args.n:,} reconstructions",
                    maximum=len(x_test))
    data = data_description(args.checkpoint)   # None: a checkpoint of the shipped MNIST
    print_paths(report.save_reconstructions(model, x_test, out, n=args.n,
                                            rng=np.random.default_rng(args.seed),
                                            show=args.show,
                                            mnist=data is None or data["kind"] == "mnist",
                                            labels=y_test))
    return 0


def run_sample(args):
    model, out = _model_and_out(args, args.label)
    check_label(model, args.label)
    _refuse_too_big(model, args.n, lambda n: n, f"a picture of {args.n:,} samples")
    print_paths(report.save_samples(model, out, n=args.n, rng=np.random.default_rng(args.seed),
                                    show=args.show, label=args.label,
                                    label_names=_label_names(args.checkpoint)))
    return 0


def run_generate(args):
    model, out = _model_and_out(args, args.label)
    if not model.num_classes:
        raise UsageError(f"{spelled(args.checkpoint)} is not a conditional model: generate draws "
                         f"chosen labels (train one with --conditional); 'sample' draws "
                         f"from this one")
    rows = model.num_classes if args.label is None else 1  # a row per label
    if args.label is not None:
        check_label(model, args.label)
    _refuse_too_big(model, args.n, lambda n: rows * n, f"a picture of {rows * args.n:,} images")
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
    x_test, y_test, _ = test_set(args.checkpoint, args.test_limit)
    steps = _counted("--steps", args.steps, minimum=2)
    _refuse_too_big(model, args.n, lambda n: n * steps,
                    f"a picture of {args.n:,} rows of {steps} images",
                    maximum=len(x_test))
    path, measured = report.save_concept(
        model, x_test, y_test, out, args.attribute, n=args.n, steps=steps,
        reach=args.reach, rng=np.random.default_rng(args.seed), show=args.show)
    means, share = measured["values"].mean(axis=0), measured["monotone_share"]
    print(f"{args.attribute} vector: length {measured['length']:.3f}, "
          f"({', '.join(f'{v:.3f}' for v in measured['vector'])})")
    print(f"{args.attribute} of the decoded images, mean of each column: "
          f"{' '.join(f'{v:.3g}' for v in means)}")
    print(f"grows at every step in {share:.0%} of the {len(measured['values'])} rows"
          + (f"; {ROWS_NOTE}" if np.all(np.diff(means) > 0) and share < 1 else ""))
    print_paths(path)
    return 0


def run_interpolate(args):
    model, out = _model_and_out(args)
    if model.num_classes:
        raise UsageError("interpolate draws an unconditional model's line between two "
                         "codes; a conditional model's codes hold the style, not the digit: "
                         "use 'generate' or 'manifold --label Y'")
    x_test, _, _ = test_set(args.checkpoint)
    for option, index in (("--from-index", args.from_index), ("--to-index", args.to_index)):
        if not 0 <= index < len(x_test):
            raise UsageError(f"{option} must be a test image index, 0..{len(x_test) - 1}; "
                             f"got {index}")
    _refuse_too_big(model, args.steps, lambda steps: steps, f"a line of {args.steps:,} images",
                    option="--steps", minimum=2)
    print_paths(report.save_interpolation(model, x_test[args.from_index],
                                          x_test[args.to_index], out, steps=args.steps,
                                          show=args.show))
    return 0


def _model_and_out(args, label=None):
    """The checkpoint's model and the picture's path, checked before the slow part."""
    with users_values():
        out = png.png_path(args.out if args.out is not None
                           else default_path(args.checkpoint, args.default_file, label))
    check_writable_folder(out.parent, out)
    return load_checkpoint_model(args.checkpoint), out


def default_path(checkpoint, file, label=None):
    """Where a picture goes unless --out says: ``file`` beside the checkpoint; a shipped
    model's in the current folder, named after the model ("book-manifold.png"), so that
    one model's pictures never replace another's. A label goes in the name too
    ("manifold-label-4.png")."""
    stem = Path(file).stem + ("" if label is None else f"-label-{label}")
    model = shipped_name(checkpoint)
    return picture_folder(checkpoint) / f"{'' if model is None else model + '-'}{stem}.png"


def _refuse_too_big(model, n, images, what, option="--n", minimum=1, maximum=None):
    """Refuse, before any work, an ``n`` (the value of ``option``) out of its range, or
    whose picture of ``images(n)`` decoded images would not fit in memory (naming the
    largest that would)."""
    _counted(option, n, minimum, maximum)
    picture = memory.bytes_of_pictures(model, report.DECODE_BATCH)
    memory.refuse_if_too_big(lambda k: picture(images(k)), n, what, option)


def _counted(option, value, minimum=1, maximum=None):
    with users_values():
        return count(option, value, minimum, maximum)


def _checked_dims(dims, model):
    with users_values():
        return check_dims(dims, model.config["latent_dim"])


def _label_names(checkpoint):
    """The names of a run's labels (a picture folder's subfolders), or None (numbers)."""
    data = data_description(checkpoint)
    return None if data is None else data.get("label_names")
