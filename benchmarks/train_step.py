"""Time full training steps of the book's VAE: npvae against PyTorch, same run, same CPU.

A step is what ``npvae train`` does per batch: forward, backward, RMSprop update.
Both frameworks train the same architecture on the same random batch; the first
``--warmup`` steps are not timed (numba compilation, BLAS and allocator warm-up).

    python benchmarks/train_step.py                         # batch 16 and 128, 3 rounds
    python benchmarks/train_step.py --batch-size 16 --steps 300 --json
    python benchmarks/train_step.py --layers                # per-layer breakdown
    python benchmarks/train_step.py --algorithm gather      # no Winograd, as before it

PyTorch is timed only when it is installed (``pip install ".[bench]"``), in a child
process without npvae (see below), with as many threads as numpy's BLAS gets (all
cores) and channels_last memory, its fastest CPU form.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time

# npvae is timed as the ``npvae`` command runs it, with the command's process settings
# (npvae/process.py): numba's OpenMP threads sleep between loops. PyTorch's threads
# live in the same OpenMP runtime, so in one process PyTorch would sleep too: it runs in a
# child process (this file, run with --torch-child) that does not import npvae.
TORCH_CHILD = sys.argv[1:2] == ["--torch-child"]

if not TORCH_CHILD:  # first, as the command does it: OpenBLAS reads its setting on load
    from npvae import process
    process.tune()
    from npvae import fast
    from npvae.layers.conv import Conv2D, Conv2DTranspose
    from npvae.models import VAE
    from npvae.optim import RMSprop
import numpy as np  # noqa: E402

from instruction_sets import describe  # noqa: E402  (benchmarks/, beside this file)

# FLOPs (2 per multiply-add) of one image through the book's model, forward: 45.4 M, of
# which the four convolutions and the transposed one are 44 M. A training step costs about
# three times as much (forward, then two matrix products per layer backward).
FORWARD_FLOP_PER_IMAGE = 45.4e6
TRAIN_FLOP_PER_IMAGE = 3 * FORWARD_FLOP_PER_IMAGE


def book_model(algorithm, seed=0):
    """The book's VAE, every convolution that ``algorithm`` can run made to run it."""
    model = VAE(seed=seed)
    for _, layer in model.named_layers():
        if isinstance(layer, (Conv2D, Conv2DTranspose)) and not fast.cannot_run(algorithm, layer):
            fast.use(layer, algorithm)
    return model


def book_optimizer():
    """RMSprop as ``npvae train`` runs it: the one-pass update."""
    optimizer = RMSprop(1e-3)
    fast.speed_up(optimizer)
    return optimizer


def time_npvae(batch_size, steps, warmup, algorithm="auto", seed=0):
    """Seconds per training step of npvae's VAE, over ``steps`` steps after ``warmup``."""
    model, optimizer = book_model(algorithm, seed), book_optimizer()
    x = np.random.default_rng(seed).random((batch_size, 28, 28, 1), dtype=np.float32)

    def step():
        model(x)
        model.backward()
        optimizer.step(model.named_layers())

    return _time_steps(step, steps, warmup)


def time_torch(batch_size, steps, warmup, seed=0):
    """Seconds per training step of the same VAE in PyTorch (channels_last, float32)."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    torch.set_num_threads(os.cpu_count())

    class TorchVAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(
                nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
                # padding=1 pads all four sides, where TensorFlow's 'same' pads only the
                # bottom and right here: windows one pixel apart, the same work, and no
                # extra padding copy for PyTorch.
                nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
                nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
                nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
                nn.Flatten(), nn.Linear(64 * 14 * 14, 32), nn.ReLU())
            self.z_mean, self.z_log_var = nn.Linear(32, 2), nn.Linear(32, 2)
            self.decoder_dense = nn.Sequential(nn.Linear(2, 64 * 14 * 14), nn.ReLU())
            self.decoder_conv = nn.Sequential(
                nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
                nn.Conv2d(32, 1, 3, padding=1))

        def forward(self, x):
            h = self.encoder(x)
            mean, log_var = self.z_mean(h), self.z_log_var(h)
            z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
            h = self.decoder_dense(z).view(-1, 64, 14, 14).contiguous(
                memory_format=torch.channels_last)
            logits = self.decoder_conv(h)
            reconstruction = nn.functional.binary_cross_entropy_with_logits(
                logits, x, reduction="sum") / len(x)
            kl = 0.5 * torch.sum(log_var.exp() + mean**2 - 1 - log_var) / len(x)
            return reconstruction + kl

    model = TorchVAE().to(memory_format=torch.channels_last)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    x = torch.rand(batch_size, 1, 28, 28).contiguous(memory_format=torch.channels_last)

    def step():
        optimizer.zero_grad(set_to_none=True)
        model(x).backward()
        optimizer.step()

    return _time_steps(step, steps, warmup)


def time_torch_in_child(batch_size, steps, warmup):
    """``time_torch`` in a fresh process without npvae (see the top)."""
    child = subprocess.run([sys.executable, __file__, "--torch-child", str(batch_size),
                            str(steps), str(warmup)], check=True,
                           capture_output=True, text=True)
    return float(child.stdout.split()[-1])


def _time_steps(step, steps, warmup):
    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def layer_breakdown(batch_size, steps, warmup, algorithm="auto", seed=0):
    """Milliseconds per step spent in each layer's forward and backward (npvae)."""
    model, optimizer = book_model(algorithm, seed), book_optimizer()
    x = np.random.default_rng(seed).random((batch_size, 28, 28, 1), dtype=np.float32)
    timings = {}
    layers = model.named_layers() + [("sampling", model.sampling)]
    for name, layer in layers:
        timings[name] = {"forward": 0.0, "backward": 0.0}
        for direction in ("forward", "backward"):
            setattr(layer, direction, _timed(getattr(layer, direction), timings[name], direction))
    optimizer_time = {"update": 0.0}
    step_optimizer = _timed(optimizer.step, optimizer_time, "update")
    for i in range(warmup + steps):
        if i == warmup:  # forget the warm-up
            for entry in list(timings.values()) + [optimizer_time]:
                for key in entry:
                    entry[key] = 0.0
        model(x)
        model.backward()
        step_optimizer(model.named_layers())
    timings["optimizer (RMSprop)"] = {"forward": 0.0, "backward": optimizer_time["update"]}
    return {name: {k: 1e3 * v / steps for k, v in t.items()} for name, t in timings.items()}


def _timed(function, totals, key):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        totals[key] += time.perf_counter() - start
        return result
    return wrapper


def print_breakdown(batch_size, breakdown):
    print(f"\nper-layer breakdown, batch {batch_size} (ms per step)")
    print(f"{'layer':<24}{'forward':>10}{'backward':>10}")
    for name, t in breakdown.items():
        print(f"{name:<24}{t['forward']:>10.3f}{t['backward']:>10.3f}")
    total_f = sum(t["forward"] for t in breakdown.values())
    total_b = sum(t["backward"] for t in breakdown.values())
    print(f"{'total':<24}{total_f:>10.3f}{total_b:>10.3f}")


def measure(batch_size, args, have_torch):
    """Median seconds per step over ``--repeats`` rounds; npvae and PyTorch alternate, so
    both see the same drift of this machine's speed, and the ratio is the median of the
    rounds' ratios."""
    npvae_s, torch_s = [], []
    for _ in range(args.repeats):
        npvae_s.append(time_npvae(batch_size, args.steps, args.warmup, args.algorithm))
        if have_torch:
            torch_s.append(time_torch_in_child(batch_size, args.steps, args.warmup))
    seconds = float(np.median(npvae_s))
    row = {"batch_size": batch_size, "images_per_s": batch_size / seconds,
           "ms_per_step": 1e3 * seconds,
           "gflop_per_s": TRAIN_FLOP_PER_IMAGE * batch_size / seconds / 1e9}
    if have_torch:
        torch_seconds = float(np.median(torch_s))
        row.update(torch_images_per_s=batch_size / torch_seconds,
                   torch_ms_per_step=1e3 * torch_seconds,
                   ratio=float(np.median(np.array(torch_s) / np.array(npvae_s))))
    return row


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if TORCH_CHILD:
        print(time_torch(*(int(a) for a in argv[1:4])))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, nargs="+", default=[16, 128])
    parser.add_argument("--steps", type=int, default=200, help="timed steps (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed steps first")
    parser.add_argument("--repeats", type=int, default=3,
                        help="rounds of npvae then PyTorch; medians are reported (default 3)")
    parser.add_argument("--layers", action="store_true", help="print a per-layer breakdown")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even if present")
    parser.add_argument("--algorithm", default="auto",
                        help="run every convolution this algorithm can run with it "
                             "(textbook, gather, scatter, winograd; default auto)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    have_torch = not args.no_torch and importlib.util.find_spec("torch") is not None

    results = []
    for batch_size in args.batch_size:
        row = measure(batch_size, args, have_torch)
        if args.layers:
            row["layers_ms"] = layer_breakdown(batch_size, args.steps, args.warmup,
                                               args.algorithm)
        results.append(row)

    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else {"results": results,
                          "images_per_s": results[0]["images_per_s"]}))
        print("\n".join(describe(have_torch)), file=sys.stderr)
        return
    print("\n".join(describe(have_torch)))
    print(f"{'batch':>6}{'npvae img/s':>13}{'ms/step':>9}{'GFLOP/s':>9}"
          + (f"{'torch img/s':>13}{'ms/step':>9}{'ratio':>7}" if have_torch else ""))
    for r in results:
        line = f"{r['batch_size']:>6}{r['images_per_s']:>13.0f}{r['ms_per_step']:>9.2f}" \
               f"{r['gflop_per_s']:>9.1f}"
        if have_torch:
            line += f"{r['torch_images_per_s']:>13.0f}{r['torch_ms_per_step']:>9.2f}" \
                    f"{r['ratio']:>7.2f}"
        print(line)
    for r in results:
        if "layers_ms" in r:
            print_breakdown(r["batch_size"], r["layers_ms"])


if __name__ == "__main__":
    main()
