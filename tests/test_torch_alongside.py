"""A PyTorch training step runs as fast after ``import npvae`` and an npvae training step
in the same process as in a fresh one (issue: npvae once set the OpenMP wait policy on
import, and PyTorch, sharing the runtime, slowed down 2.8x). Skipped without PyTorch.

The host is noisy, so each side runs in a process of its own, alternately, and the
median of the rounds' ratios is compared, with room for noise (1.3x).
"""
import statistics
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("torch")

from test_environment import ONE_STEP  # noqa: E402

TORCH_STEPS = """
import time, statistics, torch
torch.manual_seed(0)
net = torch.nn.Sequential(
    torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(),
    torch.nn.Conv2d(32, 64, 3, stride=2, padding=1), torch.nn.ReLU(),
    torch.nn.Conv2d(64, 64, 3, padding=1), torch.nn.ReLU(),
    torch.nn.Flatten(), torch.nn.Linear(64 * 14 * 14, 10))
optimizer = torch.optim.RMSprop(net.parameters(), lr=1e-3)
x, y = torch.rand(16, 1, 28, 28), torch.randint(0, 10, (16,))
times = []
for step in range(20):
    start = time.perf_counter()
    optimizer.zero_grad()
    torch.nn.functional.cross_entropy(net(x), y).backward()
    optimizer.step()
    times.append(time.perf_counter() - start)
print(statistics.median(times[5:]))
"""


def seconds_per_step(after_npvae):
    code = (ONE_STEP if after_npvae else "") + TORCH_STEPS
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, check=True)
    return float(done.stdout.split()[-1])


def test_pytorch_is_as_fast_after_npvae_in_the_same_process():
    ratios = [seconds_per_step(True) / seconds_per_step(False) for _ in range(3)]
    assert statistics.median(ratios) < 1.3, ratios
