"""The explorer of a conditional model: the keys 0-9 choose the label the decoder draws.

A conditional model's code holds the style (slant, thickness, width) and the label the
digit, so moving the mouse changes how the digit is drawn and a key changes which digit
it is: the same point drawn as each label in turn. The plane shows each test image's
code found with its own label; since the label already says which digit it is, the
colours overlap rather than cluster, unlike an unconditional model's.
"""
import numpy as np

from npvae.explorer import Explorer
from npvae.models.conditional import check_labels, is_conditional


class ConditionalExplorer(Explorer):
    """``Explorer`` for a ``ConditionalVAE``; ``label`` (default 0) is drawn first."""

    def __init__(self, model, x=None, labels=None, dims=(0, 1), save_folder=".", figure=None,
                 label=0, codes=None):
        self.label = int(check_labels([label], model.config["num_classes"])[0])
        super().__init__(model, x, labels, dims, save_folder, figure, codes)
        self.view.say(self._label_note())

    def decode(self, z):
        """decoder(z, label) for codes z (n, latent_dim): images (n, H, W, C) in [0, 1]."""
        z = np.asarray(z, dtype=np.float32)
        return self.model.generate(z, np.full(len(z), self.label))

    def choose_label(self, label):
        """Draw the point, and the pins, as ``label``."""
        self.label = int(check_labels([label], self.model.config["num_classes"])[0])
        self._draw_pins()
        self._redraw_image()
        self.view.say(self._label_note())

    def _label_note(self):
        last = min(self.model.config["num_classes"], 10) - 1
        return f"drawing label {self.label}; keys 0-{last} choose another"

    def _on_key(self, event):
        key = event.key or ""
        if key.isdigit() and int(key) < self.model.config["num_classes"]:
            self.choose_label(int(key))
        else:
            super()._on_key(event)


def make_explorer(model, *args, label=None, **kwargs):
    """The explorer for ``model``: a ConditionalExplorer drawing ``label`` (0 if None) for a
    conditional model, else an Explorer (and ``label`` must be None)."""
    if is_conditional(model):
        return ConditionalExplorer(model, *args, label=label or 0, **kwargs)
    if label is not None:
        raise ValueError("--label is for a conditional model; this one takes none")
    return Explorer(model, *args, **kwargs)
