"""What each command does, one module per command group: loaded only when a command runs,
after its options are read (``npvae.cli.options`` says why)."""
