"""The latent-space explorer: its state and events (``state``), its drawing (``view``),
its window (``window``) and, for a conditional model, the label it draws (``labels``)."""
