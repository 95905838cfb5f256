"""The Tensor ops as test cases, one registry for the property tests and the gradient tests:
each case says how to draw inputs and a setting, how to run the op here and in torch, and
where its derivative is not defined (so finite differences stay away from kinks)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st

import autograd
from autograd import Tensor

Shapes = tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Lib:
    """What a case needs beyond methods and operators, for tracegrad or for torch."""

    cat: Callable[..., Any]
    stack: Callable[..., Any]
    leaky_relu: Callable[[Any, float], Any]
    index: Callable[[np.ndarray], Any]


OURS = Lib(
    cat=autograd.cat,
    stack=autograd.stack,
    leaky_relu=lambda x, slope: x.leaky_relu(slope),
    index=lambda a: a,
)


def torch_lib() -> Lib:
    import torch

    return Lib(
        cat=torch.cat,
        stack=torch.stack,
        leaky_relu=torch.nn.functional.leaky_relu,
        index=torch.as_tensor,
    )


@dataclass(frozen=True)
class Case:
    name: str
    shapes: st.SearchStrategy[Any]  # draws (input shapes, setting)
    build: Callable[..., Any]  # build(lib, setting, *inputs)
    #: Whether finite differences are trustworthy at these inputs (away from kinks and ties).
    smooth: Callable[[list[np.ndarray], Any], bool] = lambda arrays, setting: True


# --- shape strategies --------------------------------------------------------------------

any_shape = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
some_axes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def one(shape_strategy: st.SearchStrategy[tuple[int, ...]]) -> st.SearchStrategy[Any]:
    return shape_strategy.map(lambda shape: ((shape,), None))


two_broadcasting = hnp.mutually_broadcastable_shapes(
    num_shapes=2, min_dims=0, max_dims=3, max_side=3
).map(lambda b: (b.input_shapes, None))


@st.composite
def with_axis(draw: Any, keepdims: bool = True, tuple_axes: bool = False) -> Any:
    shape = draw(some_axes)
    ndim = len(shape)
    if tuple_axes and ndim > 1 and draw(st.booleans()):
        axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
        axis: Any = tuple(sorted(axes))
    else:
        axis = draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1))) if tuple_axes else None
        if axis is None and not tuple_axes:
            axis = draw(st.integers(-ndim, ndim - 1))
    keep = draw(st.booleans()) if keepdims else False
    return (shape,), (axis, keep)


@st.composite
def spread_axis(draw: Any) -> Any:
    """A shape and an axis (or None) over which var and std see at least 2 entries."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
    axis = draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    return (shape,), (axis, draw(st.booleans()))


@st.composite
def matmul_shapes(draw: Any) -> Any:
    m, n, p = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    kind = draw(st.sampled_from(["vv", "mv", "vm", "mm", "bm", "mb", "bb"]))
    batch = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=2, max_side=3)
    )
    left_batch, right_batch = batch.input_shapes
    shapes = {
        "vv": ((n,), (n,)),
        "mv": ((m, n), (n,)),
        "vm": ((n,), (n, p)),
        "mm": ((m, n), (n, p)),
        "bm": ((*left_batch, m, n), (n, p)),
        "mb": ((m, n), (*right_batch, n, p)),
        "bb": ((*left_batch, m, n), (*right_batch, n, p)),
    }[kind]
    return shapes, None


@st.composite
def joined(draw: Any, new_axis: bool) -> Any:
    shape = draw(some_axes)
    count = draw(st.integers(1, 3))
    axis = draw(st.integers(-len(shape) - new_axis, len(shape) - 1 + new_axis))
    if new_axis:
        return (shape,) * count, axis
    shapes = []
    for _ in range(count):
        own = list(shape)
        own[axis] = draw(st.integers(1, 3))
        shapes.append(tuple(own))
    return tuple(shapes), axis


@st.composite
def gather(draw: Any) -> Any:
    shape = draw(some_axes)
    picks = draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=6))
    return (shape,), np.array(picks)


@st.composite
def rows_and_labels(draw: Any) -> Any:
    rows, classes = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    labels = draw(st.lists(st.integers(0, classes - 1), min_size=rows, max_size=rows))
    return ((rows, classes),), np.array(labels)


@st.composite
def basic_index(draw: Any) -> Any:
    shape = draw(some_axes)
    parts: list[Any] = []
    for size in shape:
        choice = draw(st.sampled_from(["slice", "int", "all", "step"]))
        if choice == "int":
            parts.append(draw(st.integers(-size, size - 1)))
        elif choice == "slice":
            start = draw(st.integers(0, size - 1))
            parts.append(slice(start, draw(st.integers(start + 1, size))))
        elif choice == "step":
            parts.append(slice(None, None, 2))
        else:
            parts.append(slice(None))
    return (shape,), tuple(parts)


# --- smoothness guards: finite differences across a kink or a tie are meaningless --------


def away_from(*points: float, margin: float = 1e-3) -> Callable[[list[np.ndarray], Any], bool]:
    def check(arrays: list[np.ndarray], setting: Any) -> bool:
        return all(np.all(np.abs(a - p) > margin) for a in arrays for p in points)

    return check


def distinct_extremes(arrays: list[np.ndarray], setting: Any) -> bool:
    a = arrays[0]
    axis = setting[0] if isinstance(setting, tuple) else setting
    axes = tuple(range(a.ndim)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    axes = tuple(x % a.ndim for x in axes)
    moved = np.moveaxis(a, axes, tuple(range(-len(axes), 0))).reshape(
        *(a.shape[i] for i in range(a.ndim) if i not in axes), -1
    )
    ordered = np.sort(moved, axis=-1)
    if ordered.shape[-1] < 2:
        return True
    return bool(np.all(ordered[..., -1] - ordered[..., -2] > 1e-3)) and bool(
        np.all(ordered[..., 1] - ordered[..., 0] > 1e-3)
    )


def _reshaped(shape: tuple[int, ...]) -> tuple[int, ...]:
    return (-1,) if len(shape) != 1 else (1, shape[0], 1)


CASES = [
    Case("add", two_broadcasting, lambda lib, s, a, b: a + b),
    Case("sub", two_broadcasting, lambda lib, s, a, b: a - b),
    Case("mul", two_broadcasting, lambda lib, s, a, b: a * b),
    Case("div", two_broadcasting, lambda lib, s, a, b: a / (b * b + 0.5)),
    Case("pow", two_broadcasting, lambda lib, s, a, b: (a * a + 0.5) ** b.tanh()),
    Case("numbers", one(any_shape), lambda lib, s, a: 2.0 - (1.5 * a + 0.5) / 4),
    Case("rdiv", one(any_shape), lambda lib, s, a: 2.0 / (a * a + 1.0)),
    Case("neg", one(any_shape), lambda lib, s, a: -a),
    Case("square", one(any_shape), lambda lib, s, a: a**2),
    Case("cube", one(any_shape), lambda lib, s, a: a**3),
    Case("sqrt", one(any_shape), lambda lib, s, a: (a * a + 0.25) ** 0.5),
    Case("rpow", one(any_shape), lambda lib, s, a: 2.0 ** a.tanh()),
    Case("exp", one(any_shape), lambda lib, s, a: a.tanh().exp()),
    Case("log", one(any_shape), lambda lib, s, a: (a * a + 0.5).log()),
    Case("tanh", one(any_shape), lambda lib, s, a: a.tanh()),
    Case("sigmoid", one(any_shape), lambda lib, s, a: (a * 3).sigmoid()),
    Case("relu", one(any_shape), lambda lib, s, a: a.relu(), away_from(0.0)),
    Case("leaky_relu", one(any_shape), lambda lib, s, a: lib.leaky_relu(a, 0.1), away_from(0.0)),
    Case("clip", one(any_shape), lambda lib, s, a: a.clip(-0.5, 0.5), away_from(-0.5, 0.5)),
    Case("sin", one(any_shape), lambda lib, s, a: a.sin()),
    Case("cos", one(any_shape), lambda lib, s, a: (a * 2).cos()),
    Case("abs", one(any_shape), lambda lib, s, a: a.abs(), away_from(0.0)),
    Case("log10", one(any_shape), lambda lib, s, a: (a * a + 0.5).log10()),
    Case("clone", one(any_shape), lambda lib, s, a: a.clone() * 2),
    Case("unsqueeze", one(any_shape), lambda lib, s, a: (a * 1.0).unsqueeze(-1).squeeze()),
    Case("norm", one(some_axes), lambda lib, s, a: (a + 3.0).norm()),
    Case("var", spread_axis(), lambda lib, s, a: a.var(dim=s[0], keepdim=s[1])),
    Case("std", spread_axis(), lambda lib, s, a: a.std(dim=s[0], keepdim=s[1], correction=0)),
    Case(
        "sum",
        with_axis(tuple_axes=True),
        lambda lib, s, a: a.sum() if s[0] is None else a.sum(s[0], keepdim=s[1]),
    ),
    Case(
        "mean",
        with_axis(tuple_axes=True),
        lambda lib, s, a: a.mean() if s[0] is None else a.mean(s[0], keepdim=s[1]),
    ),
    Case(
        "amax",
        with_axis(tuple_axes=True),
        lambda lib, s, a: a.amax() if s[0] is None else a.amax(s[0], s[1]),
        distinct_extremes,
    ),
    Case(
        "max_dim",
        with_axis(),
        lambda lib, s, a: a.max(s[0], keepdim=s[1]).values,
        distinct_extremes,
    ),
    Case(
        "min_dim",
        with_axis(),
        lambda lib, s, a: a.min(s[0], keepdim=s[1]).values,
        distinct_extremes,
    ),
    Case("softmax", with_axis(keepdims=False), lambda lib, s, a: a.softmax(dim=s[0])),
    Case("log_softmax", with_axis(keepdims=False), lambda lib, s, a: a.log_softmax(dim=s[0])),
    Case("reshape", one(any_shape), lambda lib, s, a: (a * 1.0).reshape(*_reshaped(a.shape))),
    Case("T", one(hnp.array_shapes(min_dims=2, max_dims=2, max_side=4)), lambda lib, s, a: a.T),
    Case(
        "transpose",
        one(hnp.array_shapes(min_dims=2, max_dims=3, max_side=4)),
        lambda lib, s, a: a.transpose(0, -1),
    ),
    Case(
        "permute",
        one(hnp.array_shapes(min_dims=3, max_dims=3, max_side=3)),
        lambda lib, s, a: a.permute(2, 0, 1),
    ),
    Case("flatten", one(some_axes), lambda lib, s, a: a.flatten(0)),
    Case("basic_index", basic_index(), lambda lib, s, a: a[s]),
    Case("gather_repeats", gather(), lambda lib, s, a: a[lib.index(s)]),
    Case(
        "cross_entropy_gather",
        rows_and_labels(),
        lambda lib, s, a: -a.log_softmax(1)[lib.index(np.arange(len(s))), lib.index(s)].mean(),
    ),
    Case("mask", one(some_axes), lambda lib, s, a: a[lib.index(np.asarray(a.detach()) > 0)]),
    Case("cat", joined(new_axis=False), lambda lib, s, *xs: lib.cat(list(xs), dim=s)),
    Case("stack", joined(new_axis=True), lambda lib, s, *xs: lib.stack(list(xs), dim=s)),
    Case("matmul", matmul_shapes(), lambda lib, s, a, b: a @ b),
    Case(  # transposed views: gradients computed in the operands' memory layout
        "matmul_transposed",
        st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)).map(
            lambda t: (((t[1], t[0]), (t[2], t[1])), None)
        ),
        lambda lib, s, a, b: a.T @ b.T,
    ),
    Case(
        "mlp_layer",
        st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)).map(
            lambda t: (((t[0], t[1]), (t[1], t[2]), (t[2],)), None)
        ),
        lambda lib, s, x, w, b: (x @ w + b).tanh(),
    ),
]


@st.composite
def problems(draw: Any, cases: list[Case] = CASES) -> Any:
    """A case, its settings, and float64 inputs drawn from a seeded generator."""
    case = draw(st.sampled_from(cases))
    shapes, setting = draw(case.shapes)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    arrays = [rng.uniform(-2.0, 2.0, shape) for shape in shapes]
    return case, setting, arrays, rng


def _ours(arrays: list[np.ndarray], dtype: Any = np.float64) -> list[Tensor]:
    return [Tensor(a, requires_grad=True, dtype=dtype, label=f"x{i}") for i, a in enumerate(arrays)]


def _weights(case: Case, setting: Any, arrays: list[np.ndarray], rng: Any) -> np.ndarray:
    """Fixed random weights for the result: Σ w·out checks every entry's gradient (a plain
    sum would hide mistakes, e.g. softmax's entries always sum to 1)."""
    with autograd.no_grad():
        out = case.build(OURS, setting, *(Tensor(a, dtype=np.float64) for a in arrays))
    return rng.uniform(0.5, 1.5, out.shape)
