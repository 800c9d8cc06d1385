"""One run per folder: npvae train holds DIR/train.lock while it runs.

Three cases: a second run into a folder a live process holds is refused at once, naming
that process; a lock left by a killed run (its process gone) is cleared with a note, so
``--resume`` after ``kill -9`` works; and a run removes its lock however it ends.
"""
import os
import signal
import subprocess
import sys

import pytest

from npvae import cli
from npvae.training.run_lock import LOCK_NAME, FolderInUse, RunLock
from npvae.training.trainer import Trainer

TINY = ["--limit", "32", "--test-limit", "16", "--batch-size", "16", "--quiet", "--no-pictures"]
HOLD = ("import sys, time; from npvae.training.run_lock import RunLock\n"
        "with RunLock(sys.argv[1]):\n"
        "    print('locked', flush=True); time.sleep(60)")
KILLED_HOLDING = ("import os, signal, sys; from npvae.training.run_lock import RunLock\n"
                  "RunLock(sys.argv[1]).__enter__()\n"
                  "os.kill(os.getpid(), signal.SIGKILL)")


def test_a_second_run_into_a_folder_in_use_is_refused_naming_the_process(tmp_path, capsys,
                                                                         monkeypatch):
    monkeypatch.setattr(Trainer, "fit", lambda *a, **k: pytest.fail("the second run trained"))
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        code = cli.main(["train", *TINY, "--epochs", "1", "--out", str(tmp_path)])
        err = capsys.readouterr().err.strip()
        assert code == 2 and len(err.splitlines()) == 1
        assert f"{tmp_path} is in use by another 'npvae train' (process {holder.pid})" in err
        assert (tmp_path / LOCK_NAME).read_text().split()[0] == str(holder.pid)  # untouched
    finally:
        holder.kill()
        holder.wait()


def test_resume_after_kill_9_clears_the_lock_with_a_note(tmp_path, capsys):
    run = tmp_path / "run"
    assert cli.main(["train", *TINY, "--epochs", "1", "--out", str(run)]) == 0
    killed = subprocess.Popen([sys.executable, "-c", KILLED_HOLDING, str(run)])
    assert killed.wait() == -signal.SIGKILL and (run / LOCK_NAME).exists()
    capsys.readouterr()
    assert cli.main(["train", "--resume", "--epochs", "2", "--quiet", "--no-pictures",
                     "--out", str(run)]) == 0
    out, err = capsys.readouterr()
    assert "epoch 2/2" in out
    assert f"note: removed {run / LOCK_NAME}, a lock left by process {killed.pid}," in err
    assert "which is no longer running (a killed run)" in err
    assert not (run / LOCK_NAME).exists()


def test_a_run_removes_its_lock_however_it_ends(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(Trainer, "fit", lambda *a, **k: seen.append(
        (tmp_path / "run" / LOCK_NAME).read_text().split()[0]) or [])
    assert cli.main(["train", *TINY, "--epochs", "1", "--out", str(tmp_path / "run")]) == 0
    assert seen == [str(os.getpid())] and not (tmp_path / "run" / LOCK_NAME).exists()

    def interrupted(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(Trainer, "fit", interrupted)
    assert cli.main(["train", *TINY, "--epochs", "1", "--out", str(tmp_path / "new")]) == 130
    assert not (tmp_path / "new" / LOCK_NAME).exists()


def test_a_lock_whose_id_now_names_a_later_process_is_stale(tmp_path):
    """A process id is reused: the lock records when its process started, too."""
    (tmp_path / LOCK_NAME).write_text(f"{os.getpid()} 1\n")  # this id, started at tick 1
    notes = []
    if not os.path.exists(f"/proc/{os.getpid()}/stat"):
        pytest.skip("no /proc: process start times are not known")
    with RunLock(tmp_path, say=notes.append):
        pass
    assert len(notes) == 1 and "no longer running" in notes[0]


def test_a_lock_being_written_is_respected(tmp_path):
    (tmp_path / LOCK_NAME).write_text("")  # created, not yet written: a run starting now
    with pytest.raises(FolderInUse, match="is being written"):
        RunLock(tmp_path).__enter__()
    os.utime(tmp_path / LOCK_NAME, (0, 0))  # ... or a run killed between the two, long ago
    with RunLock(tmp_path, say=lambda line: None):
        assert (tmp_path / LOCK_NAME).read_text().split()[0] == str(os.getpid())
