"""What ``npvae train`` prints of a run: the header before the first step, a line per epoch."""
import sys

from npvae.cli.options import PROG
from npvae.datasets import summary_line
from npvae.losses import UNITS


def print_header(trainer, n_train, n_test, description):
    model, config = trainer.model, trainer.config
    used = min(n_train, config.limit) if config.limit else n_train
    labels = model.num_classes
    print(f"model: {type(model).__name__}{f' on {labels} labels' if labels else ''}, "
          f"latent_dim {model.config['latent_dim']}, loss {model.loss}"
          f"{f', beta {model.beta:g}' if model.beta != 1 else ''}"
          f"{', book sampling' if model.config['book_sampling'] else ''}, "
          f"{model.count_params():,} parameters")
    print(f"data: {summary_line(description)}")
    print(f"using: {used:,} training images, {n_test:,} test images")
    epochs = f"{config.epochs} epoch" + ("s" if config.epochs != 1 else "")
    print(f"training: {epochs}, batch size {config.batch_size}, "
          f"{config.optimizer} lr {config.lr:g}, seed {config.seed}"
          + (f", lr warm-up over {config.lr_warmup} steps" if config.lr_warmup else "")
          + (f", checkpoint every {config.checkpoint_every} steps of the run"
             if config.checkpoint_every else ""))
    if config.batch_size > used:
        print(f"{PROG}: warning: the batch size {config.batch_size:,} is larger than the "
              f"{used:,} training images: each step takes all of them, one step per epoch",
              file=sys.stderr)
    state = trainer.state
    if state.epoch or state.step_in_epoch:
        within = f", step {state.step_in_epoch}" if state.step_in_epoch else ""
        print(f"resuming after epoch {state.epoch}{within}")
    units = (f"rec and KL below are in {UNITS}; the loss is the book's, per pixel"
             if model.loss == "book" else f"losses below are in {UNITS}")
    print(f"output: {trainer.out_dir}  ({units})", flush=True)


def epoch_line(record, epochs):
    width = len(str(epochs))
    return (f"epoch {record['epoch']:>{width}}/{epochs}  "
            f"train loss {record['train_loss']:8.3f} (rec {record['train_reconstruction']:.3f}, "
            f"KL {record['train_kl']:.3f})  "
            f"test loss {record['test_loss']:8.3f} (rec {record['test_reconstruction']:.3f}, "
            f"KL {record['test_kl']:.3f}) {UNITS}  {record['seconds']:.1f} s")
