"""One training step of makemore's MLP (part 2) on Tensors, beside PyTorch on the CPU.

    python -m benchmarks.makemore_step [--steps N] [--repeats R]

The step, as the lecture writes it: an embedding lookup ``C[X]`` with an int64 index tensor
(batch 32, block size 3, embedding 10), ``.view(-1, 30)``, ``tanh`` of a matmul into 200
hidden units, a matmul to the 27 characters' logits, ``F.cross_entropy``, ``p.grad = None``,
backward, then ``p.data += -lr * p.grad`` for every parameter. Both engines start from the
same parameters and draw the same batches (the indices are drawn once, beforehand), so the
first losses must agree. The runs take turns, and the fastest of each counts (a busy machine
slows them alike). PyTorch runs on as many threads as numpy's BLAS. The same step written
out in numpy with its backward by hand runs beside them: the floor under any engine that
computes with numpy (on this project's 2-core machine it takes about half of PyTorch's time).

The words are made here (random letters): the step's cost does not depend on which names.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from benchmarks._peers import optional
from benchmarks.bench_tensor_mlp import numpy_threads, time_in_turns
from nn import functional as F

BATCH, BLOCK, EMBED, HIDDEN, CHARS = 32, 3, 10, 200, 27
LR = 0.1

OURS = "tracegrad"
TORCH = "torch"
NUMPY = "numpy by hand"


def words(count: int = 2000, seed: int = 0) -> list[str]:
    """``count`` made-up lowercase names of 3 to 9 letters."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    return ["".join(rng.choice(letters, rng.integers(3, 10))) for _ in range(count)]


def dataset(names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """makemore's ``build_dataset``: every context of BLOCK characters and the one after it
    ('.', index 0, pads the start and marks the end)."""
    X, Y = [], []
    for name in names:
        context = [0] * BLOCK
        for ch in name + ".":
            ix = 0 if ch == "." else ord(ch) - ord("a") + 1
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return np.array(X, dtype=np.int64), np.array(Y, dtype=np.int64)


def make_problem(
    steps: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """The dataset, the five parameters (C, W1, b1, W2, b2) and each step's batch indices."""
    X, Y = dataset(words(seed=seed))
    rng = np.random.default_rng(seed)
    shapes = [(CHARS, EMBED), (BLOCK * EMBED, HIDDEN), (HIDDEN,), (HIDDEN, CHARS), (CHARS,)]
    params = [rng.standard_normal(shape, dtype=np.float32) for shape in shapes]
    batches = [rng.integers(0, len(X), BATCH) for _ in range(steps)]
    return X, Y, params, batches


def tracegrad_step(
    X: np.ndarray, Y: np.ndarray, arrays: list[np.ndarray], batches: list[np.ndarray]
) -> Callable[[], float]:
    """The step as makemore writes it, with ``import autograd as torch``."""
    torch = autograd
    Xtr, Ytr = torch.tensor(X), torch.tensor(Y)
    indices = [torch.tensor(ix) for ix in batches]
    C, W1, b1, W2, b2 = parameters = [torch.tensor(a.copy()) for a in arrays]
    for p in parameters:
        p.requires_grad = True
    turn = iter(range(1 << 62))

    def step() -> float:
        ix = indices[next(turn) % len(indices)]
        emb = C[Xtr[ix]]
        h = torch.tanh(emb.view(-1, BLOCK * EMBED) @ W1 + b1)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Ytr[ix])
        for p in parameters:
            p.grad = None
        loss.backward()
        for p in parameters:
            p.data += -LR * p.grad
        return loss.item()

    return step


def torch_step(
    torch: Any, X: np.ndarray, Y: np.ndarray, arrays: list[np.ndarray], batches: list[np.ndarray]
) -> Callable[[], float]:
    """The same step in PyTorch."""
    functional = torch.nn.functional
    Xtr, Ytr = torch.from_numpy(X), torch.from_numpy(Y)
    indices = [torch.from_numpy(ix) for ix in batches]
    C, W1, b1, W2, b2 = parameters = [torch.tensor(a) for a in arrays]
    for p in parameters:
        p.requires_grad = True
    turn = iter(range(1 << 62))

    def step() -> float:
        ix = indices[next(turn) % len(indices)]
        emb = C[Xtr[ix]]
        h = torch.tanh(emb.view(-1, BLOCK * EMBED) @ W1 + b1)
        logits = h @ W2 + b2
        loss = functional.cross_entropy(logits, Ytr[ix])
        for p in parameters:
            p.grad = None
        loss.backward()
        for p in parameters:
            p.data += -LR * p.grad
        return float(loss.item())

    return step


def numpy_step(
    X: np.ndarray, Y: np.ndarray, arrays: list[np.ndarray], batches: list[np.ndarray]
) -> Callable[[], float]:
    """The same step written out in numpy, its backward by hand: the arithmetic alone, with
    no graph, the floor under any engine that computes with numpy."""
    C, W1, b1, W2, b2 = parameters = [a.copy() for a in arrays]
    rows = np.arange(BATCH)
    turn = iter(range(1 << 62))

    def step() -> float:
        ix = batches[next(turn) % len(batches)]
        Xb, Yb = X[ix], Y[ix]
        emb = C[Xb].reshape(-1, BLOCK * EMBED)
        h = np.tanh(emb @ W1 + b1)
        logits = h @ W2 + b2
        shifted = logits - logits.max(1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
        loss = -log_probs[rows, Yb].mean()
        dlogits = np.exp(log_probs)
        dlogits[rows, Yb] -= 1
        dlogits /= BATCH
        dh = dlogits @ W2.T
        dpre = dh * (1 - h * h)
        dC = np.zeros_like(C)
        np.add.at(dC, Xb.reshape(-1), (dpre @ W1.T).reshape(-1, EMBED))
        grads = [dC, emb.T @ dpre, dpre.sum(0), h.T @ dlogits, dlogits.sum(0)]
        for p, g in zip(parameters, grads):
            p += -LR * g
        return float(loss)

    return step


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="steps per timed run")
    parser.add_argument("--repeats", type=int, default=10, help="timed runs; the best counts")
    args = parser.parse_args(argv)

    threads = numpy_threads()
    torch = optional("torch")
    print(
        f"makemore MLP step: batch {BATCH}, block {BLOCK}, embedding {EMBED}, hidden {HIDDEN}, "
        f"{CHARS} classes, float32, p.data += -lr * p.grad"
    )
    X, Y, arrays, batches = make_problem(args.steps)
    runs = {OURS: tracegrad_step(X, Y, arrays, batches), NUMPY: numpy_step(X, Y, arrays, batches)}
    if torch is None:
        print("torch is not installed: timing tracegrad alone")
    else:
        torch.set_num_threads(threads)
        print(f"threads: numpy {threads}, torch set to {threads}")
        runs[TORCH] = torch_step(torch, X, Y, arrays, batches)
    # Same parameters, same batch: the first losses must agree, or this is not the same step.
    first = {name: step() for name, step in runs.items()}
    for name, loss in first.items():
        if abs(loss - first[OURS]) > 1e-4 * max(1.0, abs(first[OURS])):
            raise SystemExit(f"tracegrad's first loss {first[OURS]}, {name}'s {loss}")
    per_step = time_in_turns(runs, args.steps, args.repeats)
    for name, seconds in per_step.items():
        print(f"  {name:<14} {seconds * 1e6:8.0f} µs per step")
    if torch is not None:
        print(f"ratio tracegrad / torch: {per_step[OURS] / per_step[TORCH]:.2f}x")
        # No engine that computes with numpy goes below the step done by hand.
        print(f"ratio numpy by hand / torch: {per_step[NUMPY] / per_step[TORCH]:.2f}x")


if __name__ == "__main__":
    main()
