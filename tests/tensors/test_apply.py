"""Every Tensor op is computed and recorded in one place, ``autograd.tensor.apply``, from its
record; and the Tensor records of elementwise ops carry the scalar records' own text, so the
two halves cannot drift apart (issue 11)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Tensor, ops, tensor, topological_order
from autograd import tensor_ops as T
from autograd.tensors.tensor import apply

# ``autograd.tensor`` is also the name of the factory function: reach the module itself.
tensor_module = sys.modules["autograd.tensors.tensor"]

w = Tensor([[0.5, -1.5], [2.0, 1.0]], requires_grad=True, label="w")
labels = tensor([0, 1])

CALLS: list[tuple[str, Callable[[], Any]]] = [
    ("add", lambda: w + 1),
    ("radd", lambda: 1 + w),
    ("sub", lambda: w - w),
    ("rsub", lambda: 2 - w),
    ("mul", lambda: w * w),
    ("div", lambda: w / 2),
    ("rdiv", lambda: 2 / (w * w + 1)),
    ("pow", lambda: w**2),
    ("pow tensor", lambda: (w * w + 1) ** w),
    ("rpow", lambda: 2**w),
    ("neg", lambda: -w),
    ("matmul", lambda: w @ w),
    ("rmatmul", lambda: np.ones((2, 2), np.float32) @ w),
    ("exp", lambda: w.exp()),
    ("log", lambda: (w * w + 1).log()),
    ("sqrt", lambda: (w * w).sqrt()),
    ("tanh", lambda: w.tanh()),
    ("sigmoid", lambda: w.sigmoid()),
    ("relu", lambda: w.relu()),
    ("leaky_relu", lambda: w.leaky_relu(0.1)),
    ("clip", lambda: w.clip(0, 1)),
    ("round", lambda: w.round()),
    ("sum", lambda: w.sum(0)),
    ("mean", lambda: w.mean()),
    ("amax", lambda: w.amax(1)),
    ("amin", lambda: w.amin()),
    ("max", lambda: w.max()),
    ("max dim", lambda: w.max(1)),
    ("argmax", lambda: w.argmax(1)),
    ("softmax", lambda: w.softmax(1)),
    ("log_softmax", lambda: w.log_softmax(1)),
    ("reshape", lambda: w.reshape(4)),
    ("flatten", lambda: w.flatten()),
    ("permute", lambda: w.permute(1, 0)),
    ("transpose", lambda: w.transpose(0, 1)),
    ("T", lambda: w.T),
    ("index", lambda: w[0]),
    ("gather", lambda: w[[0, 0]]),
    ("mask", lambda: w[w > 0]),
    ("to", lambda: w.double()),
    ("long", lambda: w.long()),
    ("eq", lambda: w == 1),
    ("lt", lambda: w < 1),
    ("invert", lambda: ~(w > 0)),
    ("logical_not", lambda: (w > 0).logical_not()),
    ("any", lambda: (w > 0).any()),
    ("cat", lambda: autograd.cat([w, w])),
    ("stack", lambda: autograd.stack([w, w])),
    ("cross_entropy", lambda: nn.CrossEntropyLoss()(w, labels)),
    ("bce", lambda: nn.BCELoss()(w.sigmoid(), w.detach().sigmoid())),
    ("bce_logits", lambda: nn.BCEWithLogitsLoss()(w, w.detach().sigmoid())),
    ("mse", lambda: nn.MSELoss()(w, w.detach())),
]


@pytest.mark.parametrize("name, call", CALLS, ids=[name for name, _ in CALLS])
def test_every_tensor_op_is_made_by_apply_and_nowhere_else(
    name: str, call: Callable[[], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    applied: list[Any] = []
    real_apply = tensor_module.apply

    def counting_apply(op: Any, *inputs: Any, ctx: Any = None) -> Any:
        applied.append(op)
        return real_apply(op, *inputs, ctx=ctx)

    monkeypatch.setattr(tensor_module, "apply", counting_apply)
    # The methods (autograd/tensors/methods/) reach it through the class: self.apply(...)
    monkeypatch.setattr(Tensor, "apply", staticmethod(counting_apply))
    monkeypatch.setattr(sys.modules["autograd.tensors.functions"], "apply", counting_apply)
    monkeypatch.setattr(sys.modules["nn.tensor_losses"], "apply", counting_apply)
    out = call()
    results = out if isinstance(out, tuple) else (out,)
    assert applied, f"{name} did not go through apply"
    for result in results:
        # Every node the call made was made by apply, with the record apply was given; a
        # result outside the graph carries no op at all.
        if result.op is None:
            assert not result.requires_grad
        for node in topological_order(result):
            if node.op is not None:
                assert node.op in applied, f"{name}: {node.op} was recorded outside apply"


def test_an_op_outside_the_graph_never_records() -> None:
    out = w > 0
    assert out.op is None and not out.requires_grad and not T.GREATER.differentiable
    indices = w.argmax(1)
    assert indices.op is None and indices.dtype == np.int64


SCALAR_TWINS = [
    (T.ADD, ops.ADD),
    (T.SUB, ops.SUB),
    (T.MUL, ops.MUL),
    (T.DIV, ops.DIV),
    (T.POW, ops.POW),
    (T.NEG, ops.NEG),
    (T.EXP, ops.EXP),
    (T.LOG, ops.LOG),
    (T.TANH, ops.TANH),
    (T.SIGMOID, ops.SIGMOID),
    (T.RELU, ops.RELU),
    (T.power(3), ops.power(3)),
    (T.exponential(2.0), ops.exponential(2.0)),
    (T.leaky_relu(0.1), ops.leaky_relu(0.1)),
    (T.clip(0.0, 1.0), ops.clip(0.0, 1.0)),
    (T.clip(None, 1.0), ops.clip(None, 1.0)),
]


@pytest.mark.parametrize("tensor_op, scalar_op", SCALAR_TWINS, ids=lambda op: op.name)
def test_elementwise_tensor_ops_carry_the_scalar_records_text(
    tensor_op: T.TensorOp, scalar_op: ops.Op
) -> None:
    arity = len(scalar_op.formulas) if isinstance(scalar_op.formulas, tuple) else 1
    names = ["x", "y"][:arity]
    assert tensor_op.name == scalar_op.name
    assert tensor_op.render(names) == scalar_op.render(names)
    for i in range(arity):
        assert tensor_op.formula(i, arity) == scalar_op.formula(i, arity)


def test_the_formula_a_value_and_a_tensor_show_for_clip_is_one_text() -> None:
    # The halves had drifted: the scalar and Tensor clip explained their slope differently.
    x = autograd.Value(0.5, "x")
    t = Tensor([0.5], requires_grad=True, label="t")
    assert x.clip(0.0, 1.0).op.formula(0, 1) == t.clip(0, 1).op.formula(0, 1)


def test_clip_with_min_above_max_gives_max_everywhere_as_torch_clamp() -> None:
    x = Tensor([-1.0, 0.5, 3.0], requires_grad=True)
    y = x.clip(2, 1)
    assert y.tolist() == [1.0, 1.0, 1.0]
    y.sum().backward()
    torch = pytest.importorskip("torch")
    tx = torch.tensor([-1.0, 0.5, 3.0], requires_grad=True)
    ty = torch.clamp(tx, min=2, max=1)
    ty.sum().backward()
    assert ty.tolist() == y.tolist()
    assert tx.grad.tolist() == x.grad.tolist()


CONSTANT_SLOPE_RECORDS = [op for op in vars(ops).values() if getattr(op, "constant_slopes", False)]


def test_the_records_with_constant_slopes_are_add_sub_and_neg() -> None:
    # A record that claimed fixed slopes wrongly would give wrong Tensor gradients.
    assert sorted(op.name for op in CONSTANT_SLOPE_RECORDS) == ["add", "neg", "sub"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=3, max_size=3))
def test_a_record_with_constant_slopes_gives_the_same_slopes_at_any_input(
    numbers: list[float],
) -> None:
    for op in CONSTANT_SLOPE_RECORDS:
        arity = len(op.formulas)
        at_zero = op.derivative(*[0.0] * (arity + 1))
        assert op.derivative(*numbers[:arity], op.forward(*numbers[:arity])) == at_zero


@pytest.mark.parametrize(
    "tensor_op, scalar_op", [(T.ADD, ops.ADD), (T.SUB, ops.SUB), (T.NEG, ops.NEG)]
)
def test_fixed_slopes_give_the_scalar_records_gradient_and_skip_what_needs_no_grad(
    tensor_op: T.TensorOp, scalar_op: ops.Op
) -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor([3.0, -4.0], requires_grad=True)
    inputs = (x,) if tensor_op is T.NEG else (x, y)
    node = apply(tensor_op, *inputs)
    upstream = np.array([0.5, -2.0], np.float32)
    grads = tensor_op.backward(node, upstream)
    for i, grad in enumerate(grads):
        # the scalar record's own slope at each entry, times the upstream
        for j in range(2):
            numbers = [float(t.data[j]) for t in inputs]
            slope = scalar_op.derivative(*numbers, scalar_op.forward(*numbers))[i]
            assert grad[j] == upstream[j] * slope
        if grad is not upstream:
            assert not np.shares_memory(grad, upstream)
    assert grads[0] is upstream or tensor_op is T.NEG  # a slope of 1 hands the upstream on
    if tensor_op is not T.NEG:
        y.requires_grad = False  # needs no gradient now: its share is not even computed
        assert tensor_op.backward(node, upstream)[1] is None


def test_takes_arrays_is_worked_out_from_the_rules_that_change_the_arrays() -> None:
    assert T.ADD.takes_arrays and T.RELU.takes_arrays
    assert not T.MATMUL.takes_arrays  # a check
    assert not T.EXP.takes_arrays  # floating
    assert not T.INDEX.takes_arrays  # forward reads the index from ctx
    with pytest.raises(TypeError):
        T.TensorOp(  # worked out, never given
            name="x",
            symbol="x",
            template="x",
            forward=abs,
            backward=abs,
            formulas=("",),
            takes_arrays=True,
        )
