"""Trained models shipped with npvae, so that the pictures and the explorer work at once.

    book         the book's VAE: latent 2, 10 epochs, the negative ELBO (npvae train)
    conditional  the conditional VAE: latent 2, 10 epochs (npvae train --conditional)

Every command taking ``--checkpoint`` accepts these names. Each file holds the weights
only, as float32 (no optimizer slots, no random states: a few MB), with the model's
config and the run's history, in the same pickle-free format as every checkpoint; so it
loads with ``npvae.training.trainer.load_model`` but cannot be resumed. Remake one with::

    npvae train --out runs/book
    python -m npvae.models.trained runs/book/checkpoint.npz npvae/models/trained/book.npz
"""
from pathlib import Path

FOLDER = Path(__file__).parent
SHIPPED = {"book": FOLDER / "book.npz", "conditional": FOLDER / "conditional.npz"}


def checkpoint_path(text):
    """The file a ``--checkpoint`` names: a shipped model's by its short name, else the path."""
    return SHIPPED.get(str(text), Path(text))


def is_shipped(path):
    """True for the file of a shipped model (pictures then go to the current folder)."""
    return shipped_name(path) is not None


def shipped_name(path):
    """The short name of the shipped model whose file is ``path`` ('book'), or None."""
    return next((name for name, file in SHIPPED.items()
                 if file.resolve() == Path(path).resolve()), None)


def export(checkpoint, out):
    """Write ``checkpoint``'s weights as float32, its model config, training settings,
    data record, history and points within epochs (the loss curve's, for the guide's
    loss_curve.png) to ``out`` (atomically); return the path written."""
    # Imported here: the command line reads SHIPPED before numpy may load (npvae.cli).
    import numpy as np

    from npvae.storage.checkpoint import load_checkpoint, save_checkpoint

    arrays, meta = load_checkpoint(checkpoint)
    weights = {key: value.astype(np.float32) for key, value in arrays.items()
               if key.startswith("model/")}
    kept = {key: meta.get(key) for key in ("model", "train", "data", "history", "points")}
    kept["model"] = {**kept["model"], "dtype": "float32"}
    return save_checkpoint(out, weights, kept)
