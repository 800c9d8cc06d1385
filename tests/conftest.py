"""Fixtures shared by the training tests; the test process tuned as the command's is."""
from npvae import process

process.tune()  # the fast model's thread pools, as `npvae` runs them (npvae/process.py)

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import npvae.history  # noqa: E402
from npvae.datasets import load_mnist  # noqa: E402


@pytest.fixture(scope="module")
def no_loss_curve():
    """Drawing loss_curve.png takes matplotlib about half of a small run's time, and the
    tests that use this fixture never look at it, so in their process it is not drawn."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(npvae.history, "plot_history", lambda history, path, points=(): path)
        yield


@pytest.fixture(scope="module")
def data():
    """400 training and 200 test images of the shipped MNIST."""
    (x_train, _), (x_test, _) = load_mnist(dtype=np.float32)
    return x_train[:400], x_test[:200]
