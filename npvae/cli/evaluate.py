"""``npvae evaluate``: score a checkpoint on its run's test images."""
import json

import numpy as np

from npvae.cli.options import (CommandError, add_checkpoint, add_test_limit, load_checkpoint_model,
                               test_set, whole_number)
from npvae import memory
from npvae.evaluation import EVAL_BATCH, IWAE_BATCH, iwae_nll, negative_elbo


def add_parser(commands):
    evaluate = commands.add_parser("evaluate", help="test-set negative ELBO (and IWAE)",
                                   description="Score a checkpoint on its run's test images, "
                                               "in nats per image.")
    add_checkpoint(evaluate)
    evaluate.add_argument("--json", action="store_true",
                          help="print one JSON object instead of text")
    evaluate.add_argument("--iwae", type=whole_number, metavar="K",
                          help="also estimate -log p(x) with K importance samples per image "
                               "(slow: its time grows with K)")
    evaluate.add_argument("--draws", type=whole_number, default=1, metavar="R",
                          help="score the negative ELBO with R noise draws per image and "
                               "print their spread (default 1)")
    evaluate.add_argument("--seed", type=whole_number, default=0,
                          help="random seed of the noise (default 0)")
    add_test_limit(evaluate)
    evaluate.set_defaults(run=run, memory_hint="lower --limit")


def passes_that_fit(model, n):
    """``n``, or fewer if only fewer images fit in one forward pass in the memory available
    (large own pictures); NotEnoughMemory if not even one does."""
    available = memory.available_bytes()
    if available is None:
        return n
    forward = memory.bytes_of_batches(model, training=False)
    fits = memory.largest_count(forward, available)
    if fits == 0:
        memory.refuse_if_too_big(forward, 1,
                                 "a forward pass of one image", "--limit")
    return max(1, min(n, fits))


def run(args):
    if args.draws < 1:
        raise CommandError(f"--draws must be at least 1; got {args.draws}")
    model = load_checkpoint_model(args.checkpoint)
    x_test, y_test, _ = test_set(args.checkpoint, args.limit)
    labels = model.condition(y_test, len(x_test), "its test images")   # None: a VAE's
    elbo_rng, iwae_rng = np.random.default_rng(args.seed).spawn(2)
    batch = passes_that_fit(model, min(len(x_test), max(EVAL_BATCH, IWAE_BATCH)))
    iwae = None
    if args.iwae is not None:
        # First, so that iwae_nll's own check of K fails before the ELBO's pass.
        iwae = iwae_nll(model, x_test, args.iwae, iwae_rng, progress=True,
                        batch_size=min(IWAE_BATCH, batch), labels=labels)
    draws = [negative_elbo(model, x_test, rng, progress=True, batch_size=min(EVAL_BATCH, batch),
                           labels=labels)
             for rng in ([elbo_rng] if args.draws == 1 else elbo_rng.spawn(args.draws))]
    result = {"images": len(x_test), **{key: float(np.mean([d[key] for d in draws]))
                                         for key in draws[0]}}
    if args.draws > 1:
        result.update(draws=args.draws,
                      neg_elbo_spread=float(np.std([d["neg_elbo"] for d in draws], ddof=1)))
    if iwae is not None:
        result.update(iwae_nll=iwae, iwae_k=args.iwae)
    if args.json:
        print(json.dumps(result))
        return 0
    if args.draws == 1:
        noise = (f"one noise draw per image (--seed {args.seed}): other draws move the "
                 f"result a little; --draws 5 shows how much")
    else:
        noise = (f"the mean of {args.draws} noise draws per image, which spread by "
                 f"{result['neg_elbo_spread']:.3f} (standard deviation)")
    print(f"{args.checkpoint} on {len(x_test):,} test images, nats per image; {noise}:")
    target = "-log p(x|y), y the label" if labels is not None else "-log p(x)"
    print(f"  negative ELBO    {result['neg_elbo']:10.3f}   (an upper bound on {target})")
    print(f"    reconstruction {result['reconstruction']:10.3f}")
    print(f"    KL             {result['kl']:10.3f}")
    if model.loss != "elbo":
        print(f"  training loss    {result['loss']:10.3f}   ({model.loss!r} loss)")
    if iwae is not None:
        print(f"  IWAE, K={args.iwae:<8} {iwae:10.3f}   (a tighter bound)")
    return 0
