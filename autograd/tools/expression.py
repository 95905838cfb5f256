"""Typed expressions such as ``(w*x + b - 5)**2``, read into a graph of Values.

Only a small grammar is accepted: numbers, names, ``+ - * / **``, unary minus and plus,
parentheses, and calls to the Value functions (``exp``, ``log``, ``tanh``, ``sigmoid``,
``relu``, ``softplus``, ``step``, ``leaky_relu(x, slope)``, ``clip(x, low, high)``). The
reader is a loop over the tokens with a stack of pending operators, so a sum of 100,000 terms
or 100,000 minus signs reads as easily as three (no recursion, whose limit Python's own
parser meets near a few thousand). Nothing is ever evaluated as Python: each operator that
completes becomes a Value op. Anything else is an :class:`ExpressionError` that points at the
column at fault; what lies outside the grammar is named by Python's own parser (``a lambda``,
``attribute access``, ...), which is given the text only to say what it is.

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
import keyword
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

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
    expression does not use, and anything outside the grammar raise ExpressionError.
    """
    # One line, so that a caret can point into it.
    stripped = " ".join(text.splitlines()).replace("\t", " ").strip()
    if not stripped:
        raise ExpressionError("the expression is empty: type one, such as (w*x + b - 5)**2")
    reader = _Reader(stripped, values)
    tokens = _tokens(stripped)
    if tokens is None:  # something outside the grammar: say what it is
        raise _refusal(stripped, values)
    result = reader.read(tokens)
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


#: The grammar's tokens: a number (Python's forms), a name, or one of its operators.
_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:0[xXoObB][0-9a-fA-F_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)"
    r"(?:[eE][+-]?\d[\d_]*)?)[jJ]?)|(?P<name>[^\W\d]\w*)|(?P<op>\*\*|[-+*/(),]))"
)
#: The longest number literal read: longer ones (hundreds of digits) cost time to convert and
#: are beyond a float anyway.
MAX_LITERAL = 100

Token = tuple[str, str, int]  # (kind, text, column)


def _tokens(text: str) -> list[Token] | None:
    """The tokens of ``text``, or None if it holds anything outside the grammar."""
    tokens: list[Token] = []
    position, end = 0, len(text)
    while position < end:
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            return None
        kind = match.lastgroup
        if kind is None:  # trailing spaces
            break
        word = match.group(kind)
        if kind == "name" and keyword.iskeyword(word):
            return None
        tokens.append((kind, word, match.start(kind)))
        position = match.end()
    return tokens


#: Binary operators: precedence, and whether they group from the right (``2**3**2``).
_PRECEDENCE = {"+": (1, False), "-": (1, False), "*": (2, False), "/": (2, False), "**": (4, True)}
_UNARY = 3  # -x**2 is -(x**2), but -x*2 is (-x)*2
_SYMBOLS = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "**": ast.Pow}


def _syntax_column(text: str, error: SyntaxError) -> int:
    # Python counts from 1; 0 or nothing means the expression stopped too early.
    if not error.offset or error.lineno not in (None, 1):
        return len(text)
    return min(len(text), error.offset - 1)


class _Reader:
    """Reads the tokens in one pass: operands wait on one stack, operators on another until
    what follows shows that they are complete; each complete one becomes a Value op (or a
    plain number, while no name is in it)."""

    def __init__(self, text: str, values: Mapping[str, float]) -> None:
        self.text = text
        self.values = values
        self.leaves: dict[str, Value] = {}
        self.names: list[str] = []  # every name the expression uses, in order of first use
        self.operands: list[tuple[Node, int]] = []  # each with the column where it starts
        # Waiting operators: ("binary", symbol, column), ("unary", "-", column),
        # ("paren", "(", column) or ("call", name, column), a call with where its arguments start.
        self.pending: list[tuple[str, str, int, int]] = []

    def fail(self, message: str, column: int | None) -> ExpressionError:
        return ExpressionError(message, self.text, column)

    def read(self, tokens: list[Token]) -> Node:
        expect_operand = True
        i = 0
        while i < len(tokens):
            kind, word, column = tokens[i]
            i += 1
            if expect_operand:
                if kind == "number":
                    self.operands.append((self.number(word, column), column))
                    expect_operand = False
                elif kind == "name" and i < len(tokens) and tokens[i][1] == "(":
                    self.call_opens(word, column)
                    i += 1
                elif kind == "name":
                    self.operands.append((self.name(word, column), column))
                    expect_operand = False
                elif word == "(":
                    self.pending.append(("paren", word, column, len(self.operands)))
                elif word in "+-":
                    self.pending.append(("unary", word, column, len(self.operands)))
                elif word == ")" and self.pending and self.pending[-1][0] == "call":
                    self.call_closes(column)  # f() or a trailing comma: f(x,)
                    expect_operand = False
                else:
                    raise self.grammar(column)
            elif word in _PRECEDENCE:
                precedence, from_right = _PRECEDENCE[word]
                self.reduce(precedence, from_right)
                self.pending.append(("binary", word, column, len(self.operands)))
                expect_operand = True
            elif word == ")":
                self.reduce()
                if not self.pending:
                    raise self.grammar(column)
                if self.pending[-1][0] == "paren":
                    self.pending.pop()
                else:
                    self.call_closes(column)
            elif word == ",":
                self.reduce()
                if not self.pending or self.pending[-1][0] != "call":
                    raise self.grammar(column)
                expect_operand = True
            else:
                raise self.grammar(column)
        if expect_operand:
            raise self.grammar(len(self.text))
        self.reduce()
        if self.pending:  # a parenthesis or call left open
            raise self.grammar(len(self.text))
        return self.operands[0][0]

    def reduce(self, precedence: int = 0, from_right: bool = False) -> None:
        """Complete every waiting operator that binds tighter than an operator of
        ``precedence`` coming next (all of them, by default)."""
        pending = self.pending
        while pending and pending[-1][0] in ("binary", "unary"):
            kind, symbol, column, _ = pending[-1]
            waiting = _UNARY if kind == "unary" else _PRECEDENCE[symbol][0]
            if waiting < precedence or (waiting == precedence and from_right):
                return
            pending.pop()
            if kind == "unary":
                operand, _ = self.operands.pop()
                if symbol == "-":
                    operand = self.apply(column, ops.NEG, (operand,), operator.neg)
                self.operands.append((operand, column))
            else:
                (right, _), (left, start) = self.operands.pop(), self.operands.pop()
                _, compute, op = _BINARY[_SYMBOLS[symbol]]
                self.operands.append((self.apply(column, op, (left, right), compute), start))

    def call_opens(self, function: str, column: int) -> None:
        if function not in FUNCTIONS:
            raise self.fail(
                f"{function} is not a function here: use one of {', '.join(FUNCTIONS)}", column
            )
        self.pending.append(("call", function, column, len(self.operands)))

    def call_closes(self, end: int) -> None:
        _, function, column, first = self.pending.pop()
        arguments = self.operands[first:]
        del self.operands[first:]
        self.operands.append((_call(self.text, function, column, arguments), column))

    def number(self, word: str, column: int) -> float:
        if word[-1] in "jJ":
            raise self.fail(f"{word} is not a number: {_ALLOWED} only", column)
        if len(word) > MAX_LITERAL:
            raise self.fail(
                f"a number of {len(word)} characters is more than a float holds: write it "
                "with an exponent (1.5e300), up to about 1.8e308",
                column,
            )
        try:
            whole = word[:2].lower() in ("0x", "0o", "0b") or not any(c in word for c in ".eE")
            value = float(int(word, 0)) if whole else float(word)
        except ValueError:  # 1__0, 0x, 012: not a number Python would read either
            raise self.grammar(column) from None
        except OverflowError:
            value = float("inf")
        if value in (float("inf"), float("-inf")):
            raise self.fail(
                f"{word} is too large for a float (the largest is about 1.8e308)", column
            )
        return value

    def name(self, name: str, column: int) -> Value:
        if name not in self.names:
            self.names.append(name)
        if name in self.leaves:
            return self.leaves[name]
        if name not in self.values:
            hint = f" ({name} is a function: call it, as in {name}(x))" if name in FUNCTIONS else ""
            raise self.fail(f"{name} has no value: give it one, e.g. {name}=1.5{hint}", column)
        leaf = Value(self.values[name], name)
        self.leaves[name] = leaf
        return leaf

    def grammar(self, column: int) -> ExpressionError:
        """An expression the grammar cannot read: Python's parser says what is wrong, when
        the text is short enough for it; else the caret shows where reading stopped."""
        try:
            return _refusal(self.text, self.values)
        except (RecursionError, MemoryError):
            return self.fail("not a valid expression", column)

    def apply(self, column: int, op: Op, inputs: tuple[Node, ...], build: Builder) -> Node:
        return _apply(self.text, column, op, inputs, build)


#: How a node is built from its inputs when one is a Value: ``operator.add``, ``-``, a call.
Builder = Callable[..., Node]


def _apply(text: str, column: int, op: Op, inputs: tuple[Node, ...], build: Builder) -> Node:
    """``op`` on ``inputs``: a Value node (``build(*inputs)``), or a plain number computed by
    the op's own record while no input is a Value. An error of the op is shown under
    ``column``."""
    try:
        if any(isinstance(x, Value) for x in inputs):
            return build(*inputs)
        return op.forward(*inputs)
    except (OpDomainError, ArithmeticError, ValueError) as error:
        raise ExpressionError(str(error), text, column) from None


def _call(text: str, function: str, column: int, arguments: list[tuple[Node, int]]) -> Node:
    """``function(value, settings...)`` from its read arguments (each with its column): the
    number of arguments and that settings are plain numbers checked, then the op applied."""
    make, settings, defaults = FUNCTIONS[function]
    given = len(arguments) - 1
    if not settings - len(defaults) <= given <= settings:
        wanted = _arity(function, settings, defaults)
        raise ExpressionError(f"{function} takes {wanted}, got {len(arguments)}", text, column)
    numbers = []
    for number, start in arguments[1:]:
        if isinstance(number, Value):
            raise ExpressionError(
                f"the settings of {function} must be plain numbers, not expressions of the names",
                text,
                start,
            )
        numbers.append(number)
    numbers += defaults[given - (settings - len(defaults)) :]
    try:
        op = make(*numbers)
    except ValueError as error:
        raise ExpressionError(f"{function}: {error}", text, column) from None
    return _apply(text, column, op, (arguments[0][0],), lambda x: Value._apply(op, (x,)))


def _refusal(text: str, values: Mapping[str, float]) -> ExpressionError:
    """Why ``text`` is not an expression of the grammar, as Python's parser sees it: a syntax
    error, or the first thing outside the grammar in reading order (a lambda, an attribute,
    a string...), or a name without a value met before it. Nothing is evaluated."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        return ExpressionError(
            f"not a valid expression ({error.msg})", text, _syntax_column(text, error)
        )
    except (RecursionError, MemoryError, ValueError):  # too long or too deep for Python itself
        return ExpressionError("not a valid expression (too long or too deeply nested)", text, 0)
    try:
        return _Explainer(text, values).find(tree.body)
    except RecursionError:
        return ExpressionError("not a valid expression (too deeply nested)", text, 0)


class _Explainer:
    """Walks Python's tree of a text outside the grammar to the first thing to refuse, in
    reading order, checking names on the way; each node is computed as the grammar would."""

    def __init__(self, text: str, values: Mapping[str, float]) -> None:
        self.text = text
        self.leaves = _Reader(text, values)  # its names: one leaf each, as the grammar reads
        self._bytes = text.encode("utf-8")

    def column(self, node: ast.AST) -> int:
        # ast counts UTF-8 bytes; the caret counts characters.
        return self._chars(getattr(node, "col_offset", 0))

    def fail(self, message: str, node: ast.AST) -> ExpressionError:
        return ExpressionError(message, self.text, self.column(node))

    def find(self, node: ast.AST) -> ExpressionError:
        """The first error met reading ``node`` (the whole expression)."""
        try:
            self.read(node)
        except ExpressionError as error:
            return error
        return ExpressionError("not a valid expression", self.text, 0)

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
            return self.apply(at, op, (left, right), compute)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.read(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            return self.apply(self.column(node), ops.NEG, (operand,), operator.neg)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.fail(f"{_describe(node)} is not allowed here: {_ALLOWED} only", node)

    def name(self, node: ast.Name) -> Value:
        return self.leaves.name(node.id, self.column(node))

    def call(self, node: ast.Call) -> Node:
        function = node.func
        if not isinstance(function, ast.Name):
            raise self.fail(f"{_describe(function)} is not allowed here: {_ALLOWED} only", function)
        if function.id not in FUNCTIONS:
            raise self.fail(
                f"{function.id} is not a function here: use one of {', '.join(FUNCTIONS)}",
                function,
            )
        if node.keywords:
            make, settings, defaults = FUNCTIONS[function.id]
            wanted = _arity(function.id, settings, defaults)
            raise self.fail(
                f"{function.id} takes {wanted}, by position (not name=...)",
                node.keywords[0].value,
            )
        arguments = [(self.read(argument), self.column(argument)) for argument in node.args]
        return _call(self.text, function.id, self.column(function), arguments)

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

    def apply(self, column: int, op: Op, inputs: tuple[Node, ...], build: Builder) -> Node:
        return _apply(self.text, column, op, inputs, build)


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
