"""Typed expressions such as ``(w*x + b - 5)**2``, read into a graph of Values.

The text is parsed with :mod:`ast` and only a whitelist is accepted: numbers, names,
``+ - * / **``, unary minus and plus, and calls to the Value functions (``exp``, ``log``,
``tanh``, ``sigmoid``, ``relu``, ``softplus``, ``step``, ``leaky_relu(x, slope)``,
``clip(x, low, high)``). Nothing is ever evaluated as Python: the tree is walked and each
node becomes a Value op. Anything else is an :class:`ExpressionError` that points at the
column at fault.

Example:
    >>> loss = parse_expression("(w*x + b - 5)**2", {"x": 2.0, "w": 3.0, "b": 1.0})
    >>> loss.data
    4.0
    >>> parse_expression("x + y", {"x": 1.0})
    Traceback (most recent call last):
      ...
    autograd.tools.expression.ExpressionError: y has no value: give it one, e.g. y=1.5
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any, cast

from ..engine.records import Op, OpDomainError
from ..scalar import ops
from ..scalar.value import Value

__all__ = ["parse_expression", "ExpressionError", "FUNCTIONS"]


class ExpressionError(ValueError):
    """A typed expression that cannot be read: ``column`` (0-based) is where the fault is.

    ``str(error)`` is the message; :meth:`pointed` adds the expression with a caret under
    the column.

    >>> print(ExpressionError("no", "a $ b", 2).pointed())
    no
      a $ b
        ^
    """

    def __init__(self, message: str, expression: str = "", column: int | None = None) -> None:
        super().__init__(message)
        self.expression = expression
        self.column = column

    def pointed(self) -> str:
        """The message, then the expression with ``^`` under the column at fault."""
        lines = [str(self)]
        if self.expression:
            lines.append(f"  {self.expression}")
            if self.column is not None:
                lines.append("  " + " " * self.column + "^")
        return "\n".join(lines)


Number = float
Node = Value | float

#: The functions an expression may call: name -> (the Value method, numbers it takes after
#: the value, their defaults). Their settings must be plain numbers, as in ``leaky_relu(x, 0.1)``.
FUNCTIONS: dict[str, tuple[Callable[..., Op], int, tuple[float, ...]]] = {
    "exp": (lambda: ops.EXP, 0, ()),
    "log": (lambda: ops.LOG, 0, ()),
    "tanh": (lambda: ops.TANH, 0, ()),
    "sigmoid": (lambda: ops.SIGMOID, 0, ()),
    "relu": (lambda: ops.RELU, 0, ()),
    "softplus": (lambda: ops.SOFTPLUS, 0, ()),
    "step": (lambda: ops.STEP, 0, ()),
    "leaky_relu": (ops.leaky_relu, 1, (0.01,)),
    "clip": (ops.clip, 2, ()),
}

#: Each allowed operator: its symbol, the Python operator (Values overload it) and the op
#: record that computes it on two plain numbers.
_BINARY: dict[type[ast.operator], tuple[str, Callable[[Any, Any], Any], Op]] = {
    ast.Add: ("+", operator.add, ops.ADD),
    ast.Sub: ("-", operator.sub, ops.SUB),
    ast.Mult: ("*", operator.mul, ops.MUL),
    ast.Div: ("/", operator.truediv, ops.DIV),
    ast.Pow: ("**", operator.pow, ops.POW),
}
_ALLOWED = "numbers, names, + - * / **, unary minus and calls to " + ", ".join(FUNCTIONS)


def parse_expression(text: str, values: Mapping[str, float]) -> Value:
    """The expression ``text`` as a graph of Values, each name a leaf labelled by its name.

    ``values`` gives every name's number. A name without a value, a value whose name the
    expression does not use, and anything outside the whitelist raise ExpressionError.
    """
    # One line, so that a caret can point into it.
    stripped = " ".join(text.splitlines()).replace("\t", " ").strip()
    if not stripped:
        raise ExpressionError("the expression is empty: type one, such as (w*x + b - 5)**2")
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as error:
        column = _syntax_column(stripped, error)
        raise ExpressionError(f"not a valid expression ({error.msg})", stripped, column) from None
    reader = _Reader(stripped, values)
    result = reader.read(tree.body)
    unused = [name for name in values if name not in reader.leaves]
    if unused:
        raise ExpressionError(
            f"{', '.join(unused)} {'is' if len(unused) == 1 else 'are'} not in the expression "
            f"(its names: {', '.join(reader.names) or 'none'})",
            stripped,
        )
    if not isinstance(result, Value):
        raise ExpressionError(
            "the expression has no names, so nothing to differentiate: use a name with a "
            "value, as in x*2 x=1.5",
            stripped,
        )
    return result


def _syntax_column(text: str, error: SyntaxError) -> int:
    # Python counts from 1; 0 or nothing means the expression stopped too early.
    if not error.offset or error.lineno not in (None, 1):
        return len(text)
    return min(len(text), error.offset - 1)


class _Reader:
    """Walks the tree; each node becomes a Value (or a plain number, while no name is in it)."""

    def __init__(self, text: str, values: Mapping[str, float]) -> None:
        self.text = text
        self.values = values
        self.leaves: dict[str, Value] = {}
        self.names: list[str] = []  # every name the expression uses, in order of first use
        self._bytes = text.encode("utf-8")

    def column(self, node: ast.AST) -> int:
        # ast counts UTF-8 bytes; the caret counts characters.
        return self._chars(getattr(node, "col_offset", 0))

    def fail(self, message: str, node: ast.AST) -> ExpressionError:
        return ExpressionError(message, self.text, self.column(node))

    def read(self, node: ast.AST) -> Node:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
            raise self.fail(f"{node.value!r} is not a number: {_ALLOWED} only", node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self.read(node.left), self.read(node.right)
            symbol, compute, op = _BINARY[type(node.op)]
            at = self.operator_column(node, symbol)
            return self.apply(at, op, (left, right), lambda: compute(left, right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.read(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            return self.apply(self.column(node), ops.NEG, (operand,), lambda: -operand)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.fail(f"{_describe(node)} is not allowed here: {_ALLOWED} only", node)

    def name(self, node: ast.Name) -> Value:
        name = node.id
        if name not in self.names:
            self.names.append(name)
        if name in self.leaves:
            return self.leaves[name]
        if name not in self.values:
            hint = f" ({name} is a function: call it, as in {name}(x))" if name in FUNCTIONS else ""
            raise self.fail(f"{name} has no value: give it one, e.g. {name}=1.5{hint}", node)
        leaf = Value(self.values[name], name)
        self.leaves[name] = leaf
        return leaf

    def call(self, node: ast.Call) -> Node:
        function = node.func
        if not isinstance(function, ast.Name):
            raise self.fail(f"{_describe(function)} is not allowed here: {_ALLOWED} only", function)
        if function.id not in FUNCTIONS:
            raise self.fail(
                f"{function.id} is not a function here: use one of {', '.join(FUNCTIONS)}",
                function,
            )
        make, settings, defaults = FUNCTIONS[function.id]
        if node.keywords:
            wanted = _arity(function.id, settings, defaults)
            raise self.fail(
                f"{function.id} takes {wanted}, by position (not name=...)",
                node.keywords[0].value,
            )
        given = len(node.args) - 1
        if not settings - len(defaults) <= given <= settings:
            wanted = _arity(function.id, settings, defaults)
            raise self.fail(f"{function.id} takes {wanted}, got {len(node.args)}", function)
        operand = self.read(node.args[0])
        numbers = []
        for argument in node.args[1:]:
            number = self.read(argument)
            if isinstance(number, Value):
                raise self.fail(
                    f"the settings of {function.id} must be plain numbers, not expressions "
                    "of the names",
                    argument,
                )
            numbers.append(number)
        numbers += defaults[given - (settings - len(defaults)) :]
        try:
            op = make(*numbers)
        except ValueError as error:
            raise self.fail(f"{function.id}: {error}", node) from None
        at = self.column(function)
        return self.apply(at, op, (operand,), lambda: Value._apply(op, (cast(Value, operand),)))

    def operator_column(self, node: ast.BinOp, symbol: str) -> int:
        """Where the operator of ``node`` stands: after its left operand and any ``)``."""
        left_end = getattr(node.left, "end_col_offset", None)
        start = self.column(node)
        if left_end is None:
            return start
        between = self._bytes[left_end : node.right.col_offset].decode("utf-8", "ignore")
        found = between.find(symbol)
        return self.column(node.left) if found < 0 else self._chars(left_end) + found

    def _chars(self, byte_offset: int) -> int:
        return len(self._bytes[:byte_offset].decode("utf-8", "ignore"))

    def apply(
        self, column: int, op: Op, inputs: tuple[Node, ...], build: Callable[[], Node]
    ) -> Node:
        """``op`` on ``inputs``: a Value node, or a plain number while no input is a Value.
        An error of the op is shown under ``column``."""
        try:
            if any(isinstance(x, Value) for x in inputs):
                return build()
            return op.forward(*inputs)
        except (OpDomainError, ArithmeticError, ValueError) as error:
            raise ExpressionError(str(error), self.text, column) from None


def _arity(name: str, settings: int, defaults: tuple[float, ...]) -> str:
    if not settings:
        return "one value"
    if defaults:
        return f"a value and up to {settings} number{'s' if settings > 1 else ''}"
    return f"a value and {settings} numbers"


def _describe(node: ast.AST) -> str:
    """What a refused piece of syntax is, in words."""
    words = {
        ast.Attribute: "attribute access",
        ast.Subscript: "indexing",
        ast.Lambda: "a lambda",
        ast.Compare: "a comparison",
        ast.BoolOp: "and/or",
        ast.IfExp: "if/else",
        ast.JoinedStr: "an f-string",
        ast.List: "a list",
        ast.Tuple: "a tuple",
        ast.Dict: "a dict",
        ast.Set: "a set",
        ast.NamedExpr: "the := operator",
        ast.Starred: "a starred value",
    }
    for kind, word in words.items():
        if isinstance(node, kind):
            return word
    if isinstance(node, ast.BinOp):
        symbol = {
            ast.FloorDiv: "//",
            ast.Mod: "%",
            ast.MatMult: "@",
            ast.LShift: "<<",
            ast.RShift: ">>",
            ast.BitAnd: "&",
            ast.BitOr: "|",
            ast.BitXor: "^",
        }.get(type(node.op), type(node.op).__name__)
        return f"the operator {symbol}"
    if isinstance(node, ast.UnaryOp):
        return "not" if isinstance(node.op, ast.Not) else "the operator ~"
    return type(node).__name__
