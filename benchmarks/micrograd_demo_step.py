"""micrograd's own demo step, timed for tracegrad and micrograd in the same run.

    python -m benchmarks.micrograd_demo_step

MLP(2, [16, 16, 1]) on 100 two-moons points; loss = mean(relu(1 − y·score)) + 1e-4·Σp²;
then forward, backward and an SGD update. Each engine runs its own idiomatic code: micrograd
its demo notebook's loop, tracegrad its nn.MLP (one node per neuron's weighted sum) and, for
comparison, the same network written micrograd-style with one node per multiply and add.
"""

from __future__ import annotations

import random
from typing import Any

import nn
from autograd import Value
from benchmarks._peers import best_time, optional, two_moons

X, Y = two_moons(100)


def tracegrad_step(model: nn.MLP, lr: float = 0.1) -> float:
    scores = [model(x, squeeze=True) for x in X]
    data_loss = nn.hinge_loss(scores, Y)
    params = model.parameters()
    total = data_loss + 1e-4 * Value.sum([p * p for p in params])
    model.zero_grad()
    total.backward()
    for p in params:
        p.data -= lr * p.grad
    return total.data


class ChainNeuron:
    """A neuron that builds Σwᵢxᵢ + b from binary nodes, the way micrograd does."""

    def __init__(self, nin: int, relu: bool) -> None:
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b, self.relu = Value(0.0), relu

    def __call__(self, x: list[Any]) -> Value:
        z = self.b
        for wi, xi in zip(self.w, x):
            z = z + wi * xi
        return z.relu() if self.relu else z


class ChainMLP:
    def __init__(self) -> None:
        sizes = [2, 16, 16, 1]
        self.layers = [
            [ChainNeuron(sizes[i], i < 2) for _ in range(sizes[i + 1])] for i in range(3)
        ]

    def __call__(self, x: list[Any]) -> Value:
        for layer in self.layers:
            x = [n(x) for n in layer]
        return x[0]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for n in layer for p in (*n.w, n.b)]


def chain_step(model: ChainMLP, lr: float = 0.1) -> float:
    inputs = [[Value(a), Value(b)] for a, b in X]
    scores = [model(x) for x in inputs]
    losses = [(1 + -y * s).relu() for y, s in zip(Y, scores)]
    total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
    params = model.parameters()
    for p in params:
        p.grad = 0.0
    total.backward()
    for p in params:
        p.data -= lr * p.grad
    return total.data


def micrograd_step(model: Any, value: Any, lr: float = 0.1) -> float:
    # The loop from micrograd's demo notebook.
    inputs = [list(map(value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(Y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return total.data


def main() -> None:
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1], activation="relu", seed=1337)
    chain_model = ChainMLP()
    ours = best_time(lambda: tracegrad_step(model))
    ours_chain = best_time(lambda: chain_step(chain_model))
    print("micrograd's demo step: MLP(2, [16, 16, 1]), 100 points, forward + backward + SGD")
    print(f"  tracegrad nn.MLP                   {ours * 1000:8.1f} ms")
    print(f"  tracegrad, micrograd-style nodes   {ours_chain * 1000:8.1f} ms")
    micrograd = optional("micrograd.nn")
    if micrograd is None:
        print("  micrograd is not installed (pip install micrograd) - no ratio")
        return
    engine = optional("micrograd.engine")
    peer_model = micrograd.MLP(2, [16, 16, 1])
    theirs = best_time(lambda: micrograd_step(peer_model, engine.Value), repeats=3)
    print(f"  micrograd                          {theirs * 1000:8.1f} ms")
    print(f"  speed-up, nn.MLP:                 {theirs / ours:6.1f}x  (target: at least 3x)")
    print(f"  speed-up, micrograd-style nodes:  {theirs / ours_chain:6.1f}x")


if __name__ == "__main__":
    main()
