"""Optimizers with PyTorch's update rules, written once for scalar and array parameters.

A parameter is anything with ``.data`` and ``.grad``: a Value (floats) or a Tensor (whose
numbers are a numpy array, ``p.array``). The update changes that array in place, so a Tensor
keeps its identity and dtype; a Value always gets a Python float. Each write to a Tensor counts
on its version (``_version``), as PyTorch's in-place updates count: a ``backward()`` whose graph
saved the parameter before the step raises rather than use the new numbers. A Value has no
version; its backward uses the local derivatives its forward pass took, so it gives the
forward's gradient.

As in PyTorch, parameters come as a list, or as a list of param groups (dicts with
``"params"`` and options of their own); ``optimizer.param_groups`` is that list of dicts, so a
schedule can set ``group["lr"]``. Per-parameter state lives in ``optimizer.state[param]``
under PyTorch's names (``step``, ``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq``,
``momentum_buffer``), which is what lets ``nn.to_torch_optimizer`` and
``nn.from_torch_optimizer`` move it to ``torch.optim`` and back.

A parameter with no gradient is skipped, as PyTorch skips ``grad is None``: no weight decay,
no momentum, no Adam step. A Tensor's ``zero_grad`` sets ``None``. A Value's grad must stay a
number (micrograd programs do ``p.data -= lr * p.grad`` after ``zero_grad()``), so zero_grad
stores :data:`NO_GRAD`, a float equal to 0.0 that any backward reaching the Value replaces by
an ordinary float. The optimizer's and the Neuron/Layer/MLP ``zero_grad()`` store it, and a
Value whose grad is still 0.0 when the optimizer is made counts as not reached yet.

    >>> from autograd import Tensor, Value, zeros_like
    >>> w = Value(3.0, "w")
    >>> opt = SGD([w], lr=0.01)
    >>> w.grad = 8.0
    >>> opt.step(); round(w.data, 12)
    2.92
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

import numpy as np

from autograd import Tensor, Value, zeros_like
from autograd.tensors.versions import mark_changed

__all__ = ["Optimizer", "SGD", "Adam", "RMSprop", "NO_GRAD"]


class _NoGrad(float):
    """The grad of a Value that no backward has reached since zero_grad: 0.0, marked."""

    __slots__ = ()


#: What zero_grad stores in a Value's grad: equal to 0.0, and recognisably "no gradient".
NO_GRAD: float = _NoGrad(0.0)


def _is_parameter(thing: Any) -> bool:
    return hasattr(thing, "data") and hasattr(thing, "grad")


def _is_scalar(p: Any) -> bool:
    # A Value is a scalar whatever its .data holds (a user may set an int); anything else
    # whose data is not an array (a foreign scalar node) is treated the same way.
    return isinstance(p, Value) or not (isinstance(p, Tensor) or isinstance(p.data, np.ndarray))


def _numbers(p: Any) -> Any:
    """A parameter's numbers: a Tensor's array, else its ``.data`` (a float, an array)."""
    return p.array if isinstance(p, Tensor) else p.data


def _describe(p: Any) -> str:
    label = getattr(p, "label", "")
    return f"parameter {label!r}" if label else f"a {type(p).__name__} parameter"


class Optimizer:
    """The shared part: param groups, ``zero_grad()``, per-parameter state and option checks.

    ``Optimizer(params, defaults)`` as in PyTorch: ``params`` is an iterable of parameters
    or of param-group dicts; each group takes the options it does not give from ``defaults``.

    >>> from autograd import Value
    >>> opt = Optimizer([Value(1.0)], {"lr": 0.1})
    >>> opt.lr, len(opt.param_groups[0]["params"])
    (0.1, 1)
    """

    def __init__(self, params: Iterable[Any], defaults: Mapping[str, Any]) -> None:
        name = type(self).__name__
        if _is_parameter(params):
            raise TypeError(
                f"params argument given to {name} should be an iterable of parameters or "
                f"dicts, but got one {type(params).__name__}: wrap it in a list, "
                f"{name}([w], ...)"
            )
        if isinstance(params, Mapping):
            raise TypeError(
                f"{name}: a dict of options is one param group: put it in a list, "
                f"{name}([{{'params': ...}}], ...)"
            )
        self.defaults = dict(defaults)
        self._check_options(self.defaults)
        self.state: dict[Any, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        given = list(params)
        if not given:
            raise ValueError(f"{name} got an empty parameter list")
        groups = [g for g in given if isinstance(g, Mapping)]
        if groups and len(groups) != len(given):
            raise TypeError(
                f"{name}: the parameter list mixes param-group dicts and parameters; "
                "give either parameters or dicts with 'params'"
            )
        for index, group in enumerate(groups or [{"params": given}]):
            if "params" not in group:
                raise ValueError(
                    f"{name}: param group {index} has no 'params' (its keys: "
                    f"{', '.join(map(repr, group)) or 'none'})"
                )
            self.add_param_group(group)

    # --- groups -------------------------------------------------------------------------

    def add_param_group(self, param_group: Mapping[str, Any]) -> None:
        """Add a group of parameters with options of its own (the rest from ``defaults``).

        >>> from autograd import Value
        >>> opt = SGD([Value(1.0)], lr=0.1)
        >>> opt.add_param_group({"params": [Value(2.0)], "lr": 0.01})
        >>> [group["lr"] for group in opt.param_groups]
        [0.1, 0.01]
        """
        name = type(self).__name__
        if not isinstance(param_group, Mapping):
            raise TypeError(
                f"{name}: a param group must be a dict, got {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError(f"{name}: the param group has no 'params'")
        given = param_group["params"]
        params = [given] if _is_parameter(given) else list(given)
        seen: dict[int, int] = {}
        for index, p in enumerate(params):
            if not _is_parameter(p):
                raise TypeError(
                    f"{name} can only optimize parameters (Values, Tensors), but parameter "
                    f"{index} is a {type(p).__name__}, {p!r:.60}"
                )
            if getattr(p, "parents", ()):
                raise ValueError(
                    f"{name} can't optimize a non-leaf value ({_describe(p)} at {index} was "
                    "computed from others): give the leaves it was computed from"
                )
            if id(p) in seen:
                raise ValueError(
                    f"{name}: {_describe(p)} is listed twice (at {seen[id(p)]} and {index}); "
                    "list each parameter once, or it would be updated twice per step"
                )
            seen[id(p)] = index
        taken = {id(p) for group in self.param_groups for p in group["params"]}
        if not taken.isdisjoint(seen):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        group = {"params": params, **{k: v for k, v in param_group.items() if k != "params"}}
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check_options(group)
        for p in params:
            if _is_scalar(p) and type(p.grad) is float and p.grad == 0.0:
                p.grad = NO_GRAD  # a fresh (or freshly cleared) Value: not reached yet
        self.param_groups.append(group)

    def _check_options(self, options: Mapping[str, Any]) -> None:
        """Refuse options that can only do harm; each optimizer lists its own."""

    def _option(
        self, options: Mapping[str, Any], key: str, rule: str, ok: Callable[[float], bool]
    ) -> None:
        if key not in options:
            return
        value = options[key]
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            kind = type(value).__name__
            raise TypeError(
                f"{type(self).__name__}: {key} must be a number, got {kind} {value!r:.40}"
            )
        if not (math.isfinite(cast(float, value)) and ok(cast(float, value))):
            raise ValueError(f"{type(self).__name__}: invalid {key} {value!r}: {rule}")

    @property
    def lr(self) -> float:
        """The learning rate, when every group has the same one (``param_groups`` otherwise).
        Setting it sets every group's."""
        rates = {group["lr"] for group in self.param_groups}
        if len(rates) != 1:
            raise AttributeError(
                f"{type(self).__name__}: the param groups have different learning rates "
                f"({', '.join(map(repr, sorted(rates)))}): read param_groups[i]['lr']"
            )
        return next(iter(rates))

    @lr.setter
    def lr(self, value: float) -> None:
        self._option(
            {"lr": value}, "lr", "the learning rate must be a finite number >= 0", _at_least_0
        )
        for group in self.param_groups:
            group["lr"] = value

    @property
    def params(self) -> list[Any]:
        """Every parameter, group by group."""
        return [p for group in self.param_groups for p in group["params"]]

    # --- gradients ----------------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's grad: None for a Tensor (zeros with ``set_to_none=False``),
        as PyTorch's; :data:`NO_GRAD` (a marked 0.0) for a Value, whose grad stays a float.

        >>> import nn
        >>> layer = nn.Linear(2, 1); opt = nn.optim.SGD(layer.parameters(), lr=0.1)
        >>> opt.zero_grad(); layer.bias.grad is None
        True
        """
        for group in self.param_groups:
            for p in group["params"]:
                if _is_scalar(p):
                    p.grad = NO_GRAD
                elif set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad = zeros_like(p)

    def step(self) -> None:  # pragma: no cover - every optimizer defines its own
        raise NotImplementedError


def _at_least_0(x: float) -> bool:
    return x >= 0.0


def _gradient(p: Any, scalar: bool) -> Any:
    """The parameter's gradient (a float for a Value), or None if it has none.

    After ``backward(create_graph=True)`` a grad is itself a node (a Value or a Tensor with a
    graph); the step uses its numbers, as PyTorch's optimizers step outside the graph.
    """
    grad = p.grad
    if grad is None or type(grad) is _NoGrad:
        return None
    if scalar:
        return float(grad.data if isinstance(grad, Value) else grad)
    return grad.array if isinstance(grad, Tensor) else grad


def _write(p: Any, scalar: bool, update: Any, by: str) -> None:
    """p ← p − update: a Python float into a Value; in place into a Tensor's array, counted
    on its version as PyTorch's optimizers count theirs, so a backward() whose graph saved
    the old numbers raises instead of using the new ones (``by`` names the step)."""
    if scalar:
        p.data = float(p.data - update)
    else:
        numbers = _numbers(p)
        numbers -= update
        if isinstance(p, Tensor):
            mark_changed(p, by)


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
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
        }
        super().__init__(params, defaults)

    def _check_options(self, options: Mapping[str, Any]) -> None:
        self._option(options, "lr", "the learning rate must be a finite number >= 0", _at_least_0)
        self._option(options, "momentum", "momentum must be a finite number >= 0", _at_least_0)
        self._option(options, "dampening", "dampening must be a finite number", lambda x: True)
        self._option(
            options, "weight_decay", "weight decay must be a finite number >= 0", _at_least_0
        )
        if options.get("nesterov") and (
            options.get("momentum", 0) <= 0 or options.get("dampening", 0) != 0
        ):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        by = f"{type(self).__name__}.step()"
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            weight_decay, nesterov = group["weight_decay"], group["nesterov"]
            for p in group["params"]:
                scalar = _is_scalar(p)
                grad = _gradient(p, scalar)
                if grad is None:
                    continue
                if weight_decay:
                    grad = grad + weight_decay * (float(p.data) if scalar else _numbers(p))
                if momentum:
                    state = self.state.setdefault(p, {})
                    buffer = state.get("momentum_buffer")
                    if buffer is None:
                        buffer = grad * 1.0  # a copy: the gradient may be changed in place later
                    else:
                        buffer = momentum * buffer + (1.0 - dampening) * grad
                    state["momentum_buffer"] = buffer
                    grad = grad + momentum * buffer if nesterov else buffer
                _write(p, scalar, lr * grad, by)


class Adam(Optimizer):
    """Adam (Kingma and Ba), with PyTorch's defaults and update rule.

    m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², then
    p ← p − lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε).
    With ``amsgrad=True`` (AMSGrad, Reddi et al.) the denominator uses the largest v seen so
    far, kept in ``state[p]["max_exp_avg_sq"]``, so a parameter's steps never grow back after
    a burst of large gradients.

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
        amsgrad: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
        }
        super().__init__(params, defaults)

    def _check_options(self, options: Mapping[str, Any]) -> None:
        self._option(options, "lr", "the learning rate must be a finite number >= 0", _at_least_0)
        self._option(options, "eps", "eps must be a finite number >= 0", _at_least_0)
        self._option(
            options, "weight_decay", "weight decay must be a finite number >= 0", _at_least_0
        )
        if "betas" in options:
            betas = options["betas"]
            if not isinstance(betas, (tuple, list)) or len(betas) != 2:
                raise ValueError(f"Adam: betas must be a pair (β₁, β₂), got {betas!r}")
            for beta in betas:
                if isinstance(beta, bool) or not isinstance(beta, numbers.Real):
                    raise TypeError(f"Adam: betas must be numbers, got {betas!r}")
                if not 0.0 <= cast(float, beta) < 1.0:
                    raise ValueError(
                        f"Adam: invalid betas {tuple(betas)!r}: each must be in [0, 1)"
                    )

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        by = f"{type(self).__name__}.step()"
        for group in self.param_groups:
            lr, (beta1, beta2) = group["lr"], group["betas"]
            eps, weight_decay = group["eps"], group["weight_decay"]
            amsgrad = group.get("amsgrad", False)
            for p in group["params"]:
                scalar = _is_scalar(p)
                grad = _gradient(p, scalar)
                if grad is None:
                    continue
                if weight_decay:
                    grad = grad + weight_decay * (float(p.data) if scalar else _numbers(p))
                state = self.state.setdefault(p, {})
                t = state.get("step", 0) + 1
                m = beta1 * state.get("exp_avg", 0.0) + (1.0 - beta1) * grad
                v = beta2 * state.get("exp_avg_sq", 0.0) + (1.0 - beta2) * (grad * grad)
                state.update(step=t, exp_avg=m, exp_avg_sq=v)
                if amsgrad:
                    largest = state.get("max_exp_avg_sq", 0.0)
                    v = max(largest, v) if scalar else np.maximum(largest, v)
                    state["max_exp_avg_sq"] = v
                bias_correction1 = 1.0 - beta1**t
                bias_correction2 = 1.0 - beta2**t
                root = math.sqrt(v) if scalar else np.sqrt(v)
                denominator = root / math.sqrt(bias_correction2) + eps
                _write(p, scalar, (lr / bias_correction1) * (m / denominator), by)


class RMSprop(Optimizer):
    """RMSprop (Hinton's), with PyTorch's defaults and update rule.

    v ← αv + (1 − α)g², then p ← p − lr·g/(√v + ε); with ``centered=True`` the running mean
    of g, ḡ, is kept too and the root is √(v − ḡ²); with momentum μ, b ← μ·b + g/(√v + ε) and
    p ← p − lr·b. State under PyTorch's names: ``step``, ``square_avg``, ``grad_avg``,
    ``momentum_buffer``.

    >>> from autograd import Value
    >>> w = Value(1.0)
    >>> opt = RMSprop([w], lr=0.01)
    >>> w.grad = 0.5; opt.step(); round(w.data, 6)
    0.9
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
        }
        super().__init__(params, defaults)

    def _check_options(self, options: Mapping[str, Any]) -> None:
        self._option(options, "lr", "the learning rate must be a finite number >= 0", _at_least_0)
        self._option(options, "alpha", "alpha must be a finite number >= 0", _at_least_0)
        self._option(options, "eps", "eps must be a finite number >= 0", _at_least_0)
        self._option(options, "momentum", "momentum must be a finite number >= 0", _at_least_0)
        self._option(
            options, "weight_decay", "weight decay must be a finite number >= 0", _at_least_0
        )

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        by = f"{type(self).__name__}.step()"
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            weight_decay, momentum = group["weight_decay"], group["momentum"]
            for p in group["params"]:
                scalar = _is_scalar(p)
                grad = _gradient(p, scalar)
                if grad is None:
                    continue
                if weight_decay:
                    grad = grad + weight_decay * (float(p.data) if scalar else p.data)
                state = self.state.setdefault(p, {})
                state["step"] = state.get("step", 0) + 1
                v = alpha * state.get("square_avg", 0.0) + (1.0 - alpha) * (grad * grad)
                state["square_avg"] = v
                if group["centered"]:
                    mean = alpha * state.get("grad_avg", 0.0) + (1.0 - alpha) * grad
                    state["grad_avg"] = mean
                    v = v - mean * mean
                root = math.sqrt(v) if scalar else np.sqrt(v)
                scaled = grad / (root + eps)
                if momentum:
                    scaled = momentum * state.get("momentum_buffer", 0.0) + scaled
                    state["momentum_buffer"] = scaled
                _write(p, scalar, lr * scaled, by)
