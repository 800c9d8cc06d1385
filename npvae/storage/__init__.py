"""Files that must never be half-written: pickle-free checkpoints (``checkpoint``) and the
atomic write every file of npvae goes through (``atomic``)."""
