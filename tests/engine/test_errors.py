"""Bad input gets an error that names the op, the value and its label."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import Value


@pytest.mark.parametrize("data", ["abc", None, [1.0], 1 + 2j, np.array([1.0, 2.0])])
def test_non_numeric_data_is_a_type_error(data) -> None:
    with pytest.raises(TypeError, match="real number"):
        Value(data, "x")


def test_label_must_be_text() -> None:
    with pytest.raises(TypeError, match="label"):
        Value(1.0, 3)  # type: ignore[arg-type]


def test_combining_with_a_string_names_op_and_value() -> None:
    x = Value(2.0, "x")
    with pytest.raises(TypeError, match=r"add: cannot combine str 'a' with 'x' = 2\.0"):
        x + "a"  # type: ignore[operator]


@pytest.mark.parametrize("bad", [0.0, -1.5])
def test_log_outside_its_domain(bad) -> None:
    with pytest.raises(ValueError, match=rf"log\('x' = {bad!r}\): log is only defined for x > 0"):
        Value(bad, "x").log()


def test_division_by_zero_names_both_inputs() -> None:
    with pytest.raises(ZeroDivisionError, match=r"div\('a' = 1\.0, 'b' = 0\.0\): division by zero"):
        Value(1.0, "a") / Value(0.0, "b")
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        1 / Value(0.0, "b")


def test_zero_to_a_negative_power() -> None:
    with pytest.raises(ZeroDivisionError, match=r"pow-1\('z' = 0\.0\): 0 to a negative power"):
        Value(0.0, "z") ** -1
    with pytest.raises(ZeroDivisionError, match="0 to a negative power"):
        Value(0.0, "z") ** Value(-2.0, "k")


def test_negative_base_to_a_fractional_power_has_no_real_value() -> None:
    with pytest.raises(ValueError, match="no real value"):
        Value(-8.0, "x") ** (1 / 3)


def test_exp_overflow_is_clear() -> None:
    with pytest.raises(OverflowError, match=r"exp\('z' = 1000\.0\): exp\(1000\.0\) is too large"):
        Value(1000.0, "z").exp()


def test_unlabelled_values_are_still_described() -> None:
    with pytest.raises(ValueError, match="an unnamed value -1.0"):
        (Value(1.0) - 2).log()


def test_nan_and_inf_may_enter_but_explain_marks_them() -> None:
    x = Value(math.nan, "x")
    y = x * 2
    y.label = "y"
    y.backward()
    text = y.explain()
    assert "x = nan" in text and "not a finite number" in text
    big = Value(math.inf, "big") + 1
    assert "not a finite number" in big.explain()


def test_mixing_a_value_and_a_tensor_is_one_clear_line_either_way() -> None:
    from autograd import Tensor

    v, t = Value(2.0, "v"), Tensor([[1.0, 2.0], [3.0, 4.0]], label="t")
    with pytest.raises(TypeError) as error:
        v * t
    assert str(error.value) == (
        "mul: cannot combine the Tensor 't' [2×2] float32 with 'v' = 2.0: "
        "a scalar Value and a Tensor do not mix; use Tensors for both"
    )
    with pytest.raises(TypeError, match="do not mix") as error:
        t * v
    assert "\n" not in str(error.value)
