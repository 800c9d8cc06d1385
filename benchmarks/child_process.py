"""Each side of a comparison runs in a fresh process of its own: how a benchmark asks one.

A fresh process per side and per round keeps one side's thread pools, caches and
settings out of the other's timing.
"""
import json
import subprocess
import sys


def run_child(script, side, *args, env=None):
    """Run ``python SCRIPT --child SIDE ARGS...`` (in ``env``, default this process's
    environment): its result, the last line it printed, read as JSON. A child that
    fails raises, with the end of its error output."""
    result = subprocess.run([sys.executable, script, "--child", side, *map(str, args)],
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"the {side} side failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.splitlines()[-1])
