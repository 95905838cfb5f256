"""nn's arguments and containers from issue 10: sizes that are not whole numbers, networks
that contain themselves, state-dict values that are not arrays, slices of a Sequential, and
losses of empty batches."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
from conftest import needs_torch

import nn
from autograd import Tensor, Value, tensor
from nn import StateDictError

# --- sizes and names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: nn.Linear(2.5, 2), r"Linear: in_features must be a whole number, got float 2\.5"),
        (lambda: nn.Linear(2, "3"), r"Linear: out_features must be a whole number, got str '3'"),
        (lambda: nn.Linear(True, 2), r"Linear: in_features must be a whole number, got bool"),
        (lambda: nn.MLP(2, 3), r"MLP: nouts must be a list of layer sizes such as \[3\]"),
        (lambda: nn.MLP(2.5, [3]), r"MLP: nin must be a whole number, got float 2\.5"),
        (lambda: nn.MLP(2, [4, 1.5]), r"MLP: layer size 2 must be a whole number, got float"),
        (lambda: nn.Layer(2, 1.5), r"Layer: nout must be a whole number, got float 1\.5"),
        (lambda: nn.Neuron(2.5), r"Neuron: nin must be a whole number, got float 2\.5"),
    ],
)
def test_sizes_that_are_not_whole_numbers_are_named(make, words: str) -> None:
    with pytest.raises(TypeError, match=words):
        make()


def test_numpy_integers_are_fine_sizes() -> None:
    assert nn.Linear(np.int64(2), 3).in_features == 2
    assert len(nn.MLP(np.int32(2), [np.int64(3), 1]).layers) == 2


@needs_torch
def test_torch_also_refuses_a_fractional_size() -> None:
    import torch

    with pytest.raises(TypeError):
        torch.nn.Linear(2.5, 2)  # type: ignore[arg-type]


def test_an_unknown_activation_is_refused_even_when_no_hidden_layer_uses_it() -> None:
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        nn.MLP(2, [2], activation="gelu")
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        nn.MLP(2, [2], output_activation="gelu")


# --- a network that contains itself --------------------------------------------------------


def test_a_module_cannot_contain_itself() -> None:
    net = nn.Sequential(nn.Linear(2, 2))
    with pytest.raises(ValueError, match=r"cannot assign Sequential as child 'me' of Sequential"):
        net.me = net
    with pytest.raises(ValueError, match="would contain itself"):
        net.add_module("again", net)
    with pytest.raises(ValueError, match="would contain itself"):
        net.append(net)
    assert [name for name, _ in net.named_parameters()] == ["0.weight", "0.bias"]
    assert repr(net) == "Sequential(\n  (0): Linear(in_features=2, out_features=2, bias=True)\n)"
    assert list(net.state_dict()) == ["0.weight", "0.bias"]


def test_a_cycle_through_other_modules_is_refused_too() -> None:
    outer, inner = nn.Sequential(), nn.Sequential(nn.Linear(1, 1))
    outer.append(inner)
    with pytest.raises(ValueError, match=r"child 'loop' of Sequential.*would contain itself"):
        inner.loop = outer
    nn.ModuleList([inner]).append(nn.ModuleList([outer]))  # both hold inner: no cycle
    with pytest.raises(ValueError, match="would contain itself"):
        inner.add_module("deep", nn.Sequential(nn.Sequential(outer)))
    assert list(outer.state_dict()) == ["0.0.weight", "0.0.bias"]


def test_one_module_twice_is_still_fine() -> None:
    shared = nn.Linear(2, 2)
    net = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(net.parameters())) == 2


# --- state-dict values that are not arrays -------------------------------------------------


@pytest.mark.parametrize(
    "value, words",
    [
        ([[1.0, 2.0], [3.0]], r"weight: a ragged list \(its rows differ in length\)"),
        (None, r"weight: None is not an array"),
        ("abc", r"weight: a str 'abc' is not an array"),
        ([["a", "b"], ["c", "d"]], r"weight: .*text values"),
        ({"a": 1}, r"weight: a dict .* is not an array"),
    ],
)
def test_state_dict_values_that_are_not_arrays_are_named(value, words: str) -> None:
    layer = nn.Linear(2, 2)
    before = layer.weight.array.copy()
    state = layer.state_dict()
    state["weight"] = value
    with pytest.raises(StateDictError, match=r"nothing was loaded:\n  cannot load " + words):
        layer.load_state_dict(state)
    np.testing.assert_array_equal(layer.weight.data, before)


def test_every_bad_value_is_listed_at_once() -> None:
    layer = nn.Linear(2, 2)
    with pytest.raises(StateDictError) as error:
        layer.load_state_dict({"weight": None, "bias": [[1], [2, 3]]})
    assert "cannot load weight" in str(error.value) and "cannot load bias" in str(error.value)


# --- slicing a Sequential ----------------------------------------------------------------


def _net() -> nn.Sequential:
    return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1), nn.Linear(1, 1))


def test_slicing_a_sequential_keeps_the_originals_names() -> None:
    net = _net()
    labels = [p.label for p in net.parameters()]
    tail = net[2:]
    assert [p.label for p in net.parameters()] == labels
    names = ["2.weight", "2.bias", "3.weight", "3.bias"]
    assert [name for name, _ in tail.named_parameters()] == names
    assert list(tail.state_dict()) == names
    assert tail[0] is net[2] and len(tail) == 2
    assert repr(tail).splitlines()[1] == "  (2): Linear(in_features=3, out_features=1, bias=True)"
    out = tail(Tensor(np.ones((1, 3))))
    assert out.shape == (1, 1)


def test_a_nested_sequentials_slice_keeps_the_full_names() -> None:
    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = _net()

    model = Model()
    tail = model.body[1:]
    assert [p.label for p in tail.parameters()] == [
        "body.2.weight",
        "body.2.bias",
        "body.3.weight",
        "body.3.bias",
    ]
    assert [name for name, _ in model.named_parameters()][2] == "body.2.weight"


def test_a_module_lists_slice_is_renumbered_without_renaming() -> None:
    layers = nn.ModuleList([nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)])
    part = layers[1:]
    assert [name for name, _ in part.named_parameters()] == ["1.weight", "1.bias"]
    assert [p.label for p in layers.parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_appending_to_a_slice_does_not_replace_a_module() -> None:
    tail = _net()[2:]
    extra = nn.Linear(1, 1)
    tail.append(extra)
    assert len(tail) == 3 and tail[2] is extra


def test_sequential_takes_an_ordered_dict_as_in_torch() -> None:
    net = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert [name for name, _ in net.named_parameters()] == ["fc.weight", "fc.bias"]
    assert net.fc.weight.label == "fc.weight" and len(net) == 2


@needs_torch
def test_slice_names_match_torch() -> None:
    import torch

    ours = _net()
    theirs = torch.nn.Sequential(
        torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1), torch.nn.Linear(1, 1)
    )
    for piece in (slice(2, None), slice(None, 3), slice(1, 3), slice(None, None, 2)):
        assert [n for n, _ in ours[piece].named_parameters()] == [
            n for n, _ in theirs[piece].named_parameters()
        ], piece
    ours_list = nn.ModuleList(list(ours))
    theirs_list = torch.nn.ModuleList(list(theirs))
    assert [n for n, _ in ours_list[1:].named_parameters()] == [
        n for n, _ in theirs_list[1:].named_parameters()
    ]


# --- losses of an empty batch ----------------------------------------------------------------

EMPTY_LOSSES = [
    ("bce", lambda x, red: nn.binary_cross_entropy(x, Tensor(np.zeros(0)), red)),
    ("bce_logits", lambda x, red: nn.binary_cross_entropy_with_logits(x, Tensor(np.zeros(0)), red)),
    ("mse", lambda x, red: nn.mse_loss(x, Tensor(np.zeros(0)), red)),
]


@pytest.mark.parametrize("name, loss", EMPTY_LOSSES)
def test_the_mean_loss_of_an_empty_batch_is_an_error(name, loss) -> None:
    with pytest.raises(ValueError, match="empty batch|mean of no entries"):
        loss(Tensor(np.zeros(0), requires_grad=True), "mean")
    with pytest.raises(ValueError, match="empty batch"):
        nn.cross_entropy(Tensor(np.zeros((0, 3))), tensor(np.zeros(0, dtype=np.int64)))


@needs_torch
@pytest.mark.parametrize("name, loss", EMPTY_LOSSES)
def test_sum_and_none_of_an_empty_batch_match_torch(name, loss) -> None:
    import torch
    import torch.nn.functional as F

    theirs = {
        "bce": F.binary_cross_entropy,
        "bce_logits": F.binary_cross_entropy_with_logits,
        "mse": F.mse_loss,
    }[name]
    assert theirs(torch.zeros(0), torch.zeros(0)).isnan()  # PyTorch's mean of nothing: NaN
    for reduction in ("sum", "none"):
        x = Tensor(np.zeros(0), requires_grad=True)
        out = loss(x, reduction)
        expected = theirs(torch.zeros(0), torch.zeros(0), reduction=reduction)
        assert out.shape == tuple(expected.shape) and out.data.tolist() == expected.tolist()
        out.sum().backward()
        assert x.grad is not None and x.grad.shape == (0,)


def test_value_losses_of_no_predictions_are_errors() -> None:
    for loss in (nn.binary_cross_entropy, nn.mse_loss, nn.binary_cross_entropy_with_logits):
        with pytest.raises(ValueError, match="no predictions"):
            loss([], [])
    with pytest.raises(ValueError, match="no predictions"):
        nn.hinge_loss([], [])
    assert nn.binary_cross_entropy([Value(0.5)], [1.0]).data > 0
