"""The IWAE bound of one test image, K = 1000, npvae against PyTorch.

    python benchmarks/iwae.py

``npvae evaluate --iwae 1000`` scores one test image at a time: the encoder once, then
1,000 codes drawn from q(z|x), decoded ``IWAE_BATCH`` at a time (256, 256, 256, 232),
each code's log weight log p(x|z) + log p(z) - log q(z|x), and their log-mean-exp.
Its time is mostly the decoding. This times that, per real test image, on both sides:
npvae's own ``npvae.evaluation.iwae_nll``, and the same steps written with PyTorch on
its book VAE (``torch_vae.py``, under ``torch.no_grad``; the log weights in float64, as
npvae's). Each side runs in a process of its own, the median over 20 images, the sides
alternating for ``--rounds`` rounds; a ratio is the median of the rounds' ratios,
PyTorch's time over npvae's (above 1: npvae is faster). It prints what either speed
means for the 10,000 test images.
"""
import argparse
import json
import math
import statistics
import sys
import time

import instruction_sets  # benchmarks/, beside this file
from child_process import run_child

instruction_sets.at_their_best()  # before anything imports numpy

K, IMAGES = 1000, 20


def test_images():
    from npvae.datasets.mnist import load_mnist
    from npvae.datasets.pixels import as_float_images
    _, (x_test, _) = load_mnist()
    return as_float_images(x_test[:IMAGES + 2])


def npvae_side():
    import numpy as np

    from npvae.evaluation import iwae_nll
    from npvae.models import VAE
    model, rng = VAE(seed=0), np.random.default_rng(0)
    return lambda x: iwae_nll(model, x[None], K, rng)


def torch_side():
    import os

    import torch
    from torch import nn
    from torch_vae import TorchVAE

    from npvae.evaluation import IWAE_BATCH
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(0)
    model = TorchVAE().to(memory_format=torch.channels_last)
    log_2pi = math.log(2 * math.pi)

    def one_image(x):
        x = torch.from_numpy(x).permute(2, 0, 1)[None]    # (1, 1, 28, 28), channels_last
        with torch.no_grad():
            h = model.encoder(x)
            mean, log_var = model.z_mean(h), model.z_log_var(h)
            log_w = []
            for start in range(0, K, IWAE_BATCH):
                eps = torch.randn(min(IWAE_BATCH, K - start), 2)
                z = mean + torch.exp(0.5 * log_var) * eps
                h = model.decoder_dense(z).view(-1, 64, 14, 14)
                logits = model.decoder_conv(h.contiguous(memory_format=torch.channels_last))
                reconstruction = nn.functional.binary_cross_entropy_with_logits(
                    logits, x.expand(len(z), -1, -1, -1), reduction="none").sum(dim=(1, 2, 3))
                log_p_z = -0.5 * torch.sum(z.double()**2 + log_2pi, dim=1)
                log_q_z = -torch.sum(0.5 * (eps.double()**2 + log_2pi)
                                     + 0.5 * log_var.double(), dim=1)
                log_w.append(-reconstruction.double() + log_p_z - log_q_z)
            return -(torch.logsumexp(torch.cat(log_w), dim=0) - math.log(K)).item()
    return one_image


def child(side):
    """Median seconds of one image's work, after two untimed images."""
    one_image = npvae_side() if side == "npvae" else torch_side()
    seconds = []
    for x in test_images():
        start = time.perf_counter()
        one_image(x)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds[2:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", choices=["npvae", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    print("\n".join(instruction_sets.describe(have_torch=True)))
    rounds = []
    for r in range(args.rounds):
        sides = ("npvae", "torch") if r % 2 == 0 else ("torch", "npvae")
        rounds.append({side: 1e3 * run_child(__file__, side) for side in sides})
        print(f"  round {r + 1}: npvae {rounds[-1]['npvae']:.1f} ms, "
              f"PyTorch {rounds[-1]['torch']:.1f} ms", file=sys.stderr)
    ms = {side: statistics.median(r[side] for r in rounds) for side in ("npvae", "torch")}
    ratio = statistics.median(r["torch"] / r["npvae"] for r in rounds)
    print(f"\nthe IWAE bound of one test image, K = {K} (median of {IMAGES} images; "
          f"medians of {args.rounds} rounds):")
    for side, name in (("npvae", "npvae"), ("torch", "PyTorch")):
        print(f"  {name:<8} {ms[side]:6.1f} ms: the 10,000 test images in about "
              f"{ms[side] * 10:.0f} s ({ms[side] / 6:.1f} min)")
    print(f"  ratio (PyTorch / npvae, median of the rounds): {ratio:.2f}")


if __name__ == "__main__":
    main()
