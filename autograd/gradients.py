"""Gradients as values: ``grad()`` and ``backward(create_graph=True)``, to any order.

PyTorch's ``torch.autograd.grad``: the gradients of some outputs with respect to some
inputs, returned instead of stored in ``.grad``. With ``create_graph=True`` each gradient
is itself a node of a graph, built by the very derivative rules backward uses (written to
run on numbers and on nodes alike, see :mod:`autograd.ops` and :mod:`autograd.tensor_ops`),
so it can be differentiated again, drawn and explained. The gradient nodes are labelled by
what they mean: ``dy/dx``.

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

from collections.abc import Sequence
from typing import Any

import numpy as np

from .engine import grad_mode as _mode
from .engine.grad_mode import enable_grad, no_grad
from .engine.graph import gradients, topological_order
from .engine.notation import CONSTANT, Namer, parenthesize
from .scalar.value import Value, _describe_input
from .tensors.ops import fit_gradient
from .tensors.tensor import Tensor, _plain, _who

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
                    f"grad: output {i}, {_who(out)}, does not require grad and was not computed "
                    "from anything that does, so there is nothing to differentiate "
                    "(PyTorch: element 0 of tensors does not require grad)"
                )
        for i, x in enumerate(ins):
            if not x.requires_grad:
                raise RuntimeError(
                    f"grad: input {i}, {_who(x)}, does not require grad (PyTorch: one of the "
                    "differentiated Tensors does not require grad); create it with "
                    "requires_grad=True"
                )
    seeds = _seeds(outs, grad_outputs, kind, create_graph)
    with enable_grad() if create_graph else no_grad():
        grads = gradients(outs, seeds, ins, create_graph=create_graph)
    order = _order_of(outs)
    original = {id(node) for node in order}
    original.update(id(seed) for seed in seeds)
    namer, d_root = _names(outs, order)
    results: list[Any] = []
    for i, x in enumerate(ins):
        g = grads.get(id(x))
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i}, {_name_of(x)}, was not used to compute the outputs, so "
                    "it has no gradient (PyTorch: one of the differentiated Tensors appears to "
                    "not have been used in the graph). Pass allow_unused=True to get None for it"
                )
            results.append(None)
            continue
        results.append(_as_result(g, kind, original, _label(namer, outs, d_root, x)))
    if create_graph:
        _label_named(grads, order, namer, d_root, original)
    return tuple(results)


def backward_into_grad(root: Any, gradient: Any, *, create_graph: bool) -> None:
    """``root.backward(gradient, create_graph=...)``: the walk of :func:`grad`, with the
    results stored in ``.grad`` as ``backward()`` stores them (leaves accumulate,
    intermediate nodes start again)."""
    kind = _kind([root])
    seeds = _seeds([root], gradient, kind, create_graph, where="backward")
    with enable_grad() if create_graph else no_grad():
        grads = gradients([root], seeds, None, create_graph=create_graph)
    order = topological_order(root)
    original = {id(node) for node in order}
    original.add(id(seeds[0]))
    namer, d_root = _names([root], order)
    for node in order:
        if node.owner is CONSTANT or (kind is Tensor and not node.requires_grad):
            continue
        g = grads.get(id(node))
        if node.parents:
            node.grad = (0.0 if kind is Value else None) if g is None else g
            continue
        if g is None:
            continue
        g = _as_result(g, kind, original, _label(namer, [root], d_root, node))
        held = node.grad
        empty = held is None or (type(held) is float and held == 0.0)
        node.grad = g if empty else held + g
    _label_named(grads, order, namer, d_root, original)


def _order_of(outputs: Sequence[Any]) -> list[Any]:
    """Every node the outputs depend on (outputs included), parents first."""
    from .engine.graph import _Roots

    return topological_order(_Roots(outputs))[:-1]


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


def _seeds(
    outs: Sequence[Any], grad_outputs: Any, kind: type, create_graph: bool, where: str = "grad"
) -> list[Any]:
    """d(root)/d(output) for each output: ones for single numbers, else ``grad_outputs``."""
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
            f"{where}: grad_outputs has {len(given)} entries but there are {len(outs)} "
            "outputs; give one per output (None for a single number)"
        )
    seeds = []
    for out, seed in zip(outs, given):
        if kind is Value:
            seeds.append(_value_seed(seed, create_graph, where))
        else:
            array = out._seed(seed.data if isinstance(seed, Tensor) else seed, where)
            if isinstance(seed, Tensor) and create_graph:
                seeds.append(seed if seed.data.dtype == out.data.dtype else seed.to(out.dtype))
            else:
                seeds.append(_plain(array) if create_graph else array)
    return seeds


def _value_seed(seed: Any, create_graph: bool, where: str) -> Any:
    if seed is None:
        return 1.0
    if isinstance(seed, Value):
        return seed if create_graph else seed.data
    if isinstance(seed, (int, float)) and not isinstance(seed, bool):
        return float(seed)
    raise TypeError(
        f"{where}: a Value's grad_output is a number or a Value, got "
        f"{type(seed).__name__} {seed!r:.60}"
    )


# --- results and their names ------------------------------------------------------------


def _names(outs: Sequence[Any], order: Sequence[Any]) -> tuple[Namer, str]:
    namer = Namer(order)
    if len(outs) == 1:
        return namer, namer.d(outs[0])
    return namer, "d(" + " + ".join(parenthesize(namer.name(o)) for o in outs) + ")"


_POWERS = "¹²³⁴⁵⁶⁷⁸⁹"


def _label(namer: Namer, outs: Sequence[Any], d_root: str, x: Any) -> str:
    """``dy/dx``; the derivative of ``dy/dx`` by x again is ``d²y/dx²``, then ``d³y/dx³``."""
    name = namer.name(x)
    if len(outs) == 1 and "/" not in name:
        root = namer.name(outs[0])
        for order, power in enumerate(("", *_POWERS[1:-1]), start=1):
            top, slash, bottom = root.partition("/")
            if slash and top.startswith("d" + power) and bottom == f"d{name}{power}":
                function = top[1 + len(power) :]
                if function and "/" not in function:
                    return f"d{_POWERS[order]}{function}/d{name}{_POWERS[order]}"
    return f"{d_root}/{namer.d(x)}"


def _name_of(node: Any) -> str:
    return _who(node) if isinstance(node, Tensor) else _describe_input(node)


def _as_result(g: Any, kind: type, original: set[int], label: str) -> Any:
    """A gradient as handed to the user: a node of its own, labelled ``dy/dx``.

    A gradient may be a node of the graph itself (d(w·x)/dx is w) or a seed: it is then
    multiplied by 1, so that labelling it, or later changing ``w``, leaves the other alone."""
    if kind is Value:
        if not isinstance(g, Value):
            return Value(g, label)
        if id(g) in original or g.label:
            g = g * 1.0
    else:
        if not isinstance(g, Tensor):
            array = g if g.base is None else g.copy()
            out = _plain(array)
            out.label = label
            return out
        if id(g) in original or g.label:
            g = g * 1
    g.label = label
    return g


def _label_named(
    grads: dict[int, Any], order: Sequence[Any], namer: Namer, d_root: str, original: set[int]
) -> None:
    """Label the gradients of labelled nodes (dL/dz), where the walk made a node of their own."""
    for node in reversed(order):
        g = grads.get(id(node))
        if not node.label or not isinstance(g, (Value, Tensor)) or id(g) in original:
            continue
        if not g.label and g.parents:
            g.label = f"{d_root}/{namer.d(node)}"


# --- the gradient graph: backward rules run on Tensors ---------------------------------


class _LeavesGraph(TypeError):
    """numpy (or float()) tried to read a Tensor of a gradient graph as plain numbers."""


class _AsNodes:
    """A recorded node as its backward rule sees it when building a gradient graph:
    ``data`` is the Tensor itself rather than its array, so the rule's arithmetic records
    nodes (tensor_ops writes each rule once, for both)."""

    __slots__ = ("data", "parents", "ctx", "requires_grad")

    def __init__(self, data: Tensor, parents: tuple[_AsNodes, ...], requires_grad: bool) -> None:
        self.data = data
        self.parents = parents
        self.ctx = data.ctx
        self.requires_grad = requires_grad


def _graph_contributions(
    node: Tensor, upstream: Tensor, needed: Sequence[bool]
) -> list[Tensor | None]:
    """Each parent's share of ``upstream`` as Tensors recorded in a graph (create_graph):
    what ``Tensor._shares`` hands on when asked to build the graph."""
    op = node.op
    assert op is not None
    view = _AsNodes(
        node,
        tuple(_AsNodes(p, (), need and p.requires_grad) for p, need in zip(node.parents, needed)),
        True,
    )
    building, _mode.building_graph = _mode.building_graph, True
    try:
        with enable_grad():
            grads = list(op.backward(view, upstream))
    except (TypeError, AttributeError) as error:
        raise RuntimeError(
            f"{op.name}: its backward rule cannot be built from Tensors, so it cannot be "
            f"differentiated twice (create_graph=True): {error}"
        ) from None
    finally:
        _mode.building_graph = building
    shares: list[Tensor | None] = []
    grad: Any
    for parent, grad, need in zip(node.parents, grads, needed):
        if grad is None or not need or not parent.requires_grad:
            shares.append(None)
            continue
        if not isinstance(grad, Tensor):
            grad = _plain(np.asarray(grad))  # a gradient that depends on nothing: a constant
        data = parent.data
        if grad.data.shape != data.shape or grad.data.dtype != data.dtype:
            grad = fit_gradient(grad, data)
        shares.append(grad)
    return shares
