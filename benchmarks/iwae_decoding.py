"""IWAE's work for one image, npvae against PyTorch: 1,000 codes decoded and scored.

    python benchmarks/iwae_decoding.py

``npvae evaluate --iwae 1000`` spends its time decoding: for each test image, 1,000
codes through the decoder (Dense, the transposed convolution, conv_out), 250 at a
time (``npvae.evaluation.IWAE_BATCH``), and the Bernoulli log-likelihood of the image
under each. This times that work for one real test image on both sides (PyTorch's
book VAE of ``torch_vae.py``, its decoder under ``torch.no_grad``), each in a process of
its own, the median over 20 images, alternating for ``--rounds`` rounds; a ratio is
the median of the rounds' ratios, PyTorch's time over npvae's (above 1: npvae is faster).
It prints what either speed means for the 10,000 test images.
"""
import argparse
import json
import statistics
import subprocess
import sys
import time

import instruction_sets  # benchmarks/, beside this file

instruction_sets.at_their_best()  # before anything imports numpy

CODES, PASS, IMAGES = 1000, 250, 20


def test_images():
    from npvae.datasets.mnist import load_mnist
    from npvae.datasets.pixels import as_float_images
    _, (x_test, _) = load_mnist()
    return as_float_images(x_test[:IMAGES + 2])


def npvae_side():
    from npvae import process
    process.tune()
    import numpy as np
    from npvae.losses import bernoulli_reconstruction_loss
    from npvae.models import VAE
    decoder = VAE(seed=0).decoder
    rng = np.random.default_rng(0)

    def one_image(x):
        for _ in range(CODES // PASS):
            z = rng.standard_normal((PASS, 2), dtype=np.float32)
            bernoulli_reconstruction_loss(decoder.forward(z), np.repeat(x[None], PASS, axis=0))
    return one_image


def torch_side():
    import os
    import torch
    from torch import nn
    from torch_vae import TorchVAE
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(0)
    model = TorchVAE().to(memory_format=torch.channels_last)

    def one_image(x):
        x = torch.from_numpy(x).permute(2, 0, 1)[None].expand(PASS, -1, -1, -1)
        with torch.no_grad():
            for _ in range(CODES // PASS):
                h = model.decoder_dense(torch.randn(PASS, 2)).view(-1, 64, 14, 14)
                logits = model.decoder_conv(h.contiguous(memory_format=torch.channels_last))
                nn.functional.binary_cross_entropy_with_logits(
                    logits, x, reduction="none").sum(dim=(1, 2, 3))
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


def run_side(side):
    result = subprocess.run([sys.executable, __file__, "--child", side], capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise RuntimeError(f"the {side} side failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.splitlines()[-1])


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
        rounds.append({side: 1e3 * run_side(side) for side in sides})
        print(f"  round {r + 1}: npvae {rounds[-1]['npvae']:.1f} ms, "
              f"PyTorch {rounds[-1]['torch']:.1f} ms", file=sys.stderr)
    ms = {side: statistics.median(r[side] for r in rounds) for side in ("npvae", "torch")}
    ratio = statistics.median(r["torch"] / r["npvae"] for r in rounds)
    print(f"\none image's IWAE work, {CODES} codes decoded {PASS} at a time and scored "
          f"(median of {IMAGES} images; medians of {args.rounds} rounds):")
    for side, name in (("npvae", "npvae"), ("torch", "PyTorch")):
        print(f"  {name:<8} {ms[side]:6.1f} ms: the 10,000 test images in about "
              f"{ms[side] * 10:.0f} s ({ms[side] / 6:.1f} min)")
    print(f"  ratio (PyTorch / npvae, median of the rounds): {ratio:.2f}")


if __name__ == "__main__":
    main()
