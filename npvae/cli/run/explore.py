"""``npvae explore``: the window (``npvae.explorer.window``), or one view drawn into a PNG."""
import sys

from npvae.cli.errors import UsageError, users_values
from npvae.cli.options import PROG, spelled
from npvae.cli.run.files import (
    check_label,
    check_test_limit,
    check_writable_folder,
    load_checkpoint_model,
    picture_folder,
    print_paths,
    test_set,
)
from npvae.explorer import state as explorer
from npvae.explorer import window as explorer_window
from npvae.explorer.view import plane_span
from npvae.models.trained.codes import shipped_codes
from npvae.pictures.inputs import check_dims
from npvae.pictures.report import encode_means


def run(args):
    if (args.at is None) != (args.out is None):
        raise UsageError("--at and --out go together: --at Z1,Z2 --out FILE.png draws one view")
    problem = None if args.at else explorer_window.display_problem()
    if problem:
        raise UsageError(f"cannot open a window: {problem}; draw one view into a file "
                         f"instead: {PROG} explore --checkpoint {spelled(args.checkpoint)} "
                         f"--at 0,0 --out explore.png")
    if args.out is not None:
        check_writable_folder(args.out.parent, args.out)  # fail before the slow part
    check_test_limit(args.test_limit)
    shipped = shipped_codes(args.checkpoint, args.test_limit)
    # Given the codes, the explorer only decodes an image at a time: the textbook's
    # algorithms draw it before numba's first call would have returned.
    model = load_checkpoint_model(args.checkpoint, fast=shipped is None)
    dims = _checked(args, model)
    codes, labels = shipped or test_codes(model, args.checkpoint, args.test_limit)
    if args.at is None:
        explorer_window.open_window(model, None, labels, dims, label=args.label, codes=codes,
                                    save_folder=picture_folder(args.checkpoint))
        return 0
    print_paths(explorer.render_at(model, args.at, args.out, None, labels, dims,
                                   label=args.label, codes=codes))
    span = plane_span(codes, dims)
    if max(abs(args.at[d]) for d in dims) > span:
        print(f"{PROG}: note: the code is outside the plane drawn (-{span:.1f}..{span:.1f} "
              f"on each axis), so its marker is not in the picture; the image is its "
              f"decoding all the same", file=sys.stderr)
    return 0


def _checked(args, model):
    """The plane's dims, once --dims, --at and --label are known to fit the model."""
    latent_dim = model.config["latent_dim"]
    if args.at is not None and len(args.at) != latent_dim:
        raise UsageError(f"--at needs {latent_dim} numbers (the checkpoint's latent_dim), "
                         f"got {len(args.at)}")
    if args.label is not None:  # else a conditional model's explorer starts at 0
        check_label(model, args.label)
    if latent_dim == 1:
        print("the latent has one dimension: x is z[0]; the y axis only spreads the codes by "
              "digit, and the mouse's height is ignored")
        return (0,)
    with users_values():
        return check_dims(args.dims, latent_dim)


def test_codes(model, checkpoint, limit):
    """The mean codes of the first ``limit`` test images of a checkpoint's run, and their
    labels."""
    x_test, y_test, _ = test_set(checkpoint, limit)
    return encode_means(model, x_test, y_test), y_test
