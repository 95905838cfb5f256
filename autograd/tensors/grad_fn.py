"""``t.grad_fn``: the op that made a tensor, as PyTorch shows its backward nodes.

PyTorch keeps a graph of backward functions beside its tensors (``MulBackward0``, ...);
tracegrad's graph is the tensors themselves, each holding its op record and its parents. A
:class:`GradFn` is a view of one recorded node in PyTorch's terms: ``name()`` is PyTorch's name
for that node's backward, ``next_functions`` leads to the parents' (an
:class:`AccumulateGrad` for a leaf that requires grad, None for a constant), and it prints the
op in the graph's own names. A leaf's ``grad_fn`` is None, as in PyTorch.

    >>> from autograd import Tensor
    >>> x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    >>> y = x * 2 + 1
    >>> y.grad_fn, y.grad_fn.name(), x.grad_fn
    (<AddBackward0: (x · 2) + 1>, 'AddBackward0', None)
    >>> y.grad_fn.next_functions
    ((<MulBackward0: x · 2>, 0), (None, 0))
    >>> y.grad_fn.next_functions[0][0].next_functions
    ((<AccumulateGrad: x>, 0), (None, 0))
"""

from __future__ import annotations

from typing import Any

from ..engine.graph import topological_order
from ..narration.names import Namer

__all__ = ["GradFn", "AccumulateGrad", "grad_fn_of", "pytorch_name"]

#: Where PyTorch's name for a backward node is not the op's name in CamelCase.
_PYTORCH = {
    "matmul": "Mm",
    "cross_entropy": "NllLoss",
    "bce": "BinaryCrossEntropy",
    "bce_logits": "BinaryCrossEntropyWithLogits",
    "reshape": "View",
    "clip": "Clamp",
    "cast": "ToCopy",
    "log_softmax": "LogSoftmax",
    "leaky_relu": "LeakyRelu",
    "expand": "Expand",
}


def pytorch_name(op: Any) -> str:
    """PyTorch's name for the backward of ``op`` (a custom Function's is its name +
    ``Backward``, as PyTorch's).

    >>> from autograd.tensors import ops as T
    >>> pytorch_name(T.MATMUL), pytorch_name(T.power(2.0)), pytorch_name(T.log_softmax(1))
    ('MmBackward0', 'PowBackward0', 'LogSoftmaxBackward0')
    """
    name = op.name
    if name[:1].isupper():  # a custom Function, named after its class (op names are lowercase)
        return f"{name}Backward"
    if name.startswith(("pow", "rpow")) and name not in _PYTORCH:
        return "PowBackward1" if name in ("pow", "rpow") else "PowBackward0"
    base = _PYTORCH.get(name) or "".join(part.capitalize() for part in name.split("_"))
    return f"{base}Backward0"


class GradFn:
    """One recorded node, as PyTorch's backward function of the tensor it made."""

    __slots__ = ("node",)

    def __init__(self, node: Any) -> None:
        self.node = node

    def name(self) -> str:
        """PyTorch's name for this backward node (``MulBackward0``)."""
        return pytorch_name(self.node.op)

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """The parents' backward nodes, in the op's order: a :class:`GradFn` for a computed
        tensor, an :class:`AccumulateGrad` for a leaf that requires grad, None for one that
        does not; each paired with 0, as PyTorch pairs them with an output index."""
        return tuple((grad_fn_of(p) or _accumulator(p), 0) for p in self.node.parents)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GradFn) and other.node is self.node

    def __hash__(self) -> int:
        return id(self.node)

    def __repr__(self) -> str:
        node = self.node
        names = Namer(topological_order(node))
        return f"<{self.name()}: {node.op.render([names.name(p) for p in node.parents])}>"


class AccumulateGrad:
    """Where a leaf's gradient is added up (PyTorch's ``AccumulateGrad``); ``variable`` is
    the leaf."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    next_functions: tuple[tuple[Any, int], ...] = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self) -> int:
        return id(self.variable)

    def __repr__(self) -> str:
        leaf = self.variable
        return f"<AccumulateGrad: {leaf.label or Namer([leaf]).name(leaf)}>"


def grad_fn_of(t: Any) -> GradFn | None:
    """``t.grad_fn``: its node's :class:`GradFn`, or None for a leaf (or a result made while
    nothing was recorded)."""
    return None if t.op is None else GradFn(t)


def _accumulator(t: Any) -> AccumulateGrad | None:
    return AccumulateGrad(t) if t.requires_grad else None
