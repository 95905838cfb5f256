"""nn.to_torch / nn.from_torch: whole models to PyTorch and back (nn.torch.convert).

Every layer kind, both directions, forward and backward: the converted model's outputs, input
gradients and parameter gradients equal the original's (float32: 1e-6 relative, float64:
1e-12). Then what carries over (training mode, frozen and tied parameters), the scalar MLP,
what is refused, and the check on an example. User classes are in test_torch_translate.py.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from conftest import HAS_TORCH
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_parity import close, compare, same_parameters

import autograd
import nn
from autograd import Tensor
from nn.torch import ConversionError, parameter_map

pytestmark = pytest.mark.skipif(not HAS_TORCH, reason="torch is an optional peer")
if HAS_TORCH:
    import torch


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
    same_parameters(ours, theirs)
    x = np.random.default_rng(2).standard_normal(shape).astype(dtype)
    compare(ours, theirs, x)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64] if HAS_TORCH else [])
@pytest.mark.parametrize("kind", list(LAYERS))
def test_each_layer_kind_from_torch(kind: str, dtype: Any) -> None:
    make_ours, make_theirs, shape = LAYERS[kind]
    torch.manual_seed(1)
    theirs = _theirs_around(make_theirs(), dtype)
    ours = nn.from_torch(theirs)
    assert type(ours[1]) is type(make_ours())
    assert repr(ours[1]) == repr(make_ours())
    same_parameters(ours, theirs)
    numpy_dtype = np.float32 if dtype == torch.float32 else np.float64
    x = np.random.default_rng(2).standard_normal(shape).astype(numpy_dtype)
    compare(ours, theirs, x)


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
    compare(ours, theirs, x)
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
    compare(ours, theirs, x)


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
        close(our_loss, their_loss, f"{kind} {reduction}")
        our_loss.sum().backward()
        their_loss.sum().backward()
        close(ours_p.grad, theirs_p.grad, f"{kind} {reduction} gradient")


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
    compare(ours, theirs, x, seed=seed)
    compare(back, theirs, x, seed=seed)
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
    compare(ours, theirs, x)
    compare(back, theirs, x)


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
    close(np.array(outs), their_out, "outputs")
    close(np.array([[v.grad for v in row] for row in inputs]), x.grad, "input gradients")
    for name, (values, param) in parameter_map(model, theirs).items():
        grads = np.vectorize(lambda v: v.grad, otypes=[np.float64])(values)
        close(grads, param.grad, f"gradient of {name}")


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
        (lambda: torch.nn.Conv1d(1, 1, 3), r"the model is a torch.nn.modules.conv.Conv1d"),
        (lambda: torch.nn.Conv2d(1, 1, 3, padding_mode="reflect"), r"padding_mode='reflect'"),
        (lambda: torch.nn.Sequential(torch.nn.Dropout2d()), r"layer '0' is a .*Dropout2d"),
        (lambda: torch.nn.Sequential(torch.nn.LayerNorm(3)), r"layer '0' is a .*LayerNorm"),
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


def test_hooks_are_refused_and_buffers_carried() -> None:
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

    back = nn.from_torch(WithBuffers())
    assert isinstance(back.mask, Tensor) and back(autograd.ones(2)).tolist() == [1.0, 0.0]
    assert list(back.state_dict()) == ["count"]  # the mask is not saved, as in PyTorch
    again = nn.to_torch(back)
    assert list(again.state_dict()) == ["count"] and again.mask.tolist() == [1.0, 0.0]


def test_an_example_catches_code_that_behaves_differently() -> None:
    class DtypeCheck(nn.Module):
        def forward(self, x: Any) -> Any:
            # x.dtype is numpy's float32 in tracegrad and torch's in PyTorch: the test differs.
            return x * (2.0 if x.dtype == np.float32 else 3.0)

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


class _LooksAtData(nn.Module):
    """Code that runs on both sides but not alike: x.dtype is numpy's here, torch's there."""

    def __init__(self, differs: str) -> None:
        super().__init__()
        self.differs = differs

    def forward(self, x: Any) -> Any:
        here = isinstance(x.dtype, np.dtype)
        if self.differs == "shape":
            return x if here else x.sum(1)
        return (x, x) if here else (x,)


@pytest.mark.parametrize(
    ("differs", "message"),
    [
        ("shape", r"output 0 has shape \(2, 3\) in tracegrad and \(2,\) in PyTorch"),
        ("count", r"the two models return different counts"),
    ],
)
def test_an_example_catches_outputs_of_another_shape_or_count(differs: str, message: str) -> None:
    model = _LooksAtData(differs)
    nn.to_torch(model)
    with pytest.raises(ConversionError, match=message):
        nn.to_torch(model, example=np.ones((2, 3), dtype=np.float32))
