"""nn.torch.kinds: what corresponds to what between tracegrad and PyTorch.

The kind table against both libraries' classes, the scalar activations against their PyTorch
layers, the dtype maps, the names of a scalar network's parameters and parameter_map.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from conftest import HAS_TORCH
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value
from nn.neurons import ACTIVATIONS
from nn.torch.kinds import (
    KINDS,
    SCALAR_ACTIVATIONS,
    ConversionError,
    array_to_torch,
    kind_of,
    numpy_dtype,
    parameter_map,
    scalar_parameters,
    torch_dtype,
)

pytestmark = pytest.mark.skipif(not HAS_TORCH, reason="torch is an optional peer")
if HAS_TORCH:
    import torch


def _init_parameters(cls: type) -> set[str]:
    return set(inspect.signature(cls.__init__).parameters) - {"self"}


# --- the layer kinds ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_each_kind_has_its_class_on_both_sides_configured_alike(kind: nn.torch.kinds.Kind) -> None:
    theirs = kind.class_on(torch, tracegrad=False)
    assert kind.class_on(torch, tracegrad=True) is kind.ours
    assert theirs.__name__ == kind.ours.__name__ == kind.name
    assert issubclass(theirs, torch.nn.Module) and issubclass(kind.ours, nn.Module)
    assert kind_of(kind.ours, tracegrad=True) is kind
    assert kind_of(theirs, torch, tracegrad=False) is kind
    # What configures a kind is an argument of both constructors; what only PyTorch has is an
    # argument of its constructor alone.
    ours_args, their_args = _init_parameters(kind.ours), _init_parameters(theirs)
    assert set(kind.config) <= ours_args & their_args, kind.name
    for name, _ in kind.torch_only:
        assert name in their_args and name not in ours_args, name


def test_kind_names_are_unique_and_public_in_nn() -> None:
    names = [kind.name for kind in KINDS]
    assert len(names) == len(set(names))
    for kind in KINDS:
        assert getattr(nn, kind.name) is kind.ours


def test_a_subclass_or_another_class_is_no_kind() -> None:
    class MyLinear(nn.Linear):
        pass

    assert kind_of(MyLinear, tracegrad=True) is None
    assert kind_of(nn.MLP, tracegrad=True) is None
    assert kind_of(torch.nn.GELU, torch, tracegrad=False) is None
    assert kind_of(nn.Linear, torch, tracegrad=False) is None  # tracegrad's class, not torch's


# --- the scalar networks ------------------------------------------------------------------


def test_every_trainable_scalar_activation_has_a_torch_layer() -> None:
    # step's derivative is zero almost everywhere: it has no layer, and is refused by name.
    assert set(SCALAR_ACTIVATIONS) == set(ACTIVATIONS) - {"linear", "step"}
    for layer_name, _ in SCALAR_ACTIVATIONS.values():
        assert issubclass(getattr(torch.nn, layer_name), torch.nn.Module)


@given(x=st.floats(-30, 30, allow_nan=False), name=st.sampled_from(sorted(SCALAR_ACTIVATIONS)))
def test_a_scalar_activation_and_its_torch_layer_compute_the_same(x: float, name: str) -> None:
    layer_name, arguments = SCALAR_ACTIVATIONS[name]
    layer = getattr(torch.nn, layer_name)(*arguments)
    theirs = layer(torch.tensor([x], dtype=torch.float64)).item()
    ours = getattr(Value(x), name)().data
    assert math.isclose(ours, theirs, rel_tol=1e-15, abs_tol=1e-300)


@pytest.mark.parametrize(
    "model", [nn.MLP(3, [4, 2], seed=0), nn.Layer(3, 2, seed=1)], ids=["MLP", "Layer"]
)
def test_scalar_parameters_name_each_value_as_torch_does(model: nn.MLP | nn.Layer) -> None:
    params = scalar_parameters(model)
    for name, values in params.items():
        layer, which = name.split(".")
        for index, value in np.ndenumerate(values):
            neuron = f"{layer}.N{index[0] + 1}"
            expected = f"{neuron}.b" if which == "bias" else f"{neuron}.w{index[1] + 1}"
            assert value.label == expected
    listed = [id(v) for values in params.values() for v in values.flat]
    assert sorted(listed) == sorted(id(p) for p in model.parameters())  # each Value once


def test_a_lone_neuron_is_a_layer_of_one() -> None:
    neuron = nn.Neuron(3, weights=[1.0, 2.0, 3.0], bias=0.5)
    params = scalar_parameters(neuron)
    assert list(params) == [f"{neuron.name}.weight", f"{neuron.name}.bias"]
    weight, bias = params.values()
    assert weight.shape == (1, 3) and bias[0] is neuron.b
    assert all(ours is theirs for ours, theirs in zip(weight[0], neuron.w))


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


def test_parameter_map_of_a_scalar_mlp_holds_its_values() -> None:
    mlp = nn.MLP(2, [3, 1], seed=0)
    pairs = parameter_map(mlp, nn.to_torch(mlp))
    values, tensor = pairs["L1.weight"]
    assert values.shape == tuple(tensor.shape) == (3, 2)
    assert values[1, 0] is mlp.layers[0].neurons[1].w[0]
    assert tensor[1, 0].item() == values[1, 0].data


# --- numbers ------------------------------------------------------------------------------

NUMPY_DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


@pytest.mark.parametrize("name", NUMPY_DTYPES)
def test_dtypes_map_both_ways(name: str) -> None:
    dtype = np.dtype(name)
    assert torch_dtype(torch, dtype) == getattr(torch, name)
    assert numpy_dtype(getattr(torch, name), "the model") == dtype
    swapped = dtype.newbyteorder(">" if dtype.byteorder != ">" else "<")
    assert torch_dtype(torch, swapped) == getattr(torch, name)  # torch has one byte order


def test_a_torch_dtype_numpy_lacks_is_refused_naming_where() -> None:
    with pytest.raises(ConversionError, match=r"layer '0' \(Linear\) holds torch.bfloat16"):
        numpy_dtype(torch.bfloat16, "layer '0' (Linear)")


def test_array_to_torch_copies_in_the_machines_byte_order() -> None:
    array = np.arange(6, dtype=">i4").reshape(2, 3)[:, ::2]
    tensor = array_to_torch(torch, array)
    assert tensor.dtype == torch.int32 and tensor.tolist() == array.tolist()
    native = np.arange(3.0)
    copied = array_to_torch(torch, native)
    native[0] = 5.0
    assert copied.tolist() == [0.0, 1.0, 2.0]  # nothing shared
