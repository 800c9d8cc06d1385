"""The machinery around the training loop: a run of epochs that evaluates, checkpoints and
resumes exactly (``trainer``), its settings (``config``), where a run stands
(``loop_state``), what a person watches (``progress``, ``spikes``), the run's history
(``history``), one run per folder (``run_lock``) and whether a batch fits in memory
(``memory``). The loop a learner reads is ``npvae.train``; this room calls it.
"""
