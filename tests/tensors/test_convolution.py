"""conv2d: values, input, weight and bias gradients equal PyTorch's in float64 over random
shapes, strides, paddings, dilations and groups; second derivatives equal PyTorch's double
backward; finite differences agree; bad arguments get a sentence naming them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import needs_torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Tensor, gradcheck
from autograd.tensors import spatial
from autograd.tensors.ops import convolution

TOLERANCE = 1e-10

# PyTorch warns that it copies the input for padding="same" with an even kernel.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")


@st.composite
def convolutions(draw: Any) -> dict[str, Any]:
    """A convolution problem: shapes, settings (in PyTorch's forms) and seeded numbers."""
    groups = draw(st.integers(1, 3))
    per_group_in, per_group_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dilation = draw(st.sampled_from([1, 2, (1, 2), (2, 1)]))
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    padding = draw(st.sampled_from([0, 1, 2, (0, 1), (2, 0), "same", "valid"]))
    stride = 1 if padding == "same" else draw(st.sampled_from([1, 2, 3, (1, 2), (2, 1)]))
    ph, pw = (
        (0, 0)
        if isinstance(padding, str)
        else ((padding, padding) if isinstance(padding, int) else padding)
    )
    # The input at least as large as the dilated kernel, less the padding.
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 9))
    w = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 9))
    batch = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return {
        "x": rng.normal(size=(batch, groups * per_group_in, h, w)),
        "W": rng.normal(size=(groups * per_group_out, per_group_in, kh, kw)),
        "b": rng.normal(size=groups * per_group_out) if draw(st.booleans()) else None,
        "settings": {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups},
        "rng": rng,
    }


def _ours(problem: dict[str, Any]) -> list[Tensor]:
    arrays = [problem["x"], problem["W"]] + ([problem["b"]] if problem["b"] is not None else [])
    return [Tensor(a, requires_grad=True, dtype=np.float64) for a in arrays]


def _theirs(torch: Any, problem: dict[str, Any]) -> list[Any]:
    arrays = [problem["x"], problem["W"]] + ([problem["b"]] if problem["b"] is not None else [])
    return [torch.tensor(a, requires_grad=True) for a in arrays]


def _close(ours: Any, theirs: Any) -> None:
    a = ours.data if isinstance(ours, Tensor) else np.asarray(ours)
    b = theirs.detach().numpy()
    assert a.shape == b.shape
    scale = max(1.0, float(np.abs(b).max(initial=0.0)))
    np.testing.assert_allclose(a, b, rtol=TOLERANCE, atol=TOLERANCE * scale)


@needs_torch
@given(convolutions())
def test_values_and_every_gradient_equal_pytorchs(problem: dict[str, Any]) -> None:
    import torch

    ours, theirs = _ours(problem), _theirs(torch, problem)
    y = spatial.conv2d(*ours, **problem["settings"])
    y_t = torch.nn.functional.conv2d(*theirs, **problem["settings"])
    _close(y, y_t)
    weights = problem["rng"].normal(size=y.shape)  # every entry's gradient is checked
    (y * Tensor(weights, dtype=np.float64)).sum().backward()
    (y_t * torch.tensor(weights)).sum().backward()
    for a, b in zip(ours, theirs):
        _close(Tensor(a.grad, dtype=np.float64), b.grad)


@needs_torch
@settings(max_examples=40)
@given(convolutions())
def test_second_derivatives_equal_pytorchs_double_backward(problem: dict[str, Any]) -> None:
    import torch

    ours, theirs = _ours(problem), _theirs(torch, problem)
    weights = problem["rng"].normal(size=spatial.conv2d(*ours, **problem["settings"]).shape)
    y = spatial.conv2d(*ours, **problem["settings"])
    y_t = torch.nn.functional.conv2d(*theirs, **problem["settings"])
    # A loss with curvature, so every second derivative has something to show.
    loss = (y * Tensor(weights, dtype=np.float64)).tanh().sum()
    loss_t = (y_t * torch.tensor(weights)).tanh().sum()
    grads = autograd.grad(loss, ours, create_graph=True)
    grads_t = torch.autograd.grad(loss_t, theirs, create_graph=True)
    for g, g_t in zip(grads, grads_t):
        _close(g, g_t)
    total = sum(((g * g).sum() for g in grads), Tensor(0.0, dtype=np.float64))
    total_t = sum((g * g).sum() for g in grads_t)
    for h, h_t in zip(autograd.grad(total, ours), torch.autograd.grad(total_t, theirs)):
        _close(h, h_t)


@settings(max_examples=25)
@given(convolutions())
def test_gradients_match_finite_differences(problem: dict[str, Any]) -> None:
    ours = _ours(problem)
    weights = Tensor(
        problem["rng"].normal(size=spatial.conv2d(*ours, **problem["settings"]).shape),
        dtype=np.float64,
    )
    report = gradcheck(
        lambda *t: (spatial.conv2d(*t, **problem["settings"]) * weights).sum(), *ours
    )
    assert report, report


def test_its_gradients_are_two_records_that_are_each_others_gradients() -> None:
    geometry = convolution.Geometry.of(2, 1, 1, 1)
    x = Tensor(np.ones((1, 1, 5, 5)), requires_grad=True, dtype=np.float64)
    W = Tensor(np.ones((2, 1, 3, 3)), requires_grad=True, dtype=np.float64)
    y = spatial.conv2d(x, W, stride=2, padding=1)
    (g_x, g_w) = autograd.grad((y * y).sum(), [x, W], create_graph=True)
    assert g_x.op.name == "conv2d_input_grad" and g_w.op.name == "conv2d_weight_grad"
    assert g_x.op is convolution.conv_input_grad(geometry)
    assert y.op is convolution.conv2d(geometry)


def test_float32_stays_float32_and_an_unbatched_input_keeps_its_shape() -> None:
    x = autograd.randn(3, 8, 8)
    W = autograd.randn(4, 3, 3, 3).requires_grad_()
    y = spatial.conv2d(x, W, padding=1)
    assert y.shape == (4, 8, 8) and y.dtype == np.float32
    y.sum().backward()
    assert W.grad is not None and W.grad.dtype == np.float32


def test_large_batches_are_taken_in_pieces_and_give_the_same_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(7, 2, 6, 6)), requires_grad=True, dtype=np.float64)
    W = Tensor(rng.normal(size=(3, 2, 3, 3)), requires_grad=True, dtype=np.float64)
    whole = spatial.conv2d(x, W, padding=1)
    (whole * whole).sum().backward()
    expected = whole.data, x.grad, W.grad
    x.grad = W.grad = None
    monkeypatch.setattr(convolution, "COLUMN_BUDGET", 1)  # a few images per piece
    assert len(convolution._pieces(7, 2 * 9 * 36, x.array.size)) > 1
    pieces = spatial.conv2d(x, W, padding=1)
    (pieces * pieces).sum().backward()
    for a, b in zip((pieces.data, x.grad, W.grad), expected):
        np.testing.assert_allclose(a, b, rtol=1e-13)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: spatial.conv2d(autograd.zeros(1, 3, 5, 5), autograd.zeros(2, 2, 3, 3)),
            r"conv2d: the input .* has 3 channels, but the weight .* expects 2",
        ),
        (
            lambda: spatial.conv2d(autograd.zeros(1, 1, 2, 2), autograd.zeros(1, 1, 3, 3)),
            r"conv2d: the kernel \[3×3\] .* is larger than the input",
        ),
        (
            lambda: spatial.conv2d(
                autograd.zeros(1, 1, 5, 5), autograd.zeros(1, 1, 3, 3), stride=2, padding="same"
            ),
            r"padding='same' needs stride 1",
        ),
        (
            lambda: spatial.conv2d(
                autograd.zeros(1, 1, 5, 5), autograd.zeros(1, 1, 3, 3), padding="full"
            ),
            r"padding must be 'same', 'valid'",
        ),
        (
            lambda: spatial.conv2d(
                autograd.zeros(1, 1, 5, 5), autograd.zeros(1, 1, 3, 3), stride=0
            ),
            r"stride must be positive",
        ),
        (
            lambda: spatial.conv2d(
                autograd.zeros(1, 2, 5, 5), autograd.zeros(3, 1, 3, 3), groups=2
            ),
            r"3 output channels, which groups=2 does not divide",
        ),
        (
            lambda: spatial.conv2d(autograd.zeros(5, 5), autograd.zeros(1, 1, 3, 3)),
            r"expects an input of 4 axes",
        ),
        (
            lambda: spatial.conv2d(
                autograd.zeros(1, 1, 5, 5), autograd.zeros(1, 1, 3, 3), autograd.zeros(2)
            ),
            r"the bias .* must have shape \[1\]",
        ),
        (
            lambda: spatial.conv2d(
                autograd.zeros(1, 1, 5, 5, dtype=np.float64), autograd.zeros(1, 1, 3, 3)
            ),
            r"must have one dtype",
        ),
    ],
)
def test_bad_arguments_are_refused_with_a_sentence(build: Any, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        build()


def test_the_record_names_its_settings_for_narration_and_drawing() -> None:
    x = autograd.randn(64, 1, 28, 28)
    x.label = "x"
    W = autograd.randn(16, 1, 3, 3).requires_grad_()
    W.label = "W"
    y = spatial.conv2d(x, W, stride=2, padding=1)
    y.label = "y"
    assert y.op.render(["x", "W"]) == "conv2d(x, W, stride=2, padding=1)"
    lesson = y.sum().explain()
    assert (
        "y = conv2d(x, W, stride=2, padding=1) = conv2d([64×1×28×28], [16×1×3×3], stride=2, "
        "padding=1) = [64×16×14×14] float32" in lesson
    )


@needs_torch
def test_an_infinite_kernel_entry_reaches_only_the_inputs_under_it_as_in_pytorch() -> None:
    # The input gradient of a stride-1 convolution is added up in long runs over zero-widened
    # rows; the zeros must not meet an infinite kernel entry (inf × 0 is NaN).
    import torch

    W = np.ones((1, 1, 3, 3))
    W[0, 0, 1, 1] = np.inf
    x = Tensor(np.ones((1, 1, 5, 5)), requires_grad=True, dtype=np.float64)
    spatial.conv2d(x, Tensor(W, dtype=np.float64)).sum().backward()
    x_t = torch.ones((1, 1, 5, 5), dtype=torch.float64, requires_grad=True)
    torch.nn.functional.conv2d(x_t, torch.tensor(W)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), x_t.grad.numpy())
