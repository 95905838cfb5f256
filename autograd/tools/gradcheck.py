"""Check backward against central finite differences.

Example:
    >>> from autograd import Value
    >>> report = gradcheck(lambda a, b: (a * b).tanh(), Value(0.5, "a"), Value(-1.5, "b"))
    >>> bool(report)
    True

Tensors too (a Tensor result with many entries is summed); every entry is checked:

    >>> from autograd import Tensor
    >>> W = Tensor([[0.5, -1.0], [2.0, 0.1]], label="W")
    >>> report = gradcheck(lambda W: (W @ W).tanh(), W)
    >>> bool(report), [check.name for check in report.checks]
    (True, ['W[0, 0]', 'W[0, 1]', 'W[1, 0]', 'W[1, 1]'])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..scalar.value import Value
from ..tensors.tensor import Tensor

__all__ = [
    "gradcheck",
    "GradcheckReport",
    "InputCheck",
    "GradcheckError",
    "rerun",
    "FiniteDifferences",
    "numbers_of",
]


class GradcheckError(AssertionError):
    """Raised by ``gradcheck(..., raise_on_failure=True)`` when an input disagrees."""


@dataclass(frozen=True)
class InputCheck:
    """The comparison for one input (one element of it, for a Tensor).

    >>> InputCheck("x", 2.0, 2.0000001, 1e-7, True).ok
    True
    """

    name: str
    analytic: float
    numeric: float
    error: float
    ok: bool

    def __str__(self) -> str:
        verdict = "ok" if self.ok else "MISMATCH"
        return (
            f"{self.name:>12}  backward {self.analytic: .10g}  finite-difference "
            f"{self.numeric: .10g}  |diff| {self.error:.3g}  {verdict}"
        )


@dataclass(frozen=True)
class GradcheckReport:
    """All comparisons; true when every input agrees. ``str()`` gives a readable table.

    >>> from autograd import Value
    >>> r = gradcheck(lambda x: x * x, Value(3.0, "x"))
    >>> r.worst.name, r.worst.analytic
    ('x', 6.0)
    """

    checks: tuple[InputCheck, ...]
    atol: float
    rtol: float

    def __bool__(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> tuple[InputCheck, ...]:
        """The inputs whose gradients disagree."""
        return tuple(c for c in self.checks if not c.ok)

    @property
    def worst(self) -> InputCheck:
        """The input with the largest disagreement."""
        return max(self.checks, key=lambda c: c.error)

    def __str__(self) -> str:
        head = "gradcheck passed" if self else f"gradcheck FAILED for {len(self.failures)} input(s)"
        head += f" (atol={self.atol:g}, rtol={self.rtol:g})"
        return "\n".join([head, *map(str, self.checks)])


def numbers_of(node: Any) -> Any:
    """A node's numbers: a Value's float, a Tensor's array (not ``.data``, which is a Tensor);
    a plain number as it is.

    >>> numbers_of(Value(2.0)), numbers_of(Tensor([1.0])), numbers_of(3.0)
    (2.0, array([1.], dtype=float32), 3.0)
    """
    return node.array if isinstance(node, Tensor) else getattr(node, "data", node)


def _is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def _checked(x: Any) -> bool:
    """Whether gradcheck varies this input: Values and float Tensors; integer Tensors (labels,
    indices) pass through unchanged."""
    return not _is_tensor(x) or x.dtype.kind == "f"


def _leaf_like(template: Any, data: np.ndarray) -> Any:
    """A fresh leaf of the same kind as ``template`` holding ``data`` (float64)."""
    label = getattr(template, "label", "")
    if isinstance(template, Tensor):
        return Tensor(data, requires_grad=True, dtype=np.float64, label=label)
    return Value(float(data), label)


def _total(out: Any, what: str) -> Any:
    """The output as one number: a Tensor with many entries is summed, as d(Σ out)/dx
    checks every entry's gradient at once."""
    if _is_tensor(out):
        return out.sum() if out.array.size != 1 else out
    if not hasattr(out, "data") or np.size(out.data) != 1:
        raise ValueError(f"gradcheck: {what} must return a Value or a Tensor, got {out!r}")
    return out


def _number(out: Any) -> float:
    return float(np.asarray(numbers_of(out), dtype=np.float64).reshape(()))


def gradcheck(
    f: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_on_failure: bool = False,
) -> GradcheckReport:
    """Compare the gradients backward computes for ``f(*inputs)`` with finite differences.

    ``f`` takes Values (or Tensors) and returns a Value or a Tensor; a Tensor with many
    entries is summed first. Each input is replaced by a fresh float64 copy (a Tensor one
    with ``requires_grad=True``), so the caller's grads are untouched; integer Tensors
    (labels, indices) are passed as they are and not checked. Each element is nudged by
    ``±eps`` and ``(f(x+eps) − f(x−eps)) / 2eps`` is compared with the backward gradient: it
    agrees when ``|diff| <= atol + rtol·|finite difference|``.

    >>> from autograd import Value
    >>> print(gradcheck(lambda x: x.relu() * 3, Value(2.0, "x")))  # doctest: +ELLIPSIS
    gradcheck passed (atol=1e-05, rtol=0.001)
               x  backward  3  finite-difference  3  |diff| ...  ok
    """
    if not inputs:
        raise ValueError("gradcheck needs at least one input")
    templates = list(inputs)
    checked = [_checked(t) for t in templates]
    bases = [
        np.array(numbers_of(x), dtype=np.float64) if check else np.array(numbers_of(x))
        for x, check in zip(templates, checked)
    ]

    def arguments(which: int = -1, flat_index: int = 0, delta: float = 0.0) -> list[Any]:
        made = []
        for i, (t, b, check) in enumerate(zip(templates, bases, checked)):
            if not check:
                made.append(t)
                continue
            data = b.copy()
            if i == which:
                data.reshape(-1)[flat_index] += delta
            made.append(_leaf_like(t, data))
        return made

    leaves = arguments()
    total = _total(f(*leaves), "f")
    if getattr(total, "requires_grad", True):  # else f ignores its inputs: every grad is 0
        total.backward()
    analytic = [
        np.zeros_like(b) if leaf.grad is None else np.array(leaf.grad, dtype=np.float64)
        for leaf, b in zip(leaves, bases)
    ]

    def evaluate(which: int, flat_index: int, delta: float) -> float:
        return _number(_total(f(*arguments(which, flat_index, delta)), "f"))

    checks = []
    for i, (template, base) in enumerate(zip(templates, bases)):
        if not checked[i]:
            continue
        name = getattr(template, "label", "") or f"input {i}"
        for k in range(base.size):
            numeric = (evaluate(i, k, eps) - evaluate(i, k, -eps)) / (2 * eps)
            grad = float(analytic[i].reshape(-1)[k])
            error = abs(grad - numeric)
            ok = bool(error <= atol + rtol * abs(numeric)) or (
                math.isnan(grad) and math.isnan(numeric)
            )
            label = (
                name
                if base.size == 1
                else f"{name}[{', '.join(map(str, np.unravel_index(k, base.shape)))}]"
            )
            checks.append(InputCheck(label, grad, numeric, error, ok))
    report = GradcheckReport(tuple(checks), atol, rtol)
    if raise_on_failure and not report:
        raise GradcheckError(str(report))
    return report


# --- finite differences on a graph already built ---------------------------------------------


def rerun(order: Sequence[Any], given: Mapping[int, Any]) -> Any:
    """The last node's data computed again from the op records, in topological ``order``.

    A node in ``given`` (by ``id``) holds that data; any other node of ``order`` with parents
    is its op's forward rule applied to its parents' new data; everything else (leaves, and
    parents outside ``order``) keeps its recorded data. Nothing in the graph changes.

    >>> from autograd import Value, topological_order
    >>> x = Value(2.0, "x"); y = x * x + 1
    >>> rerun(topological_order(y), {id(x): 3.0})
    10.0
    """
    computed = dict(given)
    for node in order:
        if id(node) in computed or not node.parents:
            continue
        arguments = [computed.get(id(parent), numbers_of(parent)) for parent in node.parents]
        if getattr(node.op, "takes_ctx", False):  # a Tensor op reading its node's ctx
            arguments.append(node.ctx)
        computed[id(node)] = node.op.forward(*arguments)
    last = order[-1]
    return computed.get(id(last), numbers_of(last))


class FiniteDifferences:
    """Central differences ``(f(x+eps) − f(x−eps)) / 2eps`` of a built graph's root (the last
    node of topological ``order``, one number) with respect to its leaves, by :func:`rerun`.

    Only the nodes that depend on the nudged leaf are computed again, and float Tensors are
    taken in float64 there, so the estimate is not limited by float32. A nudge that leaves an
    op's domain raises that op's error.

    >>> from autograd import Value, topological_order
    >>> x, w = Value(3.0, "x"), Value(2.0, "w")
    >>> nudge = FiniteDifferences(topological_order(x * x * w))
    >>> [round(d, 6) for d in nudge.of(x) + nudge.of(w)]
    [12.0, 9.0]
    """

    def __init__(self, order: Sequence[Any]) -> None:
        self.order = list(order)
        self.index = {id(node): i for i, node in enumerate(self.order)}
        self.users: list[list[int]] = [[] for _ in self.order]
        for i, node in enumerate(self.order):
            for parent in node.parents:
                self.users[self.index[id(parent)]].append(i)

    def downstream(self, leaf: Any) -> list[Any]:
        """``leaf`` and every node that depends on it, in topological order."""
        start = self.index[id(leaf)]
        reached, stack = {start}, [start]
        while stack:
            for user in self.users[stack.pop()]:
                if user not in reached:
                    reached.add(user)
                    stack.append(user)
        return [self.order[i] for i in sorted(reached)]

    def of(self, leaf: Any, entries: Sequence[int] = (0,), eps: float = 1e-6) -> list[float]:
        """The estimates for the listed flat ``entries`` of ``leaf`` (a Value has one)."""
        nodes = self.downstream(leaf)
        scalar = not _is_tensor(leaf)
        base: dict[int, Any] = {}
        if not scalar:
            for node in nodes:
                for parent in node.parents:
                    if not parent.parents and parent.array.dtype.kind == "f":
                        base[id(parent)] = parent.array.astype(np.float64)
        start: Any = float(leaf.data) if scalar else leaf.array.astype(np.float64)
        estimates = []
        with np.errstate(all="ignore"):
            for entry in entries:
                sides = []
                for delta in (eps, -eps):
                    if scalar:
                        nudged: Any = start + delta
                    else:
                        nudged = start.copy()
                        nudged.reshape(-1)[entry] += delta
                    sides.append(_number_of(rerun(nodes, {**base, id(leaf): nudged})))
                estimates.append((sides[0] - sides[1]) / (2 * eps))
        return estimates


def _number_of(data: Any) -> float:
    array = np.asarray(data, dtype=np.float64)
    if array.size != 1:
        raise ValueError(f"finite_difference needs a root that is one number, not {array.shape}")
    return float(array.reshape(()))
