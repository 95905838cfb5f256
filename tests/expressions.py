"""One registry of scalar operations for the property tests.

Each entry builds the same operation on tracegrad Values, on plain floats (for finite
differences) and on torch tensors (for parity), keeping every input inside the op's domain
by construction (log sees x² + 0.5, division a denominator away from zero, and so on).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st


@dataclass(frozen=True)
class Entry:
    name: str
    arity: int
    build: Callable[..., Any]  # works on Values and on torch tensors alike
    kinked: bool = False  # not differentiable at 0: finite differences need distance from 0


def _leaky_relu(a: Any) -> Any:
    from autograd import Value

    if isinstance(a, Value):
        return a.leaky_relu(0.1)
    import torch

    return torch.nn.functional.leaky_relu(a, 0.1)


def _softplus(a: Any) -> Any:
    from autograd import Value

    if isinstance(a, Value):
        return a.softplus()
    import torch

    # Not F.softplus: above its threshold (20) it returns x itself, 4e-10 short at x = 21.5,
    # where Value.softplus gives x + log1p(exp(-x)) to the last digit. logaddexp(x, 0) is exact.
    return torch.logaddexp(a, torch.zeros_like(a))


REGISTRY = [
    Entry("add", 2, lambda a, b: a + b),
    Entry("sub", 2, lambda a, b: a - b),
    Entry("mul", 2, lambda a, b: a * b),
    Entry("div", 2, lambda a, b: a / (b * b + 0.5)),
    Entry("rdiv", 1, lambda a: 2.0 / (a * a + 1.0)),
    Entry("neg", 1, lambda a: -a),
    Entry("add_const", 1, lambda a: a + 1.5),
    Entry("rsub_const", 1, lambda a: 0.5 - a),
    Entry("square", 1, lambda a: a**2),
    Entry("cube", 1, lambda a: a**3),
    Entry("sqrt", 1, lambda a: (a * a + 0.25) ** 0.5),
    Entry("pow_value", 2, lambda a, b: (a * a + 0.5) ** b.tanh()),
    Entry("rpow", 1, lambda a: 2.0 ** a.tanh()),
    Entry("exp", 1, lambda a: a.tanh().exp()),
    Entry("log", 1, lambda a: (a * a + 0.5).log()),
    Entry("tanh", 1, lambda a: a.tanh()),
    Entry("sigmoid", 1, lambda a: a.sigmoid()),
    Entry("softplus", 1, _softplus),
    Entry("relu", 1, lambda a: a.relu(), kinked=True),
    Entry("leaky_relu", 1, _leaky_relu, kinked=True),
]


@dataclass
class Recipe:
    """A random expression graph: leaf values and a list of (entry, argument indices)."""

    leaves: list[float]
    steps: list[tuple[Entry, tuple[int, ...]]]

    def build(self, leaves: list[Any]) -> Any:
        nodes = list(leaves)
        for entry, args in self.steps:
            nodes.append(entry.build(*(nodes[i] for i in args)))
        # Sum every node that nothing else used, so the whole graph reaches the root.
        used = {i for _, args in self.steps for i in args}
        ends = [n for i, n in enumerate(nodes) if i not in used]
        root = ends[0]
        for extra in ends[1:]:
            root = root + extra
        return root

    def __repr__(self) -> str:
        ops = ", ".join(f"{e.name}{args}" for e, args in self.steps)
        return f"Recipe(leaves={self.leaves}, steps=[{ops}])"


@st.composite
def recipes(draw: Any, max_leaves: int = 4, max_steps: int = 10) -> Recipe:
    leaf_values = draw(
        st.lists(
            st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False),
            min_size=1,
            max_size=max_leaves,
        )
    )
    steps: list[tuple[Entry, tuple[int, ...]]] = []
    for _ in range(draw(st.integers(1, max_steps))):
        entry = draw(st.sampled_from(REGISTRY))
        count = len(leaf_values) + len(steps)
        args = tuple(draw(st.integers(0, count - 1)) for _ in range(entry.arity))
        steps.append((entry, args))
    return Recipe(leaf_values, steps)


def kink_inputs(root: Any) -> list[float]:
    """The inputs of every non-differentiable-at-0 node in the graph (relu, leaky_relu)."""
    from autograd import topological_order

    return [
        n.parents[0].data
        for n in topological_order(root)
        if n.op is not None and n.op.name in ("relu", "leaky_relu")
    ]


def close(a: float, b: float, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)
