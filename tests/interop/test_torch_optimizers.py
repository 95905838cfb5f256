"""Optimizers move to PyTorch and back: nn.to_torch_optimizer / nn.from_torch_optimizer
(nn.torch.optimizers).

Train a few steps on one side, hand model and optimizer over, and the next five steps there
(losses, and every parameter after each step) equal the five steps the first side would have
taken: float32 to 1e-6 relative, float64 to 1e-12. Both directions, SGD (plain, momentum,
dampening, Nesterov, weight decay), Adam (betas, eps, weight decay, AMSGrad), two param groups,
and the scalar MLP. Then what is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from conftest import HAS_TORCH
from torch_parity import close

import autograd
import nn
from autograd import Tensor
from nn.torch import ConversionError, parameter_map

pytestmark = pytest.mark.skipif(not HAS_TORCH, reason="torch is an optional peer")
if HAS_TORCH:
    import torch
    import torch.nn.functional as F

BEFORE, AFTER = 4, 5  # steps before the handover, steps compared after it

CONFIGS = {
    "SGD": ("SGD", {"lr": 0.1}),
    "SGD momentum": ("SGD", {"lr": 0.05, "momentum": 0.9}),
    "SGD dampening, weight decay": (
        "SGD",
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01},
    ),
    "SGD Nesterov, weight decay": (
        "SGD",
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05},
    ),
    "Adam": ("Adam", {"lr": 0.01}),
    "Adam betas, eps, weight decay": (
        "Adam",
        {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.01},
    ),
    "Adam AMSGrad": ("Adam", {"lr": 0.05, "amsgrad": True, "betas": (0.5, 0.9)}),
}


def _data(dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    return rng.normal(size=(16, 4)).astype(dtype), rng.normal(size=(16, 3)).astype(dtype)


def _rows(step: int) -> np.ndarray:
    return (np.arange(8) + 3 * step) % 16  # a different batch each step


def _model(dtype: Any) -> nn.Sequential:
    autograd.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 6, dtype=dtype), nn.Tanh(), nn.Linear(6, 3, dtype=dtype))


def _step_ours(model: nn.Module, opt: Any, data: tuple[np.ndarray, np.ndarray], step: int) -> float:
    X, Y = (array[_rows(step)] for array in data)
    opt.zero_grad()
    loss = nn.MSELoss()(model(Tensor(X, dtype=X.dtype)), Tensor(Y, dtype=Y.dtype))
    loss.backward()
    opt.step()
    return float(loss.item())


def _step_theirs(module: Any, opt: Any, data: tuple[np.ndarray, np.ndarray], step: int) -> float:
    X, Y = (torch.from_numpy(array[_rows(step)]) for array in data)
    opt.zero_grad()
    loss = F.mse_loss(module(X), Y)
    loss.backward()
    opt.step()
    return float(loss.item())


def _groups(model: Any, options: dict[str, Any], two_groups: bool) -> list[Any]:
    """The parameters of a Sequential of either library, in one param group or two."""
    if not two_groups:
        return list(model.parameters())
    # The second group changes one option of its own (the first keeps the defaults) and
    # carries a key of the user's.
    second = {"lr": options["lr"] * 3} if "betas" not in options else {"betas": (0.6, 0.95)}
    return [
        {"params": list(model[0].parameters())},
        {"params": list(model[2].parameters()), "name": "head", **second},
    ]


def _same_state(ours: Any, theirs: Any, pairs: dict[str, tuple[Any, Any]]) -> None:
    """Exactly the same options and per-parameter state, right after a handover."""
    assert len(ours.param_groups) == len(theirs.param_groups)
    for group, tgroup in zip(ours.param_groups, theirs.param_groups):
        for key, value in group.items():
            if key != "params":
                assert tgroup[key] == value, key
    for name, (p, q) in pairs.items():
        state, tstate = ours.state.get(p, {}), theirs.state.get(q, {})
        assert sorted(state) == sorted(tstate), name
        for key, value in state.items():
            if key == "step":
                assert float(tstate[key]) == value, name
            else:
                assert np.array_equal(value, tstate[key].numpy()), f"{name} {key}"


@pytest.mark.parametrize("two_groups", [False, True], ids=["one group", "two groups"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("config", list(CONFIGS))
def test_training_continues_in_torch_with_the_same_next_steps(
    config: str, dtype: Any, two_groups: bool
) -> None:
    kind, options = CONFIGS[config]
    data = _data(dtype)
    model = _model(dtype)
    opt = getattr(nn.optim, kind)(_groups(model, options, two_groups), **options)
    for step in range(BEFORE):
        _step_ours(model, opt, data, step)

    module = nn.to_torch(model)
    topt = nn.to_torch_optimizer(opt, model, module)
    assert type(topt) is getattr(torch.optim, kind)
    pairs = parameter_map(model, module)
    _same_state(opt, topt, pairs)

    for step in range(BEFORE, BEFORE + AFTER):
        ours, theirs = _step_ours(model, opt, data, step), _step_theirs(module, topt, data, step)
        close(np.asarray(ours, dtype), np.asarray(theirs, dtype), f"loss at step {step}")
        for name, (p, q) in pairs.items():
            close(p, q, f"{name} after step {step}")


@pytest.mark.parametrize("two_groups", [False, True], ids=["one group", "two groups"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("config", list(CONFIGS))
def test_training_comes_back_from_torch_with_the_same_next_steps(
    config: str, dtype: Any, two_groups: bool
) -> None:
    kind, options = CONFIGS[config]
    data = _data(dtype)
    module = nn.to_torch(_model(dtype))
    topt = getattr(torch.optim, kind)(_groups(module, options, two_groups), **options)
    for step in range(BEFORE):
        _step_theirs(module, topt, data, step)

    model = nn.from_torch(module)
    opt = nn.from_torch_optimizer(topt, module, model)
    assert type(opt) is getattr(nn.optim, kind)
    pairs = parameter_map(model, module)
    _same_state(opt, topt, pairs)
    assert opt.defaults == {key: topt.defaults[key] for key in opt.defaults}

    for step in range(BEFORE, BEFORE + AFTER):
        theirs, ours = _step_theirs(module, topt, data, step), _step_ours(model, opt, data, step)
        close(np.asarray(ours, dtype), np.asarray(theirs, dtype), f"loss at step {step}")
        for name, (p, q) in pairs.items():
            close(p, q, f"{name} after step {step}")


def test_there_and_back_again_and_nothing_is_shared() -> None:
    data = _data(np.float64)
    model = _model(np.float64)
    opt = nn.optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    for step in range(BEFORE):
        _step_ours(model, opt, data, step)
    module = nn.to_torch(model)
    topt = nn.to_torch_optimizer(opt, model, module)
    saved = {key: np.array(value) for key, value in opt.state[model[0].weight].items()}
    _step_theirs(module, topt, data, BEFORE)  # PyTorch's steps leave tracegrad's state alone
    for key, value in saved.items():
        assert np.array_equal(opt.state[model[0].weight][key], value), key
    back = nn.from_torch(module)
    again = nn.from_torch_optimizer(topt, module, back)
    assert again.state[back[0].weight]["step"] == BEFORE + 1
    assert isinstance(again.state[back[0].weight]["step"], int)
    _step_ours(back, again, data, BEFORE + 1)  # and tracegrad's leave PyTorch's alone
    assert float(topt.state[module[0].weight]["step"]) == BEFORE + 1


# --- the scalar MLP ---------------------------------------------------------------------------

SCALAR_X = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-1.0, 1.0, 0.0]]
SCALAR_Y = [[1.0, -1.0], [0.0, 0.5], [-0.5, 0.0]]


def _scalar_step(mlp: nn.MLP, opt: Any) -> float:
    opt.zero_grad()
    loss = sum(
        (out - target) ** 2 for x, y in zip(SCALAR_X, SCALAR_Y) for out, target in zip(mlp(x), y)
    )
    loss.backward()
    opt.step()
    return float(loss.data)


def _scalar_step_torch(module: Any, opt: Any) -> float:
    opt.zero_grad()
    X, Y = torch.tensor(SCALAR_X, dtype=torch.float64), torch.tensor(SCALAR_Y, dtype=torch.float64)
    loss = ((module(X) - Y) ** 2).sum()
    loss.backward()
    opt.step()
    return float(loss.item())


def _scalarclose(mlp: nn.MLP, module: Any, what: str) -> None:
    for name, (values, tensor) in parameter_map(mlp, module).items():
        numbers = np.vectorize(lambda v: v.data, otypes=[np.float64])(values)
        close(numbers, tensor, f"{name} {what}")


@pytest.mark.parametrize("config", list(CONFIGS))
def test_a_scalar_mlps_training_continues_in_torch(config: str) -> None:
    kind, options = CONFIGS[config]
    mlp = nn.MLP(3, [4, 2], activation="tanh", seed=1)
    opt = getattr(nn.optim, kind)(mlp.parameters(), **options)
    for _ in range(BEFORE):
        _scalar_step(mlp, opt)
    module = nn.to_torch(mlp)
    topt = nn.to_torch_optimizer(opt, mlp, module)
    for step in range(AFTER):
        ours, theirs = _scalar_step(mlp, opt), _scalar_step_torch(module, topt)
        close(np.float64(ours), np.float64(theirs), f"loss {step}")
        _scalarclose(mlp, module, f"after step {step}")


@pytest.mark.parametrize("config", list(CONFIGS))
def test_a_scalar_mlps_training_comes_back_from_torch(config: str) -> None:
    kind, options = CONFIGS[config]
    mlp = nn.MLP(3, [4, 2], activation="tanh", seed=1)
    module = nn.to_torch(mlp)
    topt = getattr(torch.optim, kind)(module.parameters(), **options)
    for _ in range(BEFORE):
        _scalar_step_torch(module, topt)
    for values, tensor in parameter_map(mlp, module).values():
        for index, value in np.ndenumerate(values):
            value.data = float(tensor.detach()[index])  # the trained weights, back in the Values
    opt = nn.from_torch_optimizer(topt, module, mlp)
    assert all(opt.state.get(v) for v in mlp.parameters()) == (config != "SGD")
    for step in range(AFTER):
        ours, theirs = _scalar_step(mlp, opt), _scalar_step_torch(module, topt)
        close(np.float64(ours), np.float64(theirs), f"loss {step}")
        _scalarclose(mlp, module, f"after step {step}")


def test_a_scalar_layer_split_across_groups_or_steps_is_refused() -> None:
    mlp = nn.MLP(2, [2, 1], seed=0)
    module = nn.to_torch(mlp)
    first = mlp.layers[0].neurons[0].parameters()
    rest = [p for p in mlp.parameters() if all(p is not q for q in first)]
    opt = nn.optim.SGD([{"params": first}, {"params": rest}], lr=0.1)
    with pytest.raises(ValueError, match=r"param group 0 holds 2 of the 4 Values of L1.weight"):
        nn.to_torch_optimizer(opt, mlp, module)
    opt = nn.optim.Adam(mlp.parameters(), lr=0.1)
    _scalar_step_values(mlp, opt)
    opt.state[mlp.layers[0].neurons[1].b]["step"] += 1
    with pytest.raises(ValueError, match=r"Values of L1.bias have taken different numbers"):
        nn.to_torch_optimizer(opt, mlp, module)
    del opt.state[mlp.layers[0].neurons[1].w[0]]
    with pytest.raises(ValueError, match=r"3 of the 4 Values of L1.weight have optimizer state"):
        nn.to_torch_optimizer(opt, mlp, module)


def _scalar_step_values(mlp: nn.MLP, opt: Any) -> None:
    opt.zero_grad()
    sum(mlp([1.0, -1.0], squeeze=False), autograd.Value(0.0)).backward()
    opt.step()


# --- what is refused ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda ps: torch.optim.AdamW(ps, lr=0.1),
            r"torch\.optim\.adamw\.AdamW has no tracegrad counterpart; these convert: "
            r"torch\.optim\.SGD and torch\.optim\.Adam",
        ),
        (lambda ps: torch.optim.RMSprop(ps), r"RMSprop has no tracegrad counterpart"),
        (
            lambda ps: torch.optim.SGD(ps, lr=0.1, maximize=True),
            r"its defaults of the torch\.optim\.SGD has maximize=True, which tracegrad's SGD "
            r"does not have \(only maximize=False\)",
        ),
        (
            lambda ps: torch.optim.Adam(ps, weight_decay=0.1, decoupled_weight_decay=True),
            r"decoupled_weight_decay=True",
        ),
        (
            lambda ps: torch.optim.Adam([{"params": ps, "maximize": True}]),
            r"group 0 of the torch\.optim\.Adam has maximize=True",
        ),
    ],
)
def test_torch_optimizers_without_a_counterpart_are_named(
    make: Callable[[Any], Any], message: str
) -> None:
    module = torch.nn.Linear(2, 1)
    with pytest.raises(ConversionError, match=message):
        nn.from_torch_optimizer(make(list(module.parameters())), module, nn.from_torch(module))


def test_how_torch_computes_is_left_behind() -> None:
    module = torch.nn.Linear(2, 1)
    topt = torch.optim.Adam(module.parameters(), lr=0.1, foreach=False, capturable=False)
    opt = nn.from_torch_optimizer(topt, module, nn.from_torch(module))
    assert set(opt.param_groups[0]) == {"params", "lr", "betas", "eps", "weight_decay", "amsgrad"}


def test_parameters_outside_the_model_and_other_optimizers_are_refused() -> None:
    model = nn.Linear(2, 1)
    module = nn.to_torch(model)
    stranger = Tensor(np.zeros(3), requires_grad=True, label="stranger")
    opt = nn.optim.SGD([{"params": model.parameters()}, {"params": [stranger]}], lr=0.1)
    with pytest.raises(
        ValueError, match=r"parameter 0 of param group 1 \('stranger'\) is not a parameter"
    ):
        nn.to_torch_optimizer(opt, model, module)
    topt = torch.optim.SGD([*module.parameters(), torch.nn.Parameter(torch.zeros(3))], lr=0.1)
    with pytest.raises(ValueError, match=r"parameter 2 of param group 0 \(shape \(3,\)\) is not"):
        nn.from_torch_optimizer(topt, module, model)
    with pytest.raises(
        ValueError, match=r"^nn.to_torch_optimizer pairs parameters by name: parameter_map: weight"
    ):
        nn.to_torch_optimizer(nn.optim.SGD(model.parameters()), model, torch.nn.Linear(3, 1))

    class Mine(nn.optim.SGD):
        pass

    with pytest.raises(ConversionError, match=r"a Mine, a subclass of SGD whose step may differ"):
        nn.to_torch_optimizer(Mine(model.parameters()), model, module)
    with pytest.raises(TypeError, match=r"converts an nn.optim.SGD or Adam, got list"):
        nn.to_torch_optimizer([], model, module)


def test_options_torch_holds_as_tensors_come_as_numbers() -> None:
    module = torch.nn.Linear(2, 1)
    topt = torch.optim.Adam(
        module.parameters(),
        lr=torch.tensor(0.5),
        betas=(torch.tensor(0.75), torch.tensor(0.875)),
        foreach=False,  # PyTorch's own rule for a tensor lr
    )
    opt = nn.from_torch_optimizer(topt, module, nn.from_torch(module))
    group = opt.param_groups[0]
    assert (group["lr"], group["betas"]) == (0.5, (0.75, 0.875))
    assert type(group["lr"]) is float and all(type(beta) is float for beta in group["betas"])
    assert opt.defaults["lr"] == 0.5
