"""What the REPL shows of a forward pass and of an optimizer: a line, not a screenful."""
import numpy as np
import pytest

from npvae import SGD, VAE, Adam, RMSprop


def test_a_forward_pass_shows_its_shapes_and_mean_losses():
    out = VAE(seed=0)(np.full((4, 28, 28, 1), 0.5, np.float32))
    text = repr(out)
    assert len(text) < 300 and "\n" not in text, text
    means = out.means()
    assert text.startswith(f"VAEOutput(4 images; means: loss {means['loss']:.3f}, "
                           f"reconstruction {means['reconstruction']:.3f}, KL ")
    assert "z (4, 2)" in text and "logits (4, 28, 28, 1)" in text


@pytest.mark.parametrize("optimizer, shown", [
    (RMSprop(), "RMSprop(lr=0.001, rho=0.9, eps=1e-07; 0 steps taken)"),
    (Adam(lr=3e-4), "Adam(lr=0.0003, beta_1=0.9, beta_2=0.999, eps=1e-07; 0 steps taken)"),
    (SGD(momentum=0.5), "SGD(lr=0.01, momentum=0.5; 0 steps taken)"),
])
def test_an_optimizer_shows_its_settings_and_steps(optimizer, shown):
    assert repr(optimizer) == shown
