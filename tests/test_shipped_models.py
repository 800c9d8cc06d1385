"""The trained models shipped with npvae (``npvae/models/trained``): what the README says of
them holds, the commands find them by name, and the conditional one draws the digits asked
for, as judged by a classifier that is not part of it (tests/digit_classifier.py)."""
import re
from pathlib import Path

import numpy as np
import pytest
from digit_classifier import mnist_classifier

from npvae import cli
from npvae.datasets import load_mnist
from npvae.evaluation import negative_elbo
from npvae.models.trained import SHIPPED, checkpoint_path, is_shipped
from npvae.storage.checkpoint import load_checkpoint
from npvae.training.trainer import load_model

README = Path(__file__).resolve().parent.parent / "README.md"
NUMBERS = Path(__file__).with_name("data") / "numbers_e236215.npz"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def documented(name):
    """The test negative ELBO the README's table of shipped models gives ``name``."""
    match = re.search(rf"^\| `{name}` \|[^|]*\| ([0-9.]+) \|", README.read_text(), re.M)
    assert match, f"the README's table of shipped models has no row for {name}"
    return float(match.group(1))


@pytest.fixture(scope="module")
def test_images():
    _, (x, y) = load_mnist(dtype=np.float32)
    return x, y.astype(np.int64)


@pytest.mark.parametrize("name", list(SHIPPED))
def test_a_shipped_model_holds_its_documented_test_negative_elbo(name, test_images):
    """The shipped float32 weights, scored on the shipped test set with the noise its run
    used for its last epoch's evaluation, give the figure its run recorded, which is the
    one the README documents."""
    x, y = test_images
    model = load_model(checkpoint_path(name))
    _, meta = load_checkpoint(checkpoint_path(name))
    last = meta["history"][-1]
    rng = np.random.default_rng([meta["train"]["seed"], 2, last["epoch"] - 1])  # as the Trainer
    labels = model.condition(y, len(x))
    score = negative_elbo(model, x, rng, labels=labels)["neg_elbo"]
    recorded = last["test_reconstruction"] + last["test_kl"]
    assert score == pytest.approx(recorded, abs=0.02)
    assert round(score, 1) == pytest.approx(documented(name), abs=0.051)


@pytest.mark.parametrize("name", list(SHIPPED))
def test_a_shipped_model_gives_the_numbers_it_gave_before(name, test_images):
    """Decodes, codes and losses, to the bit, as the code of e236215 computed them
    (``tests/data/README.md``), through the interface both models answer."""
    numbers = np.load(NUMBERS)
    model = load_model(checkpoint_path(name))
    x = test_images[0][numbers["x_index"]]
    labels = model.condition(numbers["labels"], len(x))   # None for the book's VAE
    np.testing.assert_array_equal(model.generate(numbers["z"], labels), numbers[f"{name}/images"])
    for got, key in zip(model.encode(x, labels), ("z_mean", "z_log_var")):
        np.testing.assert_array_equal(got, numbers[f"{name}/{key}"])
    np.testing.assert_array_equal(model(x, labels, eps=numbers["eps"]).loss,
                                  numbers[f"{name}/loss"])


def test_the_conditional_bound_is_below_the_unconditional_one():
    assert documented("conditional") < documented("book")


def test_short_names_resolve_to_the_package_files():
    assert checkpoint_path("book") == SHIPPED["book"] and is_shipped(SHIPPED["book"])
    assert checkpoint_path("runs/vae/checkpoint.npz") == Path("runs/vae/checkpoint.npz")
    for path in SHIPPED.values():
        arrays, meta = load_checkpoint(path)
        assert all(a.dtype == np.float32 for a in arrays.values())
        assert not any(key.startswith("optim/") for key in arrays)   # weights only
        assert path.stat().st_size < 4 * 2**20


def test_explore_the_book_model_by_name(tmp_path):
    """It works by the shipped model's name (how long it takes is a benchmark's to say:
    benchmarks/startup.py)."""
    out = tmp_path / "view.png"
    assert cli.main(["explore", "--checkpoint", "book", "--at=0.5,-1", "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == PNG_SIGNATURE


def test_pictures_of_shipped_models_are_named_after_the_model_and_label(tmp_path, monkeypatch):
    """In the current folder, one model's picture never replaces another's."""
    monkeypatch.chdir(tmp_path)
    for argv in (["manifold", "--checkpoint", "book"],
                 ["manifold", "--checkpoint", "conditional", "--label", "4"],
                 ["generate", "--checkpoint", "conditional"]):
        assert cli.main([*argv, "--n", "2"]) == 0
    pictures = sorted(tmp_path.iterdir())
    assert [p.name for p in pictures] == ["book-manifold.png", "conditional-generated.png",
                                          "conditional-manifold-label-4.png"]
    assert all(p.read_bytes()[:8] == PNG_SIGNATURE for p in pictures)


def test_generated_digits_are_the_digits_asked_for():
    """At least 90% of 100 images generated for each label d are classified as d."""
    predict = mnist_classifier()
    model = load_model(checkpoint_path("conditional"))
    rng = np.random.default_rng(0)
    accuracy = {}
    for digit in range(10):
        z = rng.standard_normal((100, 2), dtype=np.float32)
        accuracy[digit] = float(np.mean(predict(model.generate(z, np.full(100, digit)))
                                        == digit))
    print("\nclassified as asked, per digit: "
          + ", ".join(f"{d}: {a:.0%}" for d, a in accuracy.items()))
    assert min(accuracy.values()) >= 0.9, accuracy


def test_the_export_keeps_the_loss_curves_points(tmp_path):
    """docs/figures/make.py draws loss_curve.png from the shipped file: its points within
    epochs (the first epoch's falling loss) must survive the export."""
    from npvae.models.trained import export
    from npvae.storage.checkpoint import save_checkpoint
    points = [{"epoch": 0.5, "train_loss": 300.0}]
    save_checkpoint(tmp_path / "run.npz", {"model/w": np.ones(3), "optimizer/ms": np.ones(3)},
                    {"model": {"dtype": "float64"}, "history": [{"epoch": 1}], "points": points})
    arrays, meta = load_checkpoint(export(tmp_path / "run.npz", tmp_path / "shipped.npz"))
    assert meta["points"] == points and list(arrays) == ["model/w"]
    assert arrays["model/w"].dtype == np.float32
