"""``npvae evaluate``: score a checkpoint on its run's test images."""
import json

import numpy as np

from npvae.cli.errors import UsageError, users_values
from npvae.cli.options import spelled
from npvae.cli.run.files import load_checkpoint_model, test_set
from npvae.evaluation import EVAL_BATCH, IWAE_BATCH, iwae_nll, negative_elbo
from npvae.training import memory


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
                                 "a forward pass of one image", "--test-limit")
    return max(1, min(n, fits))


def run(args):
    if args.draws < 1:
        raise UsageError(f"--draws must be at least 1; got {args.draws}")
    if args.iwae is not None and args.iwae < 1:
        raise UsageError(f"--iwae must be at least 1 (the number of importance samples per "
                         f"image); got {args.iwae}")
    model = load_checkpoint_model(args.checkpoint)
    x_test, y_test, _ = test_set(args.checkpoint, args.test_limit)
    with users_values():   # a conditional model whose test images have no labels
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
    print(f"{spelled(args.checkpoint)} on {len(x_test):,} test images, nats per image; {noise}:")
    target = "-log p(x|y), y the label" if labels is not None else "-log p(x)"
    print(f"  negative ELBO    {result['neg_elbo']:10.3f}   (an upper bound on {target})")
    print(f"    reconstruction {result['reconstruction']:10.3f}")
    print(f"    KL             {result['kl']:10.3f}")
    if model.loss != "elbo":
        print(f"  training loss    {result['loss']:10.3f}   ({model.loss!r} loss)")
    if iwae is not None:
        print(f"  IWAE, K={args.iwae:<8} {iwae:10.3f}   (a tighter bound)")
    return 0
