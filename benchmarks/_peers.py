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


def demo_loss(points: int, python_sum: bool = True) -> Any:
    """micrograd's demo loss on ``points`` two-moons points for MLP(2, [16, 16, 1]) (ReLU):
    max-margin data loss plus 1e-4 · Σp². With ``python_sum`` as micrograd's demo writes it,
    Python's ``sum`` (a chain of ``+`` per sum); else with ``Value.sum`` (one node each)."""
    import nn
    from autograd import Value

    X, Y = two_moons(points)
    model = nn.MLP(2, [16, 16, 1], activation="relu", seed=1337)
    scores = [model(x, squeeze=True) for x in X]
    losses = [(1 + -y * score).relu() for y, score in zip(Y, scores)]
    params = model.parameters()
    if python_sum:
        loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)
    else:
        loss = Value.sum(losses) * (1.0 / len(losses)) + 1e-4 * Value.sum([p * p for p in params])
    loss.label = "loss"
    return loss


def long_sum(terms: int, python_sum: bool = True) -> Any:
    """``x + x + … + x`` as the command line reads it (a chain of ``+``), or ``Value.sum``."""
    from autograd import Value

    x = Value(2.0, "x")
    total = Value.sum([x] * terms) if not python_sum else sum([x] * (terms - 1), x)
    total.label = "out"
    return total
