"""Long chains of one op (Python's ``sum``, ``a * b * c * ...``) told as one n-ary node: one
step per term, each with the chain's local derivative, the same gradients as backward."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, explain, topological_order
from autograd.narration.chains import CHAIN_TERMS, view
from autograd.narration.steps import backward_steps


def _leaves(count: int) -> list[Value]:
    return [Value(0.5 + k / 7, f"x{k}") for k in range(count)]


def test_pythons_sum_is_one_node_of_every_term_told_one_step_each() -> None:
    xs = _leaves(337)
    total = sum(x * x for x in xs)
    total.label = "total"
    assert len(topological_order(total)) > 337 * 3  # 337 links, 337 squares, 337 leaves, 0
    steps = list(backward_steps(total, fold=True))
    into_sum = [s for s in steps if s.output.op.symbol == "Σ"]
    assert len(into_sum) == 337 and {s.input_index for s in into_sum} == set(range(337))
    assert all(s.local == 1.0 and s.folded for s in into_sum)
    total.zero_grad()
    total.backward()
    squares = {id(s.input): s.total for s in into_sum}
    assert len(squares) == 337 and all(v == 1.0 for v in squares.values())
    told = {s.input.label: s.total for s in steps if s.input.label}
    assert told == {x.label: x.grad for x in xs}


def test_explain_writes_a_long_sum_as_one_line_and_one_step_per_term() -> None:
    xs = _leaves(40)
    total = sum(xs)
    total.label = "total"
    lesson = explain(total)
    assert "total = x0 + x1 + x2 + … + x39" in lesson
    steps = [line for line in lesson.splitlines() if line.startswith("  step ")]
    assert len(steps) == 40 and steps[0].startswith("  step 1: dtotal/dx39 = 1")
    assert "  dtotal/dx7 = 1" in lesson


def test_a_short_sum_stays_as_written() -> None:
    xs = _leaves(CHAIN_TERMS - 1)
    total = sum(xs)
    assert view(total).order == topological_order(total)


@given(
    st.lists(st.integers(0, 3), min_size=CHAIN_TERMS, max_size=30),
    st.sampled_from(["add", "mul"]),
)
def test_a_folded_chain_tells_the_gradients_backward_computes(picks: list[int], op: str) -> None:
    xs = _leaves(4)
    terms = [xs[k] for k in picks]
    out = terms[0]
    for term in terms[1:]:
        out = out + term if op == "add" else out * term
    out = out.tanh()
    steps = list(backward_steps(out, fold=True))
    folded = [s for s in steps if s.output.op.symbol in ("Σ", "Π")]
    assert len(folded) == len(terms)  # one step per term, a term used twice told twice
    told = {id(s.input): s.total for s in steps}
    out.zero_grad()
    out.backward()
    for x in set(terms):
        assert math.isclose(told[id(x)], x.grad, rel_tol=1e-9, abs_tol=1e-12)
    for s in folded:  # each step's local derivative is the chain's: 1, or the other factors
        others = [t.data for k, t in enumerate(terms) if k != s.input_index]
        expected = 1.0 if op == "add" else math.prod(others)
        assert math.isclose(s.local, expected, rel_tol=1e-9, abs_tol=1e-300)
