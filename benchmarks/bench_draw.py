"""Drawing: time to produce the DOT source of a 10,000-node graph, beside a plain baseline.

    python -m benchmarks.bench_draw

The graph is 2,000 neuron-like blocks ``y = relu(w·y + b)`` on one input: 10,001 Value
nodes, 6,000 of them computed (so 6,000 op nodes), 6,000 deep. Only the DOT text is timed, never
Graphviz's layout (``dot`` itself takes far longer on a graph this size).

The peer is the usual way to draw micrograd's graph: the same expression built from
micrograd Values, walked iteratively (micrograd's own recursive walk cannot go 6,000
deep), one record-shaped node per value and per op added through graphviz's
``Digraph.node`` / ``Digraph.edge``. It escapes nothing, so it is a lower bound on the
work, not a drawing that handles any label.

Then big graphs, Graphviz's layout included: ``draw_dot(root).pipe(format="svg")`` of
micrograd's demo loss as its demo writes it (Python's ``sum``) on 10 and 100 points and of
the 100-term sum ``x + x + … + x``, beside the same graphs written with ``Value.sum``, with
the picture's size in points (the default picture summarises a big graph).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import graphviz

from autograd import Owner, Value, draw_dot, topological_order
from benchmarks._peers import best_time, demo_loss, long_sum, optional

BLOCKS = 2_000
NEURONS_PER_LAYER = 50


def build(make: Callable[..., Any], groups: bool = False) -> Any:
    """2,000 blocks y = relu(w·y + b); with ``groups``, each block is a neuron of a layer."""
    y = make(0.5, "x")
    for i in range(BLOCKS):
        w, b = make(0.9, f"w{i}"), make(0.01, f"b{i}")
        wy = w * y
        z = wy + b
        y = z.relu()
        if groups:
            owner = (("layer", f"L{i // NEURONS_PER_LAYER}"), ("neuron", f"N{i}"))
            for node, role in ((w, "param"), (b, "param"), (wy, "computed"), (z, "computed")):
                node.owner = Owner(owner, role)
            y.owner = Owner(owner, "computed")
    return y


def micrograd_style_dot(root: Any) -> str:
    """A baseline drawing: record nodes through the graphviz package, nothing escaped."""
    dot = graphviz.Digraph(graph_attr={"rankdir": "LR"})
    seen, stack, nodes = {id(root)}, [root], []
    while stack:
        node = stack.pop()
        nodes.append(node)
        for child in node._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    for node in nodes:
        uid = str(id(node))
        dot.node(
            uid,
            label=f"{{ data {node.data:.4f} | grad {node.grad:.4f} }}",
            shape="record",
        )
        if node._op:
            dot.node(uid + node._op, label=node._op)
            dot.edge(uid + node._op, uid)
        for child in node._prev:
            dot.edge(str(id(child)), uid + node._op)
    return dot.source


def big_graphs() -> None:
    import re

    print("\nBig graphs: draw_dot(root).pipe(format='svg'), layout included")
    print(f"  {'graph':<40}{'nodes':>8}{'seconds':>9}  picture (pt)")
    cases = [(f"demo loss, {n} points", lambda s, n=n: demo_loss(n, s)) for n in (10, 100)]
    cases.append(("100-term sum x + x + … + x", lambda s: long_sum(100, s)))
    for name, make in cases:
        for python_sum in (True, False):
            root = make(python_sum)
            root.backward()
            svg = b""

            def draw(root: Any = root) -> None:
                nonlocal svg
                svg = draw_dot(root).pipe(format="svg")

            seconds = best_time(draw, repeats=1, warmup=0)
            size = re.search(rb'width="([\d.]+)pt" height="([\d.]+)pt"', svg)
            shown = f"{float(size[1]):,.0f} × {float(size[2]):,.0f}" if size else "?"
            form = "Python's sum" if python_sum else "Value.sum"
            print(
                f"  {name + ', ' + form:<40}{len(topological_order(root)):>8,}"
                f"{seconds:>9.2f}  {shown}"
            )


def main() -> None:
    root = build(lambda data, label: Value(data, label))
    root.backward()
    count = len(topological_order(root))
    print(f"Graph: {count:,} Value nodes ({BLOCKS:,} blocks y = relu(w·y + b))")

    plain = best_time(lambda: draw_dot(root).source)
    print(f"\n  draw_dot(root).source                    {plain * 1000:7.1f} ms")

    grouped = build(lambda data, label: Value(data, label), groups=True)
    clustered = best_time(lambda: draw_dot(grouped).source)
    collapsed = best_time(lambda: draw_dot(grouped, collapse="neuron").source)
    stepped = best_time(lambda: draw_dot(root, step=count // 2).source, repeats=3)
    print(
        f"  with {BLOCKS // NEURONS_PER_LAYER} layer clusters of {NEURONS_PER_LAYER} neurons"
        f"        {clustered * 1000:7.1f} ms"
    )
    print(f"  collapse='neuron' ({BLOCKS:,} boxes)             {collapsed * 1000:7.1f} ms")
    print(
        f"  step={count // 2:,} (runs all {count - 1:,} backward steps)  {stepped * 1000:7.1f} ms"
    )

    engine = optional("micrograd.engine")
    if engine is None:
        print("\n  micrograd is not installed: no baseline to compare with")
        big_graphs()
        return
    peer_root = build(lambda data, label: engine.Value(data))
    peer = best_time(lambda: micrograd_style_dot(peer_root))
    print(f"\n  baseline: micrograd graph, Digraph.node/edge  {peer * 1000:7.1f} ms")
    print(f"  draw_dot takes {plain / peer:.2f}x the baseline's time (target: well under 1 s)")
    big_graphs()


if __name__ == "__main__":
    main()
