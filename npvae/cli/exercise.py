"""``npvae exercise list | start | check | hint | solution``: write the VAE's pieces yourself.

The work is done by ``npvae.exercises`` (and ``npvae.exercises.capstone``); this module
reads the options and prints. ``check`` exits with 0 when every check passes and 1
otherwise (a wrong answer, a file Python cannot import, a piece not written yet, a call
that did not return within the time limit); an unknown exercise, a missing file or a
``start`` that would overwrite a file is a usage error (exit 2). The capstone's module is
imported only by the actions that need it: ``check NAME`` starts with little more than
``npvae.exercises``, which imports an exercise's own module only in the process that runs
its checks.
"""
import argparse
from pathlib import Path

import npvae.exercises as exercises
from npvae.cli.options import whole_number

CAPSTONE_IMAGES, CAPSTONE_EPOCHS = 2000, 1   # npvae.exercises.capstone's IMAGES, EPOCHS

CAPSTONE = "capstone"
TEXTS = {  # action -> (its help, its description)
    "start": ("write the exercise's stub into the folder",
              "Write the exercise's stub, NAME.py, into the folder; never over a file that "
              "exists."),
    "check": ("grade your file (or run the capstone)",
              "Grade your NAME.py, one line per check, with a diagnosis of a wrong answer; "
              "exit 0 when every check passes, 1 otherwise. 'check capstone' trains the "
              "book's VAE on your passed pieces and on npvae's, and says whether they agree."),
    "hint": ("hints for the exercise",
             "Print the exercise's hints, from a nudge to nearly the answer."),
    "solution": ("where npvae's own answer is",
                 "Print where npvae's own answer is, and its code."),
}


def add_parser(commands):
    group = commands.add_parser(
        "exercise", help="write the VAE's pieces yourself, and have them checked",
        description="Exercises in the order of the guide: 'start NAME' writes a stub to "
                    "fill in, 'check NAME' grades it, one line per check, and says what a "
                    "wrong answer most likely got wrong. 'check capstone' trains the book's "
                    "VAE on your passed pieces, beside npvae's own.")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every exercise and its status")
    add_folder(listing)
    listing.set_defaults(run=run_list)
    runs = {"start": run_start, "check": run_check, "hint": run_hint, "solution": run_solution}
    for action, run in runs.items():
        text, description = TEXTS[action]
        parser = actions.add_parser(action, help=text, description=description)
        parser.add_argument("name", metavar="NAME",
                            help=f"one of: {', '.join(exercises.NAMES)}"
                                 + (f", {CAPSTONE}" if action == "check" else ""))
        if action in ("start", "check"):
            add_folder(parser)
        if action in ("start", "hint"):
            add_language(parser)
        parser.set_defaults(run=run)
    actions.choices["check"].add_argument(
        "--time-limit", type=seconds, metavar="S",
        help=f"seconds each call of your code may take before the check stops it (default "
             f"{exercises.TIME_LIMIT:g}; in the capstone, 60 on each batch)")
    add_capstone_options(actions.choices["check"])


def add_folder(parser):
    parser.add_argument("--dir", type=Path, default=Path(exercises.DEFAULT_FOLDER),
                        metavar="DIR", help=f"your work folder "
                                            f"(default: {exercises.DEFAULT_FOLDER}/)")


def add_language(parser):
    parser.add_argument("--lang", choices=exercises.LANGUAGES, default="en",
                        help="the language of the stub's explanations and of the hints: "
                             "en (English, the default whatever the locale) or zh "
                             "(Simplified Chinese, 简体中文)")


def add_capstone_options(check):
    options = check.add_argument_group("the capstone's options")
    options.add_argument("--images", type=whole_number, default=CAPSTONE_IMAGES, metavar="N",
                         help=f"train on the first N MNIST images (default {CAPSTONE_IMAGES})")
    options.add_argument("--epochs", type=whole_number, default=CAPSTONE_EPOCHS, metavar="E",
                         help=f"epochs (default {CAPSTONE_EPOCHS})")
    options.add_argument("--out", type=Path, metavar="PNG",
                         help="where to draw the two loss curves (default: DIR/capstone.png)")


def seconds(text):
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value


def run_list(args):
    from npvae.exercises import capstone
    status = exercises.status(args.dir)
    print(f"{'chapter':<8}{'exercise':<18}{'status':<13}what you write")
    for name, exercise in exercises.exercises().items():
        print(f"{exercise.chapter:<8}{name:<18}{status[name]:<13}{exercise.title}")
    passed = [name for name in capstone.PIECES if status[name] == "passed"]
    print(f"\n'npvae exercise check {CAPSTONE}' trains the book's VAE on your passed pieces "
          f"({len(passed)} of {len(capstone.PIECES)} so far).")
    return 0


def run_start(args):
    path = exercises.start(args.name, args.dir, args.lang)
    print(f"wrote {path}: fill in its functions, then run "
          f"'npvae exercise check {args.name}{folder_option(args.dir)}'")
    return 0


def run_check(args):
    if args.name == CAPSTONE:
        return run_capstone(args)
    result = exercises.check(args.name, args.dir, args.time_limit or exercises.TIME_LIMIT)
    print(result)
    return result.exit_code


def run_capstone(args):
    from npvae.exercises import capstone
    try:
        result = capstone.run(args.dir, args.images, args.epochs, picture=args.out,
                              time_limit=args.time_limit or capstone.TIME_LIMIT)
    except capstone.CapstoneError as error:
        print(f"FAIL  {error}")
        return 1
    print(f"your pieces: {', '.join(result.pieces)}")
    print(result)
    return 0 if result.agree else 1


def run_hint(args):
    for number, hint in enumerate(exercises.hints(args.name, args.lang), start=1):
        print(f"{number}. {hint}")
    return 0


def run_solution(args):
    print(exercises.solution(args.name))
    return 0


def folder_option(folder):
    return "" if Path(folder) == Path(exercises.DEFAULT_FOLDER) else f" --dir {folder}"
