"""Timing helper shared by the benchmarks (run as scripts: this folder is on ``sys.path``)."""

from __future__ import annotations

import statistics
import time


def median_ms(fn, repeats: int) -> float:
    """Median wall time of ``fn()`` over ``repeats`` calls, in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def p95(values: list[float]) -> float:
    """The 95th percentile of ``values`` (nearest rank; the largest of fewer than 20)."""
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
