"""Devices: the CPU, named as PyTorch programs name it, and a clear error for any other.

``x.to(dev)``, ``model.to(dev)``, ``.cpu()`` accept ``"cpu"``, ``autograd.device("cpu")`` and
PyTorch's own ``torch.device("cpu")``; ``torch.cuda.is_available()`` is False; ``"cuda"``,
``"mps"`` and the others are an error naming ``nn.to_torch``, where GPUs are.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import needs_torch

import autograd
import nn
from autograd import Tensor

CPU_NAMES: list[Any] = ["cpu", "cpu:0", autograd.device("cpu")]
OTHERS = ["cuda", "cuda:0", "mps", "xpu"]


def test_the_usual_device_line_picks_the_cpu() -> None:
    torch = autograd
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    assert repr(device) == "device(type='cpu')" and str(device) == "cpu"
    assert device == "cpu" and device == torch.device("cpu") and device.type == "cpu"
    assert not torch.cuda.is_available() and torch.cuda.device_count() == 0


@pytest.mark.parametrize("where", CPU_NAMES, ids=str)
def test_a_tensor_on_the_cpu_stays_itself(where: Any) -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert x.to(where) is x and x.to(device=where) is x
    assert x.cpu() is x and x.device == autograd.device("cpu")


def test_to_takes_a_device_and_a_dtype_as_pytorchs_does() -> None:
    x = Tensor([1.5, 2.5], requires_grad=True)
    assert x.to("cpu", autograd.float64).dtype == np.float64
    assert x.to(device="cpu", dtype=autograd.float64).dtype == np.float64
    assert x.to(Tensor([1], dtype=autograd.int64)).dtype == np.int64  # another tensor's dtype
    y = x.to("cpu", autograd.float64)
    y.sum().backward()  # between floats the gradient flows through
    assert x.grad.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("where", OTHERS)
def test_any_other_device_is_an_error_pointing_at_to_torch(where: str) -> None:
    x = Tensor([1.0])
    with pytest.raises(ValueError, match=rf"to: device '{where}' .*CPU only.*nn\.to_torch"):
        x.to(where)
    with pytest.raises(ValueError, match=r"nn\.to_torch"):
        autograd.device(where)
    with pytest.raises(ValueError, match=r"cuda\(\).*nn\.to_torch"):
        x.cuda()


def test_a_module_moves_to_the_cpu_and_refuses_gpus() -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    for where in CPU_NAMES:
        assert model.to(where) is model and model.cpu() is model
    assert model.to("cpu", autograd.float64) is model
    assert all(p.dtype == np.float64 for p in model.parameters())
    assert all(p.dtype == np.float32 for p in model.to(dtype=autograd.float32).parameters())
    with pytest.raises(ValueError, match=r"Sequential\.to: device 'cuda'.*nn\.to_torch"):
        model.to("cuda")
    with pytest.raises(ValueError, match=r"Sequential\.cuda\(\)"):
        model.cuda()


def test_a_module_cast_keeps_its_gradients_in_the_new_dtype() -> None:
    layer = nn.Linear(2, 1)
    layer(Tensor([[1.0, 2.0]])).sum().backward()
    layer.to(autograd.float64)
    assert layer.weight.grad.dtype == np.float64 and layer.weight.grad.tolist() == [[1.0, 2.0]]


@needs_torch
def test_pytorchs_own_device_objects_are_accepted() -> None:
    import torch

    x = Tensor([1.0, 2.0])
    layer = nn.Linear(2, 1)
    cpu = torch.device("cpu")
    assert x.to(cpu) is x and layer.to(cpu) is layer and autograd.device(cpu) == cpu
    assert autograd.device("cpu") == cpu
    with pytest.raises(ValueError, match=r"device 'cuda:1'.*nn\.to_torch"):
        x.to(torch.device("cuda:1"))
    with pytest.raises(ValueError, match=r"nn\.to_torch"):
        layer.to(torch.device("cuda"))
