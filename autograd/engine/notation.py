"""How tracegrad writes things: numbers, minus signs, parentheses, shapes and names.

Narration (explain, steps), drawings and lesson pages all write through these helpers, so
a graph reads the same everywhere: ``8`` not ``8.0``, one minus sign (U+2212), parentheses
only where a template needs them, shapes as ``[64×256]``, and a stable short name for every
node (its label, a letter, or its expression).

    >>> fmt(8.0), narrated("-2"), parenthesize("w · x"), shape_text((64, 256))
    ('8', '−2', '(w · x)', '[64×256]')
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Owner",
    "CONSTANT",
    "PARAM",
    "fmt",
    "narrated",
    "parenthesize",
    "delimited",
    "is_power",
    "is_base",
    "shape_text",
    "who",
    "brief",
    "Namer",
]


# --- who made a node: the names of groups (L1.N3) and the roles of leaves -----------------


@dataclass(frozen=True, eq=False)
class Owner:
    """Who made a node, and in what role: for drawing groups and telling leaves apart.

    ``groups`` lists the enclosing groups from the outside in, each as ``(kind, name)``:
    ``(("layer", "L1"), ("neuron", "N3"))`` for neuron 3 of layer 1. ``role`` is
    ``"param"`` (a weight or bias), ``"input"``, ``"constant"`` (a plain number that entered
    an expression) or ``"computed"``.

    >>> owner = Owner((("layer", "L1"), ("neuron", "N3")), "param")
    >>> owner.path, owner.group("neuron")
    (('L1', 'N3'), ('L1', 'N3'))
    """

    groups: tuple[tuple[str, str], ...] = ()
    role: str = "computed"

    @property
    def path(self) -> tuple[str, ...]:
        """The group names from the outside in, e.g. ``("L1", "N3")``."""
        return tuple(name for _, name in self.groups)

    def group(self, kind: str) -> tuple[str, ...] | None:
        """The path down to the enclosing group of ``kind`` ("layer", "neuron", ...), if any."""
        for depth, (group_kind, _) in enumerate(self.groups):
            if group_kind == kind:
                return self.path[: depth + 1]
        return None


#: Owners shared by all nodes of one kind outside any group.
CONSTANT = Owner((), "constant")
PARAM = Owner((), "param")


# --- numbers and signs ----------------------------------------------------------------


def fmt(x: float) -> str:
    """A number written compactly: integers without ``.0``, others to 6 significant digits.

    >>> fmt(8.0), fmt(2.92), fmt(0.6456563062257954), fmt(float("nan"))
    ('8', '2.92', '0.645656', 'nan')
    """
    if x != x or x in (math.inf, -math.inf):
        return str(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.6g}"


#: A hyphen-minus used as a sign (not inside a word or an exponent such as 1e-05).
_SIGN = re.compile(r"(?<![\w.])-(?=[\d.]|inf\b)")


def narrated(text: str) -> str:
    """``text`` with every minus sign written as one: U+2212, as the ops' templates write it.

    >>> narrated("y = x · -2 + 1e-05 = -6")
    'y = x · −2 + 1e-05 = −6'
    """
    return _SIGN.sub("−", text)


# --- parentheses and shapes ------------------------------------------------------------


#: Characters that make up a single word: a name like ``L1.N3.w2``, a number, a shape.
_WORD = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.[]'×…#")


def _is_word(text: str) -> bool:
    # Letters and digits of any script (ŷ, θ, x₁) count, as do the marks in L1.N3.w2 or [4×5].
    return all(c.isalnum() or c in _WORD for c in text)


def parenthesize(text: str) -> str:
    """``text`` in parentheses unless it already reads as one term: a single word (``w2``),
    or a call or group whose parentheses enclose the rest (``exp(w · x)``, ``(a + b)``).

    >>> parenthesize("w · x"), parenthesize("-1"), parenthesize("L1.N3.w2")
    ('(w · x)', '(-1)', 'L1.N3.w2')
    >>> parenthesize("exp(w · x)"), parenthesize("exp(a) + exp(b)"), parenthesize("ŷ₁")
    ('exp(w · x)', '(exp(a) + exp(b))', 'ŷ₁')
    """
    return text if _one_term(text) else f"({text})"


def _one_term(text: str) -> bool:
    if _is_word(text):
        return True
    opening = text.find("(")
    if opening < 0 or not text.endswith(")") or not _is_word(text[:opening]):
        return False
    depth = 0
    for position, char in enumerate(text[opening:], opening):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:  # the first parenthesis closes here: one term only if this is the end
            return position == len(text) - 1
    return False


def delimited(template: str, index: int) -> bool:
    """Whether input ``index`` stands alone between a call's parentheses or commas: ``f({0})``."""
    placeholder = f"{{{index}}}"
    at = template.find(placeholder)
    before, after = template[:at].rstrip(), template[at + len(placeholder) :].lstrip()
    return before.endswith(("(", ",")) and after.startswith((")", ","))


def is_power(text: str) -> bool:
    """Whether ``text`` is a power such as ``x^2`` or ``exp(a)^3``: it binds tighter than
    · or +, so it needs no parentheses there (``3 · x^2``), only as the base of another power.

    >>> is_power("x^2"), is_power("(a + b)^2"), is_power("x^2 + 1")
    (True, True, False)
    """
    base, caret, exponent = text.rpartition("^")
    return bool(caret) and _one_term(base) and _is_word(exponent)


def is_base(template: str, index: int) -> bool:
    """Whether input ``index`` is the base of a power in ``template``: ``{0}^2``."""
    return f"{{{index}}}^" in template


def shape_text(shape: Sequence[int]) -> str:
    """A shape as learners write it: ``[64×256]``; a single number is ``[]``.

    >>> shape_text((64, 256)), shape_text(())
    ('[64×256]', '[]')
    """
    return "[" + "×".join(map(str, shape)) + "]"


def who(t: Any) -> str:
    """How errors name a tensor: its label, shape and dtype.

    >>> from autograd import Tensor
    >>> who(Tensor([1.0, 2.0], label="x")), who(Tensor([[1.0]]))
    ("'x' [2] float32", 'an unnamed [1×1] float32 tensor')
    """
    kind = f"{shape_text(t.data.shape)} {t.data.dtype}"
    if t.label:
        return f"{t.label!r} {kind}"
    if t.owner is CONSTANT:
        return f"the constant {t.brief(t.data)}"
    return f"an unnamed {kind} tensor"


# --- names of nodes ---------------------------------------------------------------------


def brief(node: Any, number: Any) -> str:
    """``number`` (a value or grad of ``node``) as written inside a sentence.

    A scalar is its number; a Tensor's array is its shape, ``[64×256]``.

    >>> from autograd import Value
    >>> brief(Value(2.5), 2.5)
    '2.5'
    """
    return str(node.brief(number))


class Namer:
    """Short, stable, readable names for the nodes of one graph.

    A labelled node is called by its label, a constant by its number, an unlabelled
    input by a letter, and an unlabelled result by its expression when that is short
    (``w·x``), else ``t1``, ``t2``, ... in forward order. Names depend only on the graph,
    so the same graph is always narrated and drawn with the same names.

    >>> from autograd import Value, topological_order
    >>> w, x = Value(3.0, "w"), Value(2.0, "x")
    >>> wx = w * x
    >>> y = wx + 1
    >>> names = Namer(topological_order(y))
    >>> names.name(wx), names.name(y), names.d(wx)
    ('w · x', 'out', 'd(w · x)')
    """

    MAX_EXPRESSION = 14

    def __init__(self, order: Sequence[Any]) -> None:
        self._names: dict[int, str] = {}
        labels = [str(node.label) for node in order]
        taken: dict[str, int] = {}
        for label in labels:
            if label:
                taken[label] = taken.get(label, 0) + 1
        used = set(taken)  # every name given out so far, so no two nodes share one
        seen: dict[str, int] = {}
        letters = _fresh_names("abcdefghijklmnopqrstuvwxyz", used)
        temps = _fresh_names(None, used)
        root = order[-1] if order else None
        #: The node the graph ends at (the last in the order given).
        self.root = root
        for node, label in zip(order, labels):
            name = label
            if name:
                if taken[name] > 1:  # the same label twice: number them apart
                    seen[name] = seen.get(name, 0) + 1
                    name = f"{name}#{seen[name]}"
            elif node.owner is CONSTANT:
                name = brief(node, node.data)  # equal constants may share their number
            elif not node.parents:
                name = next(letters)
            elif node is root and "out" not in used:
                name = "out"
            else:
                parts = [self._names[id(p)] for p in node.parents]
                name = node.op.render(parts)
                if len(name) > self.MAX_EXPRESSION or name in used:
                    name = next(temps)
            used.add(name)
            self._names[id(node)] = name

    def name(self, node: Any) -> str:
        """The node's name (its label when it has one)."""
        return self._names[id(node)]

    def d(self, node: Any) -> str:
        """The name as it appears in a derivative: ``dw``, ``d(w · x)``."""
        return "d" + parenthesize(self._names[id(node)])


def _fresh_names(alphabet: str | None, taken: set[str]) -> Iterator[str]:
    if alphabet:
        for letter in alphabet:
            if letter not in taken:
                yield letter
    n = 0
    while True:
        n += 1
        name = f"t{n}"
        if name not in taken:
            yield name
