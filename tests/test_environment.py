"""Importing npvae changes nothing in the process; the textbook runs without numba; the
``npvae`` command's own settings (npvae/process.py) are its alone.

Each check runs in a fresh Python process, since what is tested is what a process
looks like after it.
"""
import os
import subprocess
import sys
import textwrap

import pytest

SETTINGS = ("OMP_WAIT_POLICY", "OPENBLAS_THREAD_TIMEOUT")


def python(code, **env_changes):
    """Run ``code`` in a fresh interpreter; its stdout, stripped."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env.update(env_changes)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


ONE_STEP = """
import numpy as np
from npvae import VAE, RMSprop
model, optimizer = VAE(seed=0), RMSprop()
model(np.zeros((2, 28, 28, 1), np.float32))
model.backward()
optimizer.step(model.named_layers())
"""


def test_import_and_a_training_step_leave_the_process_as_they_found_it():
    """No environment variable, no numba on import, no malloc settings (mallopt)."""
    out = python(textwrap.dedent("""
        import os, sys
        called = []
        sys.addaudithook(lambda event, args: event == "ctypes.dlsym" and called.append(args[1]))
        before = dict(os.environ)
        import npvae
        print("numba" in sys.modules, "numpy" in sys.modules)
    """) + ONE_STEP + 'print(dict(os.environ) == before, "mallopt" in called)')
    assert out.splitlines() == ["False False", "True False"]


BY_HAND = """
import sys
sys.modules["numba"] = None          # numba cannot be imported at all
import numpy as np
from npvae import (Conv2D, Conv2DTranspose, Dense, Flatten, RMSprop, Reshape, Sampling,
                   Sequential, bernoulli_reconstruction, gaussian_kl)
rng = np.random.default_rng(0)
encoder = Sequential([("conv1", Conv2D(1, 4, 3, rng=rng, activation="relu")),
                      ("conv2", Conv2D(4, 8, 3, stride=2, rng=rng, activation="relu")),
                      ("flatten", Flatten()), ("dense", Dense(8 * 14 * 14, 4, rng=rng))])
decoder = Sequential([("dense", Dense(2, 14 * 14 * 8, rng=rng, activation="relu")),
                      ("reshape", Reshape((14, 14, 8))),
                      ("deconv", Conv2DTranspose(8, 4, 3, stride=2, rng=rng, activation="relu")),
                      ("conv_out", Conv2D(4, 1, 3, rng=rng))])
sampling, optimizer = Sampling(rng), RMSprop()
x = rng.random((3, 28, 28, 1), dtype=np.float32)
h = encoder.forward(x)
mean, log_var = h[:, :2], h[:, 2:]
z = sampling.forward(mean, log_var)
logits = decoder.forward(z)
rec, dlogits = bernoulli_reconstruction(logits, x)
kl, (dmean, dlog_var) = gaussian_kl(mean, log_var)
dmean_s, dlog_var_s = sampling.backward(decoder.backward(dlogits / 3))
encoder.backward(np.concatenate([dmean_s + dmean / 3, dlog_var_s + dlog_var / 3], axis=1))
layers = [(f"e/{n}", l) for n, l in encoder.named_layers()] + [(f"d/{n}", l) for n, l in decoder.named_layers()]
optimizer.step(layers)
print(np.isfinite(rec + kl).all(), optimizer.iterations, "npvae.fast" in sys.modules)
"""


def test_the_textbook_runs_with_numba_not_importable():
    assert python(BY_HAND) == "True 1 False"


def test_without_numba_the_model_runs_the_textbook_and_says_so():
    out = python("""
        import sys, warnings
        sys.modules["numba"] = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            from npvae import VAE
            model = VAE(seed=0)
        print(model.fast, "pip install numba" in str(caught[0].message))
    """)
    assert out == "False True"


SHOW = "import os; from npvae import process; process.tune(); " \
       "print([os.environ.get(n) for n in %r])" % (SETTINGS,)


def test_the_commands_settings_leave_the_environment_as_they_found_it():
    # Child processes and other libraries must not inherit the command's passive waiting.
    assert python(SHOW) == "[None, None]"


@pytest.mark.parametrize("name, value", [("OMP_WAIT_POLICY", "active"),
                                         ("OPENBLAS_THREAD_TIMEOUT", "28")])
def test_a_users_own_setting_is_kept(name, value):
    expected = [value if n == name else None for n in SETTINGS]
    assert python(SHOW, **{name: value}) == str(expected)


TEXTBOOK = ["npvae/layers", "npvae/im2col.py", "npvae/losses.py", "npvae/optim.py",
            "npvae/train.py", "npvae/gradcheck.py"]


def imported_modules(path):
    """Every module a file imports, anywhere in it (inside functions too)."""
    import ast
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_textbook_imports_nothing_from_the_fast_room():
    """The arrow runs one way: npvae/fast/ uses the textbook, never the reverse."""
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    files = [f for entry in TEXTBOOK for f in sorted((root / entry).glob("**/*.py"))
             or [root / entry]]
    assert len(files) >= 12
    for path in files:
        wrong = {name for name in imported_modules(path)
                 if name.split(".")[0] == "numba" or name.startswith("npvae.fast")}
        assert not wrong, f"{path.relative_to(root)} imports {sorted(wrong)}"
