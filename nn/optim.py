"""Optimizers with PyTorch's update rules, written once for scalar and array parameters.

A parameter is anything with ``.data`` and ``.grad``: a Value (floats) or a Tensor (numpy
arrays). The arithmetic below works on both, and ``p.data -= update`` changes an array in
place, so a Tensor keeps its identity and dtype.

    >>> from autograd import Value
    >>> w = Value(3.0, "w")
    >>> opt = SGD([w], lr=0.01)
    >>> w.grad = 8.0
    >>> opt.step(); round(w.data, 12)
    2.92
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["Optimizer", "SGD", "Adam"]


class Optimizer:
    """The shared part: the parameter list, ``zero_grad()`` and per-parameter state.

    >>> from autograd import Value
    >>> opt = Optimizer([Value(1.0)], lr=0.1)
    >>> opt.lr
    0.1
    """

    def __init__(self, params: Iterable[Any], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        if not lr >= 0.0:
            raise ValueError(f"{type(self).__name__}: learning rate must be >= 0, got {lr!r}")
        self.lr = lr
        self.state: dict[int, dict[str, Any]] = {}

    def zero_grad(self) -> None:
        """Clear every parameter's grad: 0.0 for a Value, None for a Tensor (as PyTorch does)."""
        for p in self.params:
            p.grad = 0.0 if isinstance(p.data, float) else None

    def _gradients(self) -> Iterable[tuple[Any, Any, dict[str, Any]]]:
        """Each parameter that has a gradient, its gradient, and its state."""
        for p in self.params:
            grad = p.grad
            if grad is None:
                continue
            yield p, grad, self.state.setdefault(id(p), {})

    def step(self) -> None:  # pragma: no cover - every optimizer defines its own
        raise NotImplementedError


def _sqrt(x: Any) -> Any:
    return math.sqrt(x) if isinstance(x, float) else np.sqrt(x)


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and weight decay (PyTorch's rule).

    With momentum μ: b ← μ·b + (1 − dampening)·g (b = g on the first step), then
    p ← p − lr·b (or p − lr·(g + μ·b) with ``nesterov=True``).

    >>> from autograd import Value
    >>> w = Value(1.0)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     w.grad = 1.0
    ...     opt.step()
    >>> round(w.data, 10)
    0.71
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")
        self.momentum, self.dampening = momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        lr, momentum = self.lr, self.momentum
        for p, grad, state in self._gradients():
            if self.weight_decay:
                grad = grad + self.weight_decay * p.data
            if momentum:
                buffer = state.get("momentum")
                if buffer is None:
                    buffer = grad * 1.0  # a copy: the gradient may be changed in place later
                else:
                    buffer = momentum * buffer + (1.0 - self.dampening) * grad
                state["momentum"] = buffer
                grad = grad + momentum * buffer if self.nesterov else buffer
            p.data -= lr * grad


class Adam(Optimizer):
    """Adam (Kingma and Ba), with PyTorch's defaults and update rule.

    m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², then
    p ← p − lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε).

    >>> from autograd import Value
    >>> w = Value(1.0)
    >>> opt = Adam([w], lr=0.1)
    >>> w.grad = 0.5; opt.step(); round(w.data, 6)
    0.9
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        beta1, beta2 = betas
        if not (0.0 <= beta1 < 1.0 and 0.0 <= beta2 < 1.0):
            raise ValueError(f"Adam: betas must be in [0, 1), got {betas!r}")
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        beta1, beta2 = self.betas
        for p, grad, state in self._gradients():
            if self.weight_decay:
                grad = grad + self.weight_decay * p.data
            t = state.get("step", 0) + 1
            m = beta1 * state.get("m", 0.0) + (1.0 - beta1) * grad
            v = beta2 * state.get("v", 0.0) + (1.0 - beta2) * (grad * grad)
            state.update(step=t, m=m, v=v)
            bias_correction1 = 1.0 - beta1**t
            bias_correction2 = 1.0 - beta2**t
            denominator = _sqrt(v) / math.sqrt(bias_correction2) + self.eps
            p.data -= (self.lr / bias_correction1) * (m / denominator)
