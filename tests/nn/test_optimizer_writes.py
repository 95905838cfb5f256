"""Optimizers and load_state_dict write parameters the way PyTorch's do: in place, counted on
the parameter's version, so a backward() whose graph saved the old numbers raises (PyTorch's
"modified by an inplace operation") instead of returning a gradient of the new ones. Writes
made through ``.data`` stay uncounted, as in PyTorch."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pytest
from conftest import HAS_TORCH, needs_torch
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Tensor, Value
from nn.optim import SGD, Adam

OPTIMIZERS = {
    "SGD": (SGD, {"lr": 1.0}),
    "SGD momentum": (SGD, {"lr": 0.5, "momentum": 0.9, "weight_decay": 0.1}),
    "Adam": (Adam, {"lr": 0.1}),
    "Adam amsgrad": (Adam, {"lr": 0.1, "amsgrad": True, "weight_decay": 0.1}),
}


def _raised(run: Any) -> str | None:
    try:
        run()
    except RuntimeError as error:
        return str(error)
    return None


# --- the finding: a step between the forward pass and backward() ------------------------------


def test_an_sgd_step_before_backward_raises_instead_of_the_gradient_of_the_new_weights() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    loss = (w * w).sum()  # its gradient is 2w = [2, 4]
    w.grad = Tensor([1.0, 2.0])
    SGD([w], lr=1.0).step()  # w is now [0, 0]: the old graph would have given [0, 0]
    assert w.tolist() == [0.0, 0.0] and w._version == 1
    w.grad = None
    message = _raised(loss.backward)
    assert message is not None, f"backward used the new weights: {w.grad}"
    assert "'w' [2] float32 was changed in place (by `SGD.step()`) after mul saved it" in message
    assert "modified by an inplace operation" in message


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_step_is_counted_and_named(name: str) -> None:
    make, options = OPTIMIZERS[name]
    layer = nn.Linear(3, 2)
    optimizer = make(layer.parameters(), **options)
    x = Tensor(np.ones((4, 3)), requires_grad=True)  # an input that needs grad: weight is saved
    layer(x).sum().backward()
    loss = layer(x).sum()
    optimizer.step()
    assert layer.weight._version == layer.bias._version == 1
    message = _raised(loss.backward)
    assert message is not None
    assert f"(by `{make.__name__}.step()`, through 'weight', which shares its numbers)" in message


def test_load_state_dict_before_backward_raises_naming_the_parameter() -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    loss = model(Tensor([[1.0, 2.0]])).sum()
    model.load_state_dict({k: v * 0.5 for k, v in model.state_dict().items()})
    assert [p._version for p in model.parameters()] == [1, 1, 1, 1]
    message = _raised(loss.backward)
    assert message is not None
    assert "(by `Sequential.load_state_dict()`, through '2.weight'" in message


def test_a_partial_load_counts_only_the_parameters_it_writes() -> None:
    layer = nn.Linear(2, 2)
    layer.load_state_dict({"bias": np.zeros(2)}, strict=False)
    assert (layer.weight._version, layer.bias._version) == (0, 1)


def test_the_training_loop_never_raises_and_each_step_counts_once() -> None:
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    optimizer = Adam(model.parameters(), lr=0.01)
    x, y = Tensor(np.random.default_rng(0).standard_normal((5, 4))), Tensor(np.arange(5) % 3)
    for _ in range(3):
        optimizer.zero_grad()
        nn.CrossEntropyLoss()(model(x), y.long()).backward()
        optimizer.step()
    assert [p._version for p in model.parameters()] == [3, 3, 3, 3]


def test_a_parameter_without_a_gradient_is_not_written_so_not_counted() -> None:
    used, unused = (Tensor([1.0], requires_grad=True, label=n) for n in ("used", "unused"))
    optimizer = SGD([used, unused], lr=0.1)
    (used * 2).sum().backward()
    optimizer.step()
    assert (used._version, unused._version) == (1, 0)


def test_writes_through_data_stay_uncounted_as_in_pytorch() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    loss = (w * w).sum()
    w.data -= 1.0  # PyTorch's w.data.sub_(1): no version bump, so no error either
    loss.backward()
    assert w._version == 0 and w.grad.tolist() == [0.0, 2.0]  # 2·(new w): the user's choice


@needs_torch
def test_torch_raises_for_the_same_step_and_not_for_a_data_write() -> None:
    import torch

    w = torch.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    w.grad = torch.tensor([1.0, 2.0])
    torch.optim.SGD([w], lr=1.0).step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
    v = torch.tensor([1.0, 2.0], requires_grad=True)
    loss = (v * v).sum()
    v.data.sub_(1.0)
    loss.backward()
    assert v._version == 0 and v.grad.tolist() == [0.0, 2.0]


def test_a_value_keeps_the_forward_gradient_across_a_step() -> None:
    """Values have no version: their local derivatives are taken in the forward pass, so a
    step between the forward pass and backward() leaves the forward's gradient."""
    w, x = Value(2.0, "w"), Value(3.0, "x")
    y = w * w * x
    w.grad = 1.0
    SGD([w], lr=1.0).step()
    assert w.data == 1.0
    w.grad = 0.0
    y.backward()
    assert w.grad == 2 * 2.0 * 3.0  # d(w²x)/dw at the w the forward pass saw
    assert autograd.grad(y, [w])[0].data == 12.0  # grad() and narration read the same numbers
    assert "  dout/dw = 12" in y.explain().splitlines()


# --- the property: any interleaving raises where PyTorch raises --------------------------------

NAMES = ("W", "v", "b")


class Program(nn.Module):
    """(x @ W).tanh() · v, summed, plus Σb. x needs no gradient, so only v is saved for
    backward (by the product, for h's gradient): writes to W or b never make backward raise,
    writes to v after a forward pass make that graph's backward raise."""

    def __init__(self, start: dict[str, np.ndarray]) -> None:
        super().__init__()
        self.W, self.v, self.b = (nn.Parameter(start[n], dtype=np.float64) for n in NAMES)

    def forward(self, x: Tensor) -> Tensor:
        return ((x @ self.W).tanh() * self.v).sum() + self.b.sum()


def _torch_program(torch: Any, start: dict[str, np.ndarray]) -> Any:
    class TorchProgram(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            for n in NAMES:
                setattr(self, n, torch.nn.Parameter(torch.tensor(start[n])))

        def forward(self, x: Any) -> Any:
            return ((x @ self.W).tanh() * self.v).sum() + self.b.sum()

    return TorchProgram()


ACTIONS = st.one_of(
    st.just(("forward",)),
    st.tuples(st.just("backward"), st.integers(0, 7)),
    st.just(("step",)),
    st.tuples(st.just("load"), st.sets(st.sampled_from(NAMES), min_size=1)),
    st.tuples(st.just("data"), st.sampled_from(NAMES)),
    st.just(("zero_grad",)),
)


@given(
    optimizer=st.sampled_from(list(OPTIMIZERS)),
    actions=st.lists(ACTIONS, max_size=14),
    seed=st.integers(0, 2**16),
)
def test_any_interleaving_of_steps_loads_and_backwards_raises_exactly_where_torch_does(
    optimizer: str, actions: list[tuple[Any, ...]], seed: int
) -> None:
    rng = np.random.default_rng(seed)
    start = {"W": rng.normal(size=(3, 2)), "v": rng.normal(size=2), "b": rng.normal(size=2)}
    x = rng.normal(size=(4, 3))
    make, options = OPTIMIZERS[optimizer]
    ours = Program(start)
    our_optimizer = make(ours.parameters(), **options)
    params = dict(ours.named_parameters())
    torch = theirs = their_optimizer = their_graphs = None
    if HAS_TORCH:
        import torch

        theirs = _torch_program(torch, start)
        their_optimizer = getattr(torch.optim, make.__name__)(theirs.parameters(), **options)
        their_graphs = []
    graphs: list[Any] = []
    # The version rule, kept by hand: v's counted writes so far, and at each forward pass.
    v_writes, v_writes_at = 0, []
    has_grad = dict.fromkeys(NAMES, False)
    for action in actions:
        kind = action[0]
        if kind == "forward":
            graphs.append(ours(Tensor(x, dtype=np.float64)))
            v_writes_at.append(v_writes)
            if theirs is not None:
                their_graphs.append(theirs(torch.tensor(x)))
        elif kind == "backward" and graphs:
            k = action[1] % len(graphs)
            expected = v_writes > v_writes_at[k]
            message = _raised(graphs[k].backward)
            assert (message is not None) == expected, (action, message)
            if message is not None:
                assert "'v' [2] float64 was changed in place" in message
            if theirs is not None:
                their_message = _raised(partial(their_graphs[k].backward, retain_graph=True))
                assert (their_message is not None) == expected, their_message
            if expected:  # a backward stopped half-way: start the grads afresh on both sides
                our_optimizer.zero_grad()
                if theirs is not None:
                    their_optimizer.zero_grad()
                has_grad = dict.fromkeys(NAMES, False)
            else:
                has_grad = dict.fromkeys(NAMES, True)
        elif kind == "step":
            our_optimizer.step()
            if theirs is not None:
                their_optimizer.step()
            v_writes += has_grad["v"]
        elif kind == "load":
            state = {n: params[n].detach().numpy() + 0.25 for n in action[1]}
            ours.load_state_dict(state, strict=False)
            if theirs is not None:
                theirs.load_state_dict({n: torch.tensor(a) for n, a in state.items()}, strict=False)
            v_writes += "v" in action[1]
        elif kind == "data":
            params[action[1]].data += 0.5  # uncounted, as PyTorch's p.data.add_(0.5)
            if theirs is not None:
                getattr(theirs, action[1]).data.add_(0.5)
        elif kind == "zero_grad":
            our_optimizer.zero_grad()
            if theirs is not None:
                their_optimizer.zero_grad()
            has_grad = dict.fromkeys(NAMES, False)
        if theirs is not None:
            for n in NAMES:
                mine, other = params[n], getattr(theirs, n)
                assert mine._version == other._version, (n, action)
                np.testing.assert_allclose(mine.data, other.detach().numpy(), rtol=1e-12)
                if other.grad is None:
                    assert mine.grad is None
                else:
                    np.testing.assert_allclose(mine.grad, other.grad.numpy(), rtol=1e-12)
