"""Pooling and padding: max_pool2d, avg_pool2d, their adaptive forms and pad give PyTorch's
values, indices and gradients in float64 over random windows, and their second derivatives
equal PyTorch's double backward."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from conftest import needs_torch
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd
from autograd import Tensor, gradcheck
from autograd.tensors import spatial

TOLERANCE = 1e-10


def _reaches(size: int, k: int, s: int, p: int, d: int) -> bool:
    count = (size + 2 * p - d * (k - 1) - 1) // s + 1
    return all(
        any(0 <= start + i * d < size for i in range(k))
        for start in range(-p, -p + max(count, 0) * s, s)
    )


@st.composite
def windows(draw: Any, dilated: bool) -> dict[str, Any]:
    """A pooling problem in PyTorch's argument forms (padding at most half the kernel)."""
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilated else (1, 1)
    reach = [k // 2 for k in kernel]
    padding = (draw(st.integers(0, reach[0])), draw(st.integers(0, reach[1])))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    spans = [d * (k - 1) + 1 - 2 * p for k, d, p in zip(kernel, dilation, padding)]
    h, w = (draw(st.integers(max(1, span), 8)) for span in spans)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # A dilated window can skip every entry of a small input (spatial refuses it; PyTorch
    # gives -inf there).
    assume(
        not dilated
        or all(
            _reaches(size, k, s or k, p, d)
            for size, k, s, p, d in zip((h, w), kernel, stride or kernel, padding, dilation)
        )
    )
    settings = {
        "kernel_size": kernel,
        "stride": stride,
        "padding": padding,
        "ceil_mode": draw(st.booleans()),
    }
    if dilated:
        settings["dilation"] = dilation
    return {
        "x": rng.normal(size=(draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w)),
        "settings": settings,
        "rng": rng,
    }


def _compare(
    ours: Callable[[Any], Any],
    theirs: Callable[[Any], Any],
    x: np.ndarray,
    rng: np.random.Generator,
    twice: bool = False,
) -> None:
    import torch

    a = Tensor(x, requires_grad=True, dtype=np.float64)
    b = torch.tensor(x, requires_grad=True)
    y, y_t = ours(a), theirs(b)
    np.testing.assert_allclose(y.data, y_t.detach().numpy(), rtol=TOLERANCE, atol=TOLERANCE)
    weights = rng.normal(size=y.shape)
    loss = (y * Tensor(weights, dtype=np.float64)).tanh().sum()
    loss_t = (y_t * torch.tensor(weights)).tanh().sum()
    (g,) = autograd.grad(loss, [a], create_graph=twice)
    (g_t,) = torch.autograd.grad(loss_t, [b], create_graph=twice)
    np.testing.assert_allclose(g.data, g_t.detach().numpy(), rtol=TOLERANCE, atol=TOLERANCE)
    if twice:
        (h,) = autograd.grad((g * g).sum(), [a])
        (h_t,) = torch.autograd.grad((g_t * g_t).sum(), [b])
        np.testing.assert_allclose(h.data, h_t.numpy(), rtol=TOLERANCE, atol=TOLERANCE)


@needs_torch
@given(windows(dilated=True), st.booleans())
def test_max_pool2d_equals_pytorchs(problem: dict[str, Any], twice: bool) -> None:
    import torch

    chosen = problem["settings"]
    _compare(
        lambda x: spatial.max_pool2d(x, **chosen),
        lambda x: torch.nn.functional.max_pool2d(x, **chosen),
        problem["x"],
        problem["rng"],
        twice,
    )
    _, ours = spatial.max_pool2d(
        Tensor(problem["x"], dtype=np.float64), **chosen, return_indices=True
    )
    _, theirs = torch.nn.functional.max_pool2d(
        torch.tensor(problem["x"]), **chosen, return_indices=True
    )
    assert ours.tolist() == theirs.tolist()


@needs_torch
@given(windows(dilated=False), st.booleans(), st.booleans(), st.sampled_from([None, 1, 3]))
def test_avg_pool2d_equals_pytorchs(
    problem: dict[str, Any], count_include_pad: bool, twice: bool, divisor: int | None
) -> None:
    import torch

    chosen = dict(
        problem["settings"], count_include_pad=count_include_pad, divisor_override=divisor
    )
    _compare(
        lambda x: spatial.avg_pool2d(x, **chosen),
        lambda x: torch.nn.functional.avg_pool2d(x, **chosen),
        problem["x"],
        problem["rng"],
        twice,
    )


@st.composite
def adaptive(draw: Any) -> tuple[np.ndarray, Any, np.random.Generator]:
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    size = draw(
        st.one_of(
            st.integers(1, min(h, w)),
            st.tuples(
                st.one_of(st.none(), st.integers(1, h)), st.one_of(st.none(), st.integers(1, w))
            ),
        )
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.normal(size=(2, 2, h, w)), size, rng


@needs_torch
@given(adaptive(), st.booleans())
def test_adaptive_poolings_equal_pytorchs(problem: Any, twice: bool) -> None:
    import torch

    x, size, rng = problem
    functional = torch.nn.functional
    _compare(
        lambda t: spatial.adaptive_avg_pool2d(t, size),
        lambda t: functional.adaptive_avg_pool2d(t, size),
        x,
        rng,
        twice,
    )
    _compare(
        lambda t: spatial.adaptive_max_pool2d(t, size),
        lambda t: functional.adaptive_max_pool2d(t, size),
        x,
        rng,
        twice,
    )
    _, ours = spatial.adaptive_max_pool2d(Tensor(x, dtype=np.float64), size, True)
    _, theirs = functional.adaptive_max_pool2d(torch.tensor(x), size, True)
    assert ours.tolist() == theirs.tolist()


@needs_torch
@given(
    st.lists(st.integers(-2, 3), min_size=2, max_size=6).filter(lambda p: len(p) % 2 == 0),
    st.floats(-2, 2),
    st.integers(0, 2**32 - 1),
    st.booleans(),
)
def test_pad_equals_pytorchs(widths: list[int], value: float, seed: int, twice: bool) -> None:
    import torch

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3, 4, 5))
    pairs = zip(widths[::2], widths[1::2], reversed(x.shape))
    assume(all(size + before + after >= 1 for before, after, size in pairs))
    _compare(
        lambda t: spatial.pad(t, widths, value=value),
        lambda t: torch.nn.functional.pad(t, widths, value=value),
        x,
        rng,
        twice,
    )


@needs_torch
def test_ties_and_nans_go_where_pytorch_sends_them() -> None:
    import torch

    x = np.array(
        [
            [
                [
                    [1.0, 1.0, np.nan, 2.0],
                    [1.0, 0.0, 3.0, np.nan],
                    [np.nan, np.nan, 5.0, 5.0],
                    [0.0, 0.0, 5.0, 5.0],
                ]
            ]
        ]
    )
    for size in (2, 3):
        _, ours = spatial.max_pool2d(Tensor(x, dtype=np.float64), size, 1, return_indices=True)
        _, theirs = torch.nn.functional.max_pool2d(torch.tensor(x), size, 1, return_indices=True)
        assert ours.tolist() == theirs.tolist()


@pytest.mark.parametrize(
    "build",
    [
        lambda x: spatial.max_pool2d(x, 3, 2, 1),
        lambda x: spatial.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
        lambda x: spatial.adaptive_avg_pool2d(x, (2, 3)),
        lambda x: spatial.adaptive_max_pool2d(x, 2),
        lambda x: spatial.pad(x, (1, 2, 0, -1)),
    ],
)
def test_gradients_match_finite_differences(build: Callable[[Any], Any]) -> None:
    x = Tensor(np.random.default_rng(3).normal(size=(1, 2, 5, 5)), dtype=np.float64)
    weights = Tensor(np.random.default_rng(4).normal(size=build(x).shape), dtype=np.float64)
    assert gradcheck(lambda t: (build(t) * weights).sum(), x)


def test_the_ops_name_their_settings() -> None:
    x = autograd.randn(2, 3, 8, 8).requires_grad_()
    assert spatial.max_pool2d(x, 2).op.render(["x"]) == "max_pool2d(x, kernel_size=2)"
    assert spatial.avg_pool2d(x, 3, 2, 1).op.render(["x"]) == (
        "avg_pool2d(x, kernel_size=3, stride=2, padding=1)"
    )
    assert spatial.adaptive_avg_pool2d(x, 1).op.render(["x"]) == "adaptive_avg_pool2d(x, 1)"
    assert spatial.pad(x, (1, 1)).op.render(["x"]) == "pad(x, (1, 1))"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: spatial.max_pool2d(autograd.zeros(1, 1, 4, 4), 2, padding=2),
            r"padding 2 is more than half the kernel",
        ),
        (lambda: spatial.max_pool2d(autograd.zeros(1, 1, 2, 2), 3), r"does not fit in the input"),
        (
            lambda: spatial.avg_pool2d(autograd.zeros(1, 1, 4, 4), 0),
            r"kernel_size must be positive",
        ),
        (
            lambda: spatial.adaptive_avg_pool2d(autograd.zeros(1, 1, 4, 4), 0),
            r"output_size must be positive",
        ),
        (lambda: spatial.pad(autograd.zeros(2, 2), (1,)), r"pad must hold pairs"),
        (
            lambda: spatial.max_pool2d(
                autograd.zeros(1, 1, 1, 1), (1, 2), padding=(0, 1), dilation=(1, 2)
            ),
            r"a window meets only padding",
        ),
        (lambda: spatial.pad(autograd.zeros(2, 2), (-2, -1)), r"crop more than the input"),
    ],
)
def test_bad_arguments_are_refused_with_a_sentence(build: Any, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        build()


def test_pad_modes_other_than_constant_are_refused() -> None:
    with pytest.raises(NotImplementedError, match="mode 'reflect' is not supported"):
        spatial.pad(autograd.zeros(1, 1, 3, 3), (1, 1), mode="reflect")
