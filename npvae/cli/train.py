"""``npvae train``'s options: train a VAE on MNIST or a folder of images, filming its latent
space (``npvae.pictures.animation``), then draw the run's pictures beside its checkpoint."""
import argparse
from pathlib import Path

from npvae.cli.options import (
    BOOK_MODEL,
    BOOK_TRAINING,
    LOSS_NAMES,
    OPTIMIZER_NAMES,
    add_test_limit,
    number,
    whole_number,
)

COMMANDS = ("train",)
# Own pictures (--data) warm the learning rate up unless --lr-warmup says otherwise: on
# 300 colour shapes RMSprop's first full-size steps sent the KL term to 1e5..1e9 nats and
# the reconstructions stayed grey (docs/08-your-own-images-and-the-explorer.md).
OWN_PICTURES_WARMUP = 50


def add_parser(commands):
    train = commands.add_parser("train", help="train a VAE on MNIST or your images",
                                description="Train a VAE on MNIST or on a folder of images "
                                            "(--data); each epoch ends with a "
                                            "test evaluation and a checkpoint.")
    _add_learning_options(train)
    _add_data_and_output_options(train)
    train.set_defaults(run="train:run", memory_hint="lower --batch-size (the book's is "
                                                    f"{BOOK_TRAINING['batch_size']})")


def epochs(text):
    """--epochs: the run's total, 1 or more (0 would train nothing, not even write the
    first checkpoint, which comes at the end of the first epoch)."""
    value = whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"the run's total of epochs must be 1 or more; "
                                         f"got {value}")
    return value


def _add_learning_options(train):
    """The model's and the optimizer's settings: --epochs ... --seed."""
    train.add_argument("--epochs", type=epochs, metavar="N",
                       help=f"total epochs, 1 or more (default {BOOK_TRAINING['epochs']}; "
                            f"with --resume, the checkpoint's)")
    train.add_argument("--batch-size", type=whole_number, metavar="N",
                       help=f"images per step (default {BOOK_TRAINING['batch_size']})")
    train.add_argument("--latent-dim", type=whole_number, metavar="D",
                       help=f"size of z (default {BOOK_MODEL['latent_dim']})")
    train.add_argument("--lr", type=number,
                       help=f"learning rate (default {BOOK_TRAINING['lr']:g})")
    train.add_argument("--lr-warmup", type=whole_number, metavar="STEPS",
                       help="raise the learning rate linearly over the first STEPS steps "
                            f"(default 0 on MNIST, as the book; {OWN_PICTURES_WARMUP} with "
                            "--data: it avoids the first steps' spike)")
    train.add_argument("--optimizer", choices=OPTIMIZER_NAMES,
                       help=f"default {BOOK_TRAINING['optimizer']}")
    train.add_argument("--loss", choices=LOSS_NAMES,
                       help=f"'elbo' (the negative ELBO) or 'book' (the book's loss); "
                            f"default {BOOK_MODEL['loss']}")
    train.add_argument("--beta", type=number, metavar="B",
                       help="weight of the KL term in the 'elbo' loss: a beta-VAE (default "
                            f"{BOOK_MODEL['beta']:g}, the ELBO; the book's loss is about "
                            "beta 0.39, divided by the pixel count)")
    train.add_argument("--book-sampling", action="store_true", default=None,
                       help="scale the noise by exp(log_var), as the book does (a bug, kept "
                            "for comparison)")
    train.add_argument("--seed", type=whole_number, metavar="S",
                       help=f"random seed (default {BOOK_TRAINING['seed']})")


def _add_data_and_output_options(train):
    """What to train on and what to write: --data ... --quiet."""
    train.add_argument("--data", type=Path, metavar="DIR",
                       help="train on the images in DIR: a folder of PNG/JPEG/BMP/GIF pictures "
                            "(subfolders' names are labels; a test/ subfolder is the test set, "
                            "else 10%% are held out, by --seed) or of IDX files named like "
                            "MNIST's (default: the MNIST shipped with npvae)")
    train.add_argument("--image-size", metavar="N|HxW",
                       help="crop each image about its centre to this aspect ratio, then "
                            "resize it (Pillow's LANCZOS); even sides from 8 up")
    train.add_argument("--channels", type=whole_number, metavar="1|3",
                       help="1 (grayscale) or 3 (colour); default 1 if every image is gray")
    train.add_argument("--out", type=Path, default=Path("runs/vae"), metavar="DIR",
                       help="folder for the checkpoint, history and pictures "
                            "(default runs/vae)")
    train.add_argument("--train-limit", type=whole_number, metavar="N", dest="limit",
                       help="train on the first N training images only")
    # --limit, its old spelling, still works (unlisted): elsewhere it counts test images.
    train.add_argument("--limit", type=whole_number, dest="limit", help=argparse.SUPPRESS)
    add_test_limit(train, "evaluate each epoch (and draw the scatter) on", old_spelling=False)
    train.add_argument("--checkpoint-every", type=whole_number, metavar="N",
                       help="also save a checkpoint every N steps, counted over the whole "
                            "run, not per epoch (a resumed run goes on counting)")
    train.add_argument("--resume", action="store_true",
                       help="continue the run in --out from its checkpoint, keeping its "
                            "settings (only --epochs and --checkpoint-every may change)")
    train.add_argument("--dims", type=whole_number, nargs=2, metavar=("X", "Y"),
                       help="the two latent dimensions the manifold (and manifold.gif) walks, "
                            "the others at 0 (default 0 1); given, the scatter plots these "
                            "two as well, else a latent of more than 2 dimensions is "
                            "scattered along its first two principal components")
    train.add_argument("--no-pictures", action="store_true",
                       help="do not draw manifold.gif (the manifold after each epoch and at "
                            "1/8, 1/4, 1/2 of the first), manifold.png, scatter.png, "
                            "reconstructions.png")
    train.add_argument("--conditional", action="store_true",
                       help="train a conditional VAE, q(z|x, y) and p(x|z, y), on labelled "
                            "data: MNIST, IDX folders with label files, picture folders with "
                            "a subfolder per label")
    train.add_argument("--quiet", action="store_true",
                       help="no progress bar (the per-epoch lines are still printed)")
