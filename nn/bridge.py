"""Models to PyTorch and back: ``nn.to_torch(model)`` and ``nn.from_torch(module)``.

A model you built and understood in tracegrad can move to PyTorch (for its GPUs, its
distributed training, its ecosystem) and come back. The copy has the same parameter names,
the same numbers and dtypes, each module's training mode, frozen parameters (requires_grad)
and tied ones (one parameter used in two places) as they were, and it computes the same outputs
and gradients. Nothing is shared: changing one model afterwards leaves the other as it was.
:func:`parameter_map` pairs the parameters of the two, by name, and through it
:func:`to_torch_optimizer` and :func:`from_torch_optimizer` move an SGD or Adam optimizer's
param groups and state across, so training continues on the other side with the same steps.

What converts, in both directions:

- the layers ``Linear``, ``Identity``, ``ReLU``, ``Sigmoid``, ``Tanh``, ``LeakyReLU``,
  ``Softmax``, ``LogSoftmax``, ``Flatten``, ``Dropout``, the containers ``Sequential`` and
  ``ModuleList``, and the losses ``MSELoss``, ``BCELoss``, ``BCEWithLogitsLoss`` and
  ``CrossEntropyLoss`` (with PyTorch's defaults for their extra options);
- **your own subclasses** of ``Module`` (or of any kind above) made of them. Their ``forward``
  is Python you wrote against tracegrad's PyTorch-shaped API, and the converted module runs that
  same code with PyTorch: the class is rebuilt with the same methods, whose global names that
  mean tracegrad (``autograd`` imported as ``torch``, ``nn``, ``Tensor``, ``relu`` imported from
  autograd, ...) now mean their PyTorch counterparts. Helper functions your methods call are
  rebuilt the same way. Plain attributes (numbers, strings, lists, dicts) are copied, Tensors
  and numpy arrays become the other side's tensors. ``nn.from_torch`` does the reverse for
  subclasses of ``torch.nn.Module``;
- a scalar ``nn.MLP``, ``nn.Layer`` or ``nn.Neuron`` (``to_torch`` only): it becomes the
  equivalent float64 ``torch.nn.Sequential`` of Linear layers and activation layers, named after
  the tracegrad layers (``L1``, ``L1_relu``, ``L2``, ...), where ``L1.weight[j, i]`` is
  ``L1.N{j+1}.w{i+1}`` and ``L1.bias[j]`` is ``L1.N{j+1}.b``. It takes a tensor of shape
  ``(batch, nin)`` and returns ``(batch, nout)``.

What is refused, with an error naming the layer: any other layer kind (``Conv2d``,
``BatchNorm1d``, a ``Dropout2d``, ...), the scalar ``step`` activation, ``Softmax(dim=None)``,
a loss with class weights, torch modules holding buffers that are saved with them (as
BatchNorm's running statistics) or with hooks, a class with ``__slots__``, an attribute holding
a numpy random generator, and a method using a name that has no counterpart (``torch.flatten``
has none in tracegrad: write ``x.flatten(1)``, which both have).

What cannot be checked before running: a method's code only runs when it is called, so an
operation that exists on both sides but behaves differently (numpy functions applied to a
tensor, ``x.data``, which is the numpy array in tracegrad and a tensor in PyTorch) shows only
then. Pass ``example=`` (a batch of inputs) and the conversion runs both models on it, in
evaluation mode, and raises if their outputs differ. Dropout masks come from each library's
own random generator, so in training mode the two models drop different elements.

>>> import pytest; torch = pytest.importorskip("torch")  # the examples need PyTorch
>>> import nn, autograd
>>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
>>> module = nn.to_torch(model)
>>> module
Sequential(
  (0): Linear(in_features=3, out_features=4, bias=True)
  (1): ReLU()
  (2): Linear(in_features=4, out_features=2, bias=True)
)
>>> x = autograd.randn(5, 3)
>>> ours, theirs = model(x).detach().numpy(), module(x.to_torch()).detach().numpy()
>>> bool(np.allclose(ours, theirs, rtol=1e-6))
True
>>> back = nn.from_torch(module)
>>> [name for name, _ in back.named_parameters()]
['0.weight', '0.bias', '2.weight', '2.bias']
"""

from __future__ import annotations

import dis
import functools
import importlib
import types
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import Tensor, no_grad
from autograd.tensors.interop import require_torch

from . import layers, losses, module, optim
from .module import Module, Parameter
from .neurons import MLP, Layer, Neuron

__all__ = [
    "to_torch",
    "from_torch",
    "parameter_map",
    "to_torch_optimizer",
    "from_torch_optimizer",
    "ConversionError",
]


class ConversionError(TypeError):
    """A model cannot be converted faithfully; the message names the layer and the reason."""


# --- the layer kinds ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """One layer kind: its class on each side and the attributes that configure it."""

    name: str
    ours: type[Module]
    config: tuple[str, ...] = ()
    # Attributes of PyTorch's class that configure it but have no meaning here; any value other
    # than the default (given; None: any value) is refused.
    torch_only: tuple[tuple[str, Any], ...] = ()
    # Attributes of our class that are its own machinery, not settings to carry over.
    hidden: tuple[str, ...] = ()


_KINDS = (
    _Kind("Module", Module),
    _Kind("Sequential", module.Sequential),
    _Kind("ModuleList", module.ModuleList),
    _Kind("Linear", layers.Linear, ("in_features", "out_features")),
    _Kind("Identity", layers.Identity),
    _Kind("ReLU", layers.ReLU, (), (("inplace", None),)),
    _Kind("Sigmoid", layers.Sigmoid),
    _Kind("Tanh", layers.Tanh),
    _Kind("LeakyReLU", layers.LeakyReLU, ("negative_slope",), (("inplace", None),)),
    _Kind("Softmax", layers.Softmax, ("dim",)),
    _Kind("LogSoftmax", layers.LogSoftmax, ("dim",)),
    _Kind("Flatten", layers.Flatten, ("start_dim", "end_dim")),
    _Kind("Dropout", layers.Dropout, ("p",), (("inplace", None),), ("_rng",)),
    _Kind("MSELoss", losses.MSELoss, ("reduction",)),
    _Kind("BCELoss", losses.BCELoss, ("reduction",)),
    _Kind("BCEWithLogitsLoss", losses.BCEWithLogitsLoss, ("reduction",)),
    _Kind(
        "CrossEntropyLoss",
        losses.CrossEntropyLoss,
        ("reduction",),
        (("ignore_index", -100), ("label_smoothing", 0.0)),
    ),
)
_KNOWN = ", ".join(kind.name for kind in _KINDS[1:])
# Attributes of our own Module machinery, never copied as user attributes.
_OUR_INTERNALS = frozenset({"_parameters", "_modules", "_name", "training", "_computed"})
# The scalar activations and the torch layers that compute them.
_SCALAR_ACTIVATIONS = {
    "relu": ("ReLU", ()),
    "sigmoid": ("Sigmoid", ()),
    "tanh": ("Tanh", ()),
    "leaky_relu": ("LeakyReLU", (0.01,)),  # Value.leaky_relu's default slope
}


def _shell_for_torch(torch: Any, kind: _Kind, ours: Module) -> Any:
    """An empty torch module of ``kind`` configured as ``ours`` (parameters come after)."""
    tnn = torch.nn
    if kind.name == "Linear":
        assert isinstance(ours, layers.Linear)
        dtype = _torch_dtype(torch, ours.weight.dtype)
        # skip_init: no random initialisation, so torch's global random stream is not used.
        return torch.nn.utils.skip_init(
            tnn.Linear, ours.in_features, ours.out_features, bias=ours.bias is not None, dtype=dtype
        )
    # By keyword: PyTorch's losses take other (deprecated) arguments first.
    config = {name: getattr(ours, name) for name in kind.config}
    return getattr(tnn, kind.name)(**config)


def _shell_for_tracegrad(kind: _Kind, theirs: Any, where: str) -> Module:
    """An empty tracegrad module of ``kind`` configured as the torch module ``theirs``."""
    for name, default in kind.torch_only:
        value = getattr(theirs, name, default)
        if default is not None and value != default:
            raise ConversionError(
                f"nn.from_torch: {where} is a torch.nn.{kind.name} with {name}={value!r}, "
                f"which tracegrad's {kind.name} does not have (only the default {default!r})"
            )
    if kind.name == "Linear":
        dtype = _numpy_dtype(theirs.weight.dtype, where)
        # A throwaway generator: the global one (autograd.manual_seed) is left untouched.
        throwaway = np.random.default_rng(0)
        return layers.Linear(
            theirs.in_features,
            theirs.out_features,
            bias=theirs.bias is not None,
            dtype=dtype,
            rng=throwaway,
        )
    config = {name: getattr(theirs, name) for name in kind.config}
    if kind.name in ("Softmax", "LogSoftmax") and config["dim"] is None:
        raise ConversionError(
            f"nn.from_torch: {where} is a torch.nn.{kind.name} with dim=None, whose axis "
            "PyTorch guesses from the input's shape; give it a dim (e.g. dim=1)"
        )
    return kind.ours(**config)


# --- to_torch -----------------------------------------------------------------------------


def to_torch(model: Any, *, example: Any = None) -> Any:
    """A ``torch.nn.Module`` computing what ``model`` computes, with the same parameters.

    ``model`` is a tracegrad ``nn.Module`` tree or a scalar ``nn.MLP``/``Layer``/``Neuron``
    (see the module's documentation for what converts). With ``example`` (inputs for the
    model), both models are run on it in evaluation mode and a :class:`ConversionError` is
    raised if their outputs differ. Needs PyTorch (``pip install torch``).

    >>> import pytest; torch = pytest.importorskip("torch")
    >>> import nn
    >>> mlp = nn.MLP(2, [3, 1], activation="tanh", seed=0)
    >>> module = nn.to_torch(mlp)
    >>> [name for name, _ in module.named_parameters()], module.L1.weight.dtype
    (['L1.weight', 'L1.bias', 'L2.weight', 'L2.bias'], torch.float64)
    >>> out = module(torch.tensor([[1.0, -1.0]], dtype=torch.float64))
    >>> abs(out[0, 0].item() - mlp([1.0, -1.0]).data) < 1e-15  # float64 rounding apart at most
    True
    """
    torch = require_torch("nn.to_torch")
    if isinstance(model, (MLP, Layer, Neuron)):
        converted = _scalar_to_torch(torch, model)
    elif isinstance(model, Module):
        converted = _Converter(torch, towards_torch=True).module(model, "")
    else:
        raise TypeError(
            "nn.to_torch converts a tracegrad model (an nn.Module, or an nn.MLP, Layer or "
            f"Neuron), got {type(model).__name__}"
        )
    if example is not None:
        _check_outputs(torch, model, converted, example, towards_torch=True)
    return converted


def from_torch(module: Any, *, example: Any = None) -> Module:
    """A tracegrad ``nn.Module`` computing what the ``torch.nn.Module`` computes.

    The same layer kinds as :func:`to_torch`, and subclasses made of them; parameters keep
    their names, numbers and dtypes. With ``example``, both are run on it in evaluation mode
    and a :class:`ConversionError` is raised if their outputs differ.

    >>> import pytest; torch = pytest.importorskip("torch")
    >>> import nn
    >>> layer = nn.from_torch(torch.nn.Linear(3, 2, dtype=torch.float64))
    >>> layer, layer.weight.dtype
    (Linear(in_features=3, out_features=2, bias=True), dtype('float64'))
    """
    torch = require_torch("nn.from_torch")
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"nn.from_torch converts a torch.nn.Module, got {type(module).__name__}")
    if isinstance(module, torch.jit.ScriptModule):
        raise ConversionError(
            "nn.from_torch: a TorchScript module has no Python forward to convert; convert the "
            "module before torch.jit.script"
        )
    converted = _Converter(torch, towards_torch=False).module(module, "")
    if example is not None:
        _check_outputs(torch, converted, module, example, towards_torch=False)
    return converted


def parameter_map(model: Any, torch_module: Any) -> OrderedDict[str, tuple[Any, Any]]:
    """Pair each parameter of a tracegrad model with the torch parameter of the same name.

    Returns ``name -> (ours, theirs)`` in the tracegrad model's order. For a scalar MLP,
    ``ours`` is a numpy object array of Values shaped like the torch parameter. Raises
    ``ValueError`` if the names or shapes of the two differ. This is what moving optimizer
    state from one model to the other needs.

    >>> import pytest; torch = pytest.importorskip("torch")
    >>> import nn
    >>> model = nn.Linear(2, 1)
    >>> pairs = parameter_map(model, nn.to_torch(model))
    >>> list(pairs), pairs["weight"][0] is model.weight
    (['weight', 'bias'], True)
    """
    if isinstance(model, (MLP, Layer, Neuron)):
        ours: dict[str, Any] = _scalar_parameters(model)
        shapes = {name: values.shape for name, values in ours.items()}
    else:
        ours = dict(model.named_parameters())
        shapes = {name: p.shape for name, p in ours.items()}
    theirs = dict(torch_module.named_parameters())
    missing, extra = [n for n in ours if n not in theirs], [n for n in theirs if n not in ours]
    if missing or extra:
        raise ValueError(
            "parameter_map: the two models' parameters differ: only in the tracegrad model: "
            f"{missing or 'none'}; only in the torch module: {extra or 'none'}"
        )
    for name, shape in shapes.items():
        if tuple(theirs[name].shape) != tuple(shape):
            raise ValueError(
                f"parameter_map: {name} has shape {tuple(shape)} in the tracegrad model and "
                f"{tuple(theirs[name].shape)} in the torch module"
            )
    return OrderedDict((name, (ours[name], theirs[name])) for name in ours)


# --- optimizers ---------------------------------------------------------------------------

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
    parameter is paired with the torch parameter of the same name (:func:`parameter_map`).
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
    ``decoupled_weight_decay=True``) is a :class:`ConversionError` that names it. Options that
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
        self.scalar = isinstance(model, (MLP, Layer, Neuron))
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
                    f"nn.from_torch_optimizer: parameter {position} of param group {group} "
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
    array = np.asarray(value)
    return torch.from_numpy(np.array(array, dtype=array.dtype.newbyteorder("="), copy=True))


# --- the scalar networks ------------------------------------------------------------------


def _scalar_layers(model: MLP | Layer | Neuron) -> list[tuple[str, list[Neuron], str]]:
    """(name, neurons, activation) per layer; a lone Neuron is a layer of one."""
    if isinstance(model, Neuron):
        return [(model.name, [model], model.activation)]
    found = model.layers if isinstance(model, MLP) else [model]
    return [(layer.name, layer.neurons, layer.activation) for layer in found]


def _scalar_parameters(model: MLP | Layer | Neuron) -> dict[str, np.ndarray]:
    params: dict[str, np.ndarray] = {}
    for name, neurons, _ in _scalar_layers(model):
        weight = np.empty((len(neurons), neurons[0].nin), dtype=object)
        bias = np.empty(len(neurons), dtype=object)
        for j, neuron in enumerate(neurons):
            weight[j, :] = neuron.w
            bias[j] = neuron.b
        params[f"{name}.weight"], params[f"{name}.bias"] = weight, bias
    return params


def _scalar_to_torch(torch: Any, model: MLP | Layer | Neuron) -> Any:
    children: list[tuple[str, Any]] = []
    params = _scalar_parameters(model)
    for name, neurons, activation in _scalar_layers(model):
        linear = torch.nn.utils.skip_init(
            torch.nn.Linear, neurons[0].nin, len(neurons), dtype=torch.float64
        )
        with torch.no_grad():
            for attribute in ("weight", "bias"):
                values = params[f"{name}.{attribute}"]
                numbers = np.vectorize(lambda v: v.data, otypes=[np.float64])(values)
                getattr(linear, attribute).copy_(torch.from_numpy(numbers))
        children.append((name, linear))
        if activation == "linear":
            continue
        if activation not in _SCALAR_ACTIVATIONS:
            raise ConversionError(
                f"nn.to_torch: layer {name} uses the {activation!r} activation, which has no "
                f"PyTorch layer (these convert: {', '.join(_SCALAR_ACTIVATIONS)}, linear)"
                + (
                    "; its derivative is zero almost everywhere, so it cannot be trained there"
                    if activation == "step"
                    else ""
                )
            )
        layer_name, arguments = _SCALAR_ACTIVATIONS[activation]
        children.append((f"{name}_{activation}", getattr(torch.nn, layer_name)(*arguments)))
    return torch.nn.Sequential(OrderedDict(children))


# --- converting module trees, both ways ---------------------------------------------------


class _Converter:
    """One conversion: remembers what it made, so shared modules and tied parameters stay so."""

    def __init__(self, torch: Any, *, towards_torch: bool) -> None:
        self.torch = torch
        self.towards_torch = towards_torch
        self.who = "nn.to_torch" if towards_torch else "nn.from_torch"
        self.made: dict[int, Any] = {}
        self.kept: list[Any] = []  # the originals, alive until the end, so ids stay unique
        self.names = _Translator(torch, towards_torch, self)
        # For torch modules: attributes every Module has, never user attributes.
        self.torch_internals = frozenset(vars(torch.nn.Module())) | {"_buffers"}

    # -- modules

    def module(self, source: Any, path: str) -> Any:
        if id(source) in self.made:
            return self.made[id(source)]
        kind = self._kind(type(source), path)
        where = _layer(path, source)
        if self.towards_torch:
            made = _shell_for_torch(self.torch, kind, source)
        else:
            self._refuse_hooks_and_buffers(source, where)
            made = _shell_for_tracegrad(kind, source, where)
        self.made[id(source)] = made
        self.kept.append(source)
        # Both libraries keep a module's own parameters and its children in assignment order,
        # and name them alike (child.param), so doing the same here gives the same names.
        for name, param in source._parameters.items():
            self._set_parameter(made, name, param)
        for name, child in source._modules.items():
            child_path = f"{path}.{name}" if path else name
            made.add_module(name, None if child is None else self.module(child, child_path))
        if type(source) is not self._class_of(kind):
            object.__setattr__(made, "__class__", self.names.user_class(type(source), where))
            self._copy_attributes(source, made, kind, where)
        self._set_training(made, source.training)
        return made

    def _class_of(self, kind: _Kind) -> type:
        return kind.ours if self.towards_torch else self._torch_class(kind)

    def _torch_class(self, kind: _Kind) -> type:
        return getattr(self.torch.nn, kind.name)

    def _kind(self, cls: type, path: str) -> _Kind:
        """The layer kind a class is, or is a subclass of; an error for unknown library kinds."""
        for base in cls.__mro__:
            if not self.names.is_library(base):
                continue  # a class of the user's: look further up
            for kind in _KINDS:
                if base is self._class_of(kind):
                    return kind
            side = "tracegrad" if self.towards_torch else "PyTorch"
            label = f"layer {path!r}" if path else "the model"
            subclass = (
                f" (a subclass of {base.__module__}.{base.__name__})" if base is not cls else ""
            )
            raise ConversionError(
                f"{self.who}: {label} is a {cls.__module__}.{cls.__name__}{subclass}, a {side} "
                f"layer kind that has no counterpart; these convert: {_KNOWN}, and subclasses "
                "of Module made of them"
            )
        raise ConversionError(f"{self.who}: {cls.__name__} is not a module")  # pragma: no cover

    def _set_parameter(self, made: Any, name: str, param: Any) -> None:
        if param is None:
            made.register_parameter(name, None)
            return
        if id(param) not in self.made:
            self.kept.append(param)
            if self.towards_torch:
                data = param.to_torch().detach()
                self.made[id(param)] = self.torch.nn.Parameter(data, param.requires_grad)
            else:
                self.made[id(param)] = Parameter.from_torch(param)
        if self.towards_torch:
            made.register_parameter(name, self.made[id(param)])
        else:
            setattr(made, name, self.made[id(param)])

    def _set_training(self, made: Any, training: bool) -> None:
        object.__setattr__(made, "training", bool(training))

    def _refuse_hooks_and_buffers(self, source: Any, where: str) -> None:
        hooks = [
            name
            for name in ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks")
            + ("_backward_pre_hooks",)
            if getattr(source, name, None)
        ]
        if hooks:
            raise ConversionError(
                f"nn.from_torch: {where} has hooks ({', '.join(hooks)}), which tracegrad would "
                "not run; remove them before converting"
            )
        for name, buffer in source._buffers.items():
            if buffer is not None and name not in source._non_persistent_buffers_set:
                raise ConversionError(
                    f"nn.from_torch: {where} holds the buffer {name!r} (state saved with the "
                    "model but not trained, as BatchNorm's running statistics); tracegrad "
                    "modules hold parameters only"
                )

    def _copy_attributes(self, source: Any, made: Any, kind: _Kind, where: str) -> None:
        """A user subclass's own attributes: its settings, constants and helpers."""
        skip = set(source._parameters) | set(source._modules) | set(kind.config)
        skip |= _OUR_INTERNALS if self.towards_torch else self.torch_internals
        skip |= {name for name, _ in kind.torch_only} | set(kind.hidden)
        attributes = dict(vars(source))
        if not self.towards_torch:  # non-persistent buffers become plain tensor attributes
            attributes.update({n: b for n, b in source._buffers.items() if b is not None})
        for name, value in attributes.items():
            if name in skip:
                continue
            translated = self.names.value(value, f"{where}: the attribute {name!r}")
            if self.towards_torch:
                object.__setattr__(made, name, translated)
            else:
                setattr(made, name, translated)

    # -- values met on the way (attributes, globals of methods)

    def tensor(self, value: Any) -> Any:
        """The other side's tensor for a tensor (a parameter stays a parameter)."""
        if id(value) in self.made:
            return self.made[id(value)]
        if self.towards_torch:
            converted = value.to_torch()
            if isinstance(value, Parameter):
                converted = self.torch.nn.Parameter(converted.detach(), value.requires_grad)
        else:
            cls = Parameter if isinstance(value, self.torch.nn.Parameter) else Tensor
            converted = cls.from_torch(value)
        self.made[id(value)] = converted
        self.kept.append(value)
        return converted


def _layer(path: str, source: Any) -> str:
    name = type(source).__name__
    return f"layer {path!r} ({name})" if path else f"the model ({name})"


def _torch_dtype(torch: Any, dtype: np.dtype[Any]) -> Any:
    return torch.from_numpy(np.zeros(0, dtype=dtype.newbyteorder("="))).dtype


def _numpy_dtype(dtype: Any, where: str) -> np.dtype[Any]:
    try:
        import torch

        return np.dtype(torch.empty(0, dtype=dtype).numpy().dtype)
    except (TypeError, RuntimeError):
        raise ConversionError(
            f"nn.from_torch: {where} holds {dtype} parameters, which numpy has no type for; "
            "convert them first (module.float() or module.double())"
        ) from None


# --- running the same methods on the other side -------------------------------------------


def _is_tracegrad_name(module_name: str) -> bool:
    return module_name.split(".")[0] in ("autograd", "nn")


def _is_torch_name(module_name: str) -> bool:
    return module_name.split(".")[0] == "torch"


# Names that exist on both sides but mean different things: never mapped.
_NOT_COUNTERPARTS = frozenset({"nn.losses.softmax", "nn.losses.hinge_loss"})


class _Counterparts:
    """Stands for a library module inside converted code: each name is looked up in the other
    library's modules, or is an error saying which name has no counterpart."""

    def __init__(self, source_name: str, targets: list[Any]) -> None:
        self._source_name = source_name
        self._targets = targets

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        for target in self._targets:
            if hasattr(target, name):
                return getattr(target, name)
        places = " or ".join(t.__name__ for t in self._targets)
        raise AttributeError(
            f"{self._source_name}.{name} has no counterpart in {places}; this converted model's "
            "code uses it (write it with operations both libraries have)"
        )

    def __repr__(self) -> str:
        return f"<{self._source_name}, converted: {', '.join(t.__name__ for t in self._targets)}>"


class _Translator:
    """Maps the values that code and attributes refer to onto the other library."""

    def __init__(self, torch: Any, towards_torch: bool, converter: _Converter) -> None:
        import autograd
        import autograd.tensors.functions
        import nn
        import nn.optim

        self.torch = torch
        self.towards_torch = towards_torch
        self.converter = converter
        self.made: dict[int, Any] = {}
        self.kept: list[Any] = []
        self.globals: dict[int, tuple[dict[str, Any], set[str]]] = {}
        functional = torch.nn.functional
        if towards_torch:
            self.modules = {
                "autograd": [torch],
                "autograd.tensors.functions": [torch],
                "nn": [torch.nn, functional],
                "nn.layers": [torch.nn],
                "nn.module": [torch.nn],
                "nn.losses": [functional, torch.nn],
                "nn.optim": [torch.optim],
            }
        else:
            self.modules = {
                "torch": [autograd],
                "torch.nn": [nn],
                "torch.nn.functional": [autograd.tensors.functions, losses],
                "torch.optim": [nn.optim],
            }

    def is_library(self, value: Any) -> bool:
        name = getattr(value, "__module__", None) or ""
        if isinstance(value, types.ModuleType):
            name = value.__name__
        return _is_tracegrad_name(name) if self.towards_torch else _is_torch_name(name)

    # -- single values

    def value(self, value: Any, where: str) -> Any:
        if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
            return value
        if isinstance(value, (list, tuple, set, frozenset)):
            items = [self.value(item, where) for item in value]
            return type(value)(items) if not isinstance(value, tuple) else tuple(items)
        if isinstance(value, dict):
            return type(value)((k, self.value(v, where)) for k, v in value.items())
        if isinstance(value, types.ModuleType):
            return self._module(value, where) if self.is_library(value) else value
        if isinstance(value, _Counterparts):
            # Code converted before, now going back: its names mean what they first meant.
            return importlib.import_module(value._source_name)
        if isinstance(value, Module if self.towards_torch else self.torch.nn.Module):
            # A module kept outside the registered children (in a plain list, say).
            return self.converter.module(value, where)
        if isinstance(value, np.random.Generator):
            raise ConversionError(
                f"{self.converter.who}: {where} is a numpy random generator; the converted "
                "model would share it with the original (use the library's own random "
                "functions, or pass random numbers in)"
            )
        if self.towards_torch and isinstance(value, Tensor):
            return self.converter.tensor(value)
        if not self.towards_torch and isinstance(value, self.torch.Tensor):
            return self.converter.tensor(value)
        if self.towards_torch and isinstance(value, np.ndarray):
            return self.torch.from_numpy(np.array(value, dtype=value.dtype.newbyteorder("=")))
        if isinstance(value, type):
            if self.is_library(value):
                return self._counterpart(value, where)
            if self._is_module_class(value):
                return self.user_class(value, where)
            return value
        if isinstance(value, types.FunctionType):
            if self.is_library(value):
                return self._counterpart(value, where)
            return self.function(value, where)
        if isinstance(value, functools.partial):
            return functools.partial(
                self.value(value.func, where),
                *self.value(value.args, where),
                **self.value(value.keywords, where),
            )
        if self.is_library(value) or self.is_library(type(value)):
            return self._library_instance(value, where)
        return value

    def _is_module_class(self, cls: type) -> bool:
        base = Module if self.towards_torch else self.torch.nn.Module
        return issubclass(cls, base)

    def _module(self, value: types.ModuleType, where: str) -> Any:
        name = value.__name__
        targets = self.modules.get(name)
        if targets is None:
            raise ConversionError(
                f"{self.converter.who}: {where} is the module {name}, which has no counterpart"
            )
        return _Counterparts(name, targets)

    def _counterpart(self, value: Any, where: str) -> Any:
        """The other library's function or class of the same name and meaning."""
        name = getattr(value, "__name__", "")
        full = f"{value.__module__}.{name}"
        if self.towards_torch:
            homes = [self.torch.nn, self.torch] if isinstance(value, type) else []
            if not isinstance(value, type):
                homes = [self.torch, self.torch.nn.functional]
        else:
            import autograd
            import autograd.tensors.functions
            import nn

            homes = [nn, autograd] if isinstance(value, type) else []
            if not isinstance(value, type):
                homes = [autograd, autograd.tensors.functions, losses]
        if full not in _NOT_COUNTERPARTS:
            for home in homes:
                found = getattr(home, name, None)
                if found is not None and callable(found):
                    return found
        raise ConversionError(
            f"{self.converter.who}: {where} is {full}, which has no counterpart in "
            f"{'PyTorch' if self.towards_torch else 'tracegrad'}"
        )

    def _library_instance(self, value: Any, where: str) -> Any:
        torch = self.torch
        if self.towards_torch:
            from autograd.tensors.functions import device

            if isinstance(value, device):
                return torch.device("cpu")
        else:
            if isinstance(value, torch.device):
                if value.type != "cpu":
                    raise ConversionError(f"nn.from_torch: {where} is the device {value}")
                from autograd.tensors.functions import device as our_device

                return our_device("cpu")
            if isinstance(value, torch.dtype):
                return _numpy_dtype(value, where)
        raise ConversionError(
            f"{self.converter.who}: {where} is a {type(value).__module__}.{type(value).__name__}, "
            "which cannot be converted"
        )

    # -- code

    def function(self, func: types.FunctionType, where: str) -> types.FunctionType:
        """The same function, its global names (and closure) meaning the other library's."""
        if id(func) in self.made:
            return self.made[id(func)]
        code = func.__code__
        closure = None
        if func.__closure__:
            closure = tuple(
                self._cell(cell, f"{where}: {func.__qualname__}'s variable {name!r}")
                for cell, name in zip(func.__closure__, code.co_freevars)
            )
        namespace, done = self._globals_for(func.__globals__)
        defaults = self.value(func.__defaults__, where) if func.__defaults__ else None
        made = types.FunctionType(code, namespace, func.__name__, defaults, closure)
        made.__qualname__, made.__doc__ = func.__qualname__, func.__doc__
        made.__module__ = func.__module__
        made.__kwdefaults__ = self.value(func.__kwdefaults__, where)
        made.__dict__.update(func.__dict__)
        self.made[id(func)] = made
        self.kept.append(func)
        for name in _global_names(code):
            if name in done or name not in func.__globals__:
                continue
            done.add(name)
            used = f"{where}: the name {name!r} in {func.__qualname__}"
            namespace[name] = self.value(func.__globals__[name], used)
        return made

    def _globals_for(self, source: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
        """One copy of a module's globals for all converted code from that module."""
        if id(source) not in self.globals:
            self.globals[id(source)] = (dict(source), set())
            self.kept.append(source)
        return self.globals[id(source)]

    def _cell(self, cell: Any, where: str) -> Any:
        try:
            contents = cell.cell_contents
        except ValueError:  # a variable not assigned yet
            return types.CellType()
        return types.CellType(self.value(contents, where))

    def user_class(self, cls: type, where: str) -> type:
        """The user's class rebuilt on the other library's base classes, method by method."""
        if id(cls) in self.made:
            return self.made[id(cls)]
        own = vars(cls)
        if "__slots__" in own:
            raise ConversionError(
                f"{self.converter.who}: {where}: the class {cls.__name__} uses __slots__, which "
                "the converted class cannot reproduce; remove __slots__ to convert it"
            )
        bases = tuple(self._base(base, where) for base in cls.__bases__)
        made = type(cls.__name__, bases, {"__module__": cls.__module__, "__doc__": cls.__doc__})
        made.__qualname__ = cls.__qualname__
        self.made[id(cls)] = made
        self.kept.append(cls)
        skipped = {"__module__", "__qualname__", "__doc__", "__dict__", "__weakref__"}
        for name, member in own.items():
            if name not in skipped:
                setattr(made, name, self._member(member, f"{where}: {cls.__name__}.{name}"))
        return made

    def _base(self, base: type, where: str) -> type:
        if self.is_library(base):
            for kind in _KINDS:
                ours, theirs = kind.ours, getattr(self.torch.nn, kind.name)
                if base is (ours if self.towards_torch else theirs):
                    return theirs if self.towards_torch else ours
            return self._counterpart(base, where)
        if self._is_module_class(base):
            return self.user_class(base, where)
        return base  # object, or a mixin that is no module: used as it is

    def _member(self, member: Any, where: str) -> Any:
        if isinstance(member, types.FunctionType):
            return self.function(member, where)
        if isinstance(member, staticmethod):
            return staticmethod(self.value(member.__func__, where))
        if isinstance(member, classmethod):
            return classmethod(self.value(member.__func__, where))
        if isinstance(member, property):
            parts = (member.fget, member.fset, member.fdel)
            return property(*(None if p is None else self.value(p, where) for p in parts))
        return self.value(member, where)


def _global_names(code: types.CodeType) -> Iterable[str]:
    """The global names a function's code (and the code nested in it) reads."""
    names: list[str] = []
    stack = [code]
    while stack:
        current = stack.pop()
        for instruction in dis.get_instructions(current):
            if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME") and isinstance(
                instruction.argval, str
            ):
                names.append(instruction.argval)
        stack.extend(c for c in current.co_consts if isinstance(c, types.CodeType))
    return dict.fromkeys(names)


# --- checking a conversion on an example --------------------------------------------------


def _check_outputs(
    torch: Any, ours: Any, theirs: Any, example: Any, *, towards_torch: bool
) -> None:
    who = "nn.to_torch" if towards_torch else "nn.from_torch"
    our_out, their_out = _run_both(torch, ours, theirs, example)
    pairs = list(_leaves(our_out, their_out, who))
    for index, (a, b) in enumerate(pairs):
        if a.shape != b.shape:
            raise ConversionError(
                f"{who}: on the example, output {index} has shape {a.shape} in tracegrad and "
                f"{b.shape} in PyTorch"
            )
        precise = a.dtype == np.float64 and b.dtype == np.float64
        rtol, atol = (1e-9, 1e-12) if precise else (1e-5, 1e-6)
        if not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
            worst = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))
            raise ConversionError(
                f"{who}: on the example, the two models' outputs differ (output {index}, by up "
                f"to {worst:.3g}): the model's code uses something that behaves differently in "
                "the two libraries"
            )


def _run_both(torch: Any, ours: Any, theirs: Any, example: Any) -> tuple[Any, Any]:
    if isinstance(ours, (MLP, Layer, Neuron)):
        rows = np.atleast_2d(np.asarray(example, dtype=np.float64))
        our_rows = []
        for row in rows:
            out = ours(row.tolist())
            out = out if isinstance(out, list) else [out]
            our_rows.append([v.data for v in out])
        with torch.no_grad():
            their_out = theirs(torch.from_numpy(rows)).numpy()
        return np.array(our_rows), their_out
    if isinstance(example, Tensor):
        our_input = example
    elif isinstance(example, torch.Tensor):
        our_input = Tensor.from_torch(example)
    else:
        array = np.asarray(example)
        our_input = Tensor(array, dtype=array.dtype if array.dtype.kind in "biuf" else None)
    their_input = our_input.to_torch()
    modes = _Modes(ours.modules(), theirs.modules())
    try:
        with no_grad():
            our_out = ours(our_input)
        with torch.no_grad():
            their_out = theirs(their_input)
    finally:
        modes.restore()
    return our_out, their_out


class _Modes:
    """Both models in evaluation mode for the check, then back as they were."""

    def __init__(self, *groups: Iterable[Any]) -> None:
        self.saved = [(m, m.training) for group in groups for m in group]
        for m, _ in self.saved:
            object.__setattr__(m, "training", False)

    def restore(self) -> None:
        for m, training in self.saved:
            object.__setattr__(m, "training", training)


def _leaves(ours: Any, theirs: Any, who: str) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    if isinstance(ours, (tuple, list)) and isinstance(theirs, (tuple, list)):
        if len(ours) != len(theirs):
            raise ConversionError(f"{who}: on the example, the two models return different counts")
        for a, b in zip(ours, theirs):
            yield from _leaves(a, b, who)
        return
    yield _numbers(ours), _numbers(theirs)


def _numbers(value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        return value.detach().numpy()
    detach: Callable[[], Any] | None = getattr(value, "detach", None)
    if detach is not None:
        return np.asarray(detach().cpu().numpy())
    return np.asarray(value)
