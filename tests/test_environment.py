"""Importing npvae changes nothing in the process; a plain script's training step sets
no environment variable and runs on the pool npvae chose, unless the user chose; the
textbook runs without numba.

Each check runs in a fresh Python process, since what is tested is what a process
looks like after it.
"""
import importlib.metadata
import os
import subprocess
import sys
import textwrap

import pytest

USERS = ("NUMBA_THREADING_LAYER", "NUMBA_THREADING_LAYER_PRIORITY", "MALLOC_TRIM_THRESHOLD_",
         "MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES")


def python(code, **env_changes):
    """Run ``code`` in a fresh interpreter; its stdout, stripped."""
    env = {k: v for k, v in os.environ.items() if k not in USERS}
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
# The pool that ran the step, numba's two settings as the script left them (the layer's
# name; whether its priority list is numba's own), and whether mallopt was called.
SHOW = ONE_STEP + """
import numba
print(numba.threading_layer(), numba.config.THREADING_LAYER,
      numba.config.THREADING_LAYER_PRIORITY == ["tbb", "omp", "workqueue"], "mallopt" in called)
"""
WATCH_MALLOPT = """
import sys
called = []
sys.addaudithook(lambda event, args: event == "ctypes.dlsym" and called.append(args[1]))
"""


def test_import_changes_nothing_and_a_plain_scripts_step_sets_no_environment_variable():
    out = python(textwrap.dedent("""
        import os, sys
        before = dict(os.environ)
        import npvae
        print("numba" in sys.modules, "numpy" in sys.modules)
    """) + ONE_STEP + "print(dict(os.environ) == before)")
    assert out.splitlines() == ["False False", "True"]


def tbb_installed():
    try:
        importlib.metadata.distribution("tbb")
        return True
    except importlib.metadata.PackageNotFoundError:
        return False


def test_a_plain_script_runs_on_tbb_if_installed_and_keeps_freed_pages():
    """What npvae readies by itself (npvae/fast/threads.py, allocation.py); numba's own
    setting is left as the script found it."""
    layer = "tbb" if tbb_installed() else "workqueue"
    assert python(WATCH_MALLOPT + SHOW) == f"{layer} default True True"


WITHOUT_TBB = """
import ctypes, importlib.metadata as metadata
try:
    ctypes.CDLL("libtbb.so.12")      # a TBB the system itself would find
    print("the system has TBB")
    raise SystemExit
except OSError:
    pass
found = metadata.files
def files(name):
    if name == "tbb":
        raise metadata.PackageNotFoundError(name)
    return found(name)
metadata.files = files               # as if the tbb package were not installed
"""


def test_without_tbb_a_plain_script_runs_on_the_workqueue_pool():
    out = python(WITHOUT_TBB + WATCH_MALLOPT + SHOW)
    if out == "the system has TBB":
        pytest.skip("this system's loader finds a TBB of its own")
    assert out == "workqueue default True True"


def test_rmsprop_runs_the_formula_until_a_fast_model_is_made():
    out = python("""
        import sys
        from npvae import VAE, RMSprop, optim
        optimizer = RMSprop()
        VAE(seed=0, fast=False)
        print(optimizer.runs() is optim.rmsprop_update, "npvae.fast" in sys.modules)
        VAE(seed=0)
        print(optimizer.runs() is optim.TWINS[optim.rmsprop_update])
    """)
    assert out.splitlines() == ["True False", "True"]


@pytest.mark.parametrize("choice", [{"NUMBA_THREADING_LAYER": "omp"},
                                    {"NUMBA_THREADING_LAYER_PRIORITY": "omp tbb workqueue"}])
def test_a_threading_layer_the_user_chose_in_the_environment_is_kept(choice):
    assert python(WATCH_MALLOPT + SHOW, **choice).split()[0] == "omp"


def test_a_threading_layer_the_user_chose_in_the_script_is_kept():
    code = "import numba\nnumba.config.THREADING_LAYER = 'omp'\n" + WATCH_MALLOPT + SHOW
    assert python(code) == "omp omp True True"


def test_a_pool_already_running_is_left_as_it_is():
    code = WATCH_MALLOPT + textwrap.dedent("""
        import numba, numpy as np
        @numba.njit(parallel=True)
        def total(x):
            s = 0.0
            for i in numba.prange(len(x)):
                s += x[i]
            return s
        total(np.ones(10))       # the user's own loop starts numba's default pool
        users = numba.threading_layer()
    """) + SHOW + "print(numba.threading_layer() == users)"
    assert python(code).splitlines()[-1] == "True"


def test_the_users_own_malloc_settings_are_kept():
    assert python(WATCH_MALLOPT + SHOW, MALLOC_TRIM_THRESHOLD_="131072").endswith("False")


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
layers = ([(f"e/{n}", l) for n, l in encoder.named_layers()]
          + [(f"d/{n}", l) for n, l in decoder.named_layers()])
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


TEXTBOOK = ["npvae/layers", "npvae/im2col.py", "npvae/losses.py", "npvae/optim.py",
            "npvae/train.py", "npvae/gradcheck.py", "npvae/evaluation.py", "npvae/marginal.py"]
# The top level of the package: the textbook, in the guide's order, and the rooms.
TOP_LEVEL = {"__init__.py", "__main__.py", "im2col.py", "losses.py", "optim.py", "train.py",
             "gradcheck.py", "evaluation.py", "marginal.py"}
ROOMS = {"layers", "models", "fast", "training", "storage", "pictures", "explorer",
         "datasets", "exercises", "cli"}


def test_the_top_level_is_the_textbook_and_every_other_room_a_package():
    from pathlib import Path
    package = Path(__file__).resolve().parent.parent / "npvae"
    assert {p.name for p in package.glob("*.py")} == TOP_LEVEL
    assert {p.name for p in package.iterdir() if (p / "__init__.py").is_file()} == ROOMS


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
