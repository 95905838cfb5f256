"""Random expression graphs: backward agrees with finite differences and with torch."""

from __future__ import annotations

import math

import pytest
from conftest import needs_torch
from expressions import REGISTRY, Recipe, close, kink_inputs, recipes
from hypothesis import assume, given

from autograd import Value, gradcheck


def _leaves(recipe: Recipe) -> list[Value]:
    return [Value(x, f"x{i}") for i, x in enumerate(recipe.leaves)]


@given(recipes())
def test_random_graphs_match_finite_differences(recipe: Recipe) -> None:
    root = recipe.build(_leaves(recipe))
    assume(math.isfinite(root.data) and abs(root.data) < 1e8)
    assume(all(abs(x) > 1e-4 for x in kink_inputs(root)))
    # A central difference of f loses about eps_machine·|f|/eps to rounding (1e-10·|f| at
    # eps = 1e-6): a root of 1e6 leaves the estimate of a slope of 1 only good to 1e-4.
    rounding = 1e-9 * abs(root.data)
    report = gradcheck(
        lambda *xs: recipe.build(list(xs)), *_leaves(recipe), rtol=1e-4, atol=1e-6 + rounding
    )
    assert report, str(report)


@given(recipes())
def test_backward_steps_have_the_same_effect_as_backward(recipe: Recipe) -> None:
    fast, stepped = _leaves(recipe), _leaves(recipe)
    recipe.build(fast).backward()
    root = recipe.build(stepped)
    steps = list(root.backward_steps())
    assert [a.grad for a in fast] == pytest.approx([b.grad for b in stepped], rel=1e-12, abs=1e-12)
    assert all(step.index == i + 1 for i, step in enumerate(steps))


@needs_torch
@given(recipes())
def test_random_graphs_match_torch_float64(recipe: Recipe) -> None:
    import torch

    leaves = _leaves(recipe)
    root = recipe.build(leaves)
    assume(math.isfinite(root.data) and abs(root.data) < 1e12)
    root.backward()
    tleaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in recipe.leaves]
    troot = recipe.build(tleaves)
    troot.backward()
    assert close(root.data, troot.item(), rtol=1e-12, atol=1e-12)
    for ours, theirs in zip(leaves, tleaves):
        expected = 0.0 if theirs.grad is None else theirs.grad.item()
        assert close(ours.grad, expected, rtol=1e-9, atol=1e-12), (ours, expected)


@pytest.mark.parametrize("entry", REGISTRY, ids=lambda e: e.name)
@pytest.mark.parametrize("point", [-1.7, -0.3, 0.4, 1.9])
def test_each_registered_op_matches_finite_differences(entry, point) -> None:
    args = [Value(point + 0.37 * i, f"a{i}") for i in range(entry.arity)]
    report = gradcheck(entry.build, *args, rtol=1e-5, atol=1e-7)
    assert report, str(report)
