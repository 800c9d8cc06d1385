"""Tests for npvae.pictures.report: each picture is drawn from the arrays it says it uses."""
import numpy as np

from npvae.models import VAE
from npvae.models.summary import summary_table
from npvae.pictures import report


def tiny_vae():
    return VAE(encoder_filters=(2, 2, 2, 2), dense_units=4, decoder_filters=2, seed=3)


def captured_images(monkeypatch, plot_name):
    """Replace plots.<plot_name> by a recorder; return the list its arguments go to."""
    calls = []
    monkeypatch.setattr(report.plots, plot_name, lambda *args, **kwargs: calls.append(args))
    return calls


def test_reconstructions_decode_the_mean_code(monkeypatch):
    model, x = tiny_vae(), np.random.default_rng(0).random((20, 28, 28, 1), np.float32)
    calls = captured_images(monkeypatch, "plot_reconstructions")
    for _ in range(2):
        report.save_reconstructions(model, x, "r.png", n=5, rng=np.random.default_rng(1))
    (originals, first, _), (_, second, _) = calls
    np.testing.assert_array_equal(first, second)   # no sampling noise: decoder(z_mean)
    z_mean = model.encode(originals)[0]
    np.testing.assert_allclose(first, model.generate(z_mean), rtol=1e-6)


def test_interpolation_runs_between_the_two_mean_codes(monkeypatch):
    model, x = tiny_vae(), np.random.default_rng(0).random((2, 28, 28, 1), np.float32)
    calls = captured_images(monkeypatch, "plot_interpolation")
    report.save_interpolation(model, x[0], x[1], "i.png", steps=5)
    images = calls[0][0]
    ends = model.generate(model.encode(x)[0])
    assert images.shape == (5, 28, 28, 1)
    np.testing.assert_allclose(images[[0, -1]], ends, rtol=1e-5, atol=1e-6)


def test_summary_table_counts_every_parameter():
    model = tiny_vae()
    table = summary_table(model)
    assert f"Total params: {model.count_params():,}" in table
    assert "encoder/z_log_var" in table and "decoder/conv_out" in table
