"""PyTorch's names on autograd (``import autograd as torch``), with PyTorch's semantics: dtypes,
factories, Generator and manual_seed, functions and methods; checked against torch where it
is installed."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import needs_torch

import autograd
import autograd as torch_like


def test_dtype_names_compare_as_in_torch() -> None:
    assert torch_like.tensor([1.0]).dtype == torch_like.float == torch_like.float32
    assert torch_like.tensor([1]).dtype == torch_like.long == torch_like.int64
    assert torch_like.tensor([True]).dtype == torch_like.bool
    assert torch_like.double == torch_like.float64 and torch_like.int == torch_like.int32
    assert torch_like.tensor([1, 2]).float().dtype == torch_like.float32
    assert torch_like.tensor([1.7]).long().tolist() == [1]
    assert torch_like.zeros((2, 2), dtype=torch_like.int32).dtype == torch_like.int32


def test_a_generator_repeats_its_stream_and_is_accepted_as_generator() -> None:
    def draws(seed: int) -> list[list[float]]:
        g = torch_like.Generator().manual_seed(seed)  # manual_seed returns the generator
        weights = torch_like.tensor([0.1, 0.6, 0.3])
        return [
            torch_like.randn(3, generator=g).tolist(),
            torch_like.rand(2, generator=g).tolist(),
            torch_like.randint(0, 10, (4,), generator=g).tolist(),
            torch_like.multinomial(weights, 5, replacement=True, generator=g).tolist(),
        ]

    assert draws(2147483647) == draws(2147483647) != draws(1)
    torch_like.manual_seed(3)
    first = torch_like.randn(4).tolist()
    torch_like.manual_seed(3)
    assert torch_like.randn(4).tolist() == first
    assert torch_like.randint(0, 5, (3,)).dtype == torch_like.int64
    assert torch_like.rand(2, 2).dtype == torch_like.float32


def test_multinomial_draws_by_the_weights() -> None:
    g = torch_like.Generator().manual_seed(0)
    drawn = torch_like.multinomial(torch_like.tensor([0.0, 3.0, 1.0]), 4000, True, generator=g)
    counts = np.bincount(drawn.numpy(), minlength=3)
    assert counts[0] == 0 and 0.7 < counts[1] / 4000 < 0.8
    without = torch_like.multinomial(torch_like.tensor([1.0, 1.0, 1.0]), 3, generator=g)
    assert sorted(without.tolist()) == [0, 1, 2]


def test_retain_grad_and_grad_fn() -> None:
    x = torch_like.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    loss = y.sin().sum()
    loss.backward()
    assert np.allclose(np.asarray(y.grad), np.cos([2.0, 4.0, 6.0]))
    assert x.grad_fn is None and x.is_leaf and not y.is_leaf
    assert loss.grad_fn.name() == "SumBackward0"
    ((following, _),) = loss.grad_fn.next_functions
    assert following.name() == "SinBackward0"
    assert x.nelement() == x.numel() == 3


@needs_torch
def test_factories_and_functions_give_torchs_numbers() -> None:
    import torch

    pairs = [
        (torch_like.linspace(-3.0, 3.0, 7), torch.linspace(-3.0, 3.0, 7)),
        (torch_like.arange(0.0, 1.0, 0.25), torch.arange(0.0, 1.0, 0.25)),
        (torch_like.arange(5), torch.arange(5)),
        (torch_like.full((2, 3), 7.0), torch.full((2, 3), 7.0)),
        (torch_like.eye(3), torch.eye(3)),
    ]
    x = [[0.5, -1.5], [2.0, 0.25]]
    ours, theirs = torch_like.tensor(x), torch.tensor(x)
    for name in ("sin", "cos", "abs", "exp", "tanh", "flatten"):
        pairs.append((getattr(torch_like, name)(ours), getattr(torch, name)(theirs)))
    pairs += [
        (torch_like.sqrt(ours.abs()), torch.sqrt(theirs.abs())),
        (torch_like.log(ours.abs()), torch.log(theirs.abs())),
        (ours.abs().log10(), theirs.abs().log10()),
        (torch_like.zeros_like(ours), torch.zeros_like(theirs)),
        (torch_like.ones_like(ours), torch.ones_like(theirs)),
        (torch_like.cat([ours, ours], 1), torch.cat([theirs, theirs], 1)),
        (torch_like.stack([ours, ours]), torch.stack([theirs, theirs])),
        (ours.var(), theirs.var()),
        (ours.std(0), theirs.std(0)),
        (ours.std(1, unbiased=False), theirs.std(1, unbiased=False)),
        (ours.var(correction=0), theirs.var(correction=0)),
        (ours.unsqueeze(1).squeeze(), theirs.unsqueeze(1).squeeze()),
        (ours.view(4), theirs.view(4)),
        (ours.pow(3), theirs.pow(3)),
        (ours.T, theirs.T),
        (torch_like.all(ours > -2), torch.all(theirs > -2)),
        (torch_like.any(ours > 3), torch.any(theirs > 3)),
    ]
    for mine, reference in pairs:
        assert mine.shape == tuple(reference.shape)
        np.testing.assert_allclose(np.asarray(mine.detach()), reference.numpy(), rtol=1e-6)
        assert np.asarray(mine.detach()).dtype == reference.numpy().dtype
    assert torch_like.allclose(ours, ours + 1e-9) and not torch_like.allclose(ours, ours + 1)


def test_no_grad_and_requires_grad_() -> None:
    w = torch_like.zeros(2).requires_grad_()
    assert w.requires_grad
    with torch_like.no_grad():
        assert not (w * 2).requires_grad
    assert (w * 2).requires_grad
    with pytest.raises(ValueError):
        autograd.tensor([1.0]).var()  # one entry, unbiased: PyTorch gives nan, tracegrad says why


def _numbers(t: object) -> np.ndarray:
    return np.asarray(t.detach() if hasattr(t, "detach") else t)


@needs_torch
def test_where_chooses_and_sends_each_side_its_gradient_as_torchs() -> None:
    import torch

    values = [[-1.0, 2.0, 0.5], [3.0, -0.25, -4.0]]
    results = []
    for lib in (torch_like, torch):
        x = lib.tensor(values, requires_grad=True)
        b = lib.tensor([10.0, 20.0, 30.0], requires_grad=True)
        y = lib.where(x > 0, x * x, b) + lib.where(x < 1, 2.0, x)
        (y * lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
        results.append(
            [np.asarray(getattr(t, "detach", lambda t=t: t)()) for t in (y, x.grad, b.grad)]
        )
    for mine, reference in zip(*results):
        np.testing.assert_allclose(mine, reference, rtol=1e-6)


def test_randperm_as_tensor_and_the_grad_modes() -> None:
    g = torch_like.Generator().manual_seed(7)
    order = torch_like.randperm(10, generator=g)
    assert order.dtype == torch_like.int64 and sorted(order.tolist()) == list(range(10))
    assert order.tolist() == torch_like.randperm(10, generator=g.manual_seed(7)).tolist()
    t = torch_like.tensor([1.0])
    assert torch_like.as_tensor(t) is t and torch_like.as_tensor([1, 2]).dtype == torch_like.long
    w = torch_like.ones(1, requires_grad=True)
    with torch_like.set_grad_enabled(False):
        assert not (w * 2).requires_grad
    assert (w * 2).requires_grad
    torch_like.set_grad_enabled(False)  # called, not entered: the mode stays, as in torch
    assert not torch_like.is_grad_enabled()
    torch_like.set_grad_enabled(True)
    assert torch_like.is_grad_enabled()

    @torch_like.inference_mode
    def predict(x: object) -> object:
        return x * 2  # type: ignore[operator]

    assert not predict(w).requires_grad and torch_like.pi == np.pi
