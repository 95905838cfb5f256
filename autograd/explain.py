"""The lesson as text: forward values, then each chain-rule step of backward.

Example:
    >>> from autograd import Value
    >>> x, w = Value(2.0, "x"), Value(3.0, "w")
    >>> y = w * x; y.label = "y"
    >>> print(explain(y))
    Forward pass: each value from its inputs
      w = 3
      x = 2
      y = w · x = 3 · 2 = 6
    <BLANKLINE>
    Backward pass: the chain rule, from y back to every input
      dy/dy = 1
      step 1: dy/dw = dy/dy · dy/dw = 1 · 2 = 2    [d(a·b)/da = b]
      step 2: dy/dx = dy/dy · dy/dx = 1 · 3 = 3    [d(a·b)/db = a]
    <BLANKLINE>
    Gradients of the inputs
      dy/dw = 2
      dy/dx = 3
"""

from __future__ import annotations

from typing import Any

from .graph import (
    CONSTANT,
    Namer,
    _is_finite,
    backward_steps,
    brief,
    grads_from_zero,
    topological_order,
)

__all__ = ["explain"]


def _mark(number: Any) -> str:
    return "" if _is_finite(number) else "   ⚠ not a finite number: it will spread to the result"


def explain(root: Any) -> str:
    """Narrate the forward and backward pass of the graph ending at ``root``.

    The backward pass is narrated as if every grad started at zero, and every grad is
    restored afterwards: reading the lesson changes nothing.
    """
    order = topological_order(root)
    namer = Namer(order)
    lines = ["Forward pass: each value from its inputs"]
    for node in order:
        if node.owner is CONSTANT:
            continue  # plain numbers show up inside the expressions that use them
        name, shown = namer.name(node), node._describe(node.data)
        if node.parents:
            names = [namer.name(p) for p in node.parents]
            numbers = [brief(p, p.data) for p in node.parents]
            expression = node.op.render(names)
            line = f"  {name} = {expression}" if expression != name else f"  {name}"
            line += f" = {node.op.render(numbers)} = {shown}"
        else:
            line = f"  {name} = {shown}"
        lines.append(line + _mark(node.data))

    lines += ["", f"Backward pass: the chain rule, from {namer.name(root)} back to every input"]
    d_root = namer.d(root)
    with grads_from_zero(order):
        steps = backward_steps(root)
        lines.append(f"  {d_root}/{d_root} = 1")
        for step in steps:
            lines.append(f"  step {step.index}: {step}    [{step.formula}]")
        # A leaf that needs no gradient (a Tensor input without requires_grad) gets none.
        leaves = [
            node
            for node in order
            if not node.parents and node.owner is not CONSTANT and node.grad is not None
        ]
        lines += ["", "Gradients of the inputs"]
        for leaf in leaves:
            grad = leaf.grad
            lines.append(f"  {d_root}/{namer.d(leaf)} = {leaf._describe(grad)}{_mark(grad)}")
    return "\n".join(lines)
