"""How the benchmarks time a call: the median of many, after untimed warm-up calls.

A median, not a mean: on a shared machine a few calls are slowed by whatever else runs,
and one such call moves a mean far more than a median.
"""
import statistics
import time


def step_ms(step, batches):
    """Milliseconds of ``step(x)`` for each batch x, in order."""
    times = []
    for x in batches:
        start = time.perf_counter()
        step(x)
        times.append(1e3 * (time.perf_counter() - start))
    return times


def median_ms(function, calls, warmup=1):
    """Milliseconds of ``function()``: the median of ``calls`` timed calls, after
    ``warmup`` untimed ones."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)
