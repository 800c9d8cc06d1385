"""``npvae evaluate``: score a checkpoint on the MNIST test images."""
import json

import numpy as np

from npvae.cli.options import (add_checkpoint, add_test_limit, load_checkpoint_model,
                               mnist_test_set, whole_number)
from npvae.evaluation import iwae_nll, negative_elbo


def add_parser(commands):
    evaluate = commands.add_parser("evaluate", help="test-set negative ELBO (and IWAE)",
                                   description="Score a checkpoint on the MNIST test images, "
                                               "in nats per image.")
    add_checkpoint(evaluate)
    evaluate.add_argument("--json", action="store_true",
                          help="print one JSON object instead of text")
    evaluate.add_argument("--iwae", type=whole_number, metavar="K",
                          help="also estimate -log p(x) with K importance samples per image "
                               "(slow: its time grows with K)")
    evaluate.add_argument("--seed", type=whole_number, default=0,
                          help="random seed of the noise (default 0)")
    add_test_limit(evaluate)
    evaluate.set_defaults(run=run, memory_hint="lower --limit")


def run(args):
    model = load_checkpoint_model(args.checkpoint)
    x_test, _ = mnist_test_set(args.limit)
    elbo_rng, iwae_rng = np.random.default_rng(args.seed).spawn(2)
    iwae = None
    if args.iwae is not None:
        # First, so that iwae_nll's own check of K fails before the ELBO's pass.
        iwae = iwae_nll(model, x_test, args.iwae, iwae_rng)
    result = {"images": len(x_test), **negative_elbo(model, x_test, elbo_rng)}
    if iwae is not None:
        result.update(iwae_nll=iwae, iwae_k=args.iwae)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{args.checkpoint} on {len(x_test):,} test images (nats per image; one noise "
          f"draw per image, --seed {args.seed}):")
    print(f"  negative ELBO    {result['neg_elbo']:10.3f}   (an upper bound on -log p(x))")
    print(f"    reconstruction {result['reconstruction']:10.3f}")
    print(f"    KL             {result['kl']:10.3f}")
    if model.loss != "elbo":
        print(f"  training loss    {result['loss']:10.3f}   ({model.loss!r} loss)")
    if iwae is not None:
        print(f"  IWAE, K={args.iwae:<8} {iwae:10.3f}   (a tighter bound)")
    return 0
