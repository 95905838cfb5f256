"""Models to PyTorch and back: ``nn.to_torch(model)`` and ``nn.from_torch(module)``.

A model you built and understood in tracegrad can move to PyTorch (for its GPUs, its
distributed training, its ecosystem) and come back. The copy has the same parameter names,
the same numbers and dtypes, each module's training mode, frozen parameters (requires_grad)
and tied ones (one parameter used in two places) as they were, and it computes the same outputs
and gradients. Nothing is shared: changing one model afterwards leaves the other as it was.
:func:`~nn.torch.kinds.parameter_map` pairs the parameters of the two by name.

What converts, in both directions:

- the layers ``Linear``, ``Identity``, ``ReLU``, ``Sigmoid``, ``Tanh``, ``LeakyReLU``,
  ``Softmax``, ``LogSoftmax``, ``Flatten``, ``Unflatten``, ``Dropout``, ``Conv2d``,
  ``MaxPool2d``, ``AvgPool2d``, ``AdaptiveAvgPool2d``, ``AdaptiveMaxPool2d``, ``BatchNorm1d``
  and ``BatchNorm2d`` (with their running statistics), the containers ``Sequential`` and
  ``ModuleList``, and the losses ``MSELoss``, ``BCELoss``, ``BCEWithLogitsLoss`` and
  ``CrossEntropyLoss`` (with PyTorch's defaults for their extra options);
- **your own subclasses** of ``Module`` (or of any kind above) made of them. Their ``forward``
  is Python you wrote against tracegrad's PyTorch-shaped API, and the converted module runs that
  same code with PyTorch: the class is rebuilt with the same methods, whose global names that
  mean tracegrad (``autograd`` imported as ``torch``, ``nn``, ``Tensor``, ``relu`` imported from
  autograd, ...) now mean their PyTorch counterparts (:mod:`nn.torch.translate` says how).
  Helper functions your methods call are rebuilt the same way. Plain attributes (numbers,
  strings, lists, dicts) are copied, Tensors and numpy arrays become the other side's tensors,
  buffers stay buffers (persistent or not).
  ``nn.from_torch`` does the reverse for subclasses of ``torch.nn.Module``;
- a scalar ``nn.MLP``, ``nn.Layer`` or ``nn.Neuron`` (``to_torch`` only): it becomes the
  equivalent float64 ``torch.nn.Sequential`` of Linear layers and activation layers, named after
  the tracegrad layers (``L1``, ``L1_relu``, ``L2``, ...), where ``L1.weight[j, i]`` is
  ``L1.N{j+1}.w{i+1}`` and ``L1.bias[j]`` is ``L1.N{j+1}.b``. It takes a tensor of shape
  ``(batch, nin)`` and returns ``(batch, nout)``.

What is refused, with an error naming the layer: any other layer kind (``Conv1d``,
``LayerNorm``, a ``Dropout2d``, ...), a ``Conv2d`` padding other than with zeros, the scalar
``step`` activation, ``Softmax(dim=None)``, a loss with class weights (a buffer its kind does
not have here), torch modules with hooks, a class with ``__slots__``, an attribute holding
a numpy random generator, and a method using a name that has no counterpart (``torch.flatten``
has none in tracegrad: write ``x.flatten(1)``, which both have).

What cannot be checked before running: a method's code only runs when it is called, so an
operation that exists on both sides but behaves differently (numpy functions applied to a
tensor, say) shows only then. Pass ``example=`` (a batch of inputs) and the conversion runs
both models on it, in evaluation mode, and raises if their outputs differ. Dropout masks come
from each library's own random generator, so in training mode the two models drop different
elements.

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

from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd import Tensor, no_grad
from autograd.tensors.interop import require_torch
from nn import convolution, layers
from nn.module import Module, Parameter
from nn.neurons import MLP, Layer, Neuron

from .kinds import (
    KINDS,
    SCALAR_ACTIVATIONS,
    SCALAR_MODELS,
    ConversionError,
    Kind,
    kind_of,
    numpy_dtype,
    scalar_layers,
    scalar_parameters,
    torch_dtype,
)
from .translate import Translator

__all__ = ["to_torch", "from_torch"]

# Attributes of our own Module machinery, never copied as user attributes.
_OUR_INTERNALS = frozenset(
    {"_parameters", "_modules", "_buffers", "_non_persistent_buffers", "_name", "training"}
    | {"_computed"}
)


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
    who = "nn.to_torch"
    torch = require_torch(who)
    if isinstance(model, SCALAR_MODELS):
        converted = _scalar_to_torch(torch, model)
    elif isinstance(model, Module):
        converted = _Converter(torch, towards_torch=True).module(model, "")
    else:
        raise TypeError(
            f"{who} converts a tracegrad model (an nn.Module, or an nn.MLP, Layer or "
            f"Neuron), got {type(model).__name__}"
        )
    if example is not None:
        _check_outputs(torch, model, converted, example, who)
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
    who = "nn.from_torch"
    torch = require_torch(who)
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"{who} converts a torch.nn.Module, got {type(module).__name__}")
    if isinstance(module, torch.jit.ScriptModule):
        raise ConversionError(
            f"{who}: a TorchScript module has no Python forward to convert; convert the "
            "module before torch.jit.script"
        )
    converted = _Converter(torch, towards_torch=False).module(module, "")
    if example is not None:
        _check_outputs(torch, converted, module, example, who)
    return converted


# --- one layer's empty counterpart --------------------------------------------------------


def _shell_for_torch(torch: Any, kind: Kind, ours: Module) -> Any:
    """An empty torch module of ``kind`` configured as ``ours`` (parameters come after)."""
    tnn = torch.nn
    if kind.name == "Linear":
        assert isinstance(ours, layers.Linear)
        dtype = torch_dtype(torch, ours.weight.dtype)
        # skip_init: no random initialisation, so torch's global random stream is not used.
        return torch.nn.utils.skip_init(
            tnn.Linear, ours.in_features, ours.out_features, bias=ours.bias is not None, dtype=dtype
        )
    # By keyword: PyTorch's losses take other (deprecated) arguments first.
    config = {name: getattr(ours, name) for name in kind.config}
    if kind.name == "Conv2d":
        assert isinstance(ours, convolution.Conv2d)
        dtype = torch_dtype(torch, ours.weight.dtype)
        return torch.nn.utils.skip_init(
            tnn.Conv2d, **config, bias=ours.bias is not None, dtype=dtype
        )
    return getattr(tnn, kind.name)(**config)


def _shell_for_tracegrad(kind: Kind, theirs: Any, where: str) -> Module:
    """An empty tracegrad module of ``kind`` configured as the torch module ``theirs``."""
    for name, default in kind.torch_only:
        value = getattr(theirs, name, default)
        if default is not None and value != default:
            raise ConversionError(
                f"nn.from_torch: {where} is a torch.nn.{kind.name} with {name}={value!r}, "
                f"which tracegrad's {kind.name} does not have (only the default {default!r})"
            )
    if kind.name == "Linear":
        dtype = numpy_dtype(theirs.weight.dtype, where)
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
    if kind.name == "Conv2d":
        if config["padding_mode"] != "zeros":
            raise ConversionError(
                f"nn.from_torch: {where} is a torch.nn.Conv2d with padding_mode="
                f"{config['padding_mode']!r}; tracegrad's Conv2d pads with zeros only"
            )
        return convolution.Conv2d(
            **config,
            bias=theirs.bias is not None,
            dtype=numpy_dtype(theirs.weight.dtype, where),
            rng=np.random.default_rng(0),  # a throwaway: the global generator is left untouched
        )
    if kind.name in ("Softmax", "LogSoftmax") and config["dim"] is None:
        raise ConversionError(
            f"nn.from_torch: {where} is a torch.nn.{kind.name} with dim=None, whose axis "
            "PyTorch guesses from the input's shape; give it a dim (e.g. dim=1)"
        )
    return kind.ours(**config)


# --- the scalar networks ------------------------------------------------------------------


def _scalar_to_torch(torch: Any, model: MLP | Layer | Neuron) -> Any:
    children: list[tuple[str, Any]] = []
    params = scalar_parameters(model)
    for name, neurons, activation in scalar_layers(model):
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
        if activation not in SCALAR_ACTIVATIONS:
            raise ConversionError(
                f"nn.to_torch: layer {name} uses the {activation!r} activation, which has no "
                f"PyTorch layer (these convert: {', '.join(SCALAR_ACTIVATIONS)}, linear)"
                + (
                    "; its derivative is zero almost everywhere, so it cannot be trained there"
                    if activation == "step"
                    else ""
                )
            )
        layer_name, arguments = SCALAR_ACTIVATIONS[activation]
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
        self.names = Translator(torch, towards_torch=towards_torch, converter=self)
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
            self._refuse_hooks(source, where)
            made = _shell_for_tracegrad(kind, source, where)
        self.made[id(source)] = made
        self.kept.append(source)
        # Both libraries keep a module's own parameters and its children in assignment order,
        # and name them alike (child.param), so doing the same here gives the same names.
        for name, param in source._parameters.items():
            self._set_parameter(made, name, param)
        self._set_buffers(source, made, kind, where)
        for name, child in source._modules.items():
            child_path = f"{path}.{name}" if path else name
            made.add_module(name, None if child is None else self.module(child, child_path))
        if type(source) is not kind.class_on(self.torch, tracegrad=self.towards_torch):
            object.__setattr__(made, "__class__", self.names.user_class(type(source), where))
            self._copy_attributes(source, made, kind, where)
        self._set_training(made, source.training)
        return made

    def _kind(self, cls: type, path: str) -> Kind:
        """The layer kind a class is, or is a subclass of; an error for unknown library kinds."""
        for base in cls.__mro__:
            if not self.names.is_library(base):
                continue  # a class of the user's: look further up
            kind = kind_of(base, self.torch, tracegrad=self.towards_torch)
            if kind is not None:
                return kind
            side = "tracegrad" if self.towards_torch else "PyTorch"
            label = f"layer {path!r}" if path else "the model"
            subclass = (
                f" (a subclass of {base.__module__}.{base.__name__})" if base is not cls else ""
            )
            known = ", ".join(kind.name for kind in KINDS[1:])
            raise ConversionError(
                f"{self.who}: {label} is a {cls.__module__}.{cls.__name__}{subclass}, a {side} "
                f"layer kind that has no counterpart; these convert: {known}, and subclasses "
                "of Module made of them"
            )
        raise ConversionError(f"{self.who}: {cls.__name__} is not a module")  # pragma: no cover

    def _set_parameter(self, made: Any, name: str, param: Any) -> None:
        if param is None:
            made.register_parameter(name, None)
            return
        if id(param) not in self.made:
            self.tensor(param)
        if self.towards_torch:
            made.register_parameter(name, self.made[id(param)])
        else:
            setattr(made, name, self.made[id(param)])

    def _set_buffers(self, source: Any, made: Any, kind: Kind, where: str) -> None:
        """The buffers (BatchNorm's running statistics, a user's masks and counters), as
        buffers on the other side, persistent or not as they were. A layer kind holds only
        the buffers its counterpart has (a loss's class weights have none here)."""
        if self.towards_torch:
            passing = source._non_persistent_buffers
        else:
            passing = source._non_persistent_buffers_set
        for name, buffer in source._buffers.items():
            if kind.name != "Module" and name not in made._buffers:
                if buffer is None:
                    continue
                other = "PyTorch" if self.towards_torch else "tracegrad"
                raise ConversionError(
                    f"{self.who}: {where} holds the buffer {name!r} (state saved with the "
                    f"model but not trained), which {other}'s {kind.name} does not have"
                )
            converted = None if buffer is None else self.tensor(buffer)
            made.register_buffer(name, converted, persistent=name not in passing)

    def _set_training(self, made: Any, training: bool) -> None:
        object.__setattr__(made, "training", bool(training))

    def _refuse_hooks(self, source: Any, where: str) -> None:
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

    def _copy_attributes(self, source: Any, made: Any, kind: Kind, where: str) -> None:
        """A user subclass's own attributes: its settings, constants and helpers."""
        skip = set(source._parameters) | set(source._modules) | set(kind.config)
        skip |= _OUR_INTERNALS if self.towards_torch else self.torch_internals
        skip |= {name for name, _ in kind.torch_only} | set(kind.hidden) | set(source._buffers)
        attributes = dict(vars(source))
        for name, value in attributes.items():
            if name in skip:
                continue
            translated = self.names.value(value, f"{where}: the attribute {name!r}")
            if self.towards_torch:
                object.__setattr__(made, name, translated)
            else:
                setattr(made, name, translated)

    # -- values met on the way (parameters, attributes, globals of methods)

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


# --- checking a conversion on an example --------------------------------------------------


def _check_outputs(torch: Any, ours: Any, theirs: Any, example: Any, who: str) -> None:
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
    if isinstance(ours, SCALAR_MODELS):
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
