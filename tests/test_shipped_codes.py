"""The codes shipped beside each shipped model are that model's: a few recomputed from its
weights match, and codes of other weights are never used (npvae/models/trained/codes.py)."""
import numpy as np
import pytest

from npvae.datasets import load_mnist
from npvae.models.trained import SHIPPED, codes


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_the_shipped_codes_are_the_models_own(name):
    shipped, labels = codes.shipped_codes(SHIPPED[name], None)
    assert shipped.shape == (10000, 2) and shipped.dtype == np.float32
    assert np.array_equal(labels, load_mnist()[1][1])
    recomputed, _ = codes.compute_codes(name, count=64)
    np.testing.assert_allclose(recomputed, shipped[:64], rtol=0, atol=1e-5)


def test_codes_of_other_weights_are_not_used(monkeypatch):
    assert codes.shipped_codes(SHIPPED["book"], 10)[0].shape == (10, 2)
    monkeypatch.setattr(codes, "file_sha256", lambda path: "0" * 64)  # as if remade
    assert codes.shipped_codes(SHIPPED["book"], 10) is None
    assert codes.shipped_codes("runs/vae/checkpoint.npz", 10) is None   # not shipped
