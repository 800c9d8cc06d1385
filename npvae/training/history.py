"""A run's history: one record per epoch, a few points within each, written three ways.

``history.json`` (for programs), ``history.csv`` (for a spreadsheet) and
``loss_curve.png`` (for people), all rewritten after every epoch, each atomically.
An epoch's record holds the training losses (means over its images) and the test
losses (one evaluation at its end), in nats per image. The points within an epoch
(``points``) hold the training loss so far in that epoch, so that the curve of a run
of one epoch still shows the loss falling.
"""
import csv
import json
from pathlib import Path

from npvae.pictures.plots import plot_history
from npvae.storage.atomic import atomic_write

POINTS_PER_EPOCH = 10  # training-loss points drawn within each epoch


def write_history(folder, history, points=()):
    """history.json, history.csv and loss_curve.png in ``folder``; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_write(folder / "history.json", "w") as f:
        f.write(json.dumps(history, indent=2) + "\n")
    columns = list(history[0]) if history else ["epoch"]
    with atomic_write(folder / "history.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(history)
    paths = [folder / "history.json", folder / "history.csv"]
    if history:
        paths.append(plot_history(history, folder / "loss_curve.png", points=points))
    return paths


def is_point_due(step_in_epoch, steps_per_epoch):
    """Whether the step just done (1-based in its epoch) ends one of the epoch's
    ``POINTS_PER_EPOCH`` equal parts."""
    part = max(1, steps_per_epoch // POINTS_PER_EPOCH)
    return step_in_epoch % part == 0 and step_in_epoch < steps_per_epoch
