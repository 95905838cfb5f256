"""What :func:`~autograd.tools.check.check` reports, and the rule it judges by: an answer
counts as right when it rounds to the same significant digits (:func:`tolerance`).

    >>> bool(is_right(0.123, 0.12345)), bool(is_right(0.124, 0.12345))
    (True, False)
"""

from __future__ import annotations

import html
import numbers
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine.notation import fmt
from ..narration.names import narrated
from ..narration.steps import Step

__all__ = ["CheckReport", "Answer", "Term", "is_right", "tolerance"]

#: Lines of ``str(report)`` wrap at this width (formulas stay whole).
WIDTH = 96


# --- the tolerance ----------------------------------------------------------------------------


def tolerance(right: Any, digits: int = 3, *, roundoff: float | None = None) -> Any:
    """How far an answer may be from ``right`` and still count: half a unit in its
    ``digits``-th significant digit (what rounding to ``digits`` significant digits can
    change), plus ``roundoff``, a floor for the rounding errors of floating point, so that
    an entry that is 0 one way of computing it and 1e-17 another is right. By default the
    floor is 16 units of ``right``'s precision times its largest entry, and at least 1e-12;
    :func:`check` measures it against the largest of the numbers that were added up.

    >>> f"{tolerance(8.0):.3g}", f"{tolerance(0.012345):.3g}"  # 8.00 ± 0.005, 0.0123 ± 0.00005
    ('0.005', '5e-05')
    """
    r = np.abs(np.asarray(right, dtype=np.float64))
    finite = np.isfinite(r) & (r > 0)
    places = np.floor(np.log10(np.where(finite, r, 1.0)))
    half_unit = np.where(finite, 0.5 * 10.0 ** (places - digits + 1), 0.0)
    if roundoff is None:
        roundoff = _roundoff(right, r)
    return half_unit * (1 + 1e-9) + roundoff


def is_right(yours: Any, right: Any, digits: int = 3, *, roundoff: float | None = None) -> Any:
    """Entry by entry, whether ``yours`` counts as ``right`` (see :func:`tolerance`): an
    answer rounded to ``digits`` significant digits is right; NaN matches NaN, ∞ matches ∞.

    >>> bool(is_right(0.123, 0.12345)), bool(is_right(0.124, 0.12345)), bool(is_right(8, 8.0))
    (True, False, True)
    """
    y = np.asarray(yours, dtype=np.float64)
    r = np.asarray(right, dtype=np.float64)
    if roundoff is None:
        roundoff = _roundoff(right)
    with np.errstate(invalid="ignore"):
        close = np.abs(y - r) <= tolerance(r, digits, roundoff=roundoff)
    return close | (y == r) | (np.isnan(y) & np.isnan(r))


def _roundoff(number: Any, *scales: Any) -> float:
    """16 units of ``number``'s precision (float32's for a float32 array) times the largest
    entry among ``number`` and ``scales``, at least 1e-12."""
    dtype = getattr(number, "dtype", np.dtype(np.float64))
    eps = float(np.finfo(dtype if dtype.kind == "f" else np.float64).eps)
    largest = 0.0
    for x in (number, *scales):
        magnitude = np.abs(np.asarray(x, dtype=np.float64))
        finite = np.where(np.isfinite(magnitude), magnitude, 0.0)
        largest = max(largest, float(np.max(finite, initial=0.0)))
    return max(1e-12, 16 * eps * largest)


# --- what the report holds --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Term:
    """One path by which the gradient arrives at a node: a term of its chain-rule sum,
    ``d(root)/d(output) · d(output)/d(node)``, as backward computed it (``step``), with its
    numbers as floats or numpy arrays: ``upstream`` d(root)/d(output), ``local``
    d(output)/d(node) (None for an array rule) and ``contribution``, their product."""

    step: Step
    upstream: Any
    local: Any
    contribution: Any

    @property
    def output(self) -> Any:
        """The node that uses this one (the path goes through it)."""
        return self.step.output


@dataclass(eq=False)
class Answer:
    """One answer checked: ``yours`` beside ``right`` (d(root)/d(node)), ``ok`` if it counts.

    ``terms`` are the paths the gradient arrives by; ``cause`` says why a wrong answer is
    wrong (empty for a right one); for a Tensor, ``worst`` is the index of the entry furthest
    out and ``wrong_entries`` how many entries are wrong.
    """

    node: Any
    name: str
    derivative: str
    yours: Any
    right: Any
    ok: bool
    terms: tuple[Term, ...]
    cause: str = ""
    worst: tuple[int, ...] | None = None
    wrong_entries: int = 0
    detail: list[str] = field(default_factory=list)
    #: The floor of the tolerance: roundoff, measured against the numbers that were added up.
    roundoff: float = 0.0

    def __str__(self) -> str:
        if self.worst is None:
            if self.ok:
                return narrated(f"✓ {self.derivative} = {_number_text(self.yours)}")
            if np.shape(self.yours) != np.shape(self.right):
                return narrated(f"✗ {self.derivative}: {self.cause}")
            return narrated(
                f"✗ {self.derivative} = {_number_text(self.yours)}, but it is "
                f"{_number_text(self.right)}"
            )
        shape = _shape_text(np.shape(self.right))
        y, r = _entry(self.yours, self.worst), _entry(self.right, self.worst)
        at = _index_text(self.worst)
        if self.ok:
            gap = fmt(float(np.max(np.abs(_float(self.yours) - _float(self.right)))))
            return narrated(f"✓ {self.derivative} {shape}: every entry right (largest gap {gap})")
        size = int(np.size(self.right))
        return narrated(
            f"✗ {self.derivative} {shape}: {self.wrong_entries} of {size} entries wrong; the "
            f"worst, {at}: yours {fmt(y)}, right {fmt(r)}"
        )


class CheckReport:
    """What :func:`check` found: ``ok`` when every answer is right, ``first_wrong`` the first
    wrong node in backward order (None if none), ``answers`` each :class:`Answer` in backward
    order. ``str(report)`` is the text a learner reads; a notebook shows it as HTML.

    >>> from autograd import Value, check
    >>> x = Value(3.0, "x"); y = x * x; y.label = "y"
    >>> report = check(y, {x: 6.0})
    >>> bool(report), report.first_wrong, [a.derivative for a in report.answers]
    (True, None, ['dy/dx'])
    """

    def __init__(self, answers: Sequence[Answer], digits: int) -> None:
        self.answers = tuple(answers)
        self.digits = digits

    @property
    def ok(self) -> bool:
        """Whether every answer given is right."""
        return all(answer.ok for answer in self.answers)

    def __bool__(self) -> bool:
        return self.ok

    @property
    def wrong(self) -> tuple[Answer, ...]:
        """The wrong answers, in backward order."""
        return tuple(answer for answer in self.answers if not answer.ok)

    @property
    def first_wrong(self) -> Any:
        """The first wrong node in backward order (nearest the root), or None."""
        wrong = self.wrong
        return wrong[0].node if wrong else None

    def lines(self) -> list[tuple[str, str]]:
        """The report as ``(kind, text)`` lines: kinds ``head``, ``right``, ``wrong``,
        ``because`` (the cause of a wrong one told without a block of its own), ``blank``,
        ``title``, ``detail`` and ``note``; ``str()`` and the HTML are made from these."""
        count, wrong = len(self.answers), self.wrong
        if not count:
            head = "check: no answers given"
        elif not wrong:
            head = "check: the answer is right" if count == 1 else f"check: all {count} right"
        else:
            head = (
                f"check: {count - len(wrong)} of {count} answer{'s' if count > 1 else ''} right; "
                f"the first wrong one, in backward order, is {wrong[0].derivative}"
            )
        out = [("head", head)]
        for answer in self.answers:
            line = str(answer)
            out.append(("right" if answer.ok else "wrong", line))
            if not answer.ok and not answer.detail and answer.cause not in line:
                out.append(("because", answer.cause))
        for answer in wrong:
            if answer.detail:
                out.append(("blank", ""))
                out.append(("title", answer.detail[0]))
                out += [("detail", line) for line in answer.detail[1:]]
        if wrong:
            out += [("blank", ""), ("note", _rule(self.digits))]
        return [(kind, narrated(text)) for kind, text in out]

    def __str__(self) -> str:
        indent = {"right": "  ", "wrong": "  ", "because": "      ", "detail": "  "}
        out = []
        for kind, text in self.lines():
            line = indent.get(kind, "") + text
            # A sentence wraps; a chain-rule line (a formula) stays whole.
            if len(line) > WIDTH and (kind in ("because", "note") or "why: " in text):
                lead = line[: len(line) - len(line.lstrip())]
                more = lead + ("      " if "why: " in text else "")
                out.append(
                    textwrap.fill(line.strip(), WIDTH, initial_indent=lead, subsequent_indent=more)
                )
            else:
                out.append(line)
        return "\n".join(out).rstrip()

    def __repr__(self) -> str:
        wrong = self.wrong
        first = f"; first wrong: {wrong[0].derivative}" if wrong else ""
        return f"<CheckReport: {len(self.answers)} answers, {len(wrong)} wrong{first}>"

    def _repr_html_(self) -> str:
        colours = {"right": "#1a7f37", "wrong": "#cf222e"}
        rows = []
        for kind, text in self.lines():
            if kind == "blank":
                continue
            style = "margin:0;font-family:monospace;white-space:pre-wrap"
            if kind in colours:
                style += f";color:{colours[kind]};padding-left:1em"
            elif kind == "detail":
                style += ";padding-left:1em"
            elif kind == "because":
                style += ";padding-left:3em"
            elif kind in ("head", "title"):
                style += ";font-weight:bold;margin-top:0.5em"
            elif kind == "note":
                style += ";color:#777;font-size:smaller;margin-top:0.5em"
            rows.append(f'<p style="{style}">{html.escape(text)}</p>')
        return f'<div class="tracegrad-check">{"".join(rows)}</div>'


def _rule(digits: int) -> str:
    return (
        f"(right means: the same to {digits} significant digits; check(..., digits=n) changes that)"
    )


# --- numbers ----------------------------------------------------------------------------------


def _as_numbers(answer: Any, scalar: bool, name: str) -> Any:
    """An answer as a float (for a Value, ``scalar``) or an array (for a Tensor)."""
    if hasattr(answer, "parents") and hasattr(answer, "data"):
        answer = answer.data  # a Value or a Tensor given as the answer
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool):
        return float(answer)
    try:
        numbers_ = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"check: the answer for {name} must be a number (or an array, for a Tensor), got "
            f"{type(answer).__name__} {answer!r:.60}"
        ) from None
    return float(numbers_) if scalar and numbers_.size == 1 else numbers_


def _numbers(x: Any) -> Any:
    """A number of the graph (a grad, a share, a local derivative) as a float or an array."""
    if x is None or isinstance(x, float):
        return x
    if hasattr(x, "parents") and isinstance(getattr(x, "data", None), float):
        return x.data  # a Value (a gradient built with create_graph)
    return np.asarray(x)


def _float(x: Any) -> Any:
    return np.asarray(x, dtype=np.float64)


def _same(a: Any, b: Any) -> bool:
    return bool(np.shape(a) == np.shape(b) and np.allclose(_float(a), _float(b), equal_nan=True))


def _entry(number: Any, at: tuple[int, ...] | None) -> float:
    array = _float(number)
    return float(array[at]) if at is not None and array.ndim else float(array)


def _worst(yours: Any, right: Any, digits: int, roundoff: float) -> tuple[int, ...]:
    """The entry furthest from right, measured in tolerances."""
    y, r = _float(yours), _float(right)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.abs(y - r) / tolerance(r, digits, roundoff=roundoff)
    ratio = np.where(np.isnan(ratio), np.where(np.isnan(y) & np.isnan(r), 0.0, np.inf), ratio)
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(ratio)), r.shape))


def _multiple(yours: Any, right: Any) -> int | None:
    """``k`` when ``yours`` is k times ``right`` for a whole k from 2 to 9."""
    y, r = _float(yours), _float(right)
    if not np.any(r):
        return None
    for k in range(2, 10):
        if np.all(is_right(y, k * r)):
            return k
    return None


def _number_text(number: Any) -> str:
    if np.ndim(number):
        return _shape_text(np.shape(number))
    return fmt(float(number))


def _shape_text(shape: tuple[int, ...]) -> str:
    return "[" + "×".join(map(str, shape)) + "]"


def _index_text(at: tuple[int, ...]) -> str:
    return "[" + ", ".join(map(str, at)) + "]"


def _paren(text: str) -> str:
    return f"({text})" if text.startswith(("-", "−")) else text


def _shape_cause(name: str, yours: Any, right: Any) -> str:
    mine, its = np.shape(yours), np.shape(right)
    text = (
        f"yours has shape {_shape_text(mine)}, but {name} is {_shape_text(its)}: a gradient "
        "has the shape of its node"
    )
    if np.size(yours) > np.size(right):
        text += " (sum over the axes that broadcasting stretched)"
    return text
