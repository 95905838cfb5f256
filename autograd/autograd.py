"""PyTorch's ``torch.autograd``, as ``autograd.autograd``: after ``import autograd as torch``,
``torch.autograd.grad``, ``torch.autograd.backward`` and ``torch.autograd.Function`` are these.

    >>> import autograd as torch
    >>> x = torch.tensor([3.0], requires_grad=True)
    >>> torch.autograd.grad((x * x).sum(), x)[0].tolist()
    [6.0]
    >>> torch.autograd.Function is torch.Function
    True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .engine.grad_mode import enable_grad, is_grad_enabled, no_grad
from .gradients import grad
from .tensors.factories import tensor
from .tensors.function import Function, FunctionCtx, once_differentiable
from .tensors.tensor import Tensor
from .tools.gradcheck import gradcheck as check_gradients

__all__ = [
    "grad",
    "backward",
    "Function",
    "FunctionCtx",
    "once_differentiable",
    "gradcheck",
    "Variable",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
]


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """``torch.autograd.backward``: backward from each of ``tensors`` (one or a sequence),
    weighted by ``grad_tensors``, adding into the leaves' ``.grad``.

    >>> import autograd as torch
    >>> w = torch.tensor([1.0, 2.0], requires_grad=True)
    >>> torch.autograd.backward([(w * w).sum(), w.sum()]); w.grad.tolist()
    [3.0, 5.0]
    """
    roots = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        weights: list[Any] = [grad_tensors] * len(roots)
    else:
        weights = list(grad_tensors)
    if len(weights) != len(roots):
        raise ValueError(
            f"backward: {len(roots)} tensors but {len(weights)} grad_tensors (one each)"
        )
    for root, weight in zip(roots, weights):
        root.backward(weight, create_graph=create_graph)


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    **ignored: Any,
) -> bool:
    """``torch.autograd.gradcheck``: True when backward agrees with finite differences for
    ``func(*inputs)``, else an error saying where (or False with ``raise_exception=False``).
    :func:`autograd.gradcheck` gives the whole report.

    >>> import autograd as torch
    >>> x = torch.tensor([0.5, 2.0], dtype=torch.float64, requires_grad=True)
    >>> torch.autograd.gradcheck(lambda x: (x * x).sin(), (x,))
    True
    """
    given = tuple(inputs) if isinstance(inputs, Sequence) else (inputs,)
    report = check_gradients(
        func, *given, eps=eps, atol=atol, rtol=rtol, raise_on_failure=raise_exception
    )
    return bool(report)


def Variable(data: Any, requires_grad: bool = False, volatile: bool = False) -> Tensor:  # noqa: N802
    """PyTorch's old ``Variable(tensor, requires_grad=...)``: today simply a tensor (a new
    leaf holding the same numbers) with ``requires_grad`` set.

    >>> import autograd as torch
    >>> torch.autograd.Variable(torch.ones(2), requires_grad=True).requires_grad
    True
    """
    leaf = data.detach() if isinstance(data, Tensor) else tensor(data)
    return leaf.requires_grad_(requires_grad and not volatile)
