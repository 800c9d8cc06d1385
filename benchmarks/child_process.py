"""Each side of a comparison runs in a fresh process of its own: how a benchmark asks one.

A fresh process per side and per round keeps one side's thread pools, caches and
settings out of the other's timing.
"""
import json
import subprocess
import sys


def alternating_rounds(rounds, sides, time_side, title):
    """``rounds`` rounds of ``time_side(side)``, a dict {column: child result}, over every
    side, in order in odd rounds and reversed in even ones, so that neither side always
    runs first; each round's figures go to stderr as it ends. Every round's results."""
    results = []
    for r in range(rounds):
        columns = {}
        for side in sides if r % 2 == 0 else sides[::-1]:
            columns.update(time_side(side))
        results.append(columns)
        print(f"  {title}, round {r + 1}: " + ", ".join(
            f"{k} {v['ms'] if 'ms' in v else 1e3 * v['seconds']:.2f} ms"
            for k, v in columns.items()), file=sys.stderr)
    return results


def run_child(script, side, *args, env=None):
    """Run ``python SCRIPT --child SIDE ARGS...`` (in ``env``, default this process's
    environment): its result, the last line it printed, read as JSON. A child that
    fails raises, with the end of its error output."""
    result = subprocess.run([sys.executable, script, "--child", side, *map(str, args)],
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"the {side} side failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.splitlines()[-1])
