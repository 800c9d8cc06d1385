"""What the pictures accept: each check, with its one-line error, in one place.

``npvae.pictures.plots`` checks every array it is given before it draws, and
``npvae.pictures.report``
checks a picture's sizes before it runs the model, both with these functions, so that bad
input fails before any slow work and before anything touches the disk. (Labels are
checked by ``npvae.datasets.labels``, as the conditional model checks them.)
"""
from __future__ import annotations

import operator

import numpy as np


def count(name: str, value, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` as an int in minimum..maximum; a ValueError naming ``name`` otherwise."""
    try:
        number = operator.index(value)  # accepts np.int64, refuses 2.5 and "3"
    except TypeError:
        raise ValueError(f"{name} must be a whole number, got {type(value).__name__} "
                         f"{value!r:.40}") from None
    if number < minimum or (maximum is not None and number > maximum):
        allowed = f"{minimum}..{maximum}" if maximum is not None else f"at least {minimum}"
        raise ValueError(f"{name} must be {allowed}; got {number}")
    return number


def check_dims(dims, latent_dim: int) -> tuple[int, int]:
    """Two different latent dimensions, each in 0..latent_dim-1."""
    try:
        first, second = (operator.index(d) for d in dims)
    except (TypeError, ValueError):
        raise ValueError(f"dims must be two integers such as (0, 1), got {dims!r:.40}") from None
    if first == second or not (0 <= first < latent_dim and 0 <= second < latent_dim):
        raise ValueError(f"dims must be two different integers in 0..{latent_dim - 1} "
                         f"(latent_dim={latent_dim}), got {dims!r}")
    return first, second


def as_finite(name: str, value, ndim: int, shape_text: str) -> np.ndarray:
    array = np.asarray(value)
    if array.ndim != ndim or array.size == 0 or array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a non-empty real array of shape {shape_text}, "
                         f"got shape {array.shape} and dtype {array.dtype}")
    bad = array.size - np.count_nonzero(np.isfinite(array))
    if bad:
        raise ValueError(f"{name} must be finite, got {bad} NaN or infinite value(s)")
    return array


def as_images(name: str, images) -> np.ndarray:
    """Check images (n, H, W, 1 or 3) in [0, 1]; return them as (n, H, W) or (n, H, W, 3)."""
    array = as_finite(name, images, ndim=4, shape_text="(n, height, width, 1 or 3)")
    if array.shape[-1] not in (1, 3):
        raise ValueError(f"{name} must have shape (n, height, width, 1 or 3), got {array.shape}")
    low, high = array.min(), array.max()
    if low < 0 or high > 1:
        raise ValueError(f"{name} must be pixel intensities in [0, 1], got values in "
                         f"[{low:.3g}, {high:.3g}]; if these are logits, apply a sigmoid first")
    return array[..., 0] if array.shape[-1] == 1 else array


def history_curves(history) -> dict[str, tuple[list, list]]:
    """Return {"train_loss": (epochs, values), ...}; test values may be missing or None."""
    if not isinstance(history, (list, tuple)) or not history:
        raise ValueError(f"history must be a non-empty list of per-epoch dicts, got "
                         f"{type(history).__name__} of length "
                         f"{len(history) if hasattr(history, '__len__') else '?'}")
    curves = {f"{split}_{key}": ([], []) for split in ("train", "test")
              for key in ("loss", "reconstruction", "kl")}
    for index, record in enumerate(history):
        if not isinstance(record, dict):
            raise ValueError(f"history[{index}] must be a dict, got {type(record).__name__}")
        epoch = finite_number(f"history[{index}]['epoch']", record.get("epoch"))
        for key, (epochs, values) in curves.items():
            value = record.get(key)
            if value is None and key.startswith("test_"):
                continue  # no test pass that epoch: leave a gap, not a zero
            values.append(finite_number(f"history[{index}][{key!r}]", value))
            epochs.append(epoch)
    return curves


def finite_number(name: str, value) -> float:
    if isinstance(value, (bool, str)) or not np.isscalar(value) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r:.40}")
    return float(value)
