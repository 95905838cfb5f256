"""Training moves mid-way: ``nn.to_torch_optimizer`` and ``nn.from_torch_optimizer``.

A model converted with ``nn.to_torch`` (or ``nn.from_torch``) starts afresh on the other side
unless its optimizer comes along. These move an SGD or Adam optimizer's param groups, their
options and each parameter's state (step counts, momentum buffers, Adam's averages) across,
pairing the parameters of the two models by name with :func:`~nn.torch.kinds.parameter_map`, so
the next ``step()`` on the other side is the one this side would have taken.

>>> import pytest; torch = pytest.importorskip("torch")  # the examples need PyTorch
>>> import nn, autograd
>>> model = nn.Linear(2, 1)
>>> opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
>>> model(autograd.ones(1, 2)).sum().backward(); opt.step()
>>> module = nn.to_torch(model)
>>> topt = nn.to_torch_optimizer(opt, model, module)
>>> again = nn.from_torch_optimizer(topt, module, nn.from_torch(module))
>>> [group["momentum"] for group in again.param_groups]
[0.9]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.tensors.interop import require_torch
from nn import optim

from .kinds import SCALAR_MODELS, ConversionError, array_to_torch, parameter_map

__all__ = ["to_torch_optimizer", "from_torch_optimizer"]

# The options each optimizer has on both sides, under the same names and meanings.
_OPTIMIZER_OPTIONS = {
    "SGD": ("lr", "momentum", "dampening", "weight_decay", "nesterov"),
    "Adam": ("lr", "betas", "eps", "weight_decay", "amsgrad"),
}
# PyTorch options that change the update in a way tracegrad has no rule for: only their
# default carries over.
_TORCH_ONLY_OPTIONS = {"maximize": False, "decoupled_weight_decay": False}
# PyTorch options that choose how it computes (kernels, devices, graphs), not what it computes,
# and the parameter names it may keep, which the pairing by name takes the place of.
_TORCH_MACHINERY = frozenset({"foreach", "fused", "capturable", "differentiable", "param_names"})


def to_torch_optimizer(optimizer: Any, model: Any, torch_module: Any) -> Any:
    """A ``torch.optim.SGD`` or ``Adam`` for ``torch_module`` that continues where ``optimizer`` is.

    ``optimizer`` is a tracegrad ``nn.optim.SGD`` or ``Adam`` over (some of) ``model``'s
    parameters, and ``torch_module`` is the model in PyTorch (``nn.to_torch(model)``). Each
    parameter is paired with the torch parameter of the same name (``parameter_map``).
    The torch optimizer gets the same param groups with their options (and any keys of your
    own, such as a name), and each parameter's state: ``step``, ``exp_avg``, ``exp_avg_sq``,
    ``max_exp_avg_sq`` for Adam, ``momentum_buffer`` for SGD. Its next ``step()`` is the one
    ``optimizer`` would have taken. For a scalar ``nn.MLP`` the Values of one torch parameter
    (a layer's weights, or its biases) must be in the optimizer together, in one group, and
    have taken the same number of steps. Needs PyTorch (``pip install torch``).

    >>> import pytest; torch = pytest.importorskip("torch")
    >>> import nn, autograd
    >>> model = nn.Linear(3, 1)
    >>> opt = nn.optim.Adam(model.parameters(), lr=0.01)
    >>> model(autograd.ones(2, 3)).sum().backward(); opt.step()
    >>> module = nn.to_torch(model)
    >>> topt = nn.to_torch_optimizer(opt, model, module)
    >>> type(topt).__name__, topt.param_groups[0]["lr"], topt.state[module.weight]["step"].item()
    ('Adam', 0.01, 1.0)
    """
    who = "nn.to_torch_optimizer"
    torch = require_torch(who)
    kind = _our_optimizer_kind(optimizer, who)
    pairing = _Pairing(model, torch_module, who)
    groups, order = [], []
    for index, group in enumerate(optimizer.param_groups):
        names = pairing.names_of_ours(group["params"], index)
        order.extend(names)
        options = {key: value for key, value in group.items() if key != "params"}
        groups.append({"params": [pairing.pairs[name][1] for name in names], **options})
    made = getattr(torch.optim, kind)(groups, **optimizer.defaults)
    # Through load_state_dict, PyTorch's own way in: it puts each tensor on its parameter's
    # device and dtype and makes the step counts into the tensors its update expects.
    saved = made.state_dict()
    saved["state"] = {}
    for position, name in enumerate(order):
        state = pairing.torch_state(torch, name, optimizer.state)
        if state:
            saved["state"][position] = state
    made.load_state_dict(saved)
    return made


def from_torch_optimizer(torch_optimizer: Any, torch_module: Any, model: Any) -> Any:
    """A tracegrad ``nn.optim.SGD`` or ``Adam`` for ``model`` that continues where
    ``torch_optimizer`` is.

    The reverse of :func:`to_torch_optimizer`: ``torch_optimizer`` is a ``torch.optim.SGD`` or
    ``torch.optim.Adam`` over ``torch_module``'s parameters, and ``model`` the tracegrad model
    with the same parameter names (``nn.from_torch(torch_module)``, or the model it came from).
    Param groups, their options and each parameter's state carry over, so the next ``step()``
    is the one PyTorch would have taken. A torch optimizer of another kind (``AdamW``,
    ``RMSprop``, ...) or with an option tracegrad has no rule for (``maximize=True``,
    ``decoupled_weight_decay=True``) is a ``ConversionError`` that names it. Options that
    only choose how PyTorch computes (``foreach``, ``fused``, ...) are left behind.

    >>> import pytest; torch = pytest.importorskip("torch")
    >>> import nn
    >>> module = torch.nn.Linear(3, 1)
    >>> topt = torch.optim.SGD(module.parameters(), lr=0.1, momentum=0.9)
    >>> module(torch.ones(2, 3)).sum().backward(); topt.step()
    >>> model = nn.from_torch(module)
    >>> opt = nn.from_torch_optimizer(topt, module, model)
    >>> opt.state[model.bias]["momentum_buffer"]
    array([2.], dtype=float32)
    """
    who = "nn.from_torch_optimizer"
    torch = require_torch(who)
    kind = type(torch_optimizer)
    if kind not in (torch.optim.SGD, torch.optim.Adam):
        raise ConversionError(
            f"{who}: {kind.__module__}.{kind.__qualname__} has no tracegrad counterpart; these "
            "convert: torch.optim.SGD and torch.optim.Adam"
        )
    name = kind.__name__
    pairing = _Pairing(model, torch_module, who)
    defaults = _options_from_torch(torch, torch_optimizer.defaults, name, "its defaults")
    defaults = {key: value for key, value in defaults.items() if key in _OPTIMIZER_OPTIONS[name]}
    groups, torch_params = [], []
    for index, group in enumerate(torch_optimizer.param_groups):
        ours = pairing.ours_of_torch(group["params"], index)
        torch_params.extend(group["params"])
        groups.append({"params": ours, **_options_from_torch(torch, group, name, f"group {index}")})
    made = getattr(optim, name)(groups, **defaults)
    for param in torch_params:
        state = torch_optimizer.state.get(param)
        if state:
            pairing.set_our_state(param, state, made.state)
    return made


def _our_optimizer_kind(optimizer: Any, who: str) -> str:
    for kind in (optim.SGD, optim.Adam):
        if type(optimizer) is kind:
            return kind.__name__
    if isinstance(optimizer, (optim.SGD, optim.Adam)):
        raise ConversionError(
            f"{who}: the optimizer is a {type(optimizer).__name__}, a subclass of "
            f"{type(optimizer).__mro__[1].__name__} whose step may differ from PyTorch's; give "
            "an nn.optim.SGD or nn.optim.Adam"
        )
    raise TypeError(f"{who} converts an nn.optim.SGD or Adam, got {type(optimizer).__name__}")


def _options_from_torch(torch: Any, options: Any, kind: str, where: str) -> dict[str, Any]:
    """A torch param group's (or defaults') options as tracegrad's optimizer takes them."""
    kept: dict[str, Any] = {}
    for key, value in options.items():
        if key == "params" or key in _TORCH_MACHINERY:
            continue
        if key in _TORCH_ONLY_OPTIONS:
            if bool(value) != _TORCH_ONLY_OPTIONS[key]:
                raise ConversionError(
                    f"nn.from_torch_optimizer: {where} of the torch.optim.{kind} has "
                    f"{key}={value!r}, which tracegrad's {kind} does not have (only "
                    f"{key}={_TORCH_ONLY_OPTIONS[key]!r})"
                )
            continue
        kept[key] = _plain(torch, value)
    return kept


def _plain(torch: Any, value: Any) -> Any:
    """PyTorch lets lr and betas be one-element tensors; tracegrad wants numbers."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    if isinstance(value, tuple):
        return tuple(_plain(torch, item) for item in value)
    return value


class _Pairing:
    """The parameters of a tracegrad model and its torch counterpart, paired by name."""

    def __init__(self, model: Any, torch_module: Any, who: str) -> None:
        self.who = who
        try:
            self.pairs = parameter_map(model, torch_module)
        except ValueError as error:
            raise ValueError(f"{who} pairs parameters by name: {error}") from None
        self.scalar = isinstance(model, SCALAR_MODELS)
        self.by_ours: dict[int, str] = {}
        for name, (ours, _) in self.pairs.items():
            for p in ours.flat if self.scalar else [ours]:
                self.by_ours[id(p)] = name
        self.by_theirs = {id(theirs): name for name, (_, theirs) in self.pairs.items()}

    def names_of_ours(self, params: list[Any], group: int) -> list[str]:
        """The names of the torch parameters a tracegrad param group's parameters make up."""
        names: dict[str, None] = {}
        for position, p in enumerate(params):
            name = self.by_ours.get(id(p))
            if name is None:
                label = getattr(p, "label", "")
                raise ValueError(
                    f"{self.who}: parameter {position} of param group {group}"
                    f"{f' ({label!r})' if label else ''} is not a parameter of the model"
                )
            names[name] = None
        if self.scalar:
            given = {id(p) for p in params}
            for name in names:
                values = self.pairs[name][0]
                held = sum(id(v) in given for v in values.flat)
                if held != values.size:
                    raise ValueError(
                        f"{self.who}: param group {group} holds {held} of the {values.size} "
                        f"Values of {name}; PyTorch keeps {name} as one tensor, so the "
                        "optimizer must hold all of them, in one group, or none"
                    )
        return list(names)

    def ours_of_torch(self, params: list[Any], group: int) -> list[Any]:
        """The tracegrad parameters (Values, for a scalar model) for a torch param group."""
        ours: list[Any] = []
        for position, p in enumerate(params):
            name = self.by_theirs.get(id(p))
            if name is None:
                raise ValueError(
                    f"{self.who}: parameter {position} of param group {group} "
                    f"(shape {tuple(p.shape)}) is not a parameter of the torch module"
                )
            found = self.pairs[name][0]
            if self.scalar:
                ours.extend(found.flat)
            else:
                ours.append(found)
        return ours

    def torch_state(self, torch: Any, name: str, states: dict[Any, dict[str, Any]]) -> Any:
        """The torch optimizer state for parameter ``name``: a dict, or None if it has none."""
        ours = self.pairs[name][0]
        if not self.scalar:
            state = states.get(ours)
            if not state:
                return None
            return {key: _state_to_torch(torch, key, value) for key, value in state.items()}
        values = list(ours.flat)
        found = [states.get(v) for v in values]
        present = [state for state in found if state]
        if not present:
            return None
        keys = set(present[0])
        if len(present) != len(values) or any(set(state) != keys for state in present):
            raise ValueError(
                f"{self.who}: {len(present)} of the {len(values)} Values of {name} have "
                "optimizer state, or they hold different kinds of it; PyTorch keeps one state "
                f"for the whole tensor {name}"
            )
        converted: dict[str, Any] = {}
        for key in sorted(keys):
            numbers = [state[key] for state in present]
            if key == "step":
                if len(set(numbers)) != 1:
                    raise ValueError(
                        f"{self.who}: the Values of {name} have taken different numbers of "
                        f"steps ({min(numbers)} to {max(numbers)}); PyTorch counts one step "
                        f"for the whole tensor {name}"
                    )
                converted[key] = float(numbers[0])
            else:
                array = np.array(numbers, dtype=np.float64).reshape(ours.shape)
                converted[key] = torch.from_numpy(array)
        return converted

    def set_our_state(self, param: Any, state: dict[str, Any], states: dict[Any, Any]) -> None:
        """Write a torch parameter's optimizer state into tracegrad's, under the same keys."""
        name = self.by_theirs[id(param)]
        ours = self.pairs[name][0]
        converted: dict[str, Any] = {}
        for key, value in state.items():
            if value is None:
                continue  # a momentum buffer PyTorch has not made yet
            if key == "step":
                count = float(value)
                if not count.is_integer() or count < 0:
                    raise ValueError(f"{self.who}: {name} has the step count {count}")
                converted[key] = int(count)
                continue
            array = np.asarray(value.detach().cpu().numpy())
            if array.shape != tuple(param.shape):
                raise ValueError(
                    f"{self.who}: the optimizer's {key} for {name} has shape {array.shape}, "
                    f"the parameter {tuple(param.shape)}"
                )
            dtype = np.float64 if self.scalar else ours.dtype
            converted[key] = np.array(array, dtype=dtype, copy=True)
        if not self.scalar:
            states[ours] = converted
            return
        for index, value in np.ndenumerate(ours):
            states[value] = {
                key: item if key == "step" else float(item[index])
                for key, item in converted.items()
            }


def _state_to_torch(torch: Any, key: str, value: Any) -> Any:
    if key == "step":
        return float(value)  # Adam's load_state_dict makes it the tensor its update counts in
    return array_to_torch(torch, np.asarray(value))
