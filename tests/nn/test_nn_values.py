"""nn on Values: neurons, layers, MLPs, losses and optimizers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import needs_torch
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value, gradcheck
from nn import MLP, Layer, Neuron
from nn.optim import SGD, Adam


def test_seed_000_neuron() -> None:
    neuron = Neuron(2, activation="sigmoid", weights=[0.5, -0.5], bias=0.1)
    assert neuron([1, 0]).data == 0.6456563062257954


@pytest.mark.parametrize("activation", ["linear", "relu", "sigmoid", "tanh", "leaky_relu", "step"])
def test_every_activation(activation) -> None:
    neuron = Neuron(2, activation=activation, weights=[1.0, -1.0], bias=-0.5)
    z = 0.3 - 1.2 - 0.5
    expected = {
        "linear": z,
        "relu": 0.0,
        "sigmoid": 1 / (1 + math.exp(-z)),
        "tanh": math.tanh(z),
        "leaky_relu": 0.01 * z,
        "step": 0.0,
    }[activation]
    assert neuron([0.3, 1.2]).data == pytest.approx(expected)


def test_unknown_activation_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown activation 'softsign'"):
        Neuron(2, activation="softsign")


def test_names_and_owners_of_every_weight_and_computed_value() -> None:
    model = MLP(2, [3, 1], seed=0)
    labels = [p.label for p in model.parameters()]
    assert labels[:3] == ["L1.N1.w1", "L1.N1.w2", "L1.N1.b"] and labels[-1] == "L2.N1.b"
    assert len(labels) == len(set(labels)) == 3 * 3 + 4
    w = model.layers[0].neurons[2].w[1]
    assert w.label == "L1.N3.w2" and w.owner.role == "param" and w.owner.path == ("L1", "N3")
    out = model([0.5, -1.0], squeeze=True)
    assert out.owner.group("neuron") == ("L2", "N1") and out.owner.role == "computed"
    hidden = out.parents[3]  # a dot node's inputs are w1..w3, then x1..x3, then b
    assert hidden.label == "L1.N1.a" and hidden.owner.group("layer") == ("L1",)


def test_a_layer_of_one_neuron_returns_its_value_and_squeeze_still_works() -> None:
    layer = Layer(3, 1, seed=0)
    assert isinstance(layer([1, 2, 3]), Value)
    assert isinstance(layer([1, 2, 3], squeeze=True), Value)
    assert (
        isinstance(layer([1, 2, 3], squeeze=False), list)
        and len(layer([1, 2, 3], squeeze=False)) == 1
    )
    assert isinstance(Layer(3, 2, seed=0)([1, 2, 3]), list)
    assert isinstance(MLP(3, [4, 1], seed=0)([1, 2, 3]), Value)
    assert isinstance(MLP(3, [1, 2], seed=0)([1, 2, 3]), list)  # a one-neuron hidden layer
    with pytest.raises(ValueError, match="single output"):
        Layer(3, 2, seed=0)([1, 2, 3], squeeze=True)


def test_seeded_initialisation_is_reproducible_and_pytorch_shaped() -> None:
    a, b, c = MLP(4, [8, 2], seed=7), MLP(4, [8, 2], seed=7), MLP(4, [8, 2], seed=8)
    data = lambda m: [p.data for p in m.parameters()]  # noqa: E731
    assert data(a) == data(b) and data(a) != data(c)
    first_layer = [p.data for p in a.layers[0].parameters()]
    assert max(abs(x) for x in first_layer) <= 1 / math.sqrt(4)
    rng_model = MLP(4, [8, 2], rng=np.random.default_rng(7))
    assert data(rng_model) == data(a)


def test_explicit_weights() -> None:
    model = MLP(
        2,
        [2, 1],
        activation="sigmoid",
        output_activation="sigmoid",
        weights=[[[1, 2], [3, 4]], [[5, 6]]],
        biases=[[0.5, -0.5], [0.25]],
    )
    assert [p.data for p in model.parameters()] == [1, 2, 0.5, 3, 4, -0.5, 5, 6, 0.25]


def test_wrong_input_count_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="MLP expects 2 input"):
        MLP(2, [1], seed=0)([1.0, 2.0, 3.0])


def test_printout_looks_like_pytorchs() -> None:
    assert repr(MLP(2, [4, 1], activation="relu", output_activation="sigmoid", seed=0)) == (
        "MLP(\n"
        "  (L1): Layer(in_features=2, out_features=4, activation=relu)\n"
        "  (L2): Layer(in_features=4, out_features=1, activation=sigmoid)\n"
        ")"
    )


def test_gradients_through_an_mlp_match_finite_differences() -> None:
    model = MLP(3, [4, 4, 1], activation="tanh", seed=3)
    params = model.parameters()

    def loss_of(*ps: Value) -> Value:
        # The same network, wired to gradcheck's fresh copies of the parameters.
        clone, i = MLP(3, [4, 4, 1], activation="tanh", seed=3), 0
        for neuron in (n for layer in clone.layers for n in layer.neurons):
            neuron.w, neuron.b = list(ps[i : i + neuron.nin]), ps[i + neuron.nin]
            i += neuron.nin + 1
        return (clone([0.5, -1.0, 2.0], squeeze=True) - 1.0) ** 2

    assert gradcheck(loss_of, *params)
    loss_of(*params).backward()
    assert any(p.grad != 0.0 for p in params)
    model.zero_grad()
    assert all(p.grad == 0.0 for p in params)


# --- losses -------------------------------------------------------------------------------

probabilities = st.floats(0.001, 0.999)
logits = st.floats(-30.0, 30.0)
labels = st.sampled_from([0.0, 1.0])


@given(st.lists(st.tuples(probabilities, labels), min_size=1, max_size=5))
def test_bce_matches_finite_differences(pairs) -> None:
    preds = [Value(p, f"p{i}") for i, (p, _) in enumerate(pairs)]
    ys = [y for _, y in pairs]
    assert gradcheck(lambda *ps: nn.binary_cross_entropy(list(ps), ys), *preds, rtol=1e-4)


@given(st.lists(st.tuples(logits, labels), min_size=1, max_size=5))
def test_bce_with_logits_matches_finite_differences(pairs) -> None:
    zs = [Value(z, f"z{i}") for i, (z, _) in enumerate(pairs)]
    ys = [y for _, y in pairs]
    assert gradcheck(lambda *z: nn.binary_cross_entropy_with_logits(list(z), ys), *zs, rtol=1e-4)


@given(st.lists(logits, min_size=2, max_size=6), st.data())
def test_cross_entropy_matches_finite_differences(values, data) -> None:
    target = data.draw(st.integers(0, len(values) - 1))
    xs = [Value(v, f"x{i}") for i, v in enumerate(values)]
    assert gradcheck(lambda *x: nn.cross_entropy(list(x), target), *xs, rtol=1e-4)


def test_losses_stay_finite_at_the_extremes() -> None:
    assert nn.binary_cross_entropy(Value(1.0), 0.0).data == 100.0
    assert nn.binary_cross_entropy_with_logits(Value(1000.0), 0.0).data == 1000.0
    big = nn.cross_entropy([Value(1000.0), Value(0.0)], 1)
    assert big.data == pytest.approx(1000.0)
    big.backward()
    assert all(math.isfinite(x) for x in (big.data,))
    assert sum(p.data for p in nn.softmax([Value(800.0), Value(799.0)])) == pytest.approx(1.0)


def test_hinge_and_mse() -> None:
    assert nn.hinge_loss([Value(2.0), Value(0.5)], [1.0, 1.0]).data == 0.25
    assert nn.mse_loss([Value(1.0), Value(3.0)], [0.0, 0.0], reduction="sum").data == 10.0
    with pytest.raises(ValueError, match="2 predictions but 1 targets"):
        nn.mse_loss([Value(1.0), Value(3.0)], [0.0])


@needs_torch
@given(st.lists(st.tuples(logits, labels), min_size=1, max_size=5))
def test_losses_match_torch(pairs) -> None:
    import torch
    import torch.nn.functional as F

    zs = [z for z, _ in pairs]
    ys = [y for _, y in pairs]
    tz = torch.tensor(zs, dtype=torch.float64)
    ty = torch.tensor(ys, dtype=torch.float64)
    ours = nn.binary_cross_entropy_with_logits([Value(z) for z in zs], ys).data
    assert ours == pytest.approx(F.binary_cross_entropy_with_logits(tz, ty).item(), rel=1e-9)
    ps = [1 / (1 + math.exp(-z)) for z in zs]
    ours_p = nn.binary_cross_entropy([Value(p) for p in ps], ys).data
    theirs_p = F.binary_cross_entropy(torch.tensor(ps, dtype=torch.float64), ty).item()
    assert ours_p == pytest.approx(theirs_p, rel=1e-9)
    target = int(ys[0])
    if len(zs) > 1:
        ce = nn.cross_entropy([Value(z) for z in zs], target).data
        expected = F.cross_entropy(tz[None], torch.tensor([target])).item()
        assert ce == pytest.approx(expected, rel=1e-9)


# --- optimizers ---------------------------------------------------------------------------


def _quadratic_run(make_ours, make_theirs, steps: int = 25):
    """Minimise Σ cᵢ·(pᵢ − 1)² with both optimizers; return both parameter trajectories' ends."""
    import torch

    start, coeffs = [0.3, -1.2, 2.5], [1.0, 3.0, 0.5]
    ours = [Value(x) for x in start]
    theirs = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt, topt = make_ours(ours), make_theirs([theirs])
    for _ in range(steps):
        opt.zero_grad()
        Value.sum([c * (p - 1.0) ** 2 for c, p in zip(coeffs, ours)]).backward()
        opt.step()
        topt.zero_grad()
        (torch.tensor(coeffs, dtype=torch.float64) * (theirs - 1.0) ** 2).sum().backward()
        topt.step()
    return [p.data for p in ours], theirs.detach().tolist()


@needs_torch
@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": 0.1},
        {"lr": 0.05, "momentum": 0.9},
        {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01},
        {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    ],
)
def test_sgd_matches_torch(kwargs) -> None:
    import torch

    ours, theirs = _quadratic_run(
        lambda p: SGD(p, **kwargs), lambda p: torch.optim.SGD(p, **kwargs)
    )
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-12)


@needs_torch
@pytest.mark.parametrize(
    "kwargs",
    [{"lr": 0.1}, {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}],
)
def test_adam_matches_torch(kwargs) -> None:
    import torch

    ours, theirs = _quadratic_run(
        lambda p: Adam(p, **kwargs), lambda p: torch.optim.Adam(p, **kwargs)
    )
    assert ours == pytest.approx(theirs, rel=1e-10, abs=1e-12)


def test_optimizers_update_arrays_in_place() -> None:
    class Param:
        def __init__(self) -> None:
            self.data = np.array([1.0, 2.0], dtype=np.float32)
            self.grad: np.ndarray | None = np.array([0.5, -0.5], dtype=np.float32)

    for make in (lambda p: SGD(p, lr=0.1, momentum=0.9), lambda p: Adam(p, lr=0.1)):
        p = Param()
        before = p.data
        opt = make([p])
        opt.step()
        assert p.data is before and p.data.dtype == np.float32
        opt.zero_grad()
        assert p.grad is None


def test_optimizer_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match="learning rate"):
        Adam([Value(1.0)], lr=-1.0)
