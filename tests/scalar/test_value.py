"""Value semantics: arithmetic, the seed's chain-rule example, accumulation, reuse, depth."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from examples import chain_rule_example

from autograd import Value, gradcheck, ops


def test_seed_chain_rule_example() -> None:
    x, w, b, y, loss = chain_rule_example()
    assert (y.data, loss.data) == (7.0, 4.0)
    loss.backward()
    assert w.grad == 8.0
    assert y.grad == 4.0
    assert w.data - 0.01 * w.grad == pytest.approx(2.92, abs=1e-15)


def test_operators_with_numbers_on_either_side() -> None:
    a = Value(4.0, "a")
    assert [v.data for v in (a + 1, 1 + a, a - 1, 1 - a, a * 2, 2 * a, a / 2, 2 / a)] == [
        5.0,
        5.0,
        3.0,
        -3.0,
        8.0,
        8.0,
        2.0,
        0.5,
    ]
    assert (a**2).data == 16.0 and (2**a).data == 16.0 and (-a).data == -4.0
    assert (a ** Value(0.5)).data == 2.0


def test_numpy_scalars_on_the_left_defer_to_value() -> None:
    a = Value(4.0)
    out = np.float64(2.0) * a
    assert isinstance(out, Value) and out.data == 8.0


def test_constant_exponent_is_part_of_the_op_not_a_parent() -> None:
    x = Value(-3.0, "x")
    y = x**2
    assert y.parents == (x,) and y.op is ops.power(2.0)
    y.backward()
    assert x.grad == -6.0  # no log(-3) from a gradient towards the exponent


def test_parents_are_an_ordered_tuple() -> None:
    a, b = Value(1.0, "a"), Value(2.0, "b")
    assert (a - b).parents == (a, b) and (b - a).parents == (b, a)


def test_repr() -> None:
    y = Value(7.0, "y")
    y.grad = 1.0
    assert repr(y) == "Value(data=7.0, grad=1.0, label='y')"
    assert repr(Value(2)) == "Value(data=2.0, grad=0.0)"


def test_data_is_always_a_float() -> None:
    assert type(Value(3).data) is float and type(Value(np.float32(1.5)).data) is float


def test_second_backward_doubles_leaf_grads_but_not_intermediates() -> None:
    x, w, b, y, loss = chain_rule_example()
    loss.backward()
    first = (w.grad, x.grad, b.grad, y.grad, loss.grad)
    loss.backward()
    assert (w.grad, x.grad, b.grad) == (2 * first[0], 2 * first[1], 2 * first[2])
    assert (y.grad, loss.grad) == (first[3], first[4])


def test_leaf_root_accumulates_like_pytorch() -> None:
    a = Value(1.0)
    a.backward()
    a.backward()
    assert a.grad == 2.0


def test_zero_grad_clears_the_whole_graph() -> None:
    x, w, b, y, loss = chain_rule_example()
    loss.backward()
    loss.zero_grad()
    assert all(v.grad == 0.0 for v in (x, w, b, y, loss))
    loss.backward()
    assert w.grad == 8.0


@pytest.mark.parametrize(
    "build, expected",
    [
        (lambda a: a * a, 6.0),  # d(a²)/da at 3
        (lambda a: (a + a) + (a + a), 4.0),  # b = a + a; c = b + b
        (lambda a: (a * 2) * (a + 1), 14.0),  # a diamond: d(2a(a+1))/da = 4a + 2
        (lambda a: Value.sum([a, a, a * a]), 8.0),
    ],
)
def test_nodes_used_more_than_once_sum_their_paths(build, expected) -> None:
    a = Value(3.0, "a")
    build(a).backward()
    assert a.grad == expected


def test_sum_is_one_node_with_one_step_per_input() -> None:
    xs = [Value(float(i), f"x{i}") for i in range(5)]
    total = Value.sum(xs)
    assert total.parents == tuple(xs) and total.data == 10.0
    assert len(list(total.backward_steps())) == 5
    assert all(x.grad == 1.0 for x in xs)


def test_dot_is_a_neurons_weighted_sum_in_one_node() -> None:
    ws = [Value(0.5, "w1"), Value(-0.5, "w2")]
    xs = [Value(1.0, "x1"), Value(0.0, "x2")]
    b = Value(0.1, "b")
    z = Value.dot(ws, xs, b)
    assert z.data == pytest.approx(0.6) and len(z.parents) == 5
    z.backward()
    assert (
        [w.grad for w in ws] == [1.0, 0.0] and [x.grad for x in xs] == [0.5, -0.5] and b.grad == 1
    )
    assert gradcheck(lambda *v: Value.dot(v[:2], v[2:4], v[4]), *ws, *xs, b)


def test_a_million_node_chain_at_the_default_recursion_limit() -> None:
    assert sys.getrecursionlimit() <= 1000 or pytest.skip("someone raised the recursion limit")
    x = Value(1.0, "x")
    y = x
    for _ in range(1_000_000):
        y = y + x
    y.backward()
    assert x.grad == 1_000_001.0
    assert y.data == 1_000_001.0


@pytest.mark.parametrize(
    "method, x, expected",
    [
        ("exp", 0.5, math.exp(0.5)),
        ("log", 0.5, 2.0),
        ("tanh", 0.5, 1 - math.tanh(0.5) ** 2),
        ("sigmoid", 0.5, (1 / (1 + math.exp(-0.5))) * (1 - 1 / (1 + math.exp(-0.5)))),
        ("relu", 0.5, 1.0),
        ("relu", -0.5, 0.0),
        ("relu", 0.0, 0.0),
        ("leaky_relu", -0.5, 0.01),
        ("leaky_relu", 0.5, 1.0),
        ("step", 0.5, 0.0),
        ("step", -0.5, 0.0),
    ],
)
def test_each_unary_derivative(method, x, expected) -> None:
    v = Value(x, "v")
    getattr(v, method)().backward()
    assert v.grad == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "build, a, b, da, db",
    [
        (lambda a, b: a + b, 2.0, 3.0, 1.0, 1.0),
        (lambda a, b: a - b, 2.0, 3.0, 1.0, -1.0),
        (lambda a, b: a * b, 2.0, 3.0, 3.0, 2.0),
        (lambda a, b: a / b, 2.0, 4.0, 0.25, -0.125),
        (lambda a, b: a**b, 2.0, 3.0, 12.0, 8 * math.log(2)),
    ],
)
def test_each_binary_derivative(build, a, b, da, db) -> None:
    va, vb = Value(a), Value(b)
    build(va, vb).backward()
    assert (va.grad, vb.grad) == (pytest.approx(da), pytest.approx(db))


def test_step_is_the_heaviside_function() -> None:
    assert [Value(x).step().data for x in (-1.0, 0.0, 1e-9, 2.0)] == [0.0, 0.0, 1.0, 1.0]


def test_sqrt_at_zero_has_an_infinite_slope_like_pytorch() -> None:
    x = Value(0.0)
    (x**0.5).backward()
    assert x.grad == math.inf


@pytest.mark.parametrize("x", [1e6, -1e6, 800.0, -800.0, 0.0])
def test_sigmoid_and_tanh_are_stable_without_warnings(x, recwarn) -> None:
    s, t = Value(x).sigmoid(), Value(x).tanh()
    assert 0.0 <= s.data <= 1.0 and -1.0 <= t.data <= 1.0
    s.backward()
    t.backward()
    assert math.isfinite(s.parents[0].grad) and math.isfinite(t.parents[0].grad)
    assert len(recwarn) == 0


def test_every_op_record_has_formula_text_for_each_input() -> None:
    for op in ops.SCALAR_OPS.values():
        arity = (
            5
            if op.name in ("sum", "dot")
            else (2 if op.name in ("add", "sub", "mul", "div", "pow", "bce") else 1)
        )
        for i in range(arity):
            assert op.formula(i, arity).startswith("d")
        assert op.render(["p"] * arity)


def test_float_of_a_value_refuses_to_leave_the_graph_silently() -> None:
    x = Value(1.2, "x")
    with pytest.raises(TypeError, match=r"float\(\) of 'x' = 1\.2 would leave the graph.*\.data"):
        math.exp(x)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="use .data"):
        float(x)


def test_values_format_round_and_order_by_their_numbers() -> None:
    a, b = Value(2.4567, "a"), Value(-1.0, "b")
    assert f"{a:.2f}" == "2.46" and f"{a}" == repr(a)
    assert round(a, 1) == 2.5 and isinstance(round(a, 1), float)
    assert b < a and a > 1 and a >= a and b <= -1.0
    assert max([a, b]) is a and sorted([a, b]) == [b, a]
    assert a != Value(2.4567)  # equality is identity: Values are graph nodes


def test_no_grad_records_no_graph_for_values_either() -> None:
    import gc

    import nn
    from autograd import enable_grad, no_grad

    w = Value(3.0, "w")
    with no_grad():
        y = w * 2 + 1
        with enable_grad():
            z = w * 2
    assert y.data == 7.0 and y.parents == () and y.op is None and y._prev == ()
    assert z.parents[0] is w  # enable_grad inside no_grad records again
    model = nn.MLP(2, [3, 1], seed=0)
    out = model([1.0, 2.0])
    out.backward()
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    gc.collect()
    before = sum(type(o) is Value for o in gc.get_objects())
    with no_grad():
        optimizer.step()
        for p in model.parameters():  # an update by hand, as micrograd's loop writes it
            p.data -= 0.1 * p.grad
        evaluated = model([1.0, 2.0])
    gc.collect()
    after = sum(type(o) is Value for o in gc.get_objects())
    assert evaluated.parents == ()  # the evaluation kept no graph behind it
    # The evaluation's own leaves (its inputs x1, x2 and the result) are all that is new.
    assert after - before <= 3


def test_no_grad_as_a_decorator_applies_to_values() -> None:
    from autograd import no_grad

    @no_grad()
    def predict(v: Value) -> Value:
        return (v * 2).tanh()

    assert predict(Value(0.5)).parents == ()


@pytest.mark.parametrize(
    "differentiate",
    [
        lambda y: y.backward(),
        lambda y: y.backward(create_graph=True),
        lambda y: list(y.backward_steps()),
        lambda y: y.explain(),
        lambda y: __import__("autograd").grad(y, [y]),
    ],
    ids=["backward", "create_graph", "backward_steps", "explain", "grad"],
)
def test_differentiating_a_value_made_inside_no_grad_raises_as_a_tensor_does(
    differentiate,
) -> None:
    from autograd import no_grad

    x = Value(2.0, "x")
    with no_grad():
        y = x * x
    y.label = "y"
    with pytest.raises(
        RuntimeError, match=r"^(backward:|grad: output 0,) 'y' = 4.0,? was computed "
    ):
        differentiate(y)
    assert x.grad == 0.0 and y.grad == 0.0


def test_a_value_made_inside_no_grad_is_still_a_number_a_later_graph_can_use() -> None:
    from autograd import no_grad

    x = Value(2.0, "x")
    with no_grad():
        scale = x * 3  # a constant of the next graph, as a tensor made under no_grad is
    y = scale * x
    y.backward()
    assert x.grad == 6.0 and scale.grad == 2.0
    Value(5.0, "leaf").backward()  # a leaf the user made is still its own root
