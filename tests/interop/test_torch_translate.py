"""Your own classes on the other side (nn.torch.translate): a subclass's methods rerun there.

A user's subclass of nn.Module converts to a torch.nn.Module subclass of the same name whose
methods are the same code with the global names meaning PyTorch's, and back; helpers,
closures, class attributes, static and class methods, properties, partials and mixins come
along. Names without a counterpart are refused, at conversion or when run.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest
from conftest import HAS_TORCH
from torch_parity import compare

import autograd
import autograd.tensors.factories
import nn
from autograd import Tensor
from nn.torch import ConversionError
from nn.torch.translate import Translator, global_names

pytestmark = pytest.mark.skipif(not HAS_TORCH, reason="torch is an optional peer")
if HAS_TORCH:
    import torch
    import torch.nn.functional as F


# --- user subclasses ----------------------------------------------------------------------


OFFSET = 0.5


def _shift(x: Any) -> Any:
    """A helper at module level: converted code calls the converted helper."""
    return x - OFFSET * autograd.ones(*x.shape)


class Gated(nn.Module):
    """Most of what a user's forward does: torch-style calls, helpers, constants, super()."""

    limit = 3.0  # a class attribute

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.gate = nn.Linear(4, 4)
        self.scale = nn.Parameter(autograd.ones(4) * 0.5)  # a parameter of its own
        self.bias_shift = Tensor([0.1, -0.2, 0.3, 0.0])  # a constant tensor
        self.mask = np.array([1.0, 0.0, 1.0, 1.0], dtype=np.float32)  # a numpy constant
        self.heads = 2  # settings
        self.names = ["a", "b"]

    def mix(self, x: Any) -> Any:
        return autograd.sigmoid(self.gate(x)) * self.fc(x)

    def forward(self, x: Any) -> Any:
        y = self.mix(_shift(x)) * self.scale + self.bias_shift
        y = y * self.mask
        squash = lambda t: (t / self.limit).tanh() * self.limit  # noqa: E731 - a closure
        return squash(y).reshape(x.shape[0], self.heads, 2).sum(2)


class Deeper(Gated):
    def forward(self, x: Any) -> Any:
        return super().forward(x).relu() + 1


class Trunk(nn.Sequential):
    """A Sequential subclass with its own forward calling Sequential's."""

    def __init__(self) -> None:
        super().__init__(nn.Linear(6, 3), nn.ReLU())

    def forward(self, x: Any) -> Any:
        return super().forward(x.flatten(1)) * 2


@pytest.mark.parametrize("cls", [Gated, Deeper])
def test_a_user_subclass_runs_its_own_code_with_torch(cls: type) -> None:
    autograd.manual_seed(6)
    ours = cls()
    theirs = nn.to_torch(ours, example=np.ones((2, 4), dtype=np.float32))
    assert type(theirs).__name__ == cls.__name__ and isinstance(theirs, torch.nn.Module)
    assert theirs.heads == 2 and theirs.names == ["a", "b"] and theirs.limit == 3.0
    assert isinstance(theirs.bias_shift, torch.Tensor) and isinstance(theirs.mask, torch.Tensor)
    assert [n for n, _ in theirs.named_parameters()] == [n for n, _ in ours.named_parameters()]
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    compare(ours, theirs, x)
    # And the converted class can come back.
    back = nn.from_torch(theirs)
    assert type(back).__name__ == cls.__name__ and isinstance(back, nn.Module)
    compare(back, theirs, x)


def test_a_sequential_subclass_with_super_forward() -> None:
    autograd.manual_seed(7)
    ours = Trunk()
    theirs = nn.to_torch(ours)
    assert isinstance(theirs, torch.nn.Sequential)
    x = np.random.default_rng(1).standard_normal((2, 2, 3)).astype(np.float32)
    compare(ours, theirs, x)


def test_the_tutorials_models_convert() -> None:
    from demos.and_network import NeuralNet
    from demos.modern_network import ModernNetwork
    from demos.simple_nn_xor import SimpleNN

    rng = np.random.default_rng(0)
    for model, features in ((SimpleNN(2, 4, 1), 2), (NeuralNet(), 2), (ModernNetwork(), 784)):
        model.eval()
        x = rng.standard_normal((5, features)).astype(np.float32)
        theirs = nn.to_torch(model, example=x)
        compare(model, theirs, x)
        compare(nn.from_torch(theirs, example=x), theirs, x)


class TorchNet(torch.nn.Module if HAS_TORCH else object):  # type: ignore[misc]
    """A PyTorch program's model, as a tutorial writes it."""

    def __init__(self) -> None:
        super().__init__()
        self.flatten = torch.nn.Flatten()
        self.hidden = torch.nn.Linear(12, 8)
        self.out = torch.nn.Linear(8, 3)
        self.temperature = 2.0

    def forward(self, x: Any) -> Any:
        x = F.relu(self.hidden(self.flatten(x)))
        x = torch.tanh(x) + torch.sigmoid(x)
        return F.log_softmax(self.out(x) / self.temperature, dim=1)


def test_a_torch_subclass_comes_to_tracegrad() -> None:
    torch.manual_seed(8)
    theirs = TorchNet()
    x = np.random.default_rng(2).standard_normal((4, 3, 4)).astype(np.float32)
    ours = nn.from_torch(theirs, example=x)
    assert type(ours).__name__ == "TorchNet" and ours.temperature == 2.0
    compare(ours, theirs, x)
    # Training it goes on in tracegrad with tracegrad's optimizers.
    optimizer = nn.optim.SGD(ours.parameters(), lr=0.1)
    before = ours.hidden.weight.array.copy()
    loss = -ours(Tensor(x)).mean()
    loss.backward()
    optimizer.step()
    assert not np.array_equal(before, ours.hidden.weight.data)


def test_names_without_counterpart_are_refused_at_conversion() -> None:
    from autograd import explain

    class Narrating(nn.Module):
        def forward(self, x: Any) -> Any:
            explain(x)
            return x

    with pytest.raises(
        ConversionError,
        match=(
            r"'explain' is autograd.narration.explain.explain, which has no counterpart in "
            r"PyTorch"
        ),
    ):
        nn.to_torch(Narrating())

    class Seeded(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rng = np.random.default_rng(0)

    with pytest.raises(ConversionError, match=r"the attribute 'rng' is a numpy random generator"):
        nn.to_torch(Seeded())

    class Slotted(nn.Module):
        __slots__ = ("extra",)

    with pytest.raises(ConversionError, match=r"Slotted uses __slots__"):
        nn.to_torch(Slotted())


def test_a_module_name_without_counterpart_says_which_when_run() -> None:
    class Flat(torch.nn.Module):
        def forward(self, x: Any) -> Any:
            return torch.cumsum(x, 1)

    ours = nn.from_torch(Flat())
    with pytest.raises(AttributeError, match=r"torch.cumsum has no counterpart in autograd"):
        ours(autograd.ones(2, 3, 4))


# --- the rest of what a class may hold ----------------------------------------------------


def _scaled_tanh(x: Any, factor: float = 2.0) -> Any:
    return autograd.tanh(x) * factor


class _Describes:
    """A mixin that is no module: the converted class keeps it as it is."""

    def describe(self) -> str:
        return f"{type(self).__name__} of width {self.width}"  # type: ignore[attr-defined]


class Rich(_Describes, nn.Module):
    activation = nn.Sigmoid  # a class attribute that is a library class

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(3, 3)
        self.post = functools.partial(_scaled_tanh, factor=3.0)
        self.spare = [nn.Linear(3, 3)]  # a module outside the registered children
        self.device = autograd.device("cpu")

    @staticmethod
    def twice(x: Any) -> Any:
        return autograd.relu(x) * 2

    @classmethod
    def make_activation(cls) -> Any:
        return cls.activation()

    @property
    def width(self) -> int:
        return int(self.fc.out_features)

    def forward(self, x: Any) -> Any:
        y = self.twice(self.fc(x)) + self.spare[0](x)
        return self.post(self.make_activation()(y)) + _scaled_tanh(y) + self.width


def test_static_and_class_methods_properties_partials_and_mixins_come_along_both_ways() -> None:
    autograd.manual_seed(9)
    ours = Rich()
    x = np.random.default_rng(3).standard_normal((4, 3)).astype(np.float32)
    theirs = nn.to_torch(ours, example=x)
    assert [c.__name__ for c in type(theirs).__mro__[:3]] == ["Rich", "_Describes", "Module"]
    assert isinstance(theirs, torch.nn.Module) and type(theirs).activation is torch.nn.Sigmoid
    assert theirs.device == torch.device("cpu") and isinstance(theirs.spare[0], torch.nn.Linear)
    assert theirs.describe() == "Rich of width 3"
    compare(ours, theirs, x)
    back = nn.from_torch(theirs, example=x)
    assert isinstance(back, nn.Module) and type(back).activation is nn.Sigmoid
    assert back.device == autograd.device("cpu") and back.describe() == "Rich of width 3"
    compare(back, theirs, x)


def test_a_library_function_as_a_default_argument_becomes_the_other_librarys() -> None:
    def activate(x: Any, how: Any = autograd.tanh) -> Any:
        return how(x)

    translated = Translator(torch, towards_torch=True, converter=None).function(activate, "f")
    assert translated.__defaults__ == (torch.tanh,)
    assert translated(torch.tensor([0.5])).item() == pytest.approx(np.tanh(0.5), rel=1e-7)


def test_torch_dtypes_and_devices_held_as_attributes() -> None:
    class Typed(torch.nn.Module):
        def __init__(self, dtype: Any, device: str = "cpu") -> None:
            super().__init__()
            self.dtype, self.device = dtype, torch.device(device)

        def forward(self, x: Any) -> Any:
            return x.to(self.dtype)

    back = nn.from_torch(Typed(torch.float64))
    assert back.dtype == np.float64 and back.device == autograd.device("cpu")
    assert back(autograd.ones(2)).dtype == np.float64
    with pytest.raises(ConversionError, match=r"the attribute 'device' is the device cuda"):
        nn.from_torch(Typed(torch.float32, "cuda"))
    with pytest.raises(ConversionError, match=r"the attribute 'dtype' holds torch.bfloat16"):
        nn.from_torch(Typed(torch.bfloat16))


def test_library_modules_and_objects_without_counterpart_are_named() -> None:
    class HoldsAModule(nn.Module):
        factories = autograd.tensors.factories

    with pytest.raises(
        ConversionError,
        match=r"HoldsAModule.factories is the module autograd.tensors.factories, which has no",
    ):
        nn.to_torch(HoldsAModule())

    class HoldsAValue(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.value = autograd.Value(1.0)

    with pytest.raises(
        ConversionError, match=r"the attribute 'value' is a autograd.scalar.value.Value, which"
    ):
        nn.to_torch(HoldsAValue())


def test_a_converted_library_module_says_what_it_stands_for() -> None:
    translator = Translator(torch, towards_torch=True, converter=None)
    stand_in = translator.value(nn, "the name 'nn'")
    assert repr(stand_in) == "<nn, converted: torch.nn, torch.nn.functional>"
    assert stand_in.Linear is torch.nn.Linear and stand_in.mse_loss is F.mse_loss
    with pytest.raises(AttributeError, match=r"nn.MLP has no counterpart in torch.nn or"):
        stand_in.MLP  # noqa: B018 - the lookup is what is tested
    back = Translator(torch, towards_torch=False, converter=None)
    assert back.value(stand_in, "the name 'nn'") is nn  # going back, a name means what it meant


def test_global_names_reads_nested_code_and_each_name_once() -> None:
    def outer(x: Any) -> Any:
        def inner(y: Any) -> Any:
            return autograd.relu(y) + OFFSET

        squash = lambda t: autograd.tanh(t) * OFFSET  # noqa: E731
        return [inner(v) for v in squash(x)] + [np.zeros(1)]

    names = list(global_names(outer.__code__))
    assert sorted(names) == ["OFFSET", "autograd", "np"]
