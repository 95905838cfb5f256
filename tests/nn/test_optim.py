"""Optimizers: what they accept (PyTorch's rules), param groups, per-parameter state, and
parameters that got no gradient."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from conftest import needs_torch

import nn
from autograd import Tensor, Value
from nn.optim import SGD, Adam

OPTIMIZERS = [SGD, Adam]


# --- what counts as a list of parameters ----------------------------------------------------


@pytest.mark.parametrize("make", OPTIMIZERS)
@pytest.mark.parametrize(
    "single",
    [
        lambda: nn.Parameter(np.zeros(3)),
        lambda: Tensor(np.zeros((2, 2)), requires_grad=True),
        lambda: Value(1.0, "w"),
    ],
)
def test_a_single_parameter_is_a_type_error_as_in_torch(make, single) -> None:
    param = single()
    with pytest.raises(TypeError, match=r"iterable of parameters or dicts.*\[w\]"):
        make(param, lr=0.1)


@needs_torch
def test_torch_also_refuses_a_single_parameter() -> None:
    import torch

    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        torch.optim.Adam(torch.nn.Parameter(torch.zeros(3)))  # type: ignore[arg-type]


@pytest.mark.parametrize("make", OPTIMIZERS)
def test_things_that_are_not_parameters_are_named(make) -> None:
    with pytest.raises(TypeError, match=r"parameter 1 is a float, 2\.0"):
        make([Value(1.0), 2.0], lr=0.1)
    with pytest.raises(TypeError, match="a dict of options is one param group: put it in a list"):
        make({"params": [Value(1.0)]}, lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        make([], lr=0.1)
    computed = Value(1.0) * 2
    with pytest.raises(ValueError, match="non-leaf"):
        make([computed], lr=0.1)


@pytest.mark.parametrize("make", OPTIMIZERS)
def test_the_same_parameter_twice_is_refused_not_updated_twice(make) -> None:
    w = Value(1.0, "w")
    with pytest.raises(ValueError, match=r"'w' is listed twice \(at 0 and 2\)"):
        make([w, Value(2.0), w], lr=0.1)
    t = nn.Parameter(np.zeros(2))
    with pytest.raises(ValueError, match="listed twice"):
        make([t, t], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        make([{"params": [w]}, {"params": [w], "lr": 0.5}], lr=0.1)
    opt = make([w], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [w]})
    assert len(opt.param_groups) == 1


# --- options: PyTorch's checks, and stricter where a value can only do harm -----------------

BAD_OPTIONS = [
    (SGD, {"lr": -1.0}, "lr", "-1.0"),
    (SGD, {"lr": math.nan}, "lr", "nan"),
    (SGD, {"lr": math.inf}, "lr", "inf"),
    (SGD, {"lr": 0.1, "momentum": -0.5}, "momentum", "-0.5"),
    (SGD, {"lr": 0.1, "momentum": math.nan}, "momentum", "nan"),
    (SGD, {"lr": 0.1, "weight_decay": -1.0}, "weight_decay", "-1.0"),
    (SGD, {"lr": 0.1, "weight_decay": math.nan}, "weight_decay", "nan"),
    (SGD, {"lr": 0.1, "dampening": math.nan}, "dampening", "nan"),
    (Adam, {"lr": -1.0}, "lr", "-1.0"),
    (Adam, {"lr": math.inf}, "lr", "inf"),
    (Adam, {"eps": -1e-8}, "eps", "-1e-08"),
    (Adam, {"eps": math.nan}, "eps", "nan"),
    (Adam, {"weight_decay": -0.1}, "weight_decay", "-0.1"),
    (Adam, {"weight_decay": math.nan}, "weight_decay", "nan"),
    (Adam, {"betas": (1.0, 0.999)}, "betas", r"\(1\.0, 0\.999\)"),
    (Adam, {"betas": (0.9, -0.1)}, "betas", r"\(0\.9, -0\.1\)"),
    (Adam, {"betas": (math.nan, 0.9)}, "betas", r"\(nan, 0\.9\)"),
]


@pytest.mark.parametrize("make, options, name, shown", BAD_OPTIONS)
def test_bad_options_are_value_errors_naming_the_option_and_value(
    make, options, name, shown
) -> None:
    with pytest.raises(ValueError, match=rf"{make.__name__}: invalid {name} {shown}"):
        make([Value(1.0)], **options)
    # The same check for an option given to one param group.
    with pytest.raises(ValueError, match=rf"{make.__name__}: invalid {name} {shown}"):
        make([{"params": [Value(1.0)], **options}], lr=0.1)


@pytest.mark.parametrize("make", OPTIMIZERS)
def test_options_that_are_not_numbers_are_type_errors(make) -> None:
    with pytest.raises(TypeError, match=rf"{make.__name__}: lr must be a number, got str 'a'"):
        make([Value(1.0)], lr="a")
    with pytest.raises(ValueError, match="betas must be a pair"):
        Adam([Value(1.0)], betas=(0.9,))  # type: ignore[arg-type]


def test_nesterov_needs_momentum_and_no_dampening() -> None:
    with pytest.raises(ValueError, match="Nesterov momentum needs momentum > 0"):
        SGD([Value(1.0)], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="Nesterov momentum needs momentum > 0"):
        SGD([{"params": [Value(1.0)], "nesterov": True}], lr=0.1, momentum=0.9, dampening=0.5)


# --- param groups, against torch.optim ------------------------------------------------------


def _torch_pair(rng: np.random.Generator, shapes):
    import torch

    starts = [rng.normal(size=shape) for shape in shapes]
    ours = [nn.Parameter(start, dtype=np.float64) for start in starts]
    theirs = [torch.tensor(start, dtype=torch.float64, requires_grad=True) for start in starts]
    return ours, theirs


def _run_both(ours, theirs, opt, topt, steps: int, schedule=None) -> None:
    import torch

    coeffs = [np.linspace(0.5, 2.0, p.array.size).reshape(p.shape) for p in ours]
    for step in range(steps):
        if schedule is not None:
            for groups in (opt.param_groups, topt.param_groups):
                schedule(step, groups)
        opt.zero_grad()
        total = None
        for p, c in zip(ours, coeffs):
            term = (Tensor(c, dtype=np.float64) * (p - 1.0) ** 2).sum()
            total = term if total is None else total + term
        total.backward()
        opt.step()
        topt.zero_grad()
        sum((torch.tensor(c) * (p - 1.0) ** 2).sum() for p, c in zip(theirs, coeffs)).backward()
        topt.step()


def _assert_same(ours, theirs) -> None:
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-12, atol=1e-14)


@needs_torch
@pytest.mark.parametrize(
    "name, defaults, group_options",
    [
        ("SGD", {"lr": 0.1}, {"lr": 0.01}),
        ("SGD", {"lr": 0.05, "momentum": 0.9}, {"lr": 0.2, "weight_decay": 0.1}),
        ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, {"momentum": 0.5}),
        ("Adam", {"lr": 0.1}, {"lr": 0.01}),
        ("Adam", {"lr": 0.05}, {"betas": (0.5, 0.9), "weight_decay": 0.1, "eps": 1e-6}),
        ("Adam", {"lr": 0.1, "amsgrad": True}, {"lr": 0.3, "betas": (0.5, 0.99)}),
        ("Adam", {"lr": 0.1}, {"amsgrad": True, "weight_decay": 0.1}),
    ],
)
def test_two_param_groups_match_torch(name, defaults, group_options) -> None:
    import torch

    ours, theirs = _torch_pair(np.random.default_rng(0), [(3,), (2, 2)])
    opt = getattr(nn.optim, name)(
        [{"params": [ours[0]]}, {"params": [ours[1]], **group_options}], **defaults
    )
    topt = getattr(torch.optim, name)(
        [{"params": [theirs[0]]}, {"params": [theirs[1]], **group_options}], **defaults
    )
    _run_both(ours, theirs, opt, topt, steps=20)
    _assert_same(ours, theirs)
    for group, tgroup in zip(opt.param_groups, topt.param_groups):
        for key, value in group.items():
            if key != "params":
                assert tgroup[key] == value, key


@needs_torch
@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_a_schedule_that_sets_group_lr_matches_torch(name) -> None:
    import torch

    def schedule(step: int, groups) -> None:
        for group in groups:
            group["lr"] = 0.1 * 0.8**step

    ours, theirs = _torch_pair(np.random.default_rng(1), [(4,)])
    kwargs = {"lr": 0.1, "momentum": 0.9} if name == "SGD" else {"lr": 0.1}
    opt = getattr(nn.optim, name)(ours, **kwargs)
    topt = getattr(torch.optim, name)(theirs, **kwargs)
    _run_both(ours, theirs, opt, topt, steps=15, schedule=schedule)
    _assert_same(ours, theirs)


@needs_torch
def test_add_param_group_matches_torch() -> None:
    import torch

    ours, theirs = _torch_pair(np.random.default_rng(2), [(3,), (2,)])
    opt, topt = nn.optim.Adam([ours[0]], lr=0.1), torch.optim.Adam([theirs[0]], lr=0.1)
    _run_both(ours[:1], theirs[:1], opt, topt, steps=5)
    opt.add_param_group({"params": ours[1], "lr": 0.02})  # a single parameter is fine here
    topt.add_param_group({"params": theirs[1], "lr": 0.02})
    _run_both(ours, theirs, opt, topt, steps=5)
    _assert_same(ours, theirs)
    assert [len(g["params"]) for g in opt.param_groups] == [1, 1]


def test_param_groups_look_like_torchs() -> None:
    a, b = Value(1.0, "a"), Value(2.0, "b")
    opt = SGD([{"params": [a]}, {"params": (b,), "lr": 0.5, "name": "head"}], lr=0.1)
    assert opt.param_groups == [
        {"params": [a], "lr": 0.1, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0,
         "nesterov": False},
        {"params": [b], "lr": 0.5, "name": "head", "momentum": 0.0, "dampening": 0.0,
         "weight_decay": 0.0, "nesterov": False},
    ]  # fmt: skip
    assert opt.defaults["lr"] == 0.1
    with pytest.raises(ValueError, match="param group 0 has no 'params'"):
        SGD([{"parameters": [a]}], lr=0.1)
    with pytest.raises(TypeError, match="mixes param-group dicts and parameters"):
        SGD([{"params": [a]}, b], lr=0.1)


def test_the_lr_attribute_reads_and_sets_every_group() -> None:
    a, b = Value(1.0), Value(2.0)
    opt = Adam([{"params": [a]}, {"params": [b]}], lr=0.1)
    assert opt.lr == 0.1
    opt.lr = 0.05
    assert [g["lr"] for g in opt.param_groups] == [0.05, 0.05]
    opt.param_groups[1]["lr"] = 0.2
    with pytest.raises(AttributeError, match="param groups have different learning rates"):
        _ = opt.lr
    with pytest.raises(ValueError, match="invalid lr -1"):
        opt.lr = -1


def test_state_is_keyed_by_parameter_with_torchs_names() -> None:
    w, t = Value(1.0, "w"), nn.Parameter(np.ones(2))
    sgd = SGD([w, t], lr=0.1, momentum=0.9)
    w.grad, t.grad = 0.5, Tensor(np.full(2, 0.5, dtype=np.float32))
    sgd.step()
    assert set(sgd.state) == {w, t} and set(sgd.state[w]) == {"momentum_buffer"}
    assert sgd.state[w]["momentum_buffer"] == 0.5
    adam = Adam([w, t], lr=0.1)
    adam.step()
    assert set(adam.state[t]) == {"step", "exp_avg", "exp_avg_sq"}
    assert adam.state[w]["step"] == 1 and adam.state[t]["exp_avg"].shape == (2,)


# --- Values: what the optimizer reads and writes ----------------------------------------


@pytest.mark.parametrize("make", [lambda p: SGD(p, lr=0.1, momentum=0.9), lambda p: Adam(p)])
def test_an_int_or_numpy_number_in_a_value_does_not_break_zero_grad(make) -> None:
    w = Value(1.0, "w")
    opt = make([w])
    w.data = 0  # an int, as a user may write
    opt.zero_grad()
    assert w.grad == 0.0
    (w * 3.0).backward()
    assert w.grad == 3.0
    w.grad = np.float32(0.25)  # a numpy number, as a user (or a conversion) may leave
    opt.step()
    assert type(w.data) is float
    opt.zero_grad()
    (w * 2.0).backward()
    assert w.grad == 2.0
    opt.step()
    assert type(w.data) is float


def test_adam_writes_python_floats_into_values() -> None:
    w = Value(1.0, "w")
    opt = Adam([w], lr=0.1)
    for grad in (np.float32(0.5), np.float64(0.25), 1):
        w.grad = grad
        opt.step()
        assert type(w.data) is float
        assert all(type(v) in (float, int) for v in opt.state[w].values())


@needs_torch
@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("SGD", {"lr": 0.1, "weight_decay": 0.5}),
        ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.5}),
        ("Adam", {"lr": 0.1, "weight_decay": 0.5}),
    ],
)
def test_weight_decay_skips_parameters_without_a_gradient_like_torch(name, kwargs) -> None:
    """``unused`` takes part in the first backward only; ``flat`` always, with slope 0."""
    import torch

    used, unused, flat = Value(1.0, "used"), Value(2.0, "unused"), Value(3.0, "flat")
    t_used, t_unused, t_flat = (
        torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in (1.0, 2.0, 3.0)
    )
    never = Value(4.0, "never")  # in no graph at all
    t_never = torch.tensor(4.0, dtype=torch.float64, requires_grad=True)
    opt = getattr(nn.optim, name)([used, unused, flat, never], **kwargs)
    topt = getattr(torch.optim, name)([t_used, t_unused, t_flat, t_never], **kwargs)
    for step in range(4):
        opt.zero_grad()
        loss = used * used + 0.0 * flat + (unused * unused if step == 0 else 0.0)
        loss.backward()
        opt.step()
        topt.zero_grad()
        t_loss = t_used * t_used + 0.0 * t_flat + (t_unused * t_unused if step == 0 else 0.0)
        t_loss.backward()
        topt.step()
        for ours, theirs in zip((used, unused, flat, never), (t_used, t_unused, t_flat, t_never)):
            assert ours.data == pytest.approx(theirs.item(), rel=1e-12), (step, ours.label)
    assert never.data == 4.0


@pytest.mark.parametrize("clear", ["optimizer", "model"])
def test_either_zero_grad_marks_parameters_as_not_reached(clear: str) -> None:
    layer = nn.Layer(2, 2, seed=0)
    opt = SGD(layer.parameters(), lr=0.1, weight_decay=0.5)
    first, second = layer([1.0, 2.0])
    (first + second).backward()  # every parameter gets a gradient
    opt.step()
    (opt if clear == "optimizer" else layer).zero_grad()
    before = [p.data for p in layer.neurons[1].parameters()]
    first, _ = layer([1.0, 2.0])
    first.backward()  # the second neuron takes no part
    opt.step()
    assert [p.data for p in layer.neurons[1].parameters()] == before


def test_the_no_gradient_marker_is_an_ordinary_zero_to_user_code() -> None:
    w = Value(3.0, "w")
    opt = SGD([w], lr=0.1)
    opt.zero_grad()
    assert w.grad == 0.0 and repr(w.grad) == "0.0" and f"{w.grad:.1f}" == "0.0"
    w.data -= 0.1 * w.grad  # a micrograd-style update after zero_grad
    assert w.data == 3.0 and type(w.data) is float
    restored = pickle.loads(pickle.dumps(w.grad))
    assert restored == 0.0 and type(restored) is type(w.grad)
    (w * 2.0).backward()
    assert type(w.grad) is float and w.grad == 2.0


@pytest.mark.parametrize("make", ["SGD", "Adam"])
def test_a_step_after_backward_with_create_graph_uses_the_grads_numbers(make: str) -> None:
    """A grad that carries its own graph is still a gradient: the step matches a plain one."""
    import numpy as np

    from autograd import Tensor, Value

    def trained(create_graph: bool) -> tuple[float, list[float]]:
        w = Value(0.5, "w")
        v = Tensor(np.array([1.0, -2.0]), requires_grad=True, dtype=np.float64)
        optimizer = getattr(nn.optim, make)([w, v], lr=0.1)
        loss_w = (w * w * w).tanh()
        loss_v = (v * v * v).sum()
        loss_w.backward(create_graph=create_graph)
        loss_v.backward(create_graph=create_graph)
        optimizer.step()
        return w.data, v.data.tolist()

    assert trained(create_graph=True) == trained(create_graph=False)
