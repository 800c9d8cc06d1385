"""``npvae evaluate``'s options: score a checkpoint on its run's test images."""
from npvae.cli.options import add_checkpoint, add_test_limit, whole_number

COMMANDS = ("evaluate",)


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
    evaluate.set_defaults(run="evaluate:run", memory_hint="lower --test-limit")
