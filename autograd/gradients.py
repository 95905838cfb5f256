"""Gradients as values: ``grad()`` and ``backward(create_graph=True)``, to any order.

PyTorch's ``torch.autograd.grad``: the gradients of some outputs with respect to some
inputs, returned instead of stored in ``.grad``. With ``create_graph=True`` each gradient
is itself a node of a graph, built by the very derivative rules backward uses (written to
run on numbers and on nodes alike, see :mod:`autograd.scalar.ops` and
:mod:`autograd.tensors.ops`), so it can be differentiated again, drawn and explained. The
gradient nodes are labelled by what they mean: ``dy/dx``.

    >>> from autograd import Value
    >>> x = Value(2.0, "x")
    >>> y = x**3; y.label = "y"
    >>> (dy_dx,) = grad(y, x, create_graph=True)
    >>> dy_dx
    Value(data=12.0, grad=0.0, label='dy/dx')
    >>> print(dy_dx.explain().splitlines()[3])
      dy/dx = 3 · x^2 = 3 · 4 = 12
    >>> grad(dy_dx, x)[0].data  # d²y/dx² = 6x
    12.0
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any

import numpy as np

from .engine.graph import Roots, grads_from_zero, topological_order, walk
from .narration.names import as_gradient, derivative_name, derivative_names, made_by_backward
from .scalar.value import UNRECORDED, Value
from .tensors.tensor import Tensor

__all__ = ["grad"]


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    *,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Any, ...]:
    """The gradients of ``outputs`` with respect to each of ``inputs``, as PyTorch's
    ``torch.autograd.grad``; no ``.grad`` is touched.

    ``outputs`` and ``inputs`` are one Value or Tensor, or a sequence of them (all Values
    or all Tensors). ``grad_outputs`` weights each output (d(something)/d(output), of the
    output's shape); it may be left out for single-number outputs. The result is a tuple
    with one gradient per input: d(Σ weight·output)/d(input), as a Value or a Tensor. With
    ``create_graph=True`` the gradients are built from nodes and can be differentiated
    again, to any order. An input the outputs do not depend on is an error, or None with
    ``allow_unused=True``. ``retain_graph`` is accepted for PyTorch's sake: graphs are
    always kept.

    It runs the engine's one backward loop (:func:`~autograd.engine.graph.walk`) from all
    the outputs at once, over only the nodes that lead to an input, with every grad put
    back as it was afterwards.

    >>> from autograd import Tensor
    >>> w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    >>> loss = (w**3).sum()
    >>> (g,) = grad(loss, w, create_graph=True)
    >>> g.tolist(), g.label
    ([3.0, 12.0], 'dout/dw')
    >>> grad(g.sum(), w)[0].tolist()  # Σ d²loss/dw² = 6w
    [6.0, 12.0]
    """
    outs = _as_list(outputs, "outputs")
    ins = _as_list(inputs, "inputs")
    if not outs:
        raise RuntimeError("grad: outputs is empty; give at least one Value or Tensor")
    if not ins:
        raise RuntimeError("grad: inputs is empty; give at least one Value or Tensor")
    kind = _kind(outs + ins)
    if kind is Tensor:
        for i, out in enumerate(outs):
            if not out.requires_grad:
                raise RuntimeError(
                    f"grad: output {i}, {out.who()}, does not require grad and was not computed "
                    "from anything that does, so there is nothing to differentiate "
                    "(PyTorch: element 0 of tensors does not require grad)"
                )
        for i, x in enumerate(ins):
            if not x.requires_grad:
                raise RuntimeError(
                    f"grad: input {i}, {x.who()}, does not require grad (PyTorch: one of the "
                    "differentiated Tensors does not require grad); create it with "
                    "requires_grad=True"
                )
    else:
        for i, out in enumerate(outs):
            if out.owner is UNRECORDED:
                raise RuntimeError(
                    f"grad: output {i}, {out.who()}, was computed inside no_grad(), which "
                    "records no graph, so there is nothing to differentiate (PyTorch: element "
                    "0 of tensors does not require grad)"
                )
    seeds = [out.seed(seed, create_graph) for out, seed in zip(outs, _given(outs, grad_outputs))]
    roots = Roots(outs, seeds)
    order = topological_order(roots)
    graph = order[:-1]  # the nodes themselves, without the Roots that holds them together
    # Only nodes that lead to an input pass gradient on: a node is worth it if an input is,
    # or lies upstream of, it.
    targets = {id(x) for x in ins}
    wanted: set[int] = set()
    for node in graph:
        if id(node) in targets or any(id(p) in wanted for p in node.parents):
            wanted.add(id(node))
    walked = [node for node in graph if id(node) in wanted] + [roots]
    with grads_from_zero(graph):
        deque(walk(roots, order=walked, create_graph=create_graph), maxlen=0)
        found = [x.grad if id(x) in wanted else None for x in ins]
        named = _named_gradients(graph, wanted) if create_graph else []
    original = {id(node) for node in graph}
    original.update(id(seed) for seed in seeds)
    namer, d_root = derivative_names(outs, graph)
    wrap = Value if kind is Value else _constant_tensor
    results: list[Any] = []
    for i, (x, g) in enumerate(zip(ins, found)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i}, {x.who()}, was not used to compute the outputs, so "
                    "it has no gradient (PyTorch: one of the differentiated Tensors appears to "
                    "not have been used in the graph). Pass allow_unused=True to get None for it"
                )
            results.append(None)
            continue
        label = derivative_name(namer, outs, d_root, x)
        results.append(as_gradient(g, original, label, wrap))
    for node, g in named:  # the gradients of labelled nodes, where the walk made nodes of them
        if made_by_backward(node, g, original):
            g.label = f"{d_root}/{namer.d(node)}"
    return tuple(results)


def _named_gradients(graph: Sequence[Any], wanted: set[int]) -> list[tuple[Any, Any]]:
    return [(node, node.grad) for node in graph if node.label and id(node) in wanted]


def _constant_tensor(array: Any) -> Tensor:
    return Tensor(array, dtype=np.asarray(array).dtype)


# --- arguments --------------------------------------------------------------------------


def _as_list(items: Any, what: str) -> list[Any]:
    if isinstance(items, (Value, Tensor)):
        return [items]
    if isinstance(items, (list, tuple)):
        for item in items:
            if not isinstance(item, (Value, Tensor)):
                raise TypeError(
                    f"grad: {what} must be Values or Tensors, got {type(item).__name__} "
                    f"{item!r:.60}"
                )
        return list(items)
    raise TypeError(
        f"grad: {what} must be a Value, a Tensor or a sequence of them, got "
        f"{type(items).__name__} {items!r:.60}"
    )


def _kind(nodes: Sequence[Any]) -> type:
    kinds = {type(node) for node in nodes}
    if len(kinds) > 1:
        raise TypeError("grad: outputs and inputs must be all Values or all Tensors, not both")
    return Value if Value in kinds else Tensor


def _given(outs: Sequence[Any], grad_outputs: Any) -> list[Any]:
    """``grad_outputs`` as one entry per output (None: a single number's 1)."""
    kind = type(outs[0])
    per_output = isinstance(grad_outputs, (list, tuple)) and (
        kind is Value or all(g is None or isinstance(g, (Tensor, np.ndarray)) for g in grad_outputs)
    )
    if grad_outputs is None:
        given: list[Any] = [None] * len(outs)
    elif per_output:
        given = list(grad_outputs)
    else:
        given = [grad_outputs]  # one output's gradient (a Tensor's may be a nested list)
    if len(given) != len(outs):
        raise ValueError(
            f"grad: grad_outputs has {len(given)} entries but there are {len(outs)} "
            "outputs; give one per output (None for a single number)"
        )
    return given
