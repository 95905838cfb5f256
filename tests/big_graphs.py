"""micrograd's demo loss as its demo writes it: the big graph pictures and lessons are tested on."""

from __future__ import annotations

import math

import nn
from autograd import Value


def moons(points: int) -> tuple[list[list[float]], list[float]]:
    """Two interleaved half circles, labels −1 and +1 (no noise: the shape is what matters)."""
    outer = points // 2
    xs, ys = [], []
    for k in range(points):
        first = k < outer
        count = outer if first else points - outer
        t = math.pi * (k if first else k - outer) / max(count - 1, 1)
        if first:
            xs.append([math.cos(t), math.sin(t)])
        else:
            xs.append([1 - math.cos(t), 0.5 - math.sin(t)])
        ys.append(-1.0 if first else 1.0)
    return xs, ys


def demo_loss(points: int) -> Value:
    """SVM max-margin loss plus L2, with Python's ``sum``: a long chain of ``+`` per sum."""
    xs, ys = moons(points)
    model = nn.MLP(2, [16, 16, 1], activation="relu", seed=1337)
    scores = [model(x, squeeze=True) for x in xs]
    losses = [(1 + -y * score).relu() for y, score in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    loss = data_loss + reg_loss
    loss.label = "loss"
    return loss
