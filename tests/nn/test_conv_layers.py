"""The CNN layers: Conv2d's parameters, shapes and initialisation are PyTorch's; the pooling
layers, Unflatten and BatchNorm behave as PyTorch's (running statistics, train()/eval(),
momentum, eps, affine); buffers are saved with the model and never trained."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import needs_torch

import autograd
import nn
from autograd import Tensor


def test_conv2d_has_pytorchs_parameters_and_initialisation() -> None:
    conv = nn.Conv2d(4, 6, (3, 5), groups=2, rng=np.random.default_rng(0))
    assert [n for n, _ in conv.named_parameters()] == ["weight", "bias"]
    assert conv.weight.shape == (6, 2, 3, 5) and conv.bias is not None and conv.bias.shape == (6,)
    bound = 1 / np.sqrt(2 * 3 * 5)  # fan-in: in_channels / groups · kernel
    assert np.abs(conv.weight.data.numpy()).max() <= bound
    assert np.abs(conv.bias.data.numpy()).max() <= bound
    assert np.abs(conv.weight.data.numpy()).max() > 0.8 * bound  # uniform over the whole range
    assert conv.weight.dtype == np.float32
    assert nn.Conv2d(1, 1, 3, bias=False).bias is None


@needs_torch
def test_printouts_are_pytorchs() -> None:
    import torch

    pairs = [
        (nn.Conv2d(1, 6, 5), torch.nn.Conv2d(1, 6, 5)),
        (nn.Conv2d(1, 16, 3, stride=2, padding=1), torch.nn.Conv2d(1, 16, 3, stride=2, padding=1)),
        (
            nn.Conv2d(4, 4, 3, padding="same", dilation=2, groups=2, bias=False),
            torch.nn.Conv2d(4, 4, 3, padding="same", dilation=2, groups=2, bias=False),
        ),
        (nn.MaxPool2d(2), torch.nn.MaxPool2d(2)),
        (nn.AvgPool2d(3, 2, 1), torch.nn.AvgPool2d(3, 2, 1)),
        (nn.AdaptiveAvgPool2d(1), torch.nn.AdaptiveAvgPool2d(1)),
        (nn.AdaptiveMaxPool2d((2, 3)), torch.nn.AdaptiveMaxPool2d((2, 3))),
        (nn.BatchNorm2d(16), torch.nn.BatchNorm2d(16)),
        (
            nn.BatchNorm1d(3, affine=False, momentum=None),
            torch.nn.BatchNorm1d(3, affine=False, momentum=None),
        ),
        (nn.Unflatten(1, (1, 28, 28)), torch.nn.Unflatten(1, (1, 28, 28))),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)


@needs_torch
@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("kind", ["BatchNorm1d", "BatchNorm2d"])
def test_batch_norm_follows_pytorch_through_training_and_evaluation(
    kind: str, momentum: float | None
) -> None:
    import torch

    shape = (8, 3, 4, 4) if kind == "BatchNorm2d" else (8, 3)
    ours = getattr(nn, kind)(3, momentum=momentum, eps=1e-3, dtype=np.float64)
    theirs = getattr(torch.nn, kind)(3, momentum=momentum, eps=1e-3, dtype=torch.float64)
    rng = np.random.default_rng(0)
    for step in range(4):
        if step == 3:
            ours.eval()
            theirs.eval()
        x = rng.normal(1.0, 2.0, size=shape)
        a = Tensor(x, requires_grad=True, dtype=np.float64)
        b = torch.tensor(x, requires_grad=True)
        y, y_t = ours(a), theirs(b)
        np.testing.assert_allclose(y.data, y_t.detach().numpy(), rtol=1e-10, atol=1e-10)
        (y * y).sum().backward()
        (y_t * y_t).sum().backward()
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-9, atol=1e-9)
        for name, value in theirs.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), rtol=1e-12)
    assert int(ours.num_batches_tracked.item()) == 3


def test_buffers_are_saved_and_loaded_but_never_trained(tmp_path: Any) -> None:
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.BatchNorm1d(8))
    model(autograd.randn(4, 1, 4, 4))
    assert [n for n, _ in model.named_parameters()] == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
        "3.weight",
        "3.bias",
    ]
    assert [n for n, _ in model.named_buffers()] == [
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
        "3.running_mean",
        "3.running_var",
        "3.num_batches_tracked",
    ]
    for suffix in (".npz", ".safetensors"):
        nn.save(model.state_dict(), tmp_path / f"cnn{suffix}")
        other = nn.Sequential(
            nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.BatchNorm1d(8)
        )
        other.load_state_dict(nn.load(tmp_path / f"cnn{suffix}"))
        for (name, a), b in zip(model.state_dict().items(), other.state_dict().values()):
            assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert model[1].num_batches_tracked.dtype == np.int64
    model.to(autograd.float64)
    assert model[1].running_mean.dtype == np.float64
    assert model[1].num_batches_tracked.dtype == np.int64


def test_a_buffer_is_replaced_only_by_a_tensor() -> None:
    bn = nn.BatchNorm1d(2)
    bn.running_mean = autograd.ones(2)
    assert bn.state_dict()["running_mean"].tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="cannot assign list as buffer 'running_mean'"):
        bn.running_mean = [0.0, 0.0]


def test_without_running_statistics_the_batch_is_always_used() -> None:
    bn = nn.BatchNorm1d(2, track_running_stats=False).eval()
    y = bn(Tensor([[1.0, 2.0], [3.0, 6.0]]))
    assert np.allclose(y.data, [[-1.0, -1.0], [1.0, 1.0]], atol=1e-3)
    assert list(bn.state_dict()) == ["weight", "bias"]


def test_pooling_layers_and_unflatten_give_pytorchs_shapes() -> None:
    x = autograd.randn(2, 3, 9, 9)
    assert nn.MaxPool2d(3, 2, 1)(x).shape == (2, 3, 5, 5)
    out, indices = nn.MaxPool2d(2, return_indices=True)(x)
    assert out.shape == indices.shape == (2, 3, 4, 4) and indices.dtype == np.int64
    assert nn.AvgPool2d(2, ceil_mode=True)(x).shape == (2, 3, 5, 5)
    assert nn.AdaptiveAvgPool2d((None, 2))(x).shape == (2, 3, 9, 2)
    assert nn.AdaptiveMaxPool2d(1)(x).shape == (2, 3, 1, 1)
    assert nn.Unflatten(1, (1, 28, 28))(autograd.zeros(4, 784)).shape == (4, 1, 28, 28)
    with pytest.raises(ValueError, match="cannot be spread over"):
        nn.Unflatten(1, (2, 5))(autograd.zeros(4, 9))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: nn.Conv2d(3, 4, 3, groups=2), r"groups=2 must divide in_channels \(3\)"),
        (lambda: nn.Conv2d(1, 1, 3, padding_mode="reflect"), r"padding_mode='reflect'"),
        (lambda: nn.Conv2d(1, 1, 3, stride=2, padding="same"), r"needs stride 1"),
        (lambda: nn.BatchNorm2d(3)(autograd.zeros(2, 3)), r"expected 4D input \(got 2D input\)"),
        (lambda: nn.BatchNorm1d(3)(autograd.zeros(2, 4)), r"has 4 channels"),
        (lambda: nn.Conv2d(1, 1, 3, device="cuda"), r"CPU only"),
    ],
)
def test_bad_settings_are_refused_with_a_sentence(build: Any, message: str) -> None:
    with pytest.raises((ValueError, TypeError, NotImplementedError), match=message):
        build()
