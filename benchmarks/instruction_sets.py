"""Which vector instructions each side runs with, printed above every table.

The ratios mean little without it. numpy's OpenBLAS picks its kernels for the CPU when
it loads, unless ``OPENBLAS_CORETYPE`` names some: ``OPENBLAS_CORETYPE=Haswell`` makes
it run its AVX2 kernels on a CPU that has AVX-512, half as wide. On PyTorch's side this
names ATen's CPU capability (its own kernels; ``ATEN_CPU_CAPABILITY`` caps it); its
convolutions are oneDNN's, which picks its kernels by the same CPU test unless
``ONEDNN_MAX_CPU_ISA`` caps them, and both variables are shown when set.
"""
import os
import subprocess
import sys

TORCH_QUERY = "import torch; print(torch.__version__, torch.backends.cpu.get_cpu_capability())"


def numpy_side():
    """numpy's BLAS, and its kernels' name: e.g. 'openblas 0.3.31.188.0, Haswell kernels'."""
    import numpy  # noqa: F401  (threadpoolctl sees only the libraries already loaded)
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return f"numpy's BLAS (install threadpoolctl to name its kernels){_set('OPENBLAS_')}"
    blas = [lib for lib in threadpool_info()
            if lib["user_api"] == "blas" and "numpy" in lib["filepath"]]
    if not blas:
        return "numpy's BLAS: not found by threadpoolctl"
    lib = blas[0]
    kernels = f", {lib['architecture']} kernels" if lib.get("architecture") else ""
    return f"numpy's BLAS: {lib['internal_api']} {lib['version']}{kernels}{_set('OPENBLAS_')}"


def torch_side():
    """PyTorch's version and CPU capability, asked of a child process (as it is timed)."""
    child = subprocess.run([sys.executable, "-c", TORCH_QUERY], capture_output=True, text=True)
    if child.returncode != 0:
        return "PyTorch: could not be asked"
    version, capability = child.stdout.split()
    return f"PyTorch {version}: ATen CPU capability {capability}{_set('ONEDNN_', 'ATEN_CPU')}"


def _set(*prefixes):
    """' (NAME=value, ... set)' for the environment variables with these prefixes."""
    found = [f"{name}={value}" for name, value in sorted(os.environ.items())
             if name.startswith(prefixes)]
    return f" ({', '.join(found)} in the environment)" if found else ""


def describe(have_torch):
    """The lines to print above a table."""
    return [numpy_side()] + ([torch_side()] if have_torch else [])
