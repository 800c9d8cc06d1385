"""``python -m npvae``: the same as the ``npvae`` command."""
from npvae.cli import main

raise SystemExit(main())
