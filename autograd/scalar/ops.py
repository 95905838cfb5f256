"""The scalar op records: each operation defined once.

An :class:`Op` holds everything tracegrad knows about one operation:

* ``forward``: the rule that computes the output from the inputs' numbers;
* ``derivative``: the local derivatives d(out)/d(input_i), given the inputs and the output.
  Most are written with ordinary arithmetic, so they can be built from Values too (the
  door to higher-order gradients stays open); the piecewise ones (relu, clip) choose with
  the few helpers below. Each rule is the only one of its op: the Tensor twin of an
  elementwise op runs this very rule on whole arrays (and on Tensors under create_graph);
* ``template`` and ``formulas``: the text that narration and drawing show.

Nothing else in tracegrad knows what "mul" or "tanh" means: the engine, narration and
pictures only read these records.

Example:
    >>> MUL.forward(2.0, 3.0), MUL.derivative(2.0, 3.0, 6.0)
    (6.0, (3.0, 2.0))
    >>> MUL.formula(0, 2)
    'd(a·b)/da = b'
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from ..engine.notation import parenthesize
from ..engine.records import Op, OpDomainError

__all__ = [
    "Op",
    "OpDomainError",
    "ADD",
    "SUM",
    "SUB",
    "MUL",
    "DIV",
    "NEG",
    "POW",
    "EXP",
    "LOG",
    "TANH",
    "SIGMOID",
    "RELU",
    "STEP",
    "SOFTPLUS",
    "SIN",
    "COS",
    "ABS",
    "LOG10",
    "DOT",
    "BCE",
    "clip",
    "binary_cross_entropy",
    "bce_loss",
    "MANY_NUMBERS",
    "power",
    "exponential",
    "leaky_relu",
    "SCALAR_OPS",
]


# --- binary arithmetic -------------------------------------------------------------------


def _divide(a: float, b: float) -> float:
    if b == 0:
        raise OpDomainError(f"division by zero ({a!r} / 0)", ZeroDivisionError)
    return a / b


def _real_power(a: float, b: float) -> float:
    """a**b on real numbers, with the domain stated in words instead of a complex result."""
    if a == 0 and b < 0:
        raise OpDomainError(f"0 to a negative power ({b!r}) is undefined", ZeroDivisionError)
    if a < 0 and math.isfinite(b) and b != int(b):  # an inf or NaN exponent passes through
        raise OpDomainError(
            f"a negative base ({a!r}) to a non-integer power ({b!r}) has no real value"
        )
    try:
        return a**b
    except OverflowError:
        raise OpDomainError(f"{a!r} ** {b!r} is too large for a float", OverflowError) from None


# --- one derivative rule for every kind of number ----------------------------------------
# A rule runs on one number: a float, or a Value (create_graph=True: it builds nodes, and a
# Value compares by its number). The Tensor op built from a record runs the same rule on many
# numbers: numpy arrays, or Tensors under create_graph. Arithmetic serves every kind; the
# helpers below say the rest, with Python's `if` and `math` for one number and, for many, the
# functions autograd.tensors puts in MANY_NUMBERS (so this module needs no numpy).

#: ``where(mask, then, otherwise)`` (the mask read from numbers: a constant of any gradient
#: graph), ``log``, ``log1p`` (−∞ at 0, without a warning), ``numbers`` on arrays and Tensors.
MANY_NUMBERS: dict[str, Callable[..., Any]] = {}


def _many(x: Any) -> bool:  # many numbers (an array, a Tensor) rather than a float or a Value
    return type(x) is not float and hasattr(x, "shape")


def _number(x: Any) -> Any:
    # Branches read numbers: a Value's == is identity, so 0 == Value(0.0) is False.
    return (MANY_NUMBERS["numbers"](x) if _many(x) else x.data) if hasattr(x, "parents") else x


def _where(condition: Any, then: Any, otherwise: Any) -> Any:
    """``then`` where ``condition`` holds, ``otherwise`` elsewhere: Python's ``if`` for one
    number (its comparisons give a bool), entry by entry for many (they give a mask)."""
    if condition.__class__ is bool:
        return then if condition else otherwise
    if then.__class__ is float and otherwise.__class__ is float:
        # A slope of 1 or 0 (relu's, clip's) is the mask: upstream times booleans keeps its dtype
        if then == 0.0 and otherwise == 1.0:
            return ~condition
        if then == 1.0 and otherwise == 0.0:
            return condition
    return MANY_NUMBERS["where"](condition, then, otherwise)


def _log(x: Any) -> Any:
    if type(x) is float:
        return math.log(x)
    return MANY_NUMBERS["log"](x) if _many(x) else x.log()  # a Value: recorded


def _log1m(x: Any) -> Any:  # log(1 − x) as log1p(−x): exact for small x (PyTorch's way)
    if type(x) is float:
        return math.log1p(-x)
    return MANY_NUMBERS["log1p"](-x) if _many(x) else (1.0 - x).log()


def _at_least(x: Any, floor: float) -> Any:
    # Arrays and Tensors both clip; for one number, max compares (a Value by its number).
    return x.clip(floor, None) if _many(x) else max(x, floor)


def _power_derivative(a: Any, k: Any) -> Any:
    """d(a^k)/da = k·a^(k−1): 0 where k = 0 (a^0 = 1 is flat), even at a = 0; ∞ at a = 0 for
    0 < k < 1, and where it is beyond a float, as in PyTorch."""
    # A node k (a second derivative being built) keeps k·a^(k−1) at k = 0 where a ≠ 0: it is
    # 0 there, but its slope in k is not (PyTorch's double backward loses that term).
    if _many(a) or _many(k):  # numpy gives ∞ itself (the Tensor op hushes its warning)
        if not _many(k):  # (a ** 1 is a: numpy's power has no shortcut for it, x ** 2 is common)
            return 0.0 if k == 0 else k * a if k == 2 else k * a ** (k - 1)
        flat = _number(k) == 0
        if hasattr(k, "parents"):
            flat = flat & (_number(a) == 0)
            a = _where(flat, 1.0, a)  # no 0^(−1) where the answer is 0 anyway
        return _where(~flat, k * a ** (k - 1), 0.0)
    # One number: Python raises where numpy gives ∞, so those cases come first. (A float is
    # tested as is: the first-order path pays no call for the Value case.)
    if k == 0 or (type(k) is not float and _number(k) == 0 and _number(a) == 0):
        return 0.0
    if (a == 0 or (type(a) is not float and _number(a) == 0)) and _number(k) < 1:
        return math.copysign(math.inf, _number(k))
    try:
        return k * a ** (k - 1)
    except OverflowError:  # a tiny a to a power between −1 and 0 (k between 0 and 1)
        return math.copysign(math.inf, _number(k))


ADD = Op(
    name="add",
    symbol="+",
    template="{0} + {1}",
    forward=lambda a, b: a + b,
    derivative=lambda a, b, out: (1.0, 1.0),
    constant_slopes=True,
    formulas=("d(a+b)/da = 1", "d(a+b)/db = 1"),
    doc="addition",
    slopes=("1", "1"),
)
SUB = Op(
    name="sub",
    symbol="−",
    template="{0} − {1}",
    forward=lambda a, b: a - b,
    derivative=lambda a, b, out: (1.0, -1.0),
    constant_slopes=True,
    formulas=("d(a−b)/da = 1", "d(a−b)/db = −1"),
    doc="subtraction",
    slopes=("1", "−1"),
)
MUL = Op(
    name="mul",
    symbol="·",
    template="{0} · {1}",
    forward=lambda a, b: a * b,
    derivative=lambda a, b, out: (b, a),
    formulas=("d(a·b)/da = b", "d(a·b)/db = a"),
    doc="multiplication",
    slopes=("{1}", "{0}"),
)


def _quotient_share_of_a(upstream: Any, a: Any, b: Any, out: Any) -> Any:
    return upstream / b


def _quotient_share_of_b(upstream: Any, a: Any, b: Any, out: Any) -> Any:
    # −a/b² from the inputs, not the result: PyTorch saves the inputs of a division (its form)
    return -upstream * ((a / b) / b)


DIV = Op(
    name="div",
    symbol="/",
    template="{0} / {1}",
    forward=_divide,
    derivative=lambda a, b, out: (
        _quotient_share_of_a(1.0, a, b, out),
        _quotient_share_of_b(1.0, a, b, out),
    ),
    shares=(_quotient_share_of_a, _quotient_share_of_b),
    formulas=("d(a/b)/da = 1/b", "d(a/b)/db = −a/b²"),
    doc="division",
    slopes=("1/{1}", "−{0}/{1}^2"),
)


def _exponent_derivative(a: Any, out: Any) -> Any:
    """d(a^b)/db = a^b·ln a. At a = 0 it is 0 (a^b stays 0 for every b > 0), as in PyTorch.
    For a < 0, a^b is real only at whole b, so it has no slope in b: NaN, as in PyTorch."""
    numbers = _number(a)
    ln_a = _log(_where(numbers > 0, a, 1.0))  # ln a where a > 0, and 0 (the log of 1) elsewhere
    return out * _where(numbers < 0, math.nan, ln_a)


POW = Op(
    name="pow",
    symbol="^",
    template="{0}^{1}",
    forward=_real_power,
    derivative=lambda a, b, out: (_power_derivative(a, b), _exponent_derivative(a, out)),
    shares=(
        lambda upstream, a, b, out: upstream * _power_derivative(a, b),
        lambda upstream, a, b, out: upstream * _exponent_derivative(a, out),
    ),
    formulas=(
        "d(a^b)/da = b·a^(b−1)",
        "d(a^b)/db = a^b·ln a (0 if a = 0; nan if a < 0: no real ln a)",
    ),
    doc="power (the exponent's gradient is nan for a negative base, as in PyTorch)",
    slopes=("{1}·{0}^({1} − 1)", "{0}^{1}·log({0})"),
)


def _sum_template(names: Sequence[str]) -> str:
    # Terms of a sum need no parentheses, except to keep "+ −x" from reading as one sign.
    return " + ".join(f"({n})" if n.startswith(("-", "−")) else n for n in names)


SUM = Op(
    name="sum",
    symbol="Σ",
    template=_sum_template,
    forward=lambda *xs: sum(xs),
    derivative=lambda *xs_and_out: (1.0,) * (len(xs_and_out) - 1),
    formulas=lambda index, arity: "d(Σxᵢ)/dxᵢ = 1",
    doc="sum of many values, one node",
    slopes=lambda index, names: "1",
)


def _subscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _dot_forward(*ws_xs_b: float) -> float:
    n = len(ws_xs_b) // 2
    # Σwᵢxᵢ first, then + b: the order numpy's np.dot(x, w) + b uses, so results match it.
    return sum(map(operator.mul, ws_xs_b[:n], ws_xs_b[n:-1])) + ws_xs_b[-1]


def _dot_derivative(*ws_xs_b_out: float) -> tuple[float, ...]:
    # d/dwᵢ = xᵢ, d/dxᵢ = wᵢ, d/db = 1: the inputs' own numbers, swapped.
    n = (len(ws_xs_b_out) - 2) // 2
    return (*ws_xs_b_out[n : 2 * n], *ws_xs_b_out[:n], 1.0)


def _dot_template(names: Sequence[str]) -> str:
    n = len(names) // 2
    products = (f"{parenthesize(w)}·{parenthesize(x)}" for w, x in zip(names[:n], names[n:-1]))
    bias = names[-1]
    return " + ".join([*products, f"({bias})" if bias.startswith(("-", "−")) else bias])


def _dot_formula(index: int, arity: int) -> str:
    n = arity // 2
    if index == arity - 1:
        return "d(Σwᵢxᵢ+b)/db = 1"
    i = _subscript(index % n + 1)
    return f"d(Σwᵢxᵢ+b)/dw{i} = x{i}" if index < n else f"d(Σwᵢxᵢ+b)/dx{i} = w{i}"


def _dot_slope(index: int, names: Sequence[str]) -> str:
    # d/dwᵢ is xᵢ's name, d/dxᵢ is wᵢ's, d/db is 1.
    n = len(names) // 2
    if index == len(names) - 1:
        return "1"
    return names[index + n] if index < n else names[index - n]


#: The weighted sum w₁x₁ + … + wₙxₙ + b as one node, a neuron's pre-activation.
#: Its inputs are ordered w₁…wₙ, x₁…xₙ, b.
DOT = Op(
    name="dot",
    symbol="Σwx+b",
    template=_dot_template,
    forward=_dot_forward,
    derivative=_dot_derivative,
    formulas=_dot_formula,
    doc="weighted sum plus bias, one node",
    slopes=_dot_slope,
)


# --- unary functions ---------------------------------------------------------------------

NEG = Op(
    name="neg",
    symbol="−",
    template="−{0}",
    forward=lambda a: -a,
    derivative=lambda a, out: (-1.0,),
    constant_slopes=True,
    formulas=("d(−a)/da = −1",),
    doc="negation",
    slopes=("−1",),
)


def _exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        raise OpDomainError(
            f"exp({a!r}) is too large for a float (the largest input is about 709.78)",
            OverflowError,
        ) from None


def _checked(log: Callable[[float], float], name: str) -> Callable[[float], float]:
    def forward(a: float) -> float:
        if a <= 0:
            raise OpDomainError(f"{name} is only defined for x > 0, got {a!r}")
        return log(a)

    return forward


def _sigmoid(a: float) -> float:
    # Two branches so that exp never sees a large positive argument: stable for any |a|.
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _softplus(a: float) -> float:
    # log(1 + eᵃ) = max(a, 0) + log(1 + e^−|a|): exp never sees a large positive argument.
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))


#: For a float, the function itself; a Value or a Tensor records it (its method of that name);
#: an array takes numpy's (MANY_NUMBERS): the slopes that are themselves functions.
_ONE_NUMBER = {"sin": math.sin, "cos": math.cos, "sigmoid": _sigmoid}


def _call(name: str, x: Any) -> Any:
    if type(x) is float:
        return _ONE_NUMBER[name](x)
    return MANY_NUMBERS[name](x) if _many(x) else getattr(x, name)()


def _function(name: str, forward: Any, slope: Any, formula: str, doc: str, text: str) -> Op:
    """A one-input op written ``name(a)``; ``slope(a, out)`` is its local derivative."""
    return Op(
        name=name,
        symbol=name,
        template=f"{name}({{0}})",
        forward=forward,
        derivative=lambda a, out: (slope(a, out),),
        formulas=(formula,),
        doc=doc,
        slopes=(text,),
    )


EXP = _function("exp", _exp, lambda a, out: out, "d(eᵃ)/da = eᵃ", "exponential", "exp({0})")
LOG = _function(
    "log",
    _checked(math.log, "log"),
    lambda a, out: 1.0 / a,
    "d(ln a)/da = 1/a",
    "natural logarithm",
    "1/{0}",
)
LOG10 = _function(
    "log10",
    _checked(math.log10, "log10"),
    lambda a, out: 1.0 / (a * math.log(10.0)),
    "d log10(a)/da = 1/(a·ln 10)",
    "base-10 logarithm",
    "1/({0}·ln 10)",
)
TANH = _function(
    "tanh",
    math.tanh,
    lambda a, out: 1.0 - out * out,
    "d(tanh a)/da = 1 − tanh²a",
    "hyperbolic tangent",
    "1 − tanh({0})^2",
)
SIGMOID = Op(
    name="sigmoid",
    symbol="σ",
    template="σ({0})",
    forward=_sigmoid,
    derivative=lambda a, out: (out * (1.0 - out),),
    formulas=("dσ(a)/da = σ(a)·(1 − σ(a))",),
    doc="logistic sigmoid 1/(1+e⁻ᵃ)",
    slopes=("σ({0})·(1 − σ({0}))",),
)
# relu is written "a <= 0" so NaN passes through with slope 1, as in PyTorch. The slope reads
# the result, as PyTorch saves it (out <= 0 exactly where a <= 0).
RELU = _function(
    "relu",
    lambda a: 0.0 if a <= 0 else a,
    lambda a, out: _where(out <= 0, 0.0, 1.0),
    "d relu(a)/da = 1 if a > 0 else 0",
    "rectified linear unit max(0, a)",
    "1 if {0} > 0 else 0",
)
SOFTPLUS = _function(
    "softplus",
    _softplus,
    lambda a, out: _call("sigmoid", a),
    "d softplus(a)/da = σ(a)",
    "softplus log(1 + eᵃ), stable for any input",
    "σ({0})",
)
STEP = _function(
    "step",
    lambda a: 1.0 if a > 0 else 0.0,
    lambda a, out: 0.0,
    "d step(a)/da = 0 (flat almost everywhere)",
    "Heaviside step: 1 if a > 0 else 0",
    "0",
)
SIN = _function(
    "sin", math.sin, lambda a, out: _call("cos", a), "d sin(a)/da = cos(a)", "sine", "cos({0})"
)
COS = _function(
    "cos", math.cos, lambda a, out: -_call("sin", a), "d cos(a)/da = −sin(a)", "cosine", "−sin({0})"
)
# |a|'s slope is the sign of a, and 0 at 0 (PyTorch's choice there).
ABS = _function(
    "abs",
    abs,
    lambda a, out: _where(_number(a) > 0, 1.0, _where(_number(a) < 0, -1.0, 0.0)),
    "d|a|/da = sign(a)",
    "absolute value",
    "sign({0})",
)


def _format_constant(c: float) -> str:
    return f"{c:g}"


@lru_cache(maxsize=256)
def power(exponent: float) -> Op:
    """The op ``a ** exponent`` for a fixed number ``exponent`` (cached per exponent).

    >>> power(2).render(["x"]), power(2).formula(0, 1), power(3).formula(0, 1)
    ('x^2', 'd(a^2)/da = 2·a', 'd(a^3)/da = 3·a^2')
    """
    k = exponent
    text = _format_constant(k)
    slope = {0.0: "0", 1.0: "1", 2.0: f"{text}·a"}.get(k, f"{text}·a^{_format_constant(k - 1)}")
    in_names = {0.0: "0", 1.0: "1", 2.0: f"{text}·{{0}}"}.get(
        k, f"{text}·{{0}}^{_format_constant(k - 1)}"
    )
    return Op(
        name=f"pow{text}",
        symbol=f"^{text}",
        template="{0}^" + text,
        forward=lambda a: _real_power(a, k),
        derivative=lambda a, out: (_power_derivative(a, k),),
        formulas=(f"d(a^{text})/da = {slope}",),
        doc=f"power {text}",
        slopes=(in_names,),
    )


@lru_cache(maxsize=256)
def exponential(base: float) -> Op:
    """The op ``base ** a`` for a fixed positive number ``base`` (cached per base).

    >>> exponential(2.0).forward(3.0)
    8.0
    """
    if base <= 0:
        raise ValueError(f"a constant base for ** must be positive, got {base!r}")
    text = _format_constant(base)
    ln_base = math.log(base)
    return Op(
        name=f"rpow{text}",
        symbol=f"{text}^",
        template=text + "^{0}",
        forward=lambda a: _real_power(base, a),
        derivative=lambda a, out: (out * ln_base,),
        formulas=(f"d({text}^a)/da = {text}^a·ln {text}",),
        doc=f"{text} to the power",
        slopes=(f"{text}^{{0}}·log({text})",),
    )


@lru_cache(maxsize=64)
def leaky_relu(slope: float = 0.01) -> Op:
    """The op ``a if a > 0 else slope·a`` (cached per slope).

    >>> leaky_relu(0.1).forward(-2.0)
    -0.2
    """
    text = _format_constant(slope)
    return Op(
        name="leaky_relu",
        symbol=f"leaky_relu({text})",
        template=f"leaky_relu({{0}}, {text})",
        forward=lambda a: a if a > 0 else slope * a,
        derivative=lambda a, out: (_where(a > 0, 1.0, slope),),
        formulas=(f"d leaky_relu(a)/da = 1 if a > 0 else {text}",),
        doc=f"leaky ReLU with slope {text} below zero",
        slopes=(f"1 if {{0}} > 0 else {text}",),
    )


def _between(a: Any, floor: float, ceiling: float) -> Any:  # entry by entry too (NaN: no)
    return (a >= floor) & (a <= ceiling)


@lru_cache(maxsize=64)
def clip(low: float | None, high: float | None) -> Op:
    """The op ``min(max(a, low), high)``; its slope is 1 inside the range (bounds included, as
    PyTorch's clamp), 0 outside. A bound of None is no bound (Tensors allow one side only).

    >>> clip(0.0, 1.0).forward(1.5), clip(0.0, 1.0).derivative(1.5, 1.0)
    (1.0, (0.0,))
    >>> clip(None, 1.0).render(["x"])
    'clip(x, −∞, 1)'
    """
    lo = "−∞" if low is None else _format_constant(low)
    hi = "∞" if high is None else _format_constant(high)
    floor = -math.inf if low is None else low
    ceiling = math.inf if high is None else high
    return Op(
        name="clip",
        symbol=f"clip[{lo}, {hi}]",
        template=f"clip({{0}}, {lo}, {hi})",
        # max, then min: with low > high every entry becomes high, as in PyTorch's clamp
        forward=lambda a: min(max(a, floor), ceiling),
        derivative=lambda a, out: (_where(_between(_number(a), floor, ceiling), 1.0, 0.0),),
        formulas=(f"d clip(a)/da = 1 if {lo} ≤ a ≤ {hi} else 0",),
        doc=f"clip to [{lo}, {hi}]",
        slopes=(f"1 if {lo} ≤ {{0}} ≤ {hi} else 0",),
    )


def _clamped_log(x: Any) -> Any:
    # PyTorch's BCELoss limits each log to −100, so a prediction of exactly 0 or 1 stays finite.
    if not _many(x) and not x > 0.0:
        return -100.0  # (one number: math.log(0) raises, where an array's log is −∞)
    return _at_least(_log(x), -100.0)


#: The floor PyTorch puts under p·(1 − p) in the slope of binary cross-entropy: 1e-12 held as
#: a float32, as its kernels hold it, so that float64 slopes at p = 0 or 1 match it exactly.
BCE_EPSILON = 9.999999960041972e-13


def _bce_probability(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise OpDomainError(f"binary cross-entropy needs a probability in [0, 1], got {p!r}")


def _bce_label(y: float) -> None:
    if not 0.0 <= y <= 1.0:  # NaN too, as in PyTorch
        raise OpDomainError(f"binary cross-entropy needs a label in [0, 1], got {y!r}")


def _clamped_log1m(p: Any) -> Any:
    # log(1 − p), limited to −100 like the other.
    if not _many(p) and p >= 1.0:
        return -100.0
    return _at_least(_log1m(p), -100.0)


def bce_loss(p: Any, y: Any) -> Any:
    """−[y·log p + (1 − y)·log(1 − p)], each log limited to −100 as in PyTorch: of one
    probability and label (the records below), or of many at once, entry by entry (the
    Tensor loss, which checks its arrays first).

    >>> round(bce_loss(0.8, 1.0), 6), bce_loss(0.0, 1.0)
    (0.223144, 100.0)
    """
    return (y - 1.0) * _clamped_log1m(p) - y * _clamped_log(p)  # PyTorch's order of operations


def _bce_slope_in_p(p: Any, y: Any) -> Any:
    # PyTorch's slope in p, also where the clamped loss is flat: it still points the right way.
    return (p - y) / _at_least(p * (1.0 - p), BCE_EPSILON)


def _bce_slope_in_y(p: Any) -> Any:
    return _clamped_log1m(p) - _clamped_log(p)


def _bce_forward(p: float, y: float) -> float:
    _bce_label(y)
    if p != p:
        return p  # NaN may enter a graph; explain() marks it
    _bce_probability(p)
    return bce_loss(p, y)


#: Binary cross-entropy of a probability p against a label y that is itself in the graph
#: (a learned soft label). The slope in y is that of the loss as computed, logs clamped at
#: −100 included: PyTorch agrees wherever no log is clamped, and gives ±inf at p = 0 or 1.
BCE = Op(
    name="bce",
    symbol="BCE",
    template="BCE({0}, {1})",
    forward=_bce_forward,
    derivative=lambda p, y, out: (_bce_slope_in_p(p, y), _bce_slope_in_y(p)),
    shares=(
        lambda upstream, p, y, out: upstream * _bce_slope_in_p(p, y),
        lambda upstream, p, y, out: upstream * _bce_slope_in_y(p),
    ),
    formulas=("d BCE(p, y)/dp = (p − y) / (p·(1 − p))", "d BCE(p, y)/dy = log(1 − p) − log p"),
    doc="binary cross-entropy of a probability against a label (logs limited to −100)",
    slopes=("({0} − {1}) / ({0}·(1 − {0}))", "log(1 − {0}) − log({0})"),
)


@lru_cache(maxsize=64)
def binary_cross_entropy(target: float) -> Op:
    """The op ``−[y·log p + (1 − y)·log(1 − p)]`` for a fixed label ``y``, as one node.

    Each log is limited to −100 as in PyTorch, and the slope is PyTorch's
    (p − y) / max(p(1 − p), 1e-12). The label must lie in [0, 1], as in PyTorch.

    >>> op = binary_cross_entropy(1.0)
    >>> round(op.forward(0.8), 6), round(op.derivative(0.8, 0.0)[0], 6)
    (0.223144, -1.25)
    """
    _bce_label(target)
    y = target
    text = _format_constant(y)

    def forward(p: float) -> float:
        if p != p:
            return p  # NaN may enter a graph; explain() marks it
        _bce_probability(p)
        return bce_loss(p, y)

    return Op(
        name="bce",
        symbol=f"BCE(y={text})",
        template=f"BCE({{0}}, y={text})",
        forward=forward,
        derivative=lambda p, out: (_bce_slope_in_p(p, y),),
        formulas=(f"d BCE(p, y={text})/dp = (p − {text}) / (p·(1 − p))",),
        doc=f"binary cross-entropy against the label {text}",
        slopes=(f"({{0}} − {text}) / ({{0}}·(1 − {{0}}))",),
    )


#: Every fixed scalar op, by name (parameterised ops come from their factories).
SCALAR_OPS: dict[str, Op] = {
    op.name: op
    for op in (
        ADD,
        SUB,
        MUL,
        DIV,
        POW,
        SUM,
        DOT,
        NEG,
        EXP,
        LOG,
        TANH,
        SIGMOID,
        SOFTPLUS,
        RELU,
        STEP,
        SIN,
        COS,
        ABS,
        LOG10,
        BCE,
    )
}
