"""One training step of LeNet (the 60-minute blitz's network) beside PyTorch on the CPU.

The step: a batch of 64 images 1×32×32, float32; conv 5×5 (6 channels), ReLU, max pool 2,
conv 5×5 (16 channels), ReLU, max pool 2, flatten, Linear 400-120-84-10 with ReLUs,
cross-entropy, backward, and an SGD update (lr 0.01). tracegrad builds it from ``nn``; the
PyTorch model is ``nn.to_torch`` of it, so both start from the same weights, and their first
losses must agree. Both use the same number of threads (numpy's BLAS thread count).

The runs take turns (one timed run of each, then again), and the fastest run of each counts,
so a busy machine slows them alike rather than whichever happened to run at a bad moment.
The convolutions alone (forward and both gradients, by im2col) are timed too: the floor of
tracegrad's way of computing them.

    python -m benchmarks.lenet_step [--steps N] [--repeats R]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
import nn
from autograd import Tensor

from ._peers import optional
from .bench_tensor_mlp import numpy_threads, time_in_turns

BATCH = 64
LR = 0.01
OURS = "tracegrad"
THEIRS = "torch"


class LeNet(nn.Module):
    """The blitz's network, with its layers named as there."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)
        self.pool = nn.MaxPool2d(2)
        self.relu = nn.ReLU()

    def forward(self, x: Any) -> Any:
        x = self.pool(self.relu(self.conv1(x)))
        x = self.pool(self.relu(self.conv2(x)))
        x = x.flatten(1)
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        return self.fc3(x)


def make_problem(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.standard_normal((BATCH, 1, 32, 32), dtype=np.float32)
    labels = rng.integers(0, 10, BATCH)
    return images, labels


def tracegrad_step(model: LeNet, images: np.ndarray, labels: np.ndarray) -> Callable[[], float]:
    x, y = Tensor(images), autograd.tensor(labels)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = nn.optim.SGD(model.parameters(), lr=LR)

    def step() -> float:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def torch_step(
    torch: Any, module: Any, images: np.ndarray, labels: np.ndarray
) -> Callable[[], float]:
    x, y = torch.from_numpy(images), torch.from_numpy(labels)
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(module.parameters(), lr=LR)

    def step() -> float:
        optimizer.zero_grad()
        loss = loss_fn(module(x), y)
        loss.backward()
        optimizer.step()
        return float(loss.item())

    return step


def convolutions_alone(model: LeNet, images: np.ndarray) -> Callable[[], float]:
    """The two convolutions' forward and gradient ops on arrays, nothing else."""
    from autograd.tensors import ops

    geometry = ops.Geometry((1, 1), ((0, 0), (0, 0)), (1, 1), 1)
    forward = ops.conv2d(geometry)
    to_input, to_weight = ops.conv_input_grad(geometry), ops.conv_weight_grad(geometry)
    w1, w2 = model.conv1.weight.array, model.conv2.weight.array
    h = np.zeros((BATCH, 6, 14, 14), np.float32)

    def step() -> float:
        y1 = forward.forward(images, w1)
        y2 = forward.forward(h, w2)
        to_weight.forward(images, y1, w1.shape)
        to_weight.forward(h, y2, w2.shape)
        to_input.forward(y2, w2, h.shape)
        return 0.0

    return step


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10, help="steps per timed run")
    parser.add_argument("--repeats", type=int, default=10, help="timed runs; the best counts")
    args = parser.parse_args(argv)

    threads = numpy_threads()
    torch = optional("torch")
    print(f"LeNet, batch {BATCH}, 1×32×32, float32, cross-entropy, SGD (lr {LR})")
    print(f"threads: numpy {threads}" + (f", torch set to {threads}" if torch else ""))
    autograd.manual_seed(0)
    model = LeNet()
    images, labels = make_problem()
    runs: dict[str, Callable[[], float]] = {}
    if torch is not None:
        torch.set_num_threads(threads)
        runs[THEIRS] = torch_step(torch, nn.to_torch(model), images, labels)
    else:
        print("torch is not installed: timing tracegrad alone")
    runs[OURS] = tracegrad_step(model, images, labels)
    first = {name: step() for name, step in runs.items()}
    if torch is not None and abs(first[OURS] - first[THEIRS]) > 1e-4:
        raise SystemExit(f"first losses differ: {first}: not the same step")
    runs["convolutions alone"] = convolutions_alone(model, images)
    per_step = time_in_turns(runs, args.steps, args.repeats)
    for name, seconds in per_step.items():
        print(f"  {name:<20} {seconds * 1e3:8.2f} ms per step")
    if torch is not None:
        print(f"ratio tracegrad / torch: {per_step[OURS] / per_step[THEIRS]:.2f}x")
        # The convolutions alone against PyTorch's whole step: what is left for everything else.
        alone = per_step["convolutions alone"] / per_step[THEIRS]
        print(f"ratio convolutions alone / torch's whole step: {alone:.2f}x")


if __name__ == "__main__":
    main()
