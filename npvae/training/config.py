"""A run's training settings, and the learning rate they give at each step."""
import dataclasses

from npvae.optim import OPTIMIZERS


@dataclasses.dataclass
class TrainConfig:
    """Training settings; the defaults are the book's (batch 16, 10 epochs, RMSprop 1e-3)."""

    epochs: int = 10
    batch_size: int = 16
    lr: float = 1e-3
    optimizer: str = "rmsprop"
    seed: int = 0
    limit: int | None = None           # train on the first ``limit`` images only
    test_limit: int | None = None      # evaluate on the first ``test_limit`` test images
    checkpoint_every: int | None = None  # also save every this many steps of the run
    lr_warmup: int = 0                 # raise the learning rate linearly over this many steps

    def __post_init__(self):
        _check_config(self)

    def learning_rate(self, iterations):
        """The step size of the step after ``iterations`` steps: ``lr``, or during the
        warm-up ``lr * (iterations + 1) / lr_warmup``."""
        return self.lr * min(1.0, (iterations + 1) / max(self.lr_warmup, 1))


def _check_config(config):
    """Raise ``ValueError``, naming the setting, for a value no run can use."""
    problems = [
        (config.epochs >= 0, f"epochs must be 0 or more; got {config.epochs}"),
        (config.batch_size >= 1, f"batch size must be at least 1; got {config.batch_size}"),
        (config.optimizer in OPTIMIZERS,
         f"optimizer must be one of {sorted(OPTIMIZERS)}; got {config.optimizer!r}"),
        (config.limit is None or config.limit >= 1,
         f"limit must be at least 1; got {config.limit}"),
        (config.test_limit is None or config.test_limit >= 1,
         f"test_limit must be at least 1; got {config.test_limit}"),
        (config.checkpoint_every is None or config.checkpoint_every >= 1,
         f"checkpoint_every must be at least 1; got {config.checkpoint_every}"),
        (config.lr_warmup >= 0, f"lr_warmup must be 0 or more; got {config.lr_warmup}"),
    ]
    for fine, message in problems:
        if not fine:
            raise ValueError(message)
