"""The progress bar of a training run: one bar for the whole run, so its ETA is the run's.

    epoch 2/10:  35%|#####      | 1310/3750 [00:41<01:17, loss=165.2]

The bar counts steps over the run (a resumed run starts it where the run stopped), says
which epoch is training or testing, and shows the epoch's mean loss so far.
"""
from tqdm import tqdm


class RunProgress:
    """A tqdm bar for ``epochs`` epochs of ``steps_per_epoch`` steps, ``done`` of them
    already taken; ``enabled=False`` shows nothing. Use it in a ``with`` block."""

    def __init__(self, epochs, steps_per_epoch, done=0, enabled=True):
        self.epochs = epochs
        self.bar = tqdm(total=epochs * steps_per_epoch, initial=done, disable=not enabled,
                        unit="batch", dynamic_ncols=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.bar.close()

    def epoch(self, epoch, doing=""):
        """Label the bar with the epoch (0-based) and what it is doing, e.g. "testing"."""
        self.bar.set_description(f"epoch {epoch + 1}/{self.epochs}"
                                 + (f": {doing}" if doing else ""))

    def step(self, mean_loss):
        """One more step done; ``mean_loss``, the epoch's so far, is drawn with the bar's
        next refresh, not at every step."""
        self.bar.update()
        self.bar.set_postfix(loss=f"{mean_loss:.4g}", refresh=False)
