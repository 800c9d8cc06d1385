"""The codes of the MNIST test images under each shipped model, shipped beside it.

The explorer and the scatter draw the encoder's mean code of each test image. Encoding
them was most of the wait before the explorer's first picture; reading them is not
(``python benchmarks/startup.py --explore`` times it). ``book-codes.npz`` holds

    codes         (10000, latent_dim) float32: ``npvae.pictures.report.encode_means`` of the shipped
                  MNIST test images (a conditional model's each with its label)
    labels        (10000,) uint8: the images' labels, which colour the codes
    model_sha256  the SHA-256 of the model file they were computed from

so codes are only used with the very weights that made them: a remade model without
remade codes is encoded as any other (and tests/test_shipped_codes.py fails). Remake them
after remaking a model::

    python -m npvae.models.trained.codes
"""
import hashlib
import sys

import numpy as np

from npvae.models.trained import FOLDER, SHIPPED, shipped_name


def codes_file(name):
    return FOLDER / f"{name}-codes.npz"


def shipped_codes(checkpoint, count):
    """(codes, labels) of the first ``count`` MNIST test images (all for None) under the
    shipped model in ``checkpoint``, or None: not a shipped model, or no codes of its
    weights shipped."""
    name = shipped_name(checkpoint)
    if name is None or not codes_file(name).is_file():
        return None
    with np.load(codes_file(name)) as stored:
        if str(stored["model_sha256"]) != file_sha256(SHIPPED[name]):
            return None
        codes, labels = stored["codes"], stored["labels"]
    return None if count is not None and count > len(codes) else (codes[:count], labels[:count])


def file_sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compute_codes(name, count=None):
    """(codes, labels) of the first ``count`` test images (all for None) under shipped
    model ``name``, computed now."""
    # Imported here: reading the codes needs none of them.
    from npvae.datasets import load_mnist
    from npvae.pictures.report import encode_means
    from npvae.training.trainer import load_model
    model = load_model(SHIPPED[name])
    _, (x_test, y_test) = load_mnist()
    return encode_means(model, x_test[:count], y_test[:count]), y_test[:count]


def write_codes(name):
    """Compute and write ``codes_file(name)``; return its path."""
    from npvae.storage.atomic import atomic_write
    with atomic_write(codes_file(name)) as file:
        codes, labels = compute_codes(name)
        np.savez_compressed(file, codes=codes, labels=labels,
                            model_sha256=np.array(file_sha256(SHIPPED[name])))
    return codes_file(name)


if __name__ == "__main__":
    for shipped in sys.argv[1:] or SHIPPED:
        print(f"wrote {write_codes(shipped)}")
