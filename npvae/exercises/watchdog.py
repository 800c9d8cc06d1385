"""Running the learner's code in a process of its own, so that a call that never returns
ends with one line instead of a command that hangs.

A learner's function may loop forever or sleep; Python cannot stop a thread from the
outside, but it can end a process. So a check runs in a fresh Python (``run``), which
tells this process on a pipe, one JSON message a line, each time the learner's code is
entered and left (``Watch``), and sends the check's results the same way. If a call
lasts longer than the time limit, this process ends the child and raises ``Stopped``,
naming the call. Anything the learner's code prints goes to the child's stderr, which is
passed on to this process's ``sys.stderr`` as it comes (a notebook shows it too).

The child imports only what its task needs (for a check: numpy, the exercise and
npvae's functions it is graded against), and its BLAS uses one thread: the checks
multiply small matrices, and the machine's other cores stay free.
"""
import codecs
import importlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

# The child's program: npvae is found as this process found it (appended, so that the
# child's own sys.path, PYTHONPATH included, still comes first).
CHILD = ("import sys; sys.path.append(sys.argv[1]); "
         "from npvae.exercises.watchdog import main; main(*sys.argv[2:])")


class Stopped(Exception):
    """A call of the learner's code outlasted the time limit, or ended the process that
    ran it: the message is one line."""


def run(task, arguments, time_limit):
    """Yield what ``task(*arguments, watch=...)`` yields, run in a child process.

    ``task`` is "module:function", a generator function of JSON-able arguments that
    yields JSON-able items. Raises ``Stopped`` when a call of the learner's code lasts
    longer than ``time_limit`` seconds or ends the child; RuntimeError when the child
    ends early otherwise (npvae's bug: its traceback is on stderr).
    """
    root = str(Path(__file__).resolve().parents[2])   # the folder that holds npvae
    child = subprocess.Popen([sys.executable, "-c", CHILD, root, task, json.dumps(arguments)],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=child_environment())
    messages = queue.Queue()
    threading.Thread(target=read_messages, args=(child.stdout, messages), daemon=True).start()
    relay = threading.Thread(target=relay_output, args=(child.stderr,), daemon=True)
    relay.start()
    try:
        yield from receive(messages, time_limit, child)
    finally:
        child.kill()      # a hung child; one that is done has nothing left to say
        child.wait()
        relay.join(timeout=5)


def child_environment():
    environment = dict(os.environ)
    environment.setdefault("OPENBLAS_NUM_THREADS", "1")
    return environment


def receive(messages, time_limit, child):
    """Yield the child's items until it is done; time each call of the learner's code."""
    depth, started, call = 0, None, None
    while True:
        timeout = None if started is None else max(started + time_limit - time.monotonic(), 0)
        try:
            message = messages.get(timeout=timeout)
        except queue.Empty:
            what, verb = call
            raise Stopped(f"{what} did not {verb} within {time_limit:g} s: an endless loop, "
                           f"or a wait? (if it is only slow, allow more with --time-limit)")
        kind = message[0]
        if kind == "calling":
            if depth == 0:
                started, call = time.monotonic(), message[1:]
            depth += 1
        elif kind == "returned":
            depth -= 1
            if depth == 0:
                started = None
        elif kind == "item":
            yield message[1]
        elif kind == "done":
            return
        else:  # the pipe closed: the child has ended without saying it was done
            code = child.wait()
            if call is not None and depth:
                raise Stopped(f"{call[0]} ended the checking process (exit code {code}) "
                                f"instead of returning")
            raise RuntimeError(f"the checking process ended unexpectedly (exit code {code}): "
                            f"a bug in npvae, please report it with what is printed above")


def read_messages(pipe, messages):
    for line in pipe:
        messages.put(json.loads(line))
    messages.put(["closed"])


def relay_output(pipe):
    """Pass the child's stderr on to ours as it comes, a progress bar's \\r included."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    for chunk in iter(lambda: os.read(pipe.fileno(), 4096), b""):
        sys.stderr.write(decoder.decode(chunk))
        sys.stderr.flush()


# ---------------------------------------------------------------- in the child


class Watch:
    """Tells the parent, one JSON message a line, when the learner's code is entered and
    left (``calling``, ``returned``), and sends it the task's items."""

    def __init__(self, channel):
        self.channel = channel

    def send(self, *message):
        self.channel.write(json.dumps(message) + "\n")
        self.channel.flush()

    def calling(self, what, verb="return"):
        self.send("calling", what, verb)

    def returned(self):
        self.send("returned")


def main(task, arguments):
    """The child: run ``task`` and send what it yields, then "done"."""
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)   # the learner's prints go to stderr, and never into the messages
    watch = Watch(channel)
    module, function = task.split(":")
    for item in getattr(importlib.import_module(module), function)(*json.loads(arguments),
                                                                    watch=watch):
        watch.send("item", item)
    sys.stdout.flush()   # the learner's prints, before this process is ended
    watch.send("done")
