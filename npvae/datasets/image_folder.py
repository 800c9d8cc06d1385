"""A folder of pictures (PNG, JPEG, BMP, GIF), decoded with Pillow into one uint8 array.

The layout::

    DIR/                         every picture under DIR, in subfolders or not
      cats/001.jpg  dogs/a.png   a picture's first subfolder is its label ("cats")
      test/cats/...              if DIR/test exists, the test set (and DIR/train, if it
      train/cats/...             exists too, the training set; else all the rest)

Names starting with "." are ignored, and so is any file of another kind. A picture is
decoded (a GIF's first frame), made grayscale ("L") or colour ("RGB", transparency
dropped), and brought to the asked size by ``npvae.datasets.resize``. A file Pillow
cannot read is skipped and counted, never fatal: one broken JPEG among thousands should
not stop a run.
"""
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from npvae.datasets.cache import cache_path, read_cache, write_cache
from npvae.datasets.resize import check_model_size, crop_and_resize

EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
GRAYSCALE_MODES = {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"}
# What Pillow raises on a file that is not a picture, or a damaged one.
DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError)


class TooSmallPicture(ValueError):
    """A picture of fewer than 2 pixels a side: an error to fix, not a file to skip."""


def picture_files(folder):
    """The pictures under ``folder``: {"train": [paths], "test": [paths]}, each sorted;
    "test" is empty without a test/ subfolder. Also returns how many other files were seen."""
    folder = Path(folder)
    test_root, train_root = folder / "test", folder / "train"
    has_test = test_root.is_dir()
    splits, others = {"train": [], "test": []}, 0
    for path in sorted(_walk(folder)):
        if path.suffix.lower() not in EXTENSIONS:
            others += 1
        elif has_test and path.is_relative_to(test_root):
            splits["test"].append(path)
        elif not has_test or not train_root.is_dir() or path.is_relative_to(train_root):
            splits["train"].append(path)
    return splits, others


def _walk(folder):
    for entry in folder.iterdir():
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk(entry)
        elif entry.is_file():
            yield entry


def label_of(path, root):
    """The name of the first subfolder between ``root`` and ``path``, or None."""
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else None


def decode_pictures(paths, size, channels, root, progress=True):
    """Decode ``paths``; return (images, kept, skipped).

    images: list of (H, W) or (H, W, 3) uint8 arrays, one per readable picture;
    kept: the paths decoded; skipped: the paths Pillow could not read.
    ``size`` (H, W) or None (keep each picture's size); ``channels`` 1, 3 or None (keep
    each picture's own: grayscale as (H, W), colour as (H, W, 3)).
    """
    images, kept, skipped = [], [], []
    bar = tqdm(paths, desc=f"decoding {root}", unit="image", disable=not progress,
               dynamic_ncols=True, leave=False)
    for path in bar:
        try:
            image = decode_picture(path, size, channels)
        except TooSmallPicture:
            raise
        except DECODE_ERRORS:
            skipped.append(path)
            continue
        images.append(image)
        kept.append(path)
    return images, kept, skipped


def decode_picture(path, size, channels):
    """One picture as a uint8 array, (H, W) grayscale or (H, W, 3) colour."""
    with Image.open(path) as image:
        image.load()
        if min(image.size) < 2:
            raise TooSmallPicture(f"{path} is {image.size[1]}x{image.size[0]} pixels, too small to "
                             f"be a picture: remove it")
        gray = image.mode in GRAYSCALE_MODES
        mode = {1: "L", 3: "RGB"}.get(channels, "L" if gray else "RGB")
        picture = image.convert(mode)
    if size is not None:
        picture = crop_and_resize(picture, size)
    return np.asarray(picture, dtype=np.uint8)


def load_image_folder(folder, size=None, channels=None, progress=True, cache_dir=None):
    """Decode (or read from the cache) every picture under ``folder``.

    Returns a dict: "x" (N, H, W, C) uint8, training pictures first, then test ones;
    "n_test"; "labels" (N,) int64 indices into "label_names", or None when some picture
    sits in no subfolder; "skipped" (the unreadable files' paths, relative); "cache"
    (the cache file used or written); "others" (files that are not pictures).
    """
    splits, others = picture_files(folder)
    files = splits["train"] + splits["test"]
    if not files:
        kinds = ", ".join(e.lstrip(".").upper() for e in EXTENSIONS)
        seen = f" (it holds {others} other files)" if others else ""
        raise ValueError(f"no pictures in {folder}{seen}: --data takes a folder of "
                         f"{kinds} files, or of IDX files named like train-images-idx3-ubyte")
    options = {"image_size": None if size is None else list(size), "channels": channels}
    path = cache_path(folder, files, options, cache_dir)
    stored = read_cache(path)
    if stored is None:
        stored = _decode_folder(folder, splits, size, channels, progress)
        write_cache(path, stored)
    labels = stored["labels"] if stored["has_labels"] else None
    return {"x": stored["x"], "n_test": int(stored["n_test"]), "labels": labels,
            "label_names": [str(n) for n in stored["label_names"]] if labels is not None else None,
            "skipped": [str(n) for n in stored["skipped"]], "cache": path, "others": others}


def _decode_folder(folder, splits, size, channels, progress):
    """The arrays the cache keeps, decoded from the pictures."""
    has_test = bool(splits["test"])
    roots = {"test": folder / "test",
             "train": folder / "train" if has_test and (folder / "train").is_dir() else folder}
    images, paths, names, skipped, n_test = [], [], [], [], 0
    for split in ("train", "test"):
        decoded, kept, bad = decode_pictures(splits[split], size, channels, folder, progress)
        images += decoded
        paths += kept
        names += [label_of(path, roots[split]) for path in kept]
        skipped += [path.relative_to(folder).as_posix() for path in bad]
        n_test = len(decoded) if split == "test" else n_test
    if not images:
        raise ValueError(f"none of the {len(skipped)} pictures in {folder} could be read "
                         f"(first: {skipped[0]}): check that they are PNG, JPEG, BMP or GIF "
                         f"files and not damaged")
    if has_test and n_test == 0:
        raise ValueError(f"none of the pictures in {folder / 'test'} could be read; fix or "
                         f"remove the test/ folder")
    has_labels = all(name is not None for name in names)
    label_names = sorted(set(names)) if has_labels else []
    index = {name: i for i, name in enumerate(label_names)}
    labels = np.array([index[n] for n in names] if has_labels else [], dtype=np.int64)
    return {"x": stack_pictures(images, paths, folder),
            "n_test": np.int64(n_test), "has_labels": np.bool_(has_labels),
            "labels": labels, "label_names": np.array(label_names, dtype=str),
            "skipped": np.array(skipped, dtype=str)}


def stack_pictures(images, paths, folder):
    """One (N, H, W, C) uint8 array from pictures of one size: C = 1 if every picture is
    grayscale, else 3 (a grayscale picture's gray repeated in red, green and blue)."""
    shapes = {image.shape[:2]: path for image, path in zip(images, paths)}
    if len(shapes) > 1:
        (a, first), (b, second) = list(shapes.items())[:2]
        raise ValueError(f"the pictures in {folder} differ in size ({first.name} is "
                         f"{a[0]}x{a[1]}, {second.name} {b[0]}x{b[1]}): ask for one size with "
                         f"--image-size N or HxW (they are then cropped and resized)")
    check_model_size(images[0].shape[:2], f"the size of the pictures in {folder}")
    colour = any(image.ndim == 3 for image in images)
    x = np.empty((len(images),) + images[0].shape[:2] + (3 if colour else 1,), np.uint8)
    for i, image in enumerate(images):
        x[i] = image if image.ndim == 3 else image[..., None]  # (H, W, 1) broadcasts to 3
    return x
