"""Shared bits for the benchmarks: optional peers, a timer, and two-moons data."""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def optional(module: str) -> Any:
    """The module, or None when this optional peer is not installed."""
    try:
        return __import__(module, fromlist=["_"])
    except ImportError:
        return None


def best_time(run: Callable[[], object], repeats: int = 5, warmup: int = 1) -> float:
    """The fastest of ``repeats`` timed runs, in seconds (the least disturbed by the machine)."""
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeats):
        gc.collect()  # earlier runs' garbage (a peer's cyclic graphs) is not this run's cost
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def two_moons(
    n: int = 100, noise: float = 0.1, seed: int = 1
) -> tuple[list[list[float]], list[float]]:
    """Two interleaved half circles with labels −1 and +1, as plain Python floats."""
    rng = np.random.default_rng(seed)
    outer, inner = n // 2, n - n // 2
    t_out, t_in = np.linspace(0, math.pi, outer), np.linspace(0, math.pi, inner)
    points = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], 1),
            np.stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)], 1),
        ]
    )
    points += rng.normal(0.0, noise, points.shape)
    labels = [-1.0] * outer + [1.0] * inner
    return points.tolist(), labels
