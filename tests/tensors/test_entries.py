"""explain_entry: one output entry of a convolution or a pooling as its sum (or max) over the
window. The terms it lists add up to the entry, and the way back it lists is the gradient
backward computes: differentiating that one entry puts exactly the listed factors into exactly
the listed entries of x, W and b, over random shapes and settings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Tensor
from autograd.tensors import spatial
from autograd.tensors.entries import Entry

TOLERANCE = 1e-10


@st.composite
def convolutions(draw: Any) -> tuple[list[Tensor], dict[str, Any], tuple[int, ...]]:
    """Inputs, settings and one output entry of a convolution."""
    groups = draw(st.integers(1, 2))
    per_in, per_out = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), 7))
    w = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), 7))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    arrays = [
        rng.normal(size=(draw(st.integers(1, 2)), groups * per_in, h, w)),
        rng.normal(size=(groups * per_out, per_in, kh, kw)),
    ]
    if draw(st.booleans()):
        arrays.append(rng.normal(size=groups * per_out))
    inputs = [Tensor(a, requires_grad=True, dtype=np.float64) for a in arrays]
    chosen = {"stride": (sh, sw), "padding": (ph, pw), "dilation": (dh, dw), "groups": groups}
    shape = spatial.conv2d(*inputs, **chosen).shape
    return inputs, chosen, tuple(draw(st.integers(0, n - 1)) for n in shape)


def _gradients_of_one_entry(y: Tensor, index: tuple[int, ...], inputs: list[Tensor]) -> None:
    for t in inputs:
        t.grad = None
    y[index].backward()


def _listed_gradients(entry: Entry, inputs: list[Tensor]) -> list[np.ndarray]:
    """What the entry's way back says each input receives, for an upstream of 1."""
    listed = [np.zeros(t.shape) for t in inputs]
    for term in entry.terms:
        parent, index = term.source
        if isinstance(term.factor, float):
            listed[parent][index] += term.factor
        else:
            listed[parent][index] += entry.number(term.factor)
            listed[term.factor[0]][term.factor[1]] += entry.number(term.source)
    if entry.constant is not None:
        listed[entry.constant[0]][entry.constant[1]] += 1.0
    return listed


def _sum_of_terms(entry: Entry) -> float:
    total = sum(
        (t.factor if isinstance(t.factor, float) else entry.number(t.factor))
        * entry.number(t.source)
        for t in entry.terms
    )
    return total + (entry.number(entry.constant) if entry.constant is not None else 0.0)


def _check(y: Tensor, index: tuple[int, ...], inputs: list[Tensor]) -> Entry:
    entry = y.entry(index)
    if not entry.window:  # a sum: its terms add up to the entry
        assert _sum_of_terms(entry) == pytest.approx(float(y.data[index]), abs=TOLERANCE)
    else:  # a max: its one term is the entry, the largest of the window
        assert entry.number(entry.terms[0].source) == float(y.data[index])
        assert float(y.data[index]) == max(entry.number(w) for w in entry.window)
    _gradients_of_one_entry(y, index, inputs)
    for t, listed in zip(inputs, _listed_gradients(entry, inputs)):
        np.testing.assert_allclose(t.grad, listed, atol=TOLERANCE)
    return entry


@settings(max_examples=60)
@given(convolutions())
def test_a_convolutions_entry_is_its_listed_sum_and_its_way_back_is_the_gradient(
    problem: tuple[list[Tensor], dict[str, Any], tuple[int, ...]],
) -> None:
    inputs, chosen, index = problem
    y = spatial.conv2d(*inputs, **chosen)
    entry = _check(y, index, inputs)
    text = y.explain_entry(index)
    assert text.startswith(f"y[{','.join(map(str, index))}] = Σ W[{index[1]},c,i,j]")
    assert f"goes back to {len(entry.terms)} entr" in text or not entry.terms


@st.composite
def poolings(draw: Any) -> tuple[str, Tensor, dict[str, Any], tuple[int, ...]]:
    """A pooling of one of the four kinds, its input, settings and one output entry."""
    kind = draw(st.sampled_from(["max", "avg", "adaptive_max", "adaptive_avg"]))
    h, w = draw(st.integers(2, 7)), draw(st.integers(2, 7))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = Tensor(rng.normal(size=(2, 2, h, w)), requires_grad=True, dtype=np.float64)
    if kind.startswith("adaptive"):
        chosen: dict[str, Any] = {"output_size": (draw(st.integers(1, h)), draw(st.integers(1, w)))}
    else:
        kernel = (draw(st.integers(1, min(3, h))), draw(st.integers(1, min(3, w))))
        chosen = {
            "kernel_size": kernel,
            "stride": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
            "padding": (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2))),
        }
        if kind == "avg":
            chosen["count_include_pad"] = draw(st.booleans())
            chosen["ceil_mode"] = draw(st.booleans())
    y = getattr(spatial, f"{kind}_pool2d")(x, **chosen)
    return kind, x, chosen, tuple(draw(st.integers(0, n - 1)) for n in y.shape)


@settings(max_examples=60)
@given(poolings())
def test_a_poolings_entry_is_its_listed_max_or_average_and_its_way_back_is_the_gradient(
    problem: tuple[str, Tensor, dict[str, Any], tuple[int, ...]],
) -> None:
    kind, x, chosen, index = problem
    y = getattr(spatial, f"{kind}_pool2d")(x, **chosen)
    entry = _check(y, index, [x])
    assert bool(entry.window) == kind.endswith("max")


def test_the_text_writes_the_sum_with_names_then_numbers_then_the_way_back() -> None:
    x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4), label="img")
    W = Tensor(np.array([[[[1.0, -1.0], [2.0, 0.5]]]]), requires_grad=True, label="K")
    b = Tensor(np.array([0.25]), requires_grad=True, label="c")
    y = spatial.conv2d(x, W, b, stride=2, padding=1)
    y.label = "out"
    y.sum().backward()
    lines = y.explain_entry((0, 0, 1, 1)).splitlines()
    assert (
        lines[0] == "out[0,0,1,1] = Σ K[0,c,i,j] · img[0,c,1+i,1+j] + c[0] over c < 1, i < 2, j < 2"
    )
    assert lines[1] == (
        "  = K[0,0,0,0]·img[0,0,1,1] + K[0,0,0,1]·img[0,0,1,2] + K[0,0,1,0]·img[0,0,2,1]"
        " + K[0,0,1,1]·img[0,0,2,2] + c[0]"
    )
    assert lines[2] == "  = 1·5 + (-1)·6 + 2·9 + 0.5·10 + 0.25"
    assert lines[3] == "  = 22.25"
    # The upstream is known after backward: the sum sends 1 to every entry.
    assert lines[4] == (
        "Its gradient, g = dL/dout[0,0,1,1] = 1, goes back to 4 entries of img"
        " and 4 of K and 1 of c:"
    )
    assert "  K[0,0,0,1] += g · img[0,0,1,2] = g · 6" in lines
    assert "  img[0,0,1,2] += g · K[0,0,0,1] = g · (-1)" in lines
    assert lines[-1] == "  c[0] += g"


def test_a_window_in_the_padding_says_so_and_long_sums_are_cut() -> None:
    x = Tensor(np.ones((1, 3, 5, 5)))
    W = Tensor(np.ones((2, 3, 3, 3)), requires_grad=True)
    y = spatial.conv2d(x, W, padding=1)
    text = y.explain_entry((0, 1, 0, 0), limit=4)
    assert "(entries in the padding are 0)" in text.splitlines()[0]
    assert "+ … (8 more)" in text  # 12 of the 27 kernel entries meet the input
    assert text.splitlines()[4].startswith("Its gradient")
    assert text.splitlines()[-1] == "  … (15 more)"


def test_entries_of_other_tensors_and_outside_the_shape_are_refused() -> None:
    x = Tensor(np.ones((1, 1, 3, 3)), requires_grad=True)
    with pytest.raises(TypeError, match="explain_entry: this tensor is a leaf"):
        x.explain_entry((0, 0, 0, 0))
    with pytest.raises(TypeError, match="was made by mul; entries can be explained for"):
        (x * 2).explain_entry((0, 0, 0, 0))
    y = spatial.max_pool2d(x, 2)
    with pytest.raises(IndexError, match=r"\(0, 0, 2, 0\) is not an entry of a tensor of shape"):
        y.explain_entry((0, 0, 2, 0))
    assert y.explain_entry((0, 0, -1, -1)) == y.explain_entry((0, 0, 0, 0))
