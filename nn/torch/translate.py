"""Your own classes on the other side: a subclass's methods rerun with the other library's names.

A subclass of ``nn.Module`` has a ``forward`` you wrote against tracegrad's PyTorch-shaped API.
Converting it does not rewrite that code: :class:`Translator` builds a class of the same name
on PyTorch's base classes, with the same methods, whose code object is the one you wrote but
whose *global names* are new: where the original's ``torch`` (``autograd`` imported as
``torch``), ``nn``, ``Tensor``, ``relu``, ... meant tracegrad, the copy's mean PyTorch. A
library module becomes a stand-in that looks each name up in the other library on first use
(``autograd`` -> ``torch``, ``nn`` -> ``torch.nn`` and ``torch.nn.functional``, ...); a library
function or class becomes the other's function or class of the same name. Helper functions
the methods call, closures, default arguments and class attributes are translated the same
way, recursively; numbers, strings and containers of them are kept. The other direction
(``torch`` -> ``autograd``) works alike.

Nothing here runs the code: a name with no counterpart is refused when the class is
converted if the code reads it as a global (``explain``), and when the method runs if it is an
attribute of a module (``torch.flatten``).

>>> import pytest; torch = pytest.importorskip("torch")  # the examples need PyTorch
>>> import autograd, nn
>>> def double_relu(x):
...     return autograd.relu(x) * 2
>>> converted = Translator(torch, towards_torch=True, converter=None).function(double_relu, "f")
>>> converted(torch.tensor([-1.0, 3.0]))
tensor([0., 6.])
"""

from __future__ import annotations

import dis
import functools
import importlib
import types
from collections.abc import Iterable
from typing import Any, Protocol

import numpy as np

import autograd
import autograd.tensors.functions
from autograd import Tensor
from nn import layers, losses, module, neurons, optim
from nn.module import Module

from .kinds import ConversionError, array_to_torch, kind_of, numpy_dtype

__all__ = ["Translator", "Converter", "global_names", "is_tracegrad_name", "is_torch_name"]


class Converter(Protocol):
    """What the translator asks of a model conversion: the modules and tensors it meets.

    ``nn.torch.convert``'s converter is one; this one converts tensors only:

    >>> import pytest; torch = pytest.importorskip("torch")
    >>> import autograd
    >>> class Tensors:
    ...     who = "an example"
    ...     def module(self, source, path): raise NotImplementedError
    ...     def tensor(self, value): return value.to_torch()
    >>> scale = autograd.tensor([2.0])
    >>> def doubled(x):
    ...     return x * scale
    >>> to_torch = Translator(torch, towards_torch=True, converter=Tensors())
    >>> to_torch.function(doubled, "doubled")(torch.ones(1))
    tensor([2.])
    """

    who: str

    def module(self, source: Any, path: str) -> Any:
        """The other side's module for ``source`` (one made before if it was)."""

    def tensor(self, value: Any) -> Any:
        """The other side's tensor for ``value`` (a parameter stays a parameter)."""


def is_tracegrad_name(module_name: str) -> bool:
    """Whether a module of this name is part of tracegrad.

    >>> is_tracegrad_name("autograd.tensors.functions"), is_tracegrad_name("numpy")
    (True, False)
    """
    return module_name.split(".")[0] in ("autograd", "nn")


def is_torch_name(module_name: str) -> bool:
    """Whether a module of this name is part of PyTorch.

    >>> is_torch_name("torch.nn.functional"), is_torch_name("torchvision")
    (True, False)
    """
    return module_name.split(".")[0] == "torch"


# Names that exist on both sides but mean different things: never mapped.
#: What ``torch.nn`` corresponds to: the modules that define nn's classes (not the package
#: nn itself, which imports this module).
_NN = [module, layers, losses, neurons]

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


class Translator:
    """Maps the values that code and attributes refer to onto the other library.

    ``converter`` converts the modules and tensors met on the way (the attributes of a model,
    the globals of its methods); a translator made for code alone may have ``None``.

    >>> import pytest; torch = pytest.importorskip("torch")
    >>> import autograd
    >>> to_torch = Translator(torch, towards_torch=True, converter=None)
    >>> to_torch.value(autograd.tanh, "the name 'tanh'") is torch.tanh
    True
    """

    def __init__(self, torch: Any, *, towards_torch: bool, converter: Converter | None) -> None:
        self.torch = torch
        self.towards_torch = towards_torch
        self.converter = converter
        self.who = converter.who if converter is not None else "nn.torch"
        self.made: dict[int, Any] = {}
        self.kept: list[Any] = []  # the originals, alive until the end, so ids stay unique
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
            # Where the counterpart of a library class, or of a library function, is found.
            self.class_homes: list[Any] = [torch.nn, torch]
            self.function_homes: list[Any] = [torch, functional]
        else:
            self.modules = {
                "torch": [autograd],
                "torch.nn": _NN,
                "torch.nn.functional": [autograd.tensors.functions, losses],
                "torch.optim": [optim],
            }
            self.class_homes = [*_NN, autograd]
            self.function_homes = [autograd, autograd.tensors.functions, losses]

    def is_library(self, value: Any) -> bool:
        """Whether ``value`` (a module, class or function) belongs to the library converted from.

        >>> import pytest; torch = pytest.importorskip("torch")
        >>> import nn
        >>> Translator(torch, towards_torch=True, converter=None).is_library(nn.Linear)
        True
        """
        name = getattr(value, "__module__", None) or ""
        if isinstance(value, types.ModuleType):
            name = value.__name__
        return is_tracegrad_name(name) if self.towards_torch else is_torch_name(name)

    # -- single values

    def value(self, value: Any, where: str) -> Any:
        """``value`` as the converted code or model holds it; ``where`` names it in errors.

        >>> import pytest; torch = pytest.importorskip("torch")
        >>> import autograd
        >>> to_torch = Translator(torch, towards_torch=True, converter=None)
        >>> to_torch.value([1, "a", autograd], "the attribute 'x'")
        [1, 'a', <autograd, converted: torch>]
        """
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
        if self.converter is not None and isinstance(value, self._module_base()):
            # A module kept outside the registered children (in a plain list, say).
            return self.converter.module(value, where)
        if isinstance(value, np.random.Generator):
            raise ConversionError(
                f"{self.who}: {where} is a numpy random generator; the converted "
                "model would share it with the original (use the library's own random "
                "functions, or pass random numbers in)"
            )
        if self.converter is not None and isinstance(
            value, Tensor if self.towards_torch else self.torch.Tensor
        ):
            return self.converter.tensor(value)
        if self.towards_torch and isinstance(value, np.ndarray):
            return array_to_torch(self.torch, value)
        if isinstance(value, type):
            if self.is_library(value):
                return self._counterpart(value, where)
            if issubclass(value, self._module_base()):
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

    def _module_base(self) -> type:
        """The class every module of the library converted from derives from."""
        return Module if self.towards_torch else self.torch.nn.Module

    def _module(self, value: types.ModuleType, where: str) -> Any:
        name = value.__name__
        targets = self.modules.get(name)
        if targets is None:
            raise ConversionError(
                f"{self.who}: {where} is the module {name}, which has no counterpart"
            )
        return _Counterparts(name, targets)

    def _counterpart(self, value: Any, where: str) -> Any:
        """The other library's function or class of the same name and meaning."""
        name = getattr(value, "__name__", "")
        full = f"{value.__module__}.{name}"
        homes = self.class_homes if isinstance(value, type) else self.function_homes
        if full not in _NOT_COUNTERPARTS:
            for home in homes:
                found = getattr(home, name, None)
                if found is not None and callable(found):
                    return found
        raise ConversionError(
            f"{self.who}: {where} is {full}, which has no counterpart in "
            f"{'PyTorch' if self.towards_torch else 'tracegrad'}"
        )

    def _library_instance(self, value: Any, where: str) -> Any:
        torch = self.torch
        if self.towards_torch:
            if isinstance(value, autograd.device):
                return torch.device("cpu")
        else:
            if isinstance(value, torch.device):
                if value.type != "cpu":
                    raise ConversionError(f"nn.from_torch: {where} is the device {value}")
                return autograd.device("cpu")
            if isinstance(value, torch.dtype):
                return numpy_dtype(value, where)
        raise ConversionError(
            f"{self.who}: {where} is a {type(value).__module__}.{type(value).__name__}, "
            "which cannot be converted"
        )

    # -- code

    def function(self, func: types.FunctionType, where: str) -> types.FunctionType:
        """The same function, its global names (and closure) meaning the other library's.

        >>> import pytest; torch = pytest.importorskip("torch")
        >>> import autograd
        >>> def total(x):
        ...     return autograd.sum(x)
        >>> Translator(torch, towards_torch=True, converter=None).function(total, "total")(
        ...     torch.ones(3))
        tensor(3.)
        """
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
        for name in global_names(code):
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
        """The user's class rebuilt on the other library's base classes, method by method.

        >>> import pytest; torch = pytest.importorskip("torch")
        >>> import nn
        >>> class Twice(nn.Module):
        ...     def forward(self, x):
        ...         return x * 2
        >>> made = Translator(torch, towards_torch=True, converter=None).user_class(Twice, "Twice")
        >>> made.__name__, made.__bases__, made()(torch.ones(2))
        ('Twice', (<class 'torch.nn.modules.module.Module'>,), tensor([2., 2.]))
        """
        if id(cls) in self.made:
            return self.made[id(cls)]
        own = vars(cls)
        if "__slots__" in own:
            raise ConversionError(
                f"{self.who}: {where}: the class {cls.__name__} uses __slots__, which "
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
            kind = kind_of(base, self.torch, tracegrad=self.towards_torch)
            if kind is not None:
                return kind.class_on(self.torch, tracegrad=not self.towards_torch)
            return self._counterpart(base, where)
        if issubclass(base, self._module_base()):
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


def global_names(code: types.CodeType) -> Iterable[str]:
    """The global names a function's code (and the code nested in it) reads, each once.

    >>> def f(x):
    ...     return [abs(v) for v in x] + helper(np)
    >>> sorted(global_names(f.__code__))  # abs included, however Python compiles comprehensions
    ['abs', 'helper', 'np']
    """
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
