"""Spotting a spike: a step whose loss is far above the recent steps'.

RMSprop's first steps move every weight by about 3.2 times the learning rate, whatever
its gradient (docs/05-training.md derives it), and ``z_log_var`` can jump with them: the
loss of one step can then be tens of times the steps' before it, and a reader watching
the numbers may think the run broken. It usually recovers within a few steps. The
``SpikeWatch`` sees such a step and reports it once per run, as a ``Spike``: the fact;
whoever shows it to a person words it (``Spike.note``; the command line names its flag).
"""
import collections
import dataclasses

import numpy as np

SPIKE = 10          # a step whose loss is this many times the recent steps' is a spike
RECENT_STEPS = 50   # how many steps "recent" means
SPIKE_NOTE = ("RMSprop's first steps move every weight by about 3x the learning rate, "
              "whatever its gradient, and z_log_var can jump; the run usually recovers "
              "within a few steps (docs/05-training.md explains it; {warm_up} avoids it)")


@dataclasses.dataclass(frozen=True)
class Spike:
    """Step ``step`` (counted over the run, from 1) had loss ``loss``; the recent steps'
    median was ``typical``."""

    step: int
    loss: float
    typical: float

    def note(self, warm_up="a learning-rate warm-up, TrainConfig(lr_warmup=50),"):
        """One line for a person: the spike, why it happens, and ``warm_up``, the remedy."""
        return (f"note: step {self.step}'s loss is {self.loss:.4g}, "
                f"{self.loss / self.typical:.0f}x the recent steps' ({self.typical:.4g}): "
                + SPIKE_NOTE.format(warm_up=warm_up))


class SpikeWatch:
    """Watches each step's loss; ``see`` returns the run's first spike, then None."""

    def __init__(self):
        self.recent = collections.deque(maxlen=RECENT_STEPS)
        self.spiked = False

    def see(self, step, loss):
        """The ``Spike`` if the loss of ``step`` is one (the first of the run), else None."""
        spike = None
        if not self.spiked and self.recent:  # from the second step: spikes come early
            typical = float(np.median(self.recent))
            if loss > SPIKE * typical:
                self.spiked, spike = True, Spike(step, loss, typical)
        self.recent.append(loss)
        return spike
