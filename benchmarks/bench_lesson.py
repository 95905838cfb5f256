"""Lessons: time to build and save the step-through page of an MLP's loss, and its size.

    python -m benchmarks.bench_lesson [--points N]

The graph is micrograd's demo loss for MLP(2, [16, 16, 1]) (ReLU, 337 parameters) on N
two-moons points (default 10): mean(relu(1 − y·score)) + 1e-4·Σp², drawn with
``collapse="neuron"``. The lesson runs backward step by step, draws the graph with Graphviz,
estimates every leaf's gradient by finite differences and writes one HTML file.

The peer, in the same run, is what drawing the same graph alone costs:
``draw_dot(loss, collapse="neuron").pipe(format="svg")``, Graphviz's layout included. The
ratio says how much the page adds to the picture it is built around.

Then big graphs: micrograd's demo loss as its demo writes it (Python's ``sum``: a chain of
``+`` per sum) on 10 and 100 points, and the 100-term sum ``x + x + … + x``, each beside
the same graph written with ``Value.sum`` (one node per sum), built and saved plain and
collapsed (``--points-big 10 100`` to choose).
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path

import nn
from autograd import Value, draw_dot, lesson, topological_order
from autograd.engine.notation import CONSTANT
from benchmarks._peers import best_time, demo_loss, long_sum, two_moons


def loss_graph(points: int) -> Value:
    X, Y = two_moons(points)
    model = nn.MLP(2, [16, 16, 1], activation="relu", seed=1337)
    scores = [model(x, squeeze=True) for x in X]
    return nn.hinge_loss(scores, Y) + 1e-4 * Value.sum([p * p for p in model.parameters()])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_lesson")
    parser.add_argument("--points", type=int, default=10, help="two-moons points (default 10)")
    parser.add_argument(
        "--points-big", type=int, nargs="*", default=[10, 100], help="demo-loss sizes"
    )
    args = parser.parse_args(argv)
    loss = loss_graph(args.points)
    count = len(topological_order(loss))
    print(
        f"Lesson of micrograd's demo loss: MLP(2, [16, 16, 1]) on {args.points} points, "
        f"{count:,} Value nodes, collapse='neuron'"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lesson.html"
        built = best_time(lambda: lesson(loss, collapse="neuron").save(path), repeats=3)
        page = lesson(loss, collapse="neuron")
        size = page.save(path).stat().st_size
    drawn = best_time(
        lambda: draw_dot(loss, collapse="neuron").pipe(format="svg"), repeats=3, warmup=0
    )
    leaves = [n for n in topological_order(loss) if not n.parents and n.owner is not CONSTANT]
    print(
        f"  {page.forward_steps:,} forward values, {page.backward_steps:,} backward steps, "
        f"{len(leaves):,} leaves in the table"
    )
    print(f"  lesson(loss, collapse='neuron').save(...)   {built:8.2f} s")
    print(f"  the file                                    {size / 1e6:8.2f} MB")
    print(f"  peer: draw_dot(...).pipe(format='svg')      {drawn:8.2f} s")
    print(f"  the lesson takes {built / drawn:.1f}x the time of drawing the same graph")
    big_graphs(args.points_big)


def big_graphs(sizes: Sequence[int]) -> None:
    """Lessons of graphs written with Python's sum, beside the same written with Value.sum."""
    print("\nBig graphs: lesson(...).save(...), Python's sum beside Value.sum (seconds)")
    print(f"  {'graph':<34}{'nodes':>8}{'steps':>8}{'plain':>8}{'neuron':>8}{'MB':>7}")
    cases = [(f"demo loss, {n} points", lambda s, n=n: demo_loss(n, s)) for n in sizes]
    cases.append(("100-term sum x + x + … + x", lambda s: long_sum(100, s)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lesson.html"
        for name, build in cases:
            for python_sum in (True, False):
                root = build(python_sum)
                collapse = "neuron" if "demo" in name else None
                plain = best_time(lambda r=root: lesson(r).save(path), repeats=1, warmup=0)
                folded = best_time(
                    lambda r=root, c=collapse: lesson(r, collapse=c).save(path),
                    repeats=1,
                    warmup=0,
                )
                size = path.stat().st_size / 1e6
                steps = lesson(root, collapse=collapse).backward_steps
                form = "Python's sum" if python_sum else "Value.sum"
                print(
                    f"  {name + ', ' + form:<34}{len(topological_order(root)):>8,}"
                    f"{steps:>8,}{plain:>8.2f}{folded:>8.2f}{size:>7.2f}"
                )


if __name__ == "__main__":
    main()
