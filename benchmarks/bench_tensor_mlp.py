"""One training step of an MLP 784-256-128-10 on raw Tensors, beside PyTorch on the CPU.

The step: batch 64, float32, ReLU, cross-entropy (log_softmax, then picking each row's label
with integer-array indexing, then the mean), backward, and an SGD update. tracegrad and
PyTorch run the same step on the same numbers in this run, with the same number of threads
(numpy's BLAS thread count). PyTorch runs it twice: with the same ops as tracegrad, and
idiomatically (F.linear with weights stored (out, in), F.cross_entropy); the faster counts.
tracegrad also runs it with weights stored (out, in) and ``h @ W.T``, the layout nn.Linear
uses. The same step written by hand in numpy (no graph at all) shows how much of
tracegrad's time is its own bookkeeping rather than numpy's arithmetic, and the step's matrix
products alone (three forward, five backward) show the floor that no engine can go below.

The runs take turns (one timed run of each, then again), and the fastest run of each counts,
so a busy machine slows them alike rather than whichever happened to run at a bad moment.

Then the same step on a tiny network (8-8-8-4, batch 4), where the arithmetic costs next to
nothing: its time per step, over the number of graph nodes, is the Python overhead per op.

    python -m benchmarks.bench_tensor_mlp [--steps N] [--repeats R]
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import Tensor

from ._peers import optional

SIZES = (784, 256, 128, 10)
BATCH = 64
TINY_SIZES = (8, 8, 8, 4)
TINY_BATCH = 4
LR = 0.01

OURS = "tracegrad, h @ W"
OURS_LINEAR = "tracegrad, h @ W.T"
NUMPY = "numpy by hand"
MATMULS = "matrix products alone"
TORCH_SAME = "torch, same ops"
TORCH_IDIOM = "torch, F.linear + F.c_e"


def numpy_threads() -> int:
    """How many threads numpy's BLAS uses (threadpoolctl knows; else every core)."""
    threadpoolctl = optional("threadpoolctl")
    if threadpoolctl is not None:
        counts = [
            info["num_threads"]
            for info in threadpoolctl.threadpool_info()
            if info.get("user_api") == "blas"
        ]
        if counts:
            return int(max(counts))
    return os.cpu_count() or 1


def make_problem(
    sizes: tuple[int, ...] = SIZES, batch: int = BATCH, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """A batch of inputs, labels, and weights (in, out) initialised as nn.Linear does."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], batch)
    params = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        bound = 1.0 / np.sqrt(n_in)
        params.append(rng.uniform(-bound, bound, (n_in, n_out)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, n_out).astype(np.float32))
    return x, y, params


def tracegrad_step(
    x: np.ndarray, y: np.ndarray, arrays: list[np.ndarray], linear_layout: bool = False
) -> Callable[[], float]:
    """The step on raw Tensors: ``h @ W + b``, or with ``linear_layout`` ``h @ W.T + b`` with
    W stored (out, in) as nn.Linear keeps it."""
    xt, yt = Tensor(x), autograd.tensor(y)
    rows = autograd.arange(len(x))
    params = [Tensor(a.T if linear_layout else a, requires_grad=True) for a in arrays]

    def layer(h: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
        return (h @ weight.T if linear_layout else h @ weight) + bias

    def step() -> float:
        h = xt
        for i in range(0, len(params) - 2, 2):
            h = layer(h, params[i], params[i + 1]).relu()
        logits = layer(h, params[-2], params[-1])
        loss = -logits.log_softmax(1)[rows, yt].mean()
        for p in params:
            p.grad = None
        loss.backward()
        with autograd.no_grad():
            for p in params:
                p -= LR * p.grad
        return loss.item()

    return step


def torch_step(
    torch: Any, x: np.ndarray, y: np.ndarray, arrays: list[np.ndarray], idiomatic: bool
) -> Callable[[], float]:
    """The step in PyTorch: the same ops, or (``idiomatic``) F.linear with W stored (out, in)
    and F.cross_entropy."""
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    rows = torch.arange(len(x))
    params = [torch.tensor(a.T if idiomatic else a, requires_grad=True) for a in arrays]
    functional = torch.nn.functional

    def layer(h: Any, weight: Any, bias: Any) -> Any:
        return functional.linear(h, weight, bias) if idiomatic else h @ weight + bias

    def step() -> float:
        h = xt
        for i in range(0, len(params) - 2, 2):
            h = layer(h, params[i], params[i + 1]).relu()
        logits = layer(h, params[-2], params[-1])
        if idiomatic:
            loss = functional.cross_entropy(logits, yt)
        else:
            loss = -logits.log_softmax(1)[rows, yt].mean()
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
        return float(loss.item())

    return step


def numpy_step(x: np.ndarray, y: np.ndarray, arrays: list[np.ndarray]) -> Callable[[], float]:
    """The same step by hand: the arithmetic alone, no graph."""
    params = [a.copy() for a in arrays]
    rows = np.arange(len(x))

    def step() -> float:
        hs, zs = [x], []
        for i in range(0, len(params) - 2, 2):
            zs.append(hs[-1] @ params[i] + params[i + 1])
            hs.append(np.maximum(zs[-1], 0))
        logits = hs[-1] @ params[-2] + params[-1]
        shifted = logits - logits.max(1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
        loss = -log_probs[rows, y].mean()
        g = np.exp(log_probs)
        g[rows, y] -= 1
        g /= len(x)
        grads = []
        for i in range(len(params) - 2, -1, -2):
            grads += [g.sum(0), hs[i // 2].T @ g]
            if i:
                g = (g @ params[i].T) * (zs[i // 2 - 1] > 0)
        for p, grad in zip(params, reversed(grads)):
            p -= LR * grad
        return float(loss)

    return step


def matmul_step(x: np.ndarray, arrays: list[np.ndarray]) -> Callable[[], float]:
    """Only the step's matrix products: h @ W forward, then h.T @ g and g @ W.T backward."""
    weights = arrays[0::2]

    def step() -> float:
        hs = [x]
        for weight in weights:
            hs.append(hs[-1] @ weight)
        g = hs[-1]
        for i in range(len(weights) - 1, -1, -1):
            hs[i].T @ g
            if i:
                g = g @ weights[i].T
        return 0.0

    return step


def all_steps(
    torch: Any, x: np.ndarray, y: np.ndarray, arrays: list[np.ndarray]
) -> dict[str, Callable[[], float]]:
    """The step for each contender, all starting from the same weights."""
    runs = {
        OURS: tracegrad_step(x, y, arrays),
        OURS_LINEAR: tracegrad_step(x, y, arrays, linear_layout=True),
        NUMPY: numpy_step(x, y, arrays),
    }
    if torch is not None:
        runs[TORCH_SAME] = torch_step(torch, x, y, arrays, idiomatic=False)
        runs[TORCH_IDIOM] = torch_step(torch, x, y, arrays, idiomatic=True)
    # Same weights, same data: the first losses must agree, or this is not the same step.
    first = {name: step() for name, step in runs.items()}
    reference = first[NUMPY]
    for name, loss in first.items():
        if abs(loss - reference) > 1e-4 * max(1.0, abs(reference)):
            raise SystemExit(f"{name} computed loss {loss}, numpy {reference}: not the same step")
    runs[MATMULS] = matmul_step(x, arrays)
    return runs


def time_in_turns(
    runs: dict[str, Callable[[], float]], steps: int, repeats: int
) -> dict[str, float]:
    """Seconds per step of each run: the fastest of ``repeats`` timed runs, taken in turns."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeats):
        for name, step in runs.items():
            gc.collect()  # earlier runs' garbage is not this run's cost
            start = time.perf_counter()
            for _ in range(steps):
                step()
            best[name] = min(best[name], (time.perf_counter() - start) / steps)
    return best


def count_nodes(x: np.ndarray, y: np.ndarray, arrays: list[np.ndarray]) -> int:
    """How many ops one forward pass of the step records."""
    h = Tensor(x)
    params = [Tensor(a, requires_grad=True) for a in arrays]
    for i in range(0, len(params) - 2, 2):
        h = (h @ params[i] + params[i + 1]).relu()
    logits = h @ params[-2] + params[-1]
    loss = -logits.log_softmax(1)[autograd.arange(len(x)), autograd.tensor(y)].mean()
    return sum(1 for node in autograd.topological_order(loss) if node.parents)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50, help="steps per timed run")
    parser.add_argument("--repeats", type=int, default=20, help="timed runs; the best counts")
    args = parser.parse_args(argv)

    threads = numpy_threads()
    torch = optional("torch")
    print(f"MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, float32, ReLU, cross-entropy, SGD")
    print(f"threads: numpy {threads}" + (f", torch set to {threads}" if torch else ""))
    if torch is None:
        print("torch is not installed: timing tracegrad and numpy only")
    else:
        torch.set_num_threads(threads)

    x, y, arrays = make_problem()
    per_step = time_in_turns(all_steps(torch, x, y, arrays), args.steps, args.repeats)
    for name, seconds in per_step.items():
        print(f"  {name:<24} {seconds * 1e6:8.0f} µs per step")
    ours = per_step[OURS]
    print(f"tracegrad minus numpy by hand: {(ours - per_step[NUMPY]) * 1e6:+.0f} µs per step")
    print(f"ratio tracegrad / matrix products alone: {ours / per_step[MATMULS]:.2f}x")
    if torch is not None:
        best_torch = min(per_step[TORCH_SAME], per_step[TORCH_IDIOM])
        print(f"ratio tracegrad / torch (the faster torch): {ours / best_torch:.2f}x")
        layout = per_step[OURS_LINEAR] / best_torch
        print(f"ratio with W stored (out, in), h @ W.T: {layout:.2f}x")

    x, y, arrays = make_problem(TINY_SIZES, TINY_BATCH)
    nodes = count_nodes(x, y, arrays)
    tiny = time_in_turns(all_steps(torch, x, y, arrays), args.steps * 4, args.repeats)
    print(
        f"\nOverhead: MLP {'-'.join(map(str, TINY_SIZES))}, batch {TINY_BATCH} "
        f"({nodes} ops per forward pass, each also stepped backward)"
    )
    for name, seconds in tiny.items():
        print(
            f"  {name:<24} {seconds * 1e6:8.1f} µs per step, {seconds / nodes * 1e6:5.2f} µs per op"
        )
    python = tiny[OURS] - tiny[NUMPY]
    print(f"tracegrad's own cost per op (forward + backward): {python / nodes * 1e6:.2f} µs")


if __name__ == "__main__":
    main()
