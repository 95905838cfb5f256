"""Module and Sequential: PyTorch's way of building networks, on tracegrad Tensors.

Assigning a :class:`Parameter` or a :class:`Module` to an attribute registers it, so
``parameters()``, ``named_parameters()``, ``state_dict()`` and the printout find it.
Every parameter is labelled with its state-dict name (``fc1.weight``) and owned by its
module, so narration says ``dloss/dfc1.weight`` and drawings can group by layer.

Example:
    >>> import nn
    >>> class Tiny(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc1 = nn.Linear(2, 4)
    ...         self.relu = nn.ReLU()
    ...     def forward(self, x):
    ...         return self.relu(self.fc1(x))
    >>> model = Tiny()
    >>> [name for name, _ in model.named_parameters()]
    ['fc1.weight', 'fc1.bias']
    >>> model
    Tiny(
      (fc1): Linear(in_features=2, out_features=4, bias=True)
      (relu): ReLU()
    )
"""

from __future__ import annotations

import numbers
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from autograd import Owner, Tensor, zeros_like
from autograd.tensors.devices import check_device, names_a_device
from autograd.tensors.versions import mark_changed
from nn.state_dict import check_state_dict

__all__ = ["Parameter", "Module", "ModuleList", "Sequential"]


def whole_number(value: Any, name: str, where: str) -> int:
    """``value`` as an int if it is a whole number (numpy integers too), else a TypeError
    naming ``where`` (the layer), ``name`` (the argument) and the value.

    >>> whole_number(np.int64(3), "in_features", "Linear")
    3
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    raise TypeError(
        f"{where}: {name} must be a whole number, got {type(value).__name__} {value!r:.60}"
    )


class Parameter(Tensor):
    """A Tensor that is a learnable parameter: it requires grad, and a Module registers it.

    >>> p = Parameter([1.0, 2.0])
    >>> p.requires_grad, p.dtype
    (True, dtype('float32'))
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None) -> None:
        if isinstance(data, Tensor):
            dtype = data.dtype if dtype is None else dtype
            data = data.array
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """The base class of every layer and network: subclass it and define ``forward``.

    >>> import nn
    >>> layer = nn.Linear(3, 2)
    >>> layer.training, layer.eval().training
    (True, False)
    """

    # Set through object.__setattr__ in __init__, so they never pass through registration.
    _parameters: dict[str, Parameter | None]
    _modules: dict[str, Module | None]
    _buffers: dict[str, Tensor | None]
    _non_persistent_buffers: set[str]
    _name: str
    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_name", "")
        object.__setattr__(self, "training", True)

    # --- registration -----------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() runs: "
                f"call super().__init__() first in {type(self).__name__}.__init__"
            )
        # As in PyTorch: a registered parameter or child may be replaced only by its own kind
        # (or None), so a stray assignment cannot silently drop a weight from training.
        if name in self._parameters and not isinstance(value, (Parameter, type(None))):
            raise TypeError(
                f"cannot assign {type(value).__name__} as parameter {name!r} of "
                f"{type(self).__name__}: use nn.Parameter(...) or None"
            )
        if name in self._modules and not isinstance(value, (Module, type(None))):
            raise TypeError(
                f"cannot assign {type(value).__name__} as child module {name!r} of "
                f"{type(self).__name__}: use an nn.Module or None"
            )
        buffers = self.__dict__.get("_buffers")
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign {type(value).__name__} as buffer {name!r} of "
                    f"{type(self).__name__}: use a Tensor or None"
                )
            buffers[name] = value
        if isinstance(value, Module) and any(m is self for m in value.modules()):
            # PyTorch accepts this, then its printout and state_dict recurse without end.
            raise ValueError(
                f"cannot assign {type(value).__name__} as child {name!r} of "
                f"{type(self).__name__}: the {type(self).__name__} would contain itself "
                f"({'it is the module itself' if value is self else 'it is inside that module'})"
                ", and a network that contains itself has no end to its parameters, printout "
                "or state dict"
            )
        if isinstance(value, Parameter) or (value is None and name in self._parameters):
            self._modules.pop(name, None)
            self._parameters[name] = value
        elif isinstance(value, Module) or (value is None and name in self._modules):
            self._parameters.pop(name, None)
            self._modules[name] = value
        object.__setattr__(self, name, value)
        if isinstance(value, (Parameter, Module)):
            self._rename(self._name)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        self.__dict__.get("_buffers", {}).pop(name, None)
        object.__delattr__(self, name)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register ``tensor`` as state that is saved with the module but not trained (as
        BatchNorm's running statistics): ``state_dict`` holds it unless ``persistent=False``,
        ``parameters()`` never does.

        >>> import nn, autograd
        >>> m = nn.Module(); m.register_buffer("count", autograd.zeros(1))
        >>> list(m.state_dict()), list(m.parameters())
        (['count'], [])
        """
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(
                f"register_buffer: a buffer name is a non-empty str without '.', got {name!r}"
            )
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"register_buffer: {name!r} must be a Tensor or None, got {type(tensor).__name__}"
            )
        if name in self._parameters or name in self._modules:
            raise KeyError(f"register_buffer: {name!r} is already a parameter or a child module")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)
        object.__setattr__(self, name, tensor)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` under ``name`` (None keeps the name, as for a missing bias)."""
        if param is None:
            self._parameters[name] = None
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, param)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register a child module under ``name``."""
        if module is None:
            self._modules[name] = None
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, module)

    def _rename(self, prefix: str) -> None:
        """Label every parameter below with its full name, and give it its module as owner."""
        object.__setattr__(self, "_name", prefix)
        group = ((("layer", prefix),) if prefix else ()) if self._parameters else ()
        for name, param in self._parameters.items():
            if param is not None:
                param.label = f"{prefix}.{name}" if prefix else name
                param.owner = Owner(group, "param")
        object.__setattr__(self, "_computed", Owner(group, "computed"))
        for name, child in self._modules.items():
            if child is not None:
                child._rename(f"{prefix}.{name}" if prefix else name)

    def _mark(self, out: Tensor) -> Tensor:
        """Label a result this module computed with the module's name, for narration and drawing."""
        if self._name and out.op is not None:
            out.label = self._name
            out.owner = self.__dict__["_computed"]
        return out

    # --- traversal --------------------------------------------------------------------------

    def named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name, each once, in registration order."""
        seen: set[int] = set()
        for module_prefix, module in self.named_modules(prefix) if recurse else [(prefix, self)]:
            for name, param in module._parameters.items():
                if param is None or id(param) in seen:
                    continue
                seen.add(id(param))
                yield (f"{module_prefix}.{name}" if module_prefix else name), param

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter, in registration order (an iterator, as in PyTorch)."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        """Every buffer with its dotted name, each once, in registration order."""
        seen: set[int] = set()
        for module_prefix, module in self.named_modules(prefix) if recurse else [(prefix, self)]:
            for name, buffer in module._buffers.items():
                if buffer is None or id(buffer) in seen:
                    continue
                seen.add(id(buffer))
                yield (f"{module_prefix}.{name}" if module_prefix else name), buffer

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer, in registration order."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct children with their names."""
        for name, module in self._modules.items():
            if module is not None:
                yield name, module

    def children(self) -> Iterator[Module]:
        """The direct children."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every module below it, with dotted names (this one's is ``prefix``)."""
        stack: list[tuple[str, Module]] = [(prefix, self)]
        seen: set[int] = set()
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{n}" if name else n, m) for n, m in module.named_children()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """This module and every module below it."""
        for _, module in self.named_modules():
            yield module

    # --- modes and gradients ----------------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        """Switch this module and all below it to training mode (Dropout active); returns self."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (Dropout passes everything through); returns self."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's grad before the next backward: None, as PyTorch's default
        (``set_to_none=False`` writes zeros instead). Values' ``zero_grad`` writes 0.0.

        >>> import nn
        >>> layer = nn.Linear(2, 1); layer.zero_grad(); layer.weight.grad is None
        True
        """
        for param in self.parameters():
            if set_to_none or param.grad is None:
                param.grad = None
            else:
                param.grad = zeros_like(param)

    def to(
        self, *args: Any, dtype: Any = None, device: Any = None, non_blocking: bool = False
    ) -> Module:
        """Move to a device or cast every parameter to a float dtype, in place; returns self.
        As PyTorch's: ``to(device)``, ``to(dtype)``, ``to(device, dtype)`` or the keywords.
        The device is the CPU, the only one: ``"cpu"``, ``autograd.device("cpu")`` or
        ``torch.device("cpu")``; any other is an error pointing at ``nn.to_torch`` for GPUs.

        >>> import nn, autograd
        >>> layer = nn.Linear(2, 2); layer.to("cpu") is layer
        True
        >>> layer.to(autograd.float64).weight.dtype
        dtype('float64')
        """
        for arg in args:
            if names_a_device(arg):
                device = arg
            else:
                dtype = arg
        if device is not None:
            check_device(device, f"{type(self).__name__}.to")
        if dtype is None:
            return self
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(
                f"{type(self).__name__}.to: parameters must stay floating point, not {dtype}"
            )
        for param in self.parameters():
            grad = param.grad
            param.data = param.data.to(dtype)
            param.grad = None if grad is None else grad.detach().to(dtype)
        for buffer in self.buffers():
            if buffer.dtype.kind == "f":  # counters stay integers, as in PyTorch
                buffer.data = buffer.data.to(dtype)
        return self

    def cpu(self) -> Module:
        """The module itself: its parameters are on the CPU already."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Module:
        """An error: there is no GPU here (``nn.to_torch(model).cuda()`` moves to PyTorch's)."""
        check_device("cuda", f"{type(self).__name__}.cuda()")
        return self  # pragma: no cover - check_device raised

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze every parameter; returns self."""
        for param in self.parameters():
            param.requires_grad = requires_grad
        return self

    # --- running ----------------------------------------------------------------------------

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """What the module computes; every subclass defines it."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # --- saving and loading -----------------------------------------------------------------

    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Every parameter's and persistent buffer's name and a copy of its array: each module's
        parameters, then its buffers, then its children's, as PyTorch orders them.

        >>> import nn
        >>> list(nn.Linear(3, 2).state_dict().items())[0][1].shape
        (2, 3)
        """
        return OrderedDict((name, t.array.copy()) for name, t in self._state())

    def _state(self) -> Iterator[tuple[str, Tensor]]:
        """What ``state_dict`` holds, by name: parameters and persistent buffers, each once."""
        seen: set[int] = set()
        for prefix, module in self.named_modules():
            own: list[tuple[str, Tensor | None]] = [*module._parameters.items()]
            own += [
                (n, b)
                for n, b in module._buffers.items()
                if n not in module._non_persistent_buffers
            ]
            for name, tensor in own:
                if tensor is None or id(tensor) in seen:
                    continue
                seen.add(id(tensor))
                yield (f"{prefix}.{name}" if prefix else name), tensor

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> Any:
        """Copy arrays from ``state_dict`` into the parameters, in place.

        Everything is checked first: missing or unexpected names and wrong shapes raise one
        error listing them all, and the model is left exactly as it was. Each parameter
        loaded counts as a change in place (its ``_version``), as in PyTorch: a backward()
        through a graph that saved its old numbers raises.

        >>> import nn
        >>> a, b = nn.Linear(3, 2), nn.Linear(3, 2)
        >>> _ = b.load_state_dict(a.state_dict())
        >>> bool((a.weight == b.weight).all())
        True
        """
        params = dict(self._state())
        checked = check_state_dict(
            {n: p.array for n, p in params.items()}, state_dict, strict=strict
        )
        by = f"{type(self).__name__}.load_state_dict()"
        for name, array in checked.arrays.items():
            params[name].array[...] = array
            mark_changed(params[name], by)
        return checked

    # --- printout ---------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The text inside this module's parentheses in the printout."""
        return ""

    def __repr__(self) -> str:
        children = [
            f"({name}): " + repr(module).replace("\n", "\n  ")
            for name, module in self.named_children()
        ]
        extra = self.extra_repr()
        if not children:
            return f"{type(self).__name__}({extra})"
        lines = ([extra] if extra else []) + children
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


class ModuleList(Module):
    """A list of modules that registers them (named 0, 1, 2, ...).

    >>> import nn
    >>> layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    >>> len(layers), len(list(layers.parameters()))
    (3, 6)
    """

    def __init__(self, modules: Iterable[Module] = ()) -> None:
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> ModuleList:
        """Add a module at the end; returns self."""
        if not isinstance(module, Module):
            raise TypeError(
                f"{type(self).__name__} takes modules, but item {len(self)} is a "
                f"{type(module).__name__}"
            )
        key = len(self._modules)
        while str(key) in self._modules:  # a slice keeps its keys (2, 3): go past them
            key += 1
        self.add_module(str(key), module)
        return self

    def __len__(self) -> int:
        return len(self._modules)

    def __getitem__(self, index: int | slice) -> Any:
        """One module, or for a slice a new container of the same kind (``net[:2]``).

        The slice holds the same modules; their parameters keep the names the original
        network gave them. Its own names follow PyTorch: a Sequential's slice keeps the keys
        (``net[2:]`` has ``2.weight``), a ModuleList's slice is numbered from 0.
        """
        items = [(key, m) for key, m in self._modules.items() if m is not None]
        if isinstance(index, slice):
            return type(self)._slice(items[index])
        return items[index][1]

    @classmethod
    def _slice(cls, items: list[tuple[str, Module]]) -> ModuleList:
        return cls._holding([(str(i), module) for i, (_, module) in enumerate(items)])

    @classmethod
    def _holding(cls, items: list[tuple[str, Module]]) -> Any:
        """A container of ``items`` that does not relabel their parameters (they belong to
        the network the items came from)."""
        container = cls.__new__(cls)
        Module.__init__(container)
        for key, module in items:
            container._modules[key] = module
            object.__setattr__(container, key, module)
        return container

    def __iter__(self) -> Iterator[Module]:
        return iter(m for m in self._modules.values() if m is not None)


class Sequential(ModuleList):
    """Modules applied one after another; children are named 0, 1, 2, ...

    >>> import nn
    >>> net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    >>> [name for name, _ in net.named_parameters()]
    ['0.weight', '0.bias', '2.weight', '2.bias']
    >>> len(net), type(net[1]).__name__
    (3, 'ReLU')
    """

    def __init__(self, *modules: Module | Mapping[str, Module]) -> None:
        if len(modules) == 1 and isinstance(modules[0], Mapping):  # Sequential(OrderedDict(...))
            super().__init__()
            for name, module in modules[0].items():
                self.add_module(name, module)
            return
        super().__init__(modules)  # type: ignore[arg-type]

    @classmethod
    def _slice(cls, items: list[tuple[str, Module]]) -> Sequential:
        return cls._holding(items)

    def forward(self, x: Any) -> Any:
        for module in self:
            x = module(x)
        return x
