"""Fixtures shared by the training tests."""
import numpy as np
import pytest

import npvae.training.history
from npvae.datasets import load_mnist


@pytest.fixture(scope="module")
def no_loss_curve():
    """Drawing loss_curve.png takes matplotlib about half of a small run's time, and the
    tests that use this fixture never look at it, so in their process it is not drawn."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(npvae.training.history, "plot_history", lambda history, path, points=(): path)
        yield


@pytest.fixture(scope="module")
def data():
    """400 training and 200 test images of the shipped MNIST."""
    (x_train, _), (x_test, _) = load_mnist(dtype=np.float32)
    return x_train[:400], x_test[:200]
