"""nn.Module and the PyTorch-shaped layers on Tensors."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import needs_torch

import autograd
import nn
from autograd import Tensor


class SeedMLP(nn.Module):
    """Seed 000's MLP, written exactly as the tutorial writes it."""

    def __init__(self) -> None:
        super(SeedMLP, self).__init__()  # noqa: UP008 - the tutorial's spelling
        self.fc1 = nn.Linear(2, 4)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(4, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x: Tensor) -> Tensor:
        x = self.relu(self.fc1(x))
        return self.sigmoid(self.fc2(x))


class ModernNetwork(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(784, 256),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(256, 128),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(128, 10),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(x)


def test_printout_matches_the_seeds_pytorch_printout() -> None:
    assert repr(SeedMLP()) == (
        "SeedMLP(\n"
        "  (fc1): Linear(in_features=2, out_features=4, bias=True)\n"
        "  (relu): ReLU()\n"
        "  (fc2): Linear(in_features=4, out_features=1, bias=True)\n"
        "  (sigmoid): Sigmoid()\n"
        ")"
    )
    assert repr(ModernNetwork()).splitlines()[:5] == [
        "ModernNetwork(",
        "  (layers): Sequential(",
        "    (0): Linear(in_features=784, out_features=256, bias=True)",
        "    (1): ReLU()",
        "    (2): Dropout(p=0.2, inplace=False)",
    ]


def test_parameters_are_registered_named_labelled_and_owned() -> None:
    model = ModernNetwork()
    names = [name for name, _ in model.named_parameters()]
    assert names == [f"layers.{i}.{kind}" for i in (0, 3, 6) for kind in ("weight", "bias")]
    params = dict(model.named_parameters())
    assert params["layers.3.weight"].label == "layers.3.weight"
    assert params["layers.3.weight"].owner.role == "param"
    assert params["layers.3.weight"].owner.group("layer") == ("layers.3",)
    assert sum(p.numel() for p in model.parameters()) == 784 * 256 + 256 + 256 * 128 + 128 + 1290
    assert all(p.requires_grad for p in model.parameters())


def test_outputs_carry_their_module_for_narration_and_drawing() -> None:
    model = SeedMLP()
    out = model(autograd.ones(3, 2))
    assert out.label == "sigmoid" and out.owner.role == "computed"
    assert out.parents[0].label == "fc2"


def test_setting_a_child_to_none_keeps_its_name_but_no_parameters() -> None:
    model = SeedMLP()
    model.fc2 = None
    assert [n for n, _ in model.named_parameters()] == ["fc1.weight", "fc1.bias"]
    model.fc2 = nn.Linear(4, 1)
    assert [n for n, _ in model.named_parameters()][-1] == "fc2.bias"


def test_a_plain_tensor_cannot_silently_replace_a_parameter() -> None:
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign Tensor as parameter 'weight' of Linear"):
        layer.weight = Tensor(np.ones((2, 2)), requires_grad=True)  # type: ignore[assignment]
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    layer.weight = nn.Parameter(np.ones((2, 2)))
    assert layer.weight.label == "weight" and len(list(layer.parameters())) == 2
    model = SeedMLP()
    with pytest.raises(TypeError, match="cannot assign int as child module 'fc1'"):
        model.fc1 = 3  # type: ignore[assignment]


def test_assigning_before_init_says_what_to_do() -> None:
    class Broken(nn.Module):
        def __init__(self) -> None:
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Broken()


def test_linear_initialisation_is_pytorchs_and_seedable() -> None:
    autograd.manual_seed(3)
    a = nn.Linear(100, 50)
    autograd.manual_seed(3)
    b = nn.Linear(100, 50)
    assert np.array_equal(a.weight.data, b.weight.data) and a.weight.dtype == np.float32
    bound = 1 / np.sqrt(100)
    assert np.abs(a.weight.array).max() <= bound and np.abs(a.bias.array).max() <= bound
    assert np.abs(a.weight.array).max() > 0.9 * bound  # uniform over the whole range


@needs_torch
def test_linear_forward_and_backward_match_torch() -> None:
    import torch

    layer = nn.Linear(5, 3)
    reference = torch.nn.Linear(5, 3)
    with torch.no_grad():
        reference.weight.copy_(torch.from_numpy(layer.weight.array))
        reference.bias.copy_(torch.from_numpy(layer.bias.array))
    x = np.random.default_rng(0).normal(size=(4, 5)).astype(np.float32)
    ours = layer(Tensor(x))
    theirs = reference(torch.from_numpy(x))
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-6, atol=1e-6)
    (ours * ours).sum().backward()
    (theirs * theirs).sum().backward()
    np.testing.assert_allclose(
        layer.weight.grad, reference.weight.grad.numpy(), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(layer.bias.grad, reference.bias.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_linear_rejects_the_wrong_input_width() -> None:
    model = SeedMLP()
    with pytest.raises(
        ValueError, match=r"fc1: expects inputs whose last dimension is 2, got shape \(3, 5\)"
    ):
        model(autograd.ones(3, 5))


def test_dropout_respects_train_and_eval() -> None:
    drop = nn.Dropout(0.25, rng=np.random.default_rng(0))
    x = autograd.ones(200, 50, requires_grad=True)
    y = drop(x)
    kept = y.data != 0
    assert 0.7 < kept.mean() < 0.8
    np.testing.assert_allclose(y.data[kept], 1 / 0.75)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, kept / 0.75)
    drop.eval()
    assert drop(x) is x
    model = ModernNetwork()
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_dropout_probability_is_checked() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_activation_modules() -> None:
    x = autograd.tensor([[-2.0, 0.0, 3.0]])
    assert nn.ReLU()(x).tolist() == [[0.0, 0.0, 3.0]]
    np.testing.assert_allclose(nn.LeakyReLU(0.1)(x).data, [[-0.2, 0.0, 3.0]], rtol=1e-6)
    np.testing.assert_allclose(nn.Tanh()(x).data, [np.tanh([-2.0, 0.0, 3.0])], rtol=1e-6)
    np.testing.assert_allclose(
        nn.Sigmoid()(x).data, [1 / (1 + np.exp([2.0, 0.0, -3.0]))], rtol=1e-6
    )
    assert nn.Softmax(dim=1)(x).sum().item() == pytest.approx(1.0)
    assert nn.Flatten()(autograd.zeros(2, 3, 4)).shape == (2, 12)


def test_zero_grad_sets_grads_to_none() -> None:
    model = SeedMLP()
    model(autograd.ones(2, 2)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_state_dict_round_trip_through_a_file(tmp_path) -> None:
    model, other = ModernNetwork(), ModernNetwork()
    nn.save(model.state_dict(), tmp_path / "model.npz")
    weights_before = other.layers[0].weight.array
    other.load_state_dict(nn.load(tmp_path / "model.npz"))
    assert other.layers[0].weight.array is weights_before  # copied in place
    for (name, a), (_, b) in zip(model.named_parameters(), other.named_parameters()):
        assert np.array_equal(a.data, b.data), name


def test_a_bad_state_dict_leaves_the_model_exactly_as_it_was() -> None:
    model = SeedMLP()
    before = {n: p.array.copy() for n, p in model.named_parameters()}
    state = model.state_dict()
    state["fc1.weight"] = np.zeros((9, 9), dtype=np.float32)
    state["fc2.bias"] = np.full(1, 5.0, dtype=np.float32)
    del state["fc1.bias"]
    with pytest.raises(ValueError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert "fc1.bias" in message and "fc1.weight" in message and "(9, 9)" in message
    for name, param in model.named_parameters():
        assert np.array_equal(param.data, before[name]), name


def test_sequential_and_module_list() -> None:
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
    net.append(nn.Linear(4, 1))
    assert len(net) == 3 and net(autograd.ones(2, 3)).shape == (2, 1)
    assert [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear"]
    with pytest.raises(TypeError, match="Sequential takes modules, but item 0 is a int"):
        nn.Sequential(3)  # type: ignore[arg-type]
    stack = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])
    assert [n for n, _ in stack.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_slicing_a_sequential_gives_a_sequential() -> None:
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    features = net[:2]
    assert isinstance(features, nn.Sequential) and features[0] is net[0]
    assert features(autograd.ones(4, 2)).shape == (4, 3)


def test_load_state_dict_answers_with_a_short_summary() -> None:
    model = ModernNetwork()
    assert repr(model.load_state_dict(model.state_dict())) == "<all 6 keys matched>"


def test_to_moves_to_the_cpu_or_casts_parameters() -> None:
    layer = nn.Linear(2, 2)
    assert layer.to("cpu") is layer and layer.to(autograd.device("cpu")) is layer
    assert layer.to(autograd.float64).weight.dtype == np.float64
    with pytest.raises(ValueError, match="CPU only"):
        layer.to("cuda")
    with pytest.raises(TypeError, match="floating point"):
        layer.to(autograd.int64)
    assert str(autograd.device(autograd.device("cpu"))) == "cpu"
