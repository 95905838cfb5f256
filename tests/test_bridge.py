"""nn.to_torch / nn.from_torch / Tensor.to_torch / Tensor.from_torch against PyTorch.

Every layer kind, both directions, forward and backward: the converted model's outputs, input
gradients and parameter gradients equal the original's (float32: 1e-6 relative, float64:
1e-12). Then user subclasses, the scalar MLP, what is refused, and life without torch.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import HAS_TORCH
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Tensor
from nn.bridge import ConversionError, parameter_map

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not HAS_TORCH, reason="torch is an optional peer")
if HAS_TORCH:
    import torch
    import torch.nn.functional as F

RTOL = {np.dtype(np.float32): 1e-6, np.dtype(np.float64): 1e-12}


def _close(ours: Any, theirs: Any, what: str) -> None:
    a = ours.detach().numpy() if isinstance(ours, Tensor) else np.asarray(ours)
    b = theirs.detach().numpy() if not isinstance(theirs, np.ndarray) else theirs
    assert a.shape == b.shape, what
    assert a.dtype == b.dtype, what
    rtol = RTOL.get(a.dtype, 0.0)
    # Relative to the array's scale, so entries that cancel to near zero are compared fairly.
    scale = max(1.0, float(np.max(np.abs(b.astype(np.float64)), initial=0.0)))
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * scale, err_msg=what)


def _compare(ours: nn.Module, theirs: Any, x: np.ndarray, *, seed: int = 0) -> None:
    """Same outputs, same gradient for the input and for every parameter (by name)."""
    ours.zero_grad()
    theirs.zero_grad()  # both accumulate: a second comparison must start from nothing
    ours_x = Tensor(x, requires_grad=True, dtype=x.dtype)
    theirs_x = torch.tensor(x, requires_grad=True)
    our_out, their_out = ours(ours_x), theirs(theirs_x)
    _close(our_out, their_out, "output")
    weights = np.random.default_rng(seed).standard_normal(their_out.shape).astype(x.dtype)
    (our_out * Tensor(weights, dtype=x.dtype)).sum().backward()
    (their_out * torch.from_numpy(weights)).sum().backward()
    _close(ours_x.grad, theirs_x.grad, "input gradient")
    their_params = dict(theirs.named_parameters())
    our_params = dict(ours.named_parameters())
    assert list(our_params) == list(their_params)
    for name, param in our_params.items():
        if param.requires_grad:
            _close(param.grad, their_params[name].grad, f"gradient of {name}")
        else:
            assert param.grad is None and their_params[name].grad is None, name


def _same_parameters(ours: nn.Module, theirs: Any) -> None:
    pairs = parameter_map(ours, theirs)
    for name, (mine, other) in pairs.items():
        assert mine.dtype == other.detach().numpy().dtype, name
        np.testing.assert_array_equal(mine.data, other.detach().numpy(), err_msg=name)
        assert mine.requires_grad == other.requires_grad, name


# --- every layer kind, both ways ----------------------------------------------------------

# name -> (a tracegrad layer, the PyTorch layer, input shape); the layer sits between two
# Linear layers so its input and output gradients both matter.
LAYERS: dict[str, tuple[Callable[[], Any], Callable[[], Any], tuple[int, ...]]] = {}
if HAS_TORCH:
    LAYERS = {
        "Linear": (lambda: nn.Linear(5, 5), lambda: torch.nn.Linear(5, 5), (4, 5)),
        "Linear without bias": (
            lambda: nn.Linear(5, 5, bias=False),
            lambda: torch.nn.Linear(5, 5, bias=False),
            (4, 5),
        ),
        "Identity": (nn.Identity, torch.nn.Identity, (4, 5)),
        "ReLU": (nn.ReLU, torch.nn.ReLU, (4, 5)),
        "Sigmoid": (nn.Sigmoid, torch.nn.Sigmoid, (4, 5)),
        "Tanh": (nn.Tanh, torch.nn.Tanh, (4, 5)),
        "LeakyReLU": (lambda: nn.LeakyReLU(0.2), lambda: torch.nn.LeakyReLU(0.2), (4, 5)),
        "Softmax": (lambda: nn.Softmax(dim=1), lambda: torch.nn.Softmax(dim=1), (4, 5)),
        "LogSoftmax": (lambda: nn.LogSoftmax(dim=-1), lambda: torch.nn.LogSoftmax(-1), (4, 5)),
        "Dropout": (lambda: nn.Dropout(0.3), lambda: torch.nn.Dropout(0.3), (4, 5)),
    }


def _ours_around(layer: nn.Module, dtype: Any) -> nn.Module:
    return nn.Sequential(nn.Linear(5, 5), layer, nn.Linear(5, 3)).to(dtype).eval()


def _theirs_around(layer: Any, dtype: Any) -> Any:
    model = torch.nn.Sequential(torch.nn.Linear(5, 5), layer, torch.nn.Linear(5, 3))
    return model.to(dtype).eval()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", list(LAYERS))
def test_each_layer_kind_to_torch(kind: str, dtype: type) -> None:
    make_ours, make_theirs, shape = LAYERS[kind]
    autograd.manual_seed(1)
    ours = _ours_around(make_ours(), dtype)
    theirs = nn.to_torch(ours)
    assert type(theirs[1]) is type(make_theirs())
    assert repr(theirs[1]) == repr(make_theirs())  # the same settings
    _same_parameters(ours, theirs)
    x = np.random.default_rng(2).standard_normal(shape).astype(dtype)
    _compare(ours, theirs, x)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64] if HAS_TORCH else [])
@pytest.mark.parametrize("kind", list(LAYERS))
def test_each_layer_kind_from_torch(kind: str, dtype: Any) -> None:
    make_ours, make_theirs, shape = LAYERS[kind]
    torch.manual_seed(1)
    theirs = _theirs_around(make_theirs(), dtype)
    ours = nn.from_torch(theirs)
    assert type(ours[1]) is type(make_ours())
    assert repr(ours[1]) == repr(make_ours())
    _same_parameters(ours, theirs)
    numpy_dtype = np.float32 if dtype == torch.float32 else np.float64
    x = np.random.default_rng(2).standard_normal(shape).astype(numpy_dtype)
    _compare(ours, theirs, x)


@pytest.mark.parametrize("direction", ["to_torch", "from_torch"])
def test_flatten_both_ways(direction: str) -> None:
    autograd.manual_seed(3)
    torch.manual_seed(3)
    ours = nn.Sequential(nn.Flatten(), nn.Linear(12, 2))
    theirs = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 2))
    if direction == "to_torch":
        theirs = nn.to_torch(ours)
    else:
        ours = nn.from_torch(theirs)
    assert repr(ours[0]) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(theirs[0]) == "Flatten(start_dim=1, end_dim=-1)"
    x = np.random.default_rng(0).standard_normal((4, 3, 4)).astype(np.float32)
    _compare(ours, theirs, x)
    odd = nn.to_torch(nn.Flatten(0, 1)) if direction == "to_torch" else torch.nn.Flatten(0, 1)
    assert (odd.start_dim, odd.end_dim) == (0, 1)


@pytest.mark.parametrize("direction", ["to_torch", "from_torch"])
def test_module_list_and_sequential_inside_a_subclass(direction: str) -> None:
    class Stack(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
            self.head = nn.Sequential(nn.Tanh(), nn.Linear(4, 2))

        def forward(self, x: Tensor) -> Tensor:
            for block in self.blocks:
                x = block(x).relu() + x
            return self.head(x)

    autograd.manual_seed(4)
    ours = Stack()
    theirs = nn.to_torch(ours)
    if direction == "from_torch":
        ours = nn.from_torch(theirs)
        assert isinstance(ours.blocks, nn.ModuleList)
    else:
        assert isinstance(theirs.blocks, torch.nn.ModuleList)
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    _compare(ours, theirs, x)


LOSSES: dict[str, tuple[Any, Any, Callable[[np.random.Generator], tuple[Any, Any]]]] = {}
if HAS_TORCH:
    LOSSES = {
        "MSELoss": (
            nn.MSELoss,
            torch.nn.MSELoss,
            lambda rng: (rng.standard_normal((4, 3)), rng.standard_normal((4, 3))),
        ),
        "BCELoss": (
            nn.BCELoss,
            torch.nn.BCELoss,
            lambda rng: (rng.uniform(0.05, 0.95, (4, 3)), rng.uniform(0, 1, (4, 3))),
        ),
        "BCEWithLogitsLoss": (
            nn.BCEWithLogitsLoss,
            torch.nn.BCEWithLogitsLoss,
            lambda rng: (rng.standard_normal((4, 3)), rng.uniform(0, 1, (4, 3))),
        ),
        "CrossEntropyLoss": (
            nn.CrossEntropyLoss,
            torch.nn.CrossEntropyLoss,
            lambda rng: (rng.standard_normal((4, 3)), rng.integers(0, 3, 4)),
        ),
    }


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("kind", list(LOSSES))
def test_each_loss_both_ways(kind: str, reduction: str) -> None:
    make_ours, make_theirs, data = LOSSES[kind]
    converted = nn.to_torch(make_ours(reduction=reduction))
    back = nn.from_torch(make_theirs(reduction=reduction))
    assert type(converted) is make_theirs and converted.reduction == reduction
    assert type(back) is make_ours and back.reduction == reduction
    prediction, target = data(np.random.default_rng(5))
    for ours, theirs in ((make_ours(reduction=reduction), converted), (back, make_theirs())):
        theirs.reduction = reduction
        ours_p = Tensor(prediction, requires_grad=True, dtype=np.float64)
        theirs_p = torch.tensor(prediction, requires_grad=True)
        if target.dtype.kind == "i":
            target_ours = autograd.tensor(target)
        else:
            target_ours = Tensor(target, dtype=np.float64)
        our_loss, their_loss = ours(ours_p, target_ours), theirs(theirs_p, torch.tensor(target))
        _close(our_loss, their_loss, f"{kind} {reduction}")
        our_loss.sum().backward()
        their_loss.sum().backward()
        _close(ours_p.grad, theirs_p.grad, f"{kind} {reduction} gradient")


# --- the same model, whatever it is made of -----------------------------------------------

_KIND_NAMES = ["Linear", "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "Identity", "Dropout"]


@settings(max_examples=40)
@given(
    kinds=st.lists(st.sampled_from(_KIND_NAMES), min_size=1, max_size=5),
    width=st.integers(1, 6),
    batch=st.integers(1, 5),
    double=st.booleans(),
    head=st.sampled_from(["none", "Softmax", "LogSoftmax"]),
    seed=st.integers(0, 2**16),
)
def test_random_stacks_match_torch_both_ways(
    kinds: list[str], width: int, batch: int, double: bool, head: str, seed: int
) -> None:
    autograd.manual_seed(seed)
    layers: list[nn.Module] = [nn.Linear(3, width)]
    for kind in kinds:
        if kind == "Linear":
            layers.append(nn.Linear(width, width, bias=seed % 2 == 0))
        elif kind == "LeakyReLU":
            layers.append(nn.LeakyReLU(0.1))
        elif kind == "Dropout":
            layers.append(nn.Dropout(0.5))
        else:
            layers.append(getattr(nn, kind)())
    if head != "none":
        layers.append(getattr(nn, head)(dim=1))
    dtype = np.float64 if double else np.float32
    ours = nn.Sequential(*layers).to(dtype).eval()
    theirs = nn.to_torch(ours)
    back = nn.from_torch(theirs)
    x = np.random.default_rng(seed).standard_normal((batch, 3)).astype(dtype)
    _compare(ours, theirs, x, seed=seed)
    _compare(back, theirs, x, seed=seed)
    assert repr(back) == repr(ours)


# --- what carries over, and what does not -------------------------------------------------


def test_copies_share_nothing() -> None:
    ours = nn.Linear(2, 2)
    theirs = nn.to_torch(ours)
    with torch.no_grad():
        theirs.weight += 1
    assert not np.allclose(ours.weight.data, theirs.weight.detach().numpy())
    back = nn.from_torch(theirs)
    back.weight.data[...] = 0
    assert float(theirs.weight.detach().abs().min()) > 0


def test_training_mode_frozen_and_tied_parameters_carry_over_both_ways() -> None:
    shared = nn.Linear(3, 3)
    ours = nn.Sequential(shared, nn.ReLU(), shared, nn.Dropout(0.1), nn.Linear(3, 1))
    ours[4].weight.requires_grad = False
    ours.train()
    ours[3].eval()
    theirs = nn.to_torch(ours)
    assert theirs[0] is theirs[2]  # one module used twice stays one module
    assert [n for n, _ in theirs.named_parameters()] == [n for n, _ in ours.named_parameters()]
    assert not theirs[4].weight.requires_grad and theirs[4].bias.requires_grad
    assert theirs.training and theirs[0].training and not theirs[3].training
    back = nn.from_torch(theirs)
    assert back[0] is back[2] and not back[4].weight.requires_grad
    assert back.training and not back[3].training
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    ours.eval(), theirs.eval(), back.eval()
    _compare(ours, theirs, x)
    _compare(back, theirs, x)


def test_tied_parameters_in_two_modules_stay_tied() -> None:
    encoder, decoder = torch.nn.Linear(4, 4, bias=False), torch.nn.Linear(4, 4, bias=False)
    decoder.weight = encoder.weight
    back = nn.from_torch(torch.nn.Sequential(encoder, decoder))
    assert back[0].weight is back[1].weight
    assert [n for n, _ in back.named_parameters()] == ["0.weight"]
    again = nn.to_torch(back)
    assert again[0].weight is again[1].weight


def test_converting_draws_no_random_numbers() -> None:
    """Building the other side's layers must not move either library's global generator."""
    autograd.manual_seed(0)
    ours = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    torch.manual_seed(0)
    torch_state = torch.get_rng_state()
    ours_state = autograd.default_generator.bit_generator.state
    back = nn.from_torch(nn.to_torch(ours))
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert autograd.default_generator.bit_generator.state == ours_state
    np.testing.assert_array_equal(back[0].weight.data, ours[0].weight.data)


def test_dropout_in_training_drops_and_scales_on_both_sides() -> None:
    theirs = nn.to_torch(nn.Dropout(0.5))
    assert theirs.training
    out = theirs(torch.ones(10_000))
    assert set(out.unique().tolist()) == {0.0, 2.0}
    assert 0.45 < float((out == 0).float().mean()) < 0.55
    ours = nn.from_torch(torch.nn.Dropout(0.5))
    assert set(ours(autograd.ones(1000)).tolist()) == {0.0, 2.0}


def test_parameter_map_pairs_by_name_and_refuses_a_different_model() -> None:
    ours = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    theirs = nn.to_torch(ours)
    pairs = parameter_map(ours, theirs)
    assert list(pairs) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert pairs["2.bias"][0] is ours[2].bias and pairs["2.bias"][1] is theirs[2].bias
    with pytest.raises(ValueError, match=r"only in the torch module: \['2.weight', '2.bias'\]"):
        parameter_map(nn.Sequential(nn.Linear(2, 3)), torch.nn.Sequential(*theirs[:2], theirs[2]))
    with pytest.raises(ValueError, match=r"0.weight has shape \(3, 2\) .* \(3, 3\)"):
        parameter_map(nn.Sequential(nn.Linear(2, 3)), torch.nn.Sequential(torch.nn.Linear(3, 3)))


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
    _compare(ours, theirs, x)
    # And the converted class can come back.
    back = nn.from_torch(theirs)
    assert type(back).__name__ == cls.__name__ and isinstance(back, nn.Module)
    _compare(back, theirs, x)


def test_a_sequential_subclass_with_super_forward() -> None:
    autograd.manual_seed(7)
    ours = Trunk()
    theirs = nn.to_torch(ours)
    assert isinstance(theirs, torch.nn.Sequential)
    x = np.random.default_rng(1).standard_normal((2, 2, 3)).astype(np.float32)
    _compare(ours, theirs, x)


def test_the_tutorials_models_convert() -> None:
    from demos.and_network import NeuralNet
    from demos.modern_network import ModernNetwork
    from demos.simple_nn_xor import SimpleNN

    rng = np.random.default_rng(0)
    for model, features in ((SimpleNN(2, 4, 1), 2), (NeuralNet(), 2), (ModernNetwork(), 784)):
        model.eval()
        x = rng.standard_normal((5, features)).astype(np.float32)
        theirs = nn.to_torch(model, example=x)
        _compare(model, theirs, x)
        _compare(nn.from_torch(theirs, example=x), theirs, x)


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
    _compare(ours, theirs, x)
    # Training it goes on in tracegrad with tracegrad's optimizers.
    optimizer = nn.optim.SGD(ours.parameters(), lr=0.1)
    before = ours.hidden.weight.data.copy()
    loss = -ours(Tensor(x)).mean()
    loss.backward()
    optimizer.step()
    assert not np.array_equal(before, ours.hidden.weight.data)


# --- the scalar networks ------------------------------------------------------------------


def _outputs(result: Any) -> list[Any]:
    return result if isinstance(result, list) else [result]  # a lone neuron may give a Value


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "leaky_relu", "linear"])
def test_a_scalar_mlp_becomes_the_same_linear_stack(activation: str) -> None:
    model = nn.MLP(3, [4, 3, 2], activation=activation, output_activation="sigmoid", seed=2)
    theirs = nn.to_torch(model)
    names = [n for n, _ in theirs.named_parameters()]
    assert names == ["L1.weight", "L1.bias", "L2.weight", "L2.bias", "L3.weight", "L3.bias"]
    assert theirs.L2.weight[1, 2].item() == model.layers[1].neurons[1].w[2].data
    assert theirs.L3.bias[0].item() == model.layers[2].neurons[0].b.data
    rows = np.random.default_rng(3).standard_normal((4, 3))
    upstream = np.random.default_rng(4).standard_normal((4, 2))
    # tracegrad: one sample at a time, the losses summed; PyTorch: the batch at once.
    inputs = [[autograd.Value(float(v)) for v in row] for row in rows]
    total = autograd.Value(0.0)
    outs = []
    for row, g in zip(inputs, upstream):
        out = _outputs(model(row))
        outs.append([v.data for v in out])
        for v, weight in zip(out, g):
            total = total + v * float(weight)
    total.backward()
    x = torch.tensor(rows, requires_grad=True)
    their_out = theirs(x)
    (their_out * torch.from_numpy(upstream)).sum().backward()
    _close(np.array(outs), their_out, "outputs")
    _close(np.array([[v.grad for v in row] for row in inputs]), x.grad, "input gradients")
    for name, (values, param) in parameter_map(model, theirs).items():
        grads = np.vectorize(lambda v: v.grad, otypes=[np.float64])(values)
        _close(grads, param.grad, f"gradient of {name}")


def test_a_layer_and_a_neuron_convert_too() -> None:
    layer = nn.Layer(2, 3, activation="tanh", seed=0)
    neuron = nn.Neuron(2, activation="sigmoid", weights=[0.5, -0.5], bias=0.1)
    x = [1.0, 0.0]
    for model in (layer, neuron):
        theirs = nn.to_torch(model, example=[x])
        out = theirs(torch.tensor([x], dtype=torch.float64))[0].tolist()
        assert out == pytest.approx([v.data for v in _outputs(model(x))], rel=1e-12)
    assert nn.to_torch(neuron)(torch.tensor([x], dtype=torch.float64)).item() == pytest.approx(
        0.6456563062257954, rel=1e-15
    )


def test_the_step_activation_has_no_torch_layer() -> None:
    with pytest.raises(ConversionError, match=r"layer L1 uses the 'step' activation.*zero"):
        nn.to_torch(nn.MLP(2, [2, 1], activation="step", seed=0))


# --- what is refused ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.GELU()), r"layer '1' is a "),
        (lambda: torch.nn.Conv2d(1, 1, 3), r"the model is a torch.nn.modules.conv.Conv2d"),
        (lambda: torch.nn.Sequential(torch.nn.Dropout2d()), r"layer '0' is a .*Dropout2d"),
        (lambda: torch.nn.Sequential(torch.nn.BatchNorm1d(3)), r"layer '0' is a .*BatchNorm1d"),
        (lambda: torch.nn.Softmax(), r"Softmax with dim=None"),
        (lambda: torch.nn.CrossEntropyLoss(label_smoothing=0.1), r"label_smoothing=0.1"),
        (lambda: torch.nn.CrossEntropyLoss(torch.ones(3)), r"holds the buffer 'weight'"),
    ],
)
def test_unknown_or_unfaithful_torch_layers_are_named(
    make: Callable[[], Any], message: str
) -> None:
    with pytest.raises(ConversionError, match=message):
        nn.from_torch(make())


def test_a_subclass_of_an_unknown_kind_is_refused_and_names_the_base() -> None:
    class MyConv(torch.nn.Conv1d):
        pass

    model = torch.nn.Sequential(torch.nn.Identity(), MyConv(1, 1, 1))
    with pytest.raises(
        ConversionError, match=r"layer '1' is a .*MyConv \(a subclass of .*Conv1d\)"
    ):
        nn.from_torch(model)


def test_a_loss_subclass_of_an_internal_base_is_refused() -> None:
    class MyLoss(nn.losses._Loss):
        def forward(self, a: Any, b: Any) -> Any:
            return (a - b).abs().mean()

    with pytest.raises(ConversionError, match=r"MyLoss \(a subclass of nn.losses._Loss\)"):
        nn.to_torch(nn.Sequential(MyLoss()))


def test_hooks_and_buffers_are_refused() -> None:
    hooked = torch.nn.Linear(2, 2)
    hooked.register_forward_hook(lambda module, inputs, output: output * 2)
    with pytest.raises(ConversionError, match=r"has hooks \(_forward_hooks\)"):
        nn.from_torch(hooked)

    class WithBuffers(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("mask", torch.tensor([1.0, 0.0]), persistent=False)
            self.register_buffer("count", torch.tensor(0))

        def forward(self, x: Any) -> Any:
            return x * self.mask

    with pytest.raises(ConversionError, match=r"holds the buffer 'count'"):
        nn.from_torch(WithBuffers())
    model = WithBuffers()
    del model._buffers["count"]
    back = nn.from_torch(model)  # a buffer not saved with the model is a plain constant
    assert isinstance(back.mask, Tensor) and back(autograd.ones(2)).tolist() == [1.0, 0.0]


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
            return torch.flatten(x, 1)

    ours = nn.from_torch(Flat())
    with pytest.raises(AttributeError, match=r"torch.flatten has no counterpart in autograd"):
        ours(autograd.ones(2, 3, 4))


def test_an_example_catches_code_that_behaves_differently() -> None:
    class DtypeCheck(nn.Module):
        def forward(self, x: Any) -> Any:
            # x.data is numpy in tracegrad and a tensor in PyTorch: the test goes differently.
            return x * (2.0 if x.data.dtype == np.float32 else 3.0)

    model = DtypeCheck()
    nn.to_torch(model)  # nothing can be seen without running it
    with pytest.raises(ConversionError, match=r"outputs differ \(output 0, by up to 1\)"):
        nn.to_torch(model, example=np.ones((1, 2), dtype=np.float32))


def test_a_check_runs_in_evaluation_mode_and_restores_the_modes() -> None:
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5))
    theirs = nn.to_torch(model, example=np.ones((8, 3), dtype=np.float32))
    assert model.training and model[1].training and theirs.training and theirs[1].training


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match=r"converts a tracegrad model .*got Linear"):
        nn.to_torch(torch.nn.Linear(2, 2))
    with pytest.raises(TypeError, match=r"converts a torch.nn.Module, got Linear"):
        nn.from_torch(nn.Linear(2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch.jit.script is deprecated
        scripted = torch.jit.script(torch.nn.Linear(2, 2))
    with pytest.raises(ConversionError, match="TorchScript"):
        nn.from_torch(scripted)
    with pytest.raises(ConversionError, match=r"bfloat16 parameters, which numpy has no type"):
        nn.from_torch(torch.nn.Linear(2, 2).to(torch.bfloat16))


# --- Tensor.to_torch / Tensor.from_torch --------------------------------------------------


@pytest.mark.parametrize(
    "dtype", ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
)
def test_tensor_copies_keep_numbers_and_dtype_both_ways(dtype: str) -> None:
    values = np.array([[0, 1, 2], [3, 4, 5]]).astype(dtype)
    ours = Tensor(values, dtype=dtype)
    theirs = ours.to_torch()
    assert theirs.dtype == getattr(torch, dtype) and theirs.is_leaf
    np.testing.assert_array_equal(theirs.numpy(), values)
    back = Tensor.from_torch(theirs)
    assert back.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back.data, values)


def test_requires_grad_follows_and_nothing_is_shared() -> None:
    ours = Tensor([1.0, 2.0], requires_grad=True)
    theirs = ours.to_torch()
    assert theirs.requires_grad and theirs.grad is None
    assert not Tensor([1.0]).to_torch().requires_grad
    with torch.no_grad():
        theirs += 1
    assert ours.tolist() == [1.0, 2.0]
    source = torch.ones(3, requires_grad=True) * 2  # not a leaf: its copy is one
    copy = Tensor.from_torch(source)
    assert copy.requires_grad and copy.is_leaf and copy.tolist() == [2.0, 2.0, 2.0]
    plain = torch.zeros(2)
    copied = Tensor.from_torch(plain)
    plain += 5
    assert copied.tolist() == [0.0, 0.0] and not copied.requires_grad


def test_tensor_copies_of_views_scalars_and_byte_orders() -> None:
    base = torch.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(Tensor.from_torch(base.T).data, base.T.numpy())
    np.testing.assert_array_equal(Tensor.from_torch(base[:, ::2]).data, base[:, ::2].numpy())
    scalar = Tensor.from_torch(torch.tensor(2.5, dtype=torch.float64))
    assert scalar.shape == () and scalar.item() == 2.5
    assert Tensor(3.0).to_torch().shape == ()
    big_endian = Tensor(np.array([1.5, -2.0], dtype=">f8"), dtype=">f8")
    assert big_endian.to_torch().tolist() == [1.5, -2.0]
    param = nn.Parameter.from_torch(torch.nn.Parameter(torch.ones(2)))
    assert type(param) is nn.Parameter and param.requires_grad  # the class asked for


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (lambda: [1.0, 2.0], r"expects a torch.Tensor, got list"),
        (lambda: torch.ones(2, dtype=torch.bfloat16), r"not torch.bfloat16"),
        (lambda: torch.ones(2, dtype=torch.complex64), r"not torch.complex64"),
        (lambda: torch.eye(2).to_sparse(), r"a torch.sparse_coo tensor cannot be copied"),
    ],
)
def test_what_tensor_from_torch_refuses(value: Callable[[], Any], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Tensor.from_torch(value())


# --- without torch ------------------------------------------------------------------------


def test_without_torch_each_entry_point_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # what an environment without torch sees
    calls: list[Callable[[], Any]] = [
        lambda: nn.to_torch(nn.Linear(2, 2)),
        lambda: nn.from_torch(object()),
        lambda: Tensor([1.0]).to_torch(),
        lambda: Tensor.from_torch(object()),
        lambda: nn.to_torch_optimizer(nn.optim.SGD([Tensor([1.0])]), nn.Linear(1, 1), object()),
        lambda: nn.from_torch_optimizer(object(), object(), nn.Linear(1, 1)),
    ]
    for call in calls:
        with pytest.raises(
            ImportError, match=r"needs PyTorch, which is not installed: pip install"
        ):
            call()


def test_everything_else_works_without_torch(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["torch"] = None  # import torch now fails, as where it is not installed
        import autograd, nn
        import demos.simple_nn_xor, demos.modern_network
        model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        optimizer = nn.optim.Adam(model.parameters(), lr=0.01)
        loss = nn.MSELoss()(model(autograd.ones(4, 2)), autograd.zeros(4, 1))
        loss.backward()
        optimizer.step()
        for name in ("m.npz", "m.safetensors"):
            nn.save(model.state_dict(), sys.argv[1] + "/" + name)
            model.load_state_dict(nn.load(sys.argv[1] + "/" + name))
        mlp = nn.MLP(2, [2, 1], seed=0)
        mlp([1.0, 2.0]).backward()
        print("ok", sys.modules["torch"])
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok None"
