"""What the records and nodes say about themselves: roles, numbers and parentheses.

Who made a node (:class:`Owner`: a layer, a neuron, or the role of a leaf), a number written
compactly (``8`` not ``8.0``), and the parentheses a formula needs and no more. Names of
nodes and the telling of steps are narration's (:mod:`autograd.narration.names`).

    >>> fmt(8.0), parenthesize("w · x"), CONSTANT.role
    ('8', '(w · x)', 'constant')
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "Owner",
    "CONSTANT",
    "PARAM",
    "fmt",
    "parenthesize",
    "delimited",
    "is_power",
    "is_base",
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


# --- parentheses -------------------------------------------------------------------------


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
