"""How the benchmarks time a call: the median of many, after untimed warm-up calls.

A median, not a mean: on a shared machine a few calls are slowed by whatever else runs,
and one such call moves a mean far more than a median.
"""
import statistics
import time


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
