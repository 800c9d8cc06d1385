"""The command-line front door: ``npvae train | evaluate | <picture> | explore | summary |
exercise``.

This package only reads options and reports results; the work is done by ``npvae.training.trainer``
(Trainer), ``npvae.evaluation`` (negative ELBO, IWAE), ``npvae.pictures.report`` (pictures),
``npvae.explorer.state`` (the latent-space window) and ``npvae.models.summary``. The parser and
the exit codes are in ``commands``; each command group's options are one module
(``train``, ``evaluate``, ``pictures``, ``explore``, ``summary``, ``exercise``), and what
it does is in ``run``, loaded only once its options are read. Examples::

    npvae summary                                  the model's layers, no training needed
    npvae train --epochs 10 --out runs/vae         writes runs/vae/checkpoint.npz, pictures
    npvae train --epochs 20 --out runs/vae --resume          continue the same run
    npvae evaluate --checkpoint runs/vae/checkpoint.npz --iwae 1000 --json
    npvae manifold --checkpoint runs/vae/checkpoint.npz      writes runs/vae/manifold.png
    npvae explore --checkpoint book                the shipped model, no training needed
    npvae generate --checkpoint conditional --label 7        sevens, in the styles of z
    npvae exercise start dense                     write a layer yourself, then check it

Exit codes: 0 success; 1 training diverged, or a bug in npvae (one line says so;
``--debug`` shows the traceback); 2 a usage error, a file that cannot be read or written,
or memory run out (one line on stderr, never a traceback); 130 interrupted (Ctrl-C).
"""
from npvae.cli import commands


def main(argv=None):
    """Run the command line ``argv`` (default: sys.argv[1:]); return the exit code."""
    args = commands.parse(argv)  # first: a mistyped option is refused before numpy loads
    return commands.run(args)
