"""Which CPU, and which vector instructions each side runs with, printed above every table.

The ratios mean little without them. numpy's OpenBLAS picks its kernels for the CPU when
it loads, unless ``OPENBLAS_CORETYPE`` names some. Some machines here set it (and
``OPENBLAS_L2_SIZE``) for older OpenBLAS builds that misbehave on their CPU; a current
numpy does not need them, and they can make it run half-width kernels (AVX2 on a CPU
that has AVX-512). Each side is measured at its own best, so every benchmark calls
``at_their_best()`` first: it runs the script again without those two variables (in the
benchmark's own process only: npvae, its tests and CI never touch them) and the tables
say so. On PyTorch's side this names ATen's CPU capability (its own kernels;
``ATEN_CPU_CAPABILITY`` caps it); its convolutions are oneDNN's, which picks its kernels
by the same CPU test unless ``ONEDNN_MAX_CPU_ISA`` caps them; both are shown when set.
"""
import os
import platform
import subprocess
import sys

OLD_OPENBLAS_SETTINGS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
UNSET_NOTE = "NPVAE_BENCHMARK_UNSET"   # what at_their_best removed, for the printout
TORCH_QUERY = "import torch; print(torch.__version__, torch.backends.cpu.get_cpu_capability())"


def at_their_best():
    """Run this script again, at once, without ``OPENBLAS_CORETYPE``/``OPENBLAS_L2_SIZE``,
    if the environment sets either (before numpy is imported, which reads them)."""
    found = [name for name in OLD_OPENBLAS_SETTINGS if name in os.environ]
    if not found:
        return
    env = {k: v for k, v in os.environ.items() if k not in found}
    env[UNSET_NOTE] = ", ".join(f"{name}={os.environ[name]}" for name in found)
    os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)


def cpu():
    """The CPU as /proc/cpuinfo names it, and the widest vector instructions it has, e.g.
    'Intel(R) Xeon(R) Processor (GenuineIntel family 6 model 167), 2 logical CPUs, AVX-512,
    AMX'."""
    info = {}
    try:
        with open("/proc/cpuinfo") as lines:
            for line in lines:
                key, _, value = line.partition(":")
                info.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    name = info.get("model name", platform.processor() or platform.machine())
    if "vendor_id" in info:
        name += f" ({info['vendor_id']} family {info.get('cpu family')} model {info.get('model')})"
    flags = set(info.get("flags", "").split())
    widest = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    return (f"{name}, {os.cpu_count()} logical CPUs, {widest}"
            + (", AMX" if "amx_tile" in flags else ""))


def numpy_side():
    """numpy's BLAS, and its kernels' name: e.g. 'openblas 0.3.31.188.0, SkylakeX kernels'."""
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
    unset = os.environ.get(UNSET_NOTE)
    lines = [f"CPU: {cpu()}"]
    if unset:
        lines.append(f"unset for this benchmark, so that OpenBLAS picks its own kernels: {unset}")
    return lines + [numpy_side()] + ([torch_side()] if have_torch else [])
