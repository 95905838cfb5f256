"""Scalar engine: bytes per Value node, and backward through long chains, beside micrograd.

    python -m benchmarks.scalar_engine

Memory: tracemalloc over a 100,000-node chain ``y = y + x`` (one new node per step), after
the forward pass and again after backward (which gives every node a grad). Time: backward of
chains 900 deep (micrograd's recursive sort still works there), 100,000 deep beside PyTorch
(a 0-d float64 tensor per step: the same graph in torch's C++ engine) and 1,000,000 deep.
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from autograd import Value
from benchmarks._peers import optional

NODES = 100_000


def chain(make: Callable[[float], Any], depth: int) -> tuple[Any, Any]:
    x = make(1.0)
    y = x
    for _ in range(depth):
        y = y + x
    return x, y


def bytes_per_node(make: Callable[[float], Any]) -> tuple[float, float]:
    gc.collect()
    tracemalloc.start()
    x, y = chain(make, NODES)
    after_forward = tracemalloc.get_traced_memory()[0]
    try:
        y.backward()
        after_backward = tracemalloc.get_traced_memory()[0]
    except RecursionError:
        after_backward = float("nan")
    tracemalloc.stop()
    return after_forward / NODES, after_backward / NODES


def backward_seconds(make: Callable[[float], Any], depth: int, repeats: int) -> float | str:
    """The best of ``repeats`` backward passes, each on a freshly built chain.

    Best-of-several matters here: freeing a peer's big graph leaves the allocator a one-off
    clean-up that lands on whichever run allocates next.
    """
    best = float("inf")
    for _ in range(repeats):
        x, y = chain(make, depth)
        gc.collect()  # micrograd's closures make reference cycles: collect them outside the timing
        start = time.perf_counter()
        try:
            y.backward()
        except RecursionError:
            return "RecursionError"
        best = min(best, time.perf_counter() - start)
        assert x.grad == depth + 1, "wrong gradient"
    return best


def torch_scalar(torch: Any) -> Callable[[float], Any]:
    def make(x: float) -> Any:
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    return make


def main() -> None:
    engine = optional("micrograd.engine")
    torch = optional("torch")
    peers: dict[str, Callable[[float], Any]] = {"tracegrad": Value}
    if engine is not None:
        peers["micrograd"] = engine.Value
    print(f"Python {sys.version.split()[0]}, recursion limit {sys.getrecursionlimit()}")
    print(f"\nBytes per node (tracemalloc, {NODES:,}-node chain)")
    memory = {name: bytes_per_node(make) for name, make in peers.items()}
    for name, (forward, backward) in memory.items():
        print(f"  {name:<10} after forward {forward:7.1f}   after backward {backward:7.1f}")
    if "micrograd" in memory:
        ratio = memory["tracegrad"][0] / memory["micrograd"][0]
        print(f"  tracegrad uses {ratio:.2f}x micrograd's memory per node (target: at most 0.5x)")
    else:
        print("  (micrograd is not installed: pip install micrograd to compare)")

    for depth, repeats in ((900, 20), (100_000, 5), (1_000_000, 3)):
        print(f"\nBackward through a chain {depth:,} deep (best of {repeats})")
        runners = dict(peers)
        if depth == 100_000 and torch is not None:
            torch.set_num_threads(1)
            runners["torch"] = torch_scalar(torch)
        results = {name: backward_seconds(make, depth, repeats) for name, make in runners.items()}
        for name, seconds in results.items():
            shown = seconds if isinstance(seconds, str) else f"{seconds * 1000:9.2f} ms"
            print(f"  {name:<10} {shown}")
        ours, theirs = results["tracegrad"], results.get("micrograd")
        if isinstance(ours, float) and isinstance(theirs, float):
            print(f"  micrograd takes {theirs / ours:.1f}x tracegrad's time")
        torch_time = results.get("torch")
        if isinstance(ours, float) and isinstance(torch_time, float):
            print(f"  tracegrad takes {ours / torch_time:.2f}x torch's time")


if __name__ == "__main__":
    main()
