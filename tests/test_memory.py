"""npvae.training.memory: the estimate against measured peaks, and the refusal of what does not fit.

The kernel kills a process that takes more memory than there is (exit 137) before numpy
can raise MemoryError, so the commands estimate a batch's bytes first. The estimate is
held against the peak resident memory of real training steps, measured in fresh
processes, and the refusal is tested with a /proc/meminfo that says how little is free.
"""
import json
import subprocess
import sys

import pytest

from npvae.cli import main
from npvae.layers.conv import Algorithm
from npvae.models import VAE
from npvae.training import memory
from npvae.training.trainer import TrainConfig, Trainer

# One training step of batch B in a fresh process: the peak resident memory it adds to
# what the process held after a first step of 17 images (numba's compilations, which take
# hundreds of MiB once, done; MNIST not loaded). The kernel's high-water mark is reset
# after that first step (clear_refs 5), so the peak is the measured step's own.
MEASURE = """
import resource, sys
import numpy as np
from npvae.models import VAE
from npvae.optim import RMSprop
from npvae.train import train_step

def rss():  # resident now, in bytes (statm counts pages)
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()

def peak():  # the high-water mark since the last reset, in bytes
    with open("/proc/self/status") as f:
        return 1024 * next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))

batch = int(sys.argv[1])
model, optimizer = VAE(), RMSprop()
images = np.random.default_rng(0).uniform(size=(batch, 28, 28, 1)).astype(np.float32)
train_step(model, optimizer, images[:17])  # compiles every path: one block and several
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")                           # reset the high-water mark to what is resident
before = rss()
train_step(model, optimizer, images)
print(peak() - before)
"""


def measured_peak(batch):
    result = subprocess.run([sys.executable, "-c", MEASURE, str(batch)], check=True,
                            capture_output=True, text=True, timeout=1800)
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def model():
    return VAE()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_the_estimate_errs_high_but_not_by_much_against_measured_peaks(model):
    batches = (64, 256)
    peaks = [measured_peak(b) for b in batches]
    estimates = [memory.batch_bytes(model, b) for b in batches]
    for batch, peak, estimate in zip(batches, peaks, estimates):
        print(f"\nbatch {batch}: estimate {estimate / 2**20:.0f} MiB, "
              f"measured peak {peak / 2**20:.0f} MiB")
        assert peak <= estimate <= 1.6 * peak
    per_image = (peaks[1] - peaks[0]) / (batches[1] - batches[0])
    estimated_per_image = (estimates[1] - estimates[0]) / (batches[1] - batches[0])
    assert 0.8 * per_image <= estimated_per_image <= 1.4 * per_image


def test_the_estimate_grows_with_the_batch_and_the_image(model):
    assert memory.batch_bytes(model, 20) > memory.batch_bytes(model, 10)
    assert memory.batch_bytes(model, 10, training=False) < memory.batch_bytes(model, 10)
    colour = VAE(input_shape=(56, 56, 3))
    assert memory.batch_bytes(colour, 10) > 4 * memory.batch_bytes(model, 10) * 0.9


def test_largest_count_is_the_last_that_fits():
    assert memory.largest_count(lambda n: 100 * n + 7, 1006) == 9
    assert memory.largest_count(lambda n: 100 * n + 7, 1007) == 10
    assert memory.largest_count(lambda n: 100 * n + 7, 50) == 0


@pytest.fixture
def meminfo(tmp_path, monkeypatch):
    """A /proc/meminfo that says ``kib`` KiB are available: set it with meminfo(kib)."""
    path = tmp_path / "meminfo"
    monkeypatch.setattr(memory, "MEMINFO", path)

    def write(kib):
        path.write_text(f"MemTotal:       16000000 kB\nMemFree:  100 kB\n"
                        f"MemAvailable:   {kib} kB\nBuffers: 1 kB\n")
    return write


def test_available_bytes_reads_memavailable(meminfo, tmp_path):
    meminfo(2048)
    assert memory.available_bytes() == 2048 * 1024
    assert memory.available_bytes(tmp_path / "no such file") is None
    (tmp_path / "other").write_text("MemTotal: 5 kB\n")
    assert memory.available_bytes(tmp_path / "other") is None


def test_train_refuses_a_batch_that_does_not_fit_before_the_first_step(
        meminfo, model, tmp_path, capsys, monkeypatch):
    meminfo(memory.batch_bytes(model, 50) // 1024)      # room for 49 or 50 images
    fits = memory.largest_count(memory.bytes_of_batches(model), memory.available_bytes())
    monkeypatch.setattr("npvae.training.trainer.Trainer.fit", lambda *a, **k: pytest.fail("it ran"))
    code = main(["train", "--batch-size", "100", "--limit", "200", "--test-limit", "10",
                 "--epochs", "1", "--out", str(tmp_path / "run"), "--quiet"])
    error = capsys.readouterr().err.strip()
    assert code == 2 and len(error.splitlines()) == 1
    assert "a training step of 100 images needs about" in error
    assert f"--batch-size {fits} is the most that would fit" in error and fits in (49, 50)


def test_manifold_refuses_a_grid_that_does_not_fit(meminfo, tmp_path, capsys):
    model = VAE(latent_dim=2)
    path = tmp_path / "checkpoint.npz"
    Trainer(model, TrainConfig(epochs=1), tmp_path).save()
    meminfo(memory.bytes_of_pictures(model, 32)(40 * 40) // 1024)
    code = main(["manifold", "--checkpoint", str(path), "--n", "5000"])
    error = capsys.readouterr().err.strip()
    assert code == 2 and "a manifold of 5000x5000 images needs about" in error
    assert "--n 40 is the most that would fit" in error or "--n 39 is" in error
    assert not (tmp_path / "manifold.png").exists()


def test_evaluate_passes_fewer_images_at_a_time_when_memory_is_short(meminfo, tmp_path, capsys,
                                                                     monkeypatch):
    model = VAE(latent_dim=2)
    Trainer(model, TrainConfig(epochs=1), tmp_path).save()
    argv = ["evaluate", "--checkpoint", str(tmp_path / "checkpoint.npz"), "--limit", "40",
            "--iwae", "3", "--json"]
    assert main(argv) == 0
    plenty = json.loads(capsys.readouterr().out)
    sizes = []
    forward = VAE.forward
    monkeypatch.setattr(VAE, "forward", lambda self, x, *a, **k: sizes.append(len(x))
                        or forward(self, x, *a, **k))
    meminfo(memory.batch_bytes(model, 10, training=False) // 1024)  # room for 9 or 10
    assert main(argv) == 0
    short = json.loads(capsys.readouterr().out)
    assert max(sizes) in (9, 10)  # the passes; the 1s are the estimate's probes
    for key in ("neg_elbo", "iwae_nll"):
        assert short[key] == pytest.approx(plenty[key], rel=1e-5)
    meminfo(1)
    assert main(argv) == 2
    assert "not even one would" in capsys.readouterr().err


def test_the_textbook_is_counted_with_its_whole_window_matrices(model):
    """The textbook keeps each Conv2D's im2col matrix until backward: far more than the
    blocked algorithms, and so is an algorithm that does not say what it needs."""
    fast = memory.batch_bytes(model, 64)
    own = VAE()   # a learner's algorithm in every convolution, its memory unsaid
    for _, layer in own.named_layers():
        if hasattr(layer, "algorithm"):
            layer.algorithm = Algorithm("own", layer.textbook.forward, layer.textbook.backward)
    textbook = memory.batch_bytes(VAE(fast=False), 64)
    assert memory.batch_bytes(own, 64) == textbook
    windows = 28 * 28 * 9 * 1 + 14 * 14 * 9 * 32 + 2 * 14 * 14 * 9 * 64 + 28 * 28 * 9 * 32
    assert textbook > 4 * 64 * windows  # the window matrices the 5 Conv2Ds keep
    assert textbook > 1.5 * fast
