"""The backward pass as a quiz: at each chain-rule step the learner gives the number the
step ends with (its contribution) before it is shown.

:func:`questions` reads the steps of backward (the narration's own :class:`Step`, so the
words are the same as ``explain``'s) into :class:`Question` s; :meth:`Question.judge` says
whether an answer is right (to 3 significant digits, as :func:`~autograd.tools.check.check`)
and, if not, which factor of upstream · local it got wrong. The lesson page's quiz reads the
same questions, and :func:`run_quiz` asks them in a terminal (``tracegrad quiz``).

    >>> from autograd import Value
    >>> x, w = Value(2.0, "x"), Value(3.0, "w")
    >>> y = w * x; y.label = "y"
    >>> first = questions(y)[0]
    >>> first.prompt
    'dy/dw = ?'
    >>> first.judge(2.0).right, first.judge(3.0).wrong_factor
    (True, 'local')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..engine.graph import grads_from_zero, topological_order
from ..engine.notation import CONSTANT, fmt
from ..narration.names import Namer, narrated
from ..narration.steps import Step, backward_steps
from .answers import is_right

__all__ = ["Question", "Verdict", "questions", "run_quiz"]


@dataclass(frozen=True)
class Verdict:
    """What an answer to one question was: ``right``, and if not which factor of
    upstream · local it got wrong (``"upstream"`` or ``"local"``) and why, in ``text``."""

    right: bool
    wrong_factor: str | None
    text: str


@dataclass(frozen=True, eq=False)
class Question:
    """One backward step asked as a question.

    ``prompt`` is the chain rule in the graph's names, ending ``= ?``; ``answer`` the
    step's contribution, upstream · local (``upstream`` d(root)/d(output), ``local``
    d(output)/d(input), their names ``upstream_name`` and ``local_name``, the local
    derivative's rule ``formula``). ``path`` is ``(k, n)``: the k-th of the n paths by which
    the input's gradient arrives, ``earlier`` the contributions of the paths before it.
    """

    step: Step
    prompt: str
    upstream_name: str
    local_name: str
    upstream: float
    local: float
    answer: float
    formula: str
    path: tuple[int, int]
    earlier: tuple[float, ...]
    input_name: str
    from_root: bool
    #: The input's whole gradient, every path added (the same as ``answer`` for one path).
    total: float
    #: The name of the step's output (the node the path goes through).
    output_name: str = ""
    #: How many times the step's output uses its input (2 for x · x: two paths at once).
    uses: int = 1

    @property
    def text(self) -> str:
        """The step as narration tells it, once answered."""
        return self.step.text

    def sum_text(self) -> str:
        """For a gradient that arrives by several paths: its sum so far, with the numbers.
        ``'x is used 2 times: path 2 adds 3, so dy/dx = 3 + 3 = 6'``"""
        k, n = self.path
        if n < 2:
            return ""
        parts = [*self.earlier, self.answer]
        total = math.fsum(parts)
        shown = " + ".join(_paren(fmt(p)) for p in parts)
        so_far = "" if k == n else f" so far ({n - k} more to come)"
        summed = f"{shown} = {fmt(total)}" if k > 1 else fmt(total)
        return narrated(
            f"{self.input_name} is used {n} times: path {k} adds {fmt(self.answer)}, "
            f"so {self.derivative} = {summed}{so_far}"
        )

    def judge(self, yours: float, digits: int = 3) -> Verdict:
        """Whether ``yours`` is this step's number (rounded to ``digits`` significant digits
        counts), and if not, which factor it got wrong."""
        if bool(is_right(yours, self.answer, digits)):
            return Verdict(True, None, "")
        up, local = self.upstream, self.local
        k, n = self.path
        if n > 1:  # a gradient by several paths: the learner may have added them already
            so_far = math.fsum([*self.earlier, self.answer])
            added = None
            if bool(is_right(yours, self.total, digits)):
                added = f"the whole {self.derivative}, all {n} paths added"
            elif k > 1 and bool(is_right(yours, so_far, digits)):
                added = f"the sum of the first {k} paths"
            elif self.uses > 1 and bool(is_right(yours, self.uses * self.answer, digits)):
                added = (
                    f"all {self.uses} paths through {self.output_name} at once (it uses "
                    f"{self.input_name} {self.uses} times)"
                )
            if added:
                return Verdict(
                    False,
                    None,
                    narrated(
                        f"yours {fmt(yours)} is {added}; this step asks what path {k} of {n} "
                        f"adds: {fmt(self.answer)}"
                    ),
                )
        sum_text = f"{_paren(fmt(up))} · {_paren(fmt(local))} = {fmt(self.answer)}"
        head = f"yours {fmt(yours)}, right {fmt(self.answer)}: "
        if self.from_root:
            head += f"{self.local_name} = {self.rule}"
            return Verdict(False, "local", narrated(head + _local_why(yours, local)))
        head += f"{self.upstream_name} · {self.local_name} = {sum_text}"
        if up == 0 or (bool(is_right(yours, local, digits)) and not is_right(up, 1.0)):
            why = f"; the upstream factor {self.upstream_name} is {fmt(up)}" + (
                ": your number is the local derivative alone" if up != 0 else ""
            )
            return Verdict(False, "upstream", narrated(head + why))
        implied = yours / up
        return Verdict(
            False,
            "local",
            narrated(
                head
                + f"; the local factor {self.local_name} = {self.rule}"
                + _local_why(implied, local)
            ),
        )

    @property
    def derivative(self) -> str:
        """What the step adds to: ``dy/dx``."""
        return self.prompt.split(" = ")[0].split(" += ")[0]

    @property
    def rule(self) -> str:
        """The local derivative's rule and its number: ``x = 2``, or ``1`` alone."""
        number = fmt(self.local)
        return number if self.formula == number else f"{self.formula} = {number}"


def _local_why(implied: float, local: float) -> str:
    if bool(is_right(implied, -local)):
        return ": your sign is flipped"
    if bool(is_right(implied, 1.0)):
        return ": you passed the upstream on unchanged"
    return f", and your number means {fmt(implied)}"


def questions(root: Any, *, names: Mapping[str, Any] | None = None) -> list[Question]:
    """Every backward step from ``root`` with one number (a Value's, or a one-entry
    Tensor's) as a :class:`Question`, in backward order. Every ``.grad`` is put back."""
    order = topological_order(root)
    namer = Namer(order, names)
    d_root = namer.d(root)
    asked: list[Question] = []
    earlier: dict[int, list[float]] = {}
    paths: dict[int, int] = {}
    for node in order:
        for parent in node.parents:
            if parent.owner is not CONSTANT and getattr(parent, "requires_grad", True):
                paths[id(parent)] = paths.get(id(parent), 0) + 1
    with grads_from_zero(order):
        for step in backward_steps(root, names=names):
            numbers = [_number(x) for x in (step.upstream, step.local, step.contribution)]
            if any(n is None for n in numbers):
                continue  # an array step: shown, not asked
            upstream, local, answer = (float(n) for n in numbers)  # type: ignore[arg-type]
            out, into = step.output, step.input
            d_out, d_in = namer.d(out), namer.d(into)
            upstream_name, local_name = f"{d_root}/{d_out}", f"{d_out}/{d_in}"
            n = paths.get(id(into), 1)
            before = earlier.setdefault(id(into), [])
            assign = "+=" if n > 1 else "="
            if out is root:
                prompt = f"{d_root}/{d_in} {assign} ?"
            else:
                prompt = f"{d_root}/{d_in} {assign} {upstream_name} · {local_name} = ?"
            if n > 1:
                prompt += f"  (path {len(before) + 1} of {n})"
            formula = step.formula.split(" = ", 1)[1] if " = " in step.formula else step.formula
            asked.append(
                Question(
                    step=step,
                    prompt=narrated(prompt),
                    upstream_name=upstream_name,
                    local_name=local_name,
                    upstream=upstream,
                    local=local,
                    answer=answer,
                    formula=narrated(formula),
                    path=(len(before) + 1, n),
                    earlier=tuple(before),
                    input_name=namer.name(into),
                    from_root=out is root,
                    total=0.0,
                    output_name=namer.name(out),
                    uses=sum(1 for p in out.parents if p is into),
                )
            )
            before.append(answer)
    # Each input's whole gradient, once every path has arrived.
    return [replace(q, total=math.fsum(earlier[id(q.step.input)])) for q in asked]


def _number(x: Any) -> float | None:
    if x is None:
        return None
    if isinstance(x, float):
        return x
    try:
        return float(x) if getattr(x, "size", 1) == 1 else None
    except (TypeError, ValueError):
        return None


def _paren(text: str) -> str:
    return f"({text})" if text.startswith(("-", "−")) else text


# --- the quiz in a terminal -----------------------------------------------------------------

REVEAL = ("?", "reveal", "r")
QUIT = ("q", "quit", "exit")


def run_quiz(
    root: Any,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
    *,
    names: Mapping[str, Any] | None = None,
    forward: str = "",
) -> tuple[int, int]:
    """Ask every question of ``root``'s backward pass: ``read`` gets a line (``input``),
    ``write`` shows one (``print``). A right answer shows the step and moves on; a wrong one
    shows the learner's number beside the right one, the chain-rule product and the factor
    that is wrong, and asks again; ``?`` shows the step, ``q`` (or the end of input) stops.
    Returns ``(right the first time, questions)``.

    >>> from autograd import Value
    >>> x = Value(2.0, "x"); y = x * x; y.label = "y"
    >>> typed = iter(["3", "2", "?"])
    >>> run_quiz(y, lambda prompt: next(typed), lambda line: None)
    (0, 2)
    """
    asked = questions(root, names=names)
    if forward:
        write(forward)
    write(
        f"Backward: {len(asked)} step{'s' if len(asked) != 1 else ''}. Type the number each "
        "step ends with, then Enter (? shows it, q stops)."
    )
    first_time = 0
    for k, question in enumerate(asked, 1):
        write("")
        tries = 0
        while True:
            try:
                typed = read(f"step {k} of {len(asked)}: {question.prompt} ").strip()
            except EOFError:
                typed = "q"
            if typed.lower() in QUIT:
                write(f"\nStopped. Right the first time: {first_time} of {k - 1}.")
                return first_time, len(asked)
            if typed.lower() in REVEAL:
                write(f"  shown: {question.text}")
                break
            try:
                yours = float(typed.replace("−", "-"))
            except ValueError:
                write("  a number, please (e.g. 8 or -1.5); ? shows the step, q stops")
                continue
            tries += 1
            verdict = question.judge(yours)
            if verdict.right:
                first_time += tries == 1
                write(f"  ✓ {question.text}")
                break
            write(f"  ✗ {verdict.text}")
            write("  try again, or ? to show the step")
        accumulated = question.sum_text()
        if accumulated:
            write(f"  {accumulated}")
    write(f"\nRight the first time: {first_time} of {len(asked)}.")
    return first_time, len(asked)
