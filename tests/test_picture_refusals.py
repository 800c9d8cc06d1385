"""Every picture command that takes a count refuses, before any decoding, a picture that
would not fit in memory, and names the largest count that would (``npvae.training.memory``); the
estimate is held against what a picture really takes."""
import subprocess
import sys

import pytest
from test_memory import meminfo  # noqa: F401  (a fixture)

from npvae.cli import main
from npvae.models import VAE
from npvae.models.conditional import ConditionalVAE
from npvae.pictures import report
from npvae.training import memory
from npvae.training.trainer import TrainConfig, Trainer

ROOM = 40  # the memory said to be free: what a picture of 40 decoded images needs

# command line -> (the option it names, how many images a value of it decodes)
COMMANDS = {
    "manifold --n 5000": ("--n", lambda n: n * n),
    "sample --n 100000": ("--n", lambda n: n),
    "generate --n 100000": ("--n", lambda n: 10 * n),            # a row per label
    "generate --n 100000 --label 3": ("--n", lambda n: n),
    "reconstruct --n 9000": ("--n", lambda n: 2 * n),             # above their originals
    "concept --n 1000 --steps 9 --test-limit 1000": ("--n", lambda n: 9 * n),
    "interpolate --steps 100000": ("--steps", lambda steps: steps),
}
DRAWINGS = ("save_manifold", "save_samples", "save_label_grid", "save_reconstructions",
            "save_concept", "save_interpolation")


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    """An untrained VAE's checkpoint and a conditional one's (10 labels)."""
    paths = {}
    for kind, model in (("vae", VAE(latent_dim=2)), ("conditional", ConditionalVAE(10))):
        folder = tmp_path_factory.mktemp(kind)
        Trainer(model, TrainConfig(epochs=1), folder).save()
        paths[kind] = folder / "checkpoint.npz"
    return paths


@pytest.mark.parametrize("command", COMMANDS)
def test_a_picture_too_big_is_refused_before_any_work(command, checkpoints, meminfo,  # noqa: F811
                                                      tmp_path, capsys, monkeypatch):
    for drawing in DRAWINGS:
        monkeypatch.setattr(report, drawing, lambda *a, **k: pytest.fail("it drew"))
    kind = "conditional" if command.startswith("generate") else "vae"
    model = VAE(latent_dim=2) if kind == "vae" else ConditionalVAE(10)
    picture = memory.bytes_of_pictures(model, report.DECODE_BATCH)
    meminfo(picture(ROOM) // 1024)
    option, images = COMMANDS[command]
    fits = memory.largest_count(lambda n: picture(images(n)), memory.available_bytes())
    out = tmp_path / "p.png"
    code = main([*command.split(), "--checkpoint", str(checkpoints[kind]), "--out", str(out)])
    error = capsys.readouterr().err.strip()
    assert code == 2 and len(error.splitlines()) == 1 and "needs about" in error, error
    assert f"{option} {fits:,} is the most that would fit" in error
    assert not out.exists()


# A picture drawn in a fresh process, its decodes made up (the decoder's own work arrays
# are a batch's, counted apart): the peak resident memory it adds.
MEASURE = """
import resource, sys
import numpy as np
import matplotlib
matplotlib.use("Agg")
from npvae.pictures import report
from npvae.models import VAE

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()

def peak():
    with open("/proc/self/status") as f:
        return 1024 * next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))

picture, n = sys.argv[1], int(sys.argv[2])
model = VAE(latent_dim=2, fast=False)
report.save_samples(model, "warm.png", n=4, rng=np.random.default_rng(0))  # load it all
report.decoder = lambda model, label=None: lambda z: np.full((len(z), 28, 28, 1), 0.5,
                                                             np.float32)
before = rss()
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # the high-water mark starts again from here
if picture == "samples":
    report.save_samples(model, "p.png", n=n, rng=np.random.default_rng(0))
else:
    report.save_manifold(model, "p.png", n=n)
print(peak() - before)
"""


@pytest.mark.parametrize("picture, n, images", [("samples", 3000, 3000),
                                                ("manifold", 60, 60 * 60)])
def test_a_pictures_estimate_covers_what_it_takes(picture, n, images, tmp_path):
    child = subprocess.run([sys.executable, "-c", MEASURE, picture, str(n)], cwd=tmp_path,
                           capture_output=True, text=True, timeout=1800)
    assert child.returncode == 0, child.stderr
    measured = int(child.stdout.split()[-1])
    estimate = memory.bytes_of_pictures(VAE(latent_dim=2), report.DECODE_BATCH)(images)
    assert measured <= estimate <= 2.5 * measured, (measured, estimate)
