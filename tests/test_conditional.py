"""The conditional VAE: its Concatenate layer and the whole model against central
differences in float64, its interface (the labels of every pass), its labels checked,
saved, loaded and resumed like the VAE. Its commands: ``tests/test_conditional_commands.py``."""
import numpy as np
import pytest
from relu_kinks import kink_margin
from test_gradients import H, assert_all_within_bound, assert_not_all_zero, record

from npvae.evaluation import iwae_nll, negative_elbo
from npvae.gradcheck import numerical_gradient, relative_error
from npvae.layers import Concatenate
from npvae.models.conditional import ConditionalVAE, build_model
from npvae.models.vae import VAE
from npvae.storage.checkpoint import load_checkpoint
from npvae.training.trainer import TrainConfig, Trainer, load_model

F64 = np.float64
TINY = dict(input_shape=(6, 6, 1), latent_dim=2, encoder_filters=(2, 3, 3, 3),
            dense_units=4, decoder_filters=2)
SEED = 15


def test_concatenate_backward_matches_central_differences():
    rng = np.random.default_rng(3)
    layer = Concatenate(F64)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 2))
    projection = rng.standard_normal((3, 6))

    def loss():
        return float(np.sum(layer.forward(a, b) * projection))

    layer.forward(a, b)
    da, db = layer.backward(projection)
    assert_not_all_zero(da=da, db=db)
    errors = record("Concatenate", {"a": relative_error(da, numerical_gradient(loss, a, H)),
                                    "b": relative_error(db, numerical_gradient(loss, b, H))})
    assert_all_within_bound(errors)


def test_concatenate_refuses_batches_of_different_sizes():
    with pytest.raises(ValueError, match="same number of rows.*got \\(3, 4\\) and \\(2, 2\\)"):
        Concatenate(F64).forward(np.zeros((3, 4)), np.zeros((2, 2)))


def tiny_problem(loss="elbo"):
    """The tiny float64 conditional model (3 labels), random biases, a batch, its labels,
    fixed noise."""
    model = ConditionalVAE(num_classes=3, seed=SEED, dtype=F64, loss=loss, **TINY)
    rng = np.random.default_rng(SEED + 1)
    for name, param in model.weights().items():
        if name.endswith("/b"):   # no ReLU input at exactly 0 (see test_gradients)
            param[...] = rng.normal(0.0, 0.1, size=param.shape)
    x = rng.uniform(0.2, 0.8, size=(3, 6, 6, 1))
    return model, x, np.array([0, 2, 1]), rng.standard_normal((3, 2))


def relu_margin(model, x, labels, eps):
    """The smallest |input| of any ReLU in the model: each layer's input is recorded on
    the walk, then measured by ``kink_margin``."""
    relu_layers = [layer for _, layer in model.named_layers()
                   if getattr(layer, "activation", None) == "relu"]
    inputs = []
    for layer in relu_layers:
        layer.forward = lambda h, f=layer.forward: (inputs.append((f.__self__, h)), f(h))[1]
    try:
        model(x, labels, eps=eps)
    finally:
        for layer in relu_layers:
            del layer.forward
    assert len(inputs) == len(relu_layers) == 7   # 4 convolutions, 2 dense, 1 deconv
    return min(kink_margin(layer, h) for layer, h in inputs)


PARAM_NAMES = list(tiny_problem()[0].weights())


@pytest.mark.parametrize("loss", ["elbo", "book"])
def test_whole_model_gradients_match_central_differences(loss):
    model, x, labels, eps = tiny_problem(loss)
    assert relu_margin(model, x, labels, eps) > 50 * H
    model(x, labels, eps=eps)
    model.backward()
    dx = model.input_gradient
    analytic = {name: dict(model.named_layers())[name.rsplit("/", 1)[0]]
                .grads[name.rsplit("/", 1)[1]].copy() for name in PARAM_NAMES}
    assert_not_all_zero(dx=dx, **analytic)

    def objective():
        return float(model(x, labels, eps=eps).loss.mean())

    errors = {name: relative_error(analytic[name],
                                   numerical_gradient(objective, model.weights()[name], H))
              for name in PARAM_NAMES}
    errors["x"] = relative_error(dx, numerical_gradient(objective, x, H))
    assert_all_within_bound(record(f"ConditionalVAE[{loss}]", errors))


def test_the_label_changes_the_loss_and_the_decoded_image():
    model, x, labels, eps = tiny_problem()
    other = (labels + 1) % 3
    assert not np.allclose(model(x, labels, eps=eps).loss, model(x, other, eps=eps).loss)
    z = np.zeros((3, 2))
    assert not np.allclose(model.generate(z, labels), model.generate(z, other))


def test_both_models_answer_encode_and_decode_with_the_labels_or_none():
    """The walk's two halves, as forward runs them; a VAE refuses labels, this one needs them."""
    model, x, labels, eps = tiny_problem()
    out = model(x, labels, eps=eps)
    for got, expected in zip(model.encode(x, labels), (out.z_mean, out.z_log_var)):
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(model.decode(out.z, labels), out.logits)
    with pytest.raises(ValueError, match="reads a label for each image"):
        model.decode(out.z)
    vae = VAE(dtype=F64, **TINY)
    out = vae(x, eps=eps)
    np.testing.assert_array_equal(vae.encode(x)[0], out.z_mean)
    np.testing.assert_array_equal(vae.decode(out.z), out.logits)
    with pytest.raises(ValueError, match="this VAE is not conditional"):
        vae.encode(x, labels)
    assert vae.condition(labels, 3) is None and vae.num_classes == 0
    np.testing.assert_array_equal(model.condition(labels, 3), labels)


def test_the_conditional_model_builds_only_its_own_halves(monkeypatch):
    from npvae.models import halves
    built = []
    for kind in (halves.Encoder, halves.Decoder):
        init = kind.__init__
        monkeypatch.setattr(kind, "__init__", lambda self, *a, init=init, **k: (
            built.append(type(self).__name__), init(self, *a, **k))[1])
    ConditionalVAE(num_classes=3, **TINY)
    assert built == ["ConditionalEncoder", "ConditionalDecoder"]


def test_no_caller_asks_the_config_which_model_it_is():
    """The model answers through its interface (labels, ``condition``, ``num_classes``);
    only ``build_model``, which makes one from a checkpoint's config, reads the config."""
    from pathlib import Path

    import npvae
    found = [f"{path.name}: {line.strip()}"
             for path in Path(npvae.__file__).parent.rglob("*.py")
             for line in path.read_text().splitlines()
             if ("num_classes\" in" in line or "get(\"num_classes\")" in line
                 or "condition_on" in line) and path.name != "conditional.py"]
    assert found == []


@pytest.mark.parametrize("labels, message", [
    (np.array([0, 1]), "shape \\(3,\\), one per image; got shape \\(2,\\)"),
    (None, "reads a label for each image, 0..2; none were given"),
    (np.array([0, 1, 3]), "whole numbers in 0..2; got int64 values from 0 to 3"),
    (np.array([0.0, 1.0, 2.0]), "whole numbers in 0..2; got float64"),
])
def test_wrong_labels_are_named_in_one_line(labels, message):
    model, x, _, _ = tiny_problem()
    with pytest.raises(ValueError, match=message):
        model(x, labels)


def test_evaluation_scores_minus_log_p_x_given_y_and_wants_the_labels():
    model, x, labels, _ = tiny_problem()
    rng = np.random.default_rng(0)
    elbo = negative_elbo(model, x, rng, labels=labels)["neg_elbo"]
    iwae = iwae_nll(model, x, 50, rng, labels=labels)
    assert iwae < elbo   # the tighter bound, in this model's units
    with pytest.raises(ValueError, match="reads a label for each image, 0..2; none were"):
        negative_elbo(model, x, rng)
    with pytest.raises(ValueError, match="this VAE is not conditional"):
        negative_elbo(VAE(dtype=F64, **TINY), x, rng, labels=labels)


def test_a_saved_conditional_model_loads_and_resumes_exactly(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(40, 6, 6, 1)).astype(np.float32)
    y = rng.integers(0, 3, size=40)
    config = TrainConfig(epochs=2, batch_size=8, seed=1)

    def trainer(folder, epochs):
        model = ConditionalVAE(num_classes=3, seed=1, **TINY)
        return Trainer(model, TrainConfig(**{**vars(config), "epochs": epochs}), folder)

    straight = trainer(tmp_path / "straight", 2)
    straight.fit(x[:32], x[32:], progress=False, y_train=y[:32], y_test=y[32:])
    stopped = trainer(tmp_path / "stopped", 1)
    stopped.fit(x[:32], x[32:], progress=False, y_train=y[:32], y_test=y[32:])
    resumed = Trainer.resume(tmp_path / "stopped" / "checkpoint.npz", epochs=2)
    assert isinstance(resumed.model, ConditionalVAE)
    resumed.fit(x[:32], x[32:], progress=False, y_train=y[:32], y_test=y[32:])
    for key, value in straight.model.weights().items():
        np.testing.assert_array_equal(resumed.model.weights()[key], value, err_msg=key)
    _, meta = load_checkpoint(tmp_path / "straight" / "checkpoint.npz")
    assert meta["model"]["num_classes"] == 3
    loaded = load_model(tmp_path / "straight" / "checkpoint.npz")
    assert isinstance(loaded, ConditionalVAE)
    np.testing.assert_array_equal(loaded.generate(np.zeros((3, 2)), [0, 1, 2]),
                                  straight.model.generate(np.zeros((3, 2)), [0, 1, 2]))
    with pytest.raises(ValueError, match="needs the labels of the training images"):
        trainer(tmp_path / "unlabelled", 1).fit(x[:32], x[32:], progress=False)


def test_build_model_reads_the_kind_from_the_config():
    assert type(build_model(VAE(**TINY).config)) is VAE
    assert type(build_model(ConditionalVAE(4, **TINY).config)) is ConditionalVAE
