"""The label the explorer's decoder draws: for a conditional model, the keys 0-9 choose it.

A conditional model's code holds the style (slant, thickness, width) and the label the
digit, so moving the mouse changes how the digit is drawn and a key changes which digit
it is: the same point drawn as each label in turn. The plane shows each test image's
code found with its own label; since the label already says which digit it is, the
colours overlap rather than cluster, unlike an unconditional model's. A model that reads
no labels has no label to choose, and the keys 0-9 do nothing.
"""
import numpy as np

from npvae.pictures.report import one_label


class LabelChoice:
    """The label drawn: ``label``, else the first (0) for a model that reads labels; None
    for a model that reads none (which refuses a ``label``)."""

    def __init__(self, model, label=None):
        self.model, self.classes = model, model.num_classes
        self.label = self._checked(0 if label is None and self.classes else label)

    def _checked(self, label):
        labels = one_label(self.model, label, 1)
        return None if labels is None else int(labels[0])

    def labels(self, n):
        """The label of each of ``n`` codes: (n,), or None for a model that reads none."""
        return None if self.label is None else np.full(n, self.label)

    def press(self, key):
        """Draw the label a digit key names; True if that is a label this model reads."""
        if self.label is None or not (key or "").isdigit() or int(key) >= self.classes:
            return False
        self.label = int(key)
        return True

    def note(self):
        """One line saying which label is drawn and how to choose another ("" if none)."""
        if self.label is None:
            return ""
        return f"drawing label {self.label}; keys 0-{min(self.classes, 10) - 1} choose another"
