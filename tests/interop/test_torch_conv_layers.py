"""The CNN layers cross to PyTorch and back: Conv2d's state_dict loads into torch.nn.Conv2d
and back, nn.to_torch/from_torch convert a CNN with its BatchNorm running statistics, and the
two compute the same outputs and gradients."""

from __future__ import annotations

import numpy as np
import pytest
from torch_parity import compare, same_parameters

import autograd
import nn
from autograd import Tensor

torch = pytest.importorskip("torch")


def cnn(dtype: object = None) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, stride=2, padding=1, dtype=dtype),
        nn.BatchNorm2d(4, dtype=dtype),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, padding="same", groups=2, bias=False, dtype=dtype),
        nn.AvgPool2d(2, ceil_mode=True),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.BatchNorm1d(6, dtype=dtype),
        nn.Unflatten(1, (2, 3)),
    )


def test_a_conv2d_state_dict_loads_into_pytorchs_and_back() -> None:
    ours = nn.Conv2d(3, 8, 5, stride=2, padding=2)
    theirs = torch.nn.Conv2d(3, 8, 5, stride=2, padding=2)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(2, 3, 11, 11)).astype(np.float32)
    compare(ours, theirs, x)
    back = nn.Conv2d(3, 8, 5, stride=2, padding=2)
    back.load_state_dict(theirs.state_dict())
    same_parameters(back, theirs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_cnn_converts_both_ways_with_its_running_statistics(dtype: type) -> None:
    autograd.manual_seed(0)
    model = cnn(dtype)
    x = np.random.default_rng(1).normal(size=(5, 1, 16, 16)).astype(dtype)
    model(Tensor(x, dtype=dtype))  # running statistics move away from 0 and 1
    module = nn.to_torch(model)
    assert list(module.state_dict()) == list(model.state_dict())
    for name, value in module.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), model.state_dict()[name], err_msg=name)
    model.eval()
    module.eval()
    compare(model, module, x)
    back = nn.from_torch(module)
    assert repr(back) == repr(model)
    for name, value in back.state_dict().items():
        np.testing.assert_array_equal(value, model.state_dict()[name], err_msg=name)
    compare(back, module, x)


def test_pytorchs_own_cnn_converts_and_trains_alike() -> None:
    torch.manual_seed(0)
    module = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, stride=2, padding=1),
        torch.nn.BatchNorm2d(16),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(16, 10),
    )
    model = nn.from_torch(module)
    x = np.random.default_rng(2).normal(size=(8, 1, 12, 12)).astype(np.float32)
    compare(model, module, x)  # in training mode: the batch's statistics on both sides
    for name, value in module.state_dict().items():  # both moved their running statistics
        np.testing.assert_allclose(model.state_dict()[name], value.numpy(), rtol=1e-5, atol=1e-6)
