"""Exercises: the learner does the backward pass, :func:`check` finds the first wrong step.

The learner works out d(root)/d(node) for some nodes (by hand, or with their own backward
code, as backprop ninja does) and hands the numbers over; ``check`` runs the engine's own
backward (from zero, every ``.grad`` put back afterwards) and says which answers are right,
which one is the first wrong one in backward order, its chain-rule sum with numbers, and
why it is wrong: a term, a path left out, or an upstream gradient that was wrong already.

    >>> from autograd import Value
    >>> x, w, b = Value(2.0, "x"), Value(3.0, "w"), Value(1.0, "b")
    >>> y = w * x + b; y.label = "y"
    >>> loss = (y - 5) ** 2; loss.label = "loss"
    >>> report = check(loss, {y: 4, w: 4, x: 12, b: 4})
    >>> report.ok, report.first_wrong is w
    (False, True)
    >>> print(report)  # doctest: +NORMALIZE_WHITESPACE
    check: 3 of 4 answers right; the first wrong one, in backward order, is dloss/dw
      ✓ dloss/dy = 4
      ✓ dloss/db = 4
      ✗ dloss/dw = 4, but it is 8
      ✓ dloss/dx = 12
    <BLANKLINE>
    dloss/dw, by the chain rule (w is used once):
      dloss/dw = dloss/d(w · x) · d(w · x)/dw = 4 · x = 4 · 2 = 8
      yours: 4
      why: with the right dloss/d(w · x) = 4, the local derivative is wrong: d(w · x)/dw = x = 2,
            and your 4 means 1: that is dloss/d(w · x) passed on unchanged, d(w · x)/dw left out
    <BLANKLINE>
    (right means: the same to 3 significant digits; check(..., digits=n) changes that)
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ..engine.graph import grads_from_zero, topological_order, walk
from ..engine.notation import CONSTANT, fmt
from ..narration.names import Namer, narrated
from ..narration.steps import Step, backward_steps
from .answers import (
    Answer,
    CheckReport,
    Term,
    _as_numbers,
    _entry,
    _float,
    _index_text,
    _multiple,
    _number_text,
    _numbers,
    _paren,
    _roundoff,
    _same,
    _shape_cause,
    _worst,
    is_right,
)

__all__ = ["check"]

#: How a term that never arrived is told.
NOTHING = "nothing arrived"
#: Up to this many paths into one node, every subset is tried to find the ones left out.
SUBSETS_UP_TO = 10


# --- check ------------------------------------------------------------------------------------


def check(
    root: Any,
    answers: Mapping[Any, Any] | Iterable[tuple[Any, Any]] | None = None,
    *,
    names: Mapping[str, Any] | None = None,
    digits: int = 3,
) -> CheckReport:
    """Compare the learner's gradients with backward's: d(root)/d(node) for any nodes.

    ``answers`` maps nodes, or their names (labels, or the names ``names=`` gives), to the
    learner's d(root)/d(node): a number for a Value, an array or Tensor of the node's shape
    for a Tensor; a list of ``(node, answer)`` pairs works too. Without ``answers`` each
    node's ``.grad`` is its answer, as after a backward pass done by hand with
    ``node._backward()``. ``names`` (a dict such as ``locals()``) names the unlabelled nodes
    in the report. No ``.grad`` is changed.

    An answer is right when it rounds to the right number's first ``digits`` significant
    digits (within half a unit of the last: 0.123 for 0.12345, 8 or 8.004 for 8), with a
    floor for roundoff; a Tensor must be right in every entry, and the report names the
    worst. For the first wrong answer in backward order the report gives its chain-rule
    sum with numbers, your number beside the right one, and the cause: the term that is
    wrong (when your upstream gradients are right), a path left out, a path counted twice,
    or an upstream gradient that was already wrong.

    >>> from autograd import Value
    >>> t = Value(3.0, "t"); a = t * t; a.label = "a"; out = a + t; out.label = "out"
    >>> print(check(out, {"t": 6}).answers[0].cause)  # doctest: +NORMALIZE_WHITESPACE
    t is used 3 times, so dout/dt adds up 3 paths: 1 + 3 + 3 = 7, and yours is 6: the path
    through out is left out
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 15:
        raise ValueError(f"check: digits must be a whole number from 1 to 15, not {digits!r}")
    order = topological_order(root)
    namer = Namer(order, names)
    if answers is None:
        given = [
            (node, node.grad)
            for node in order
            if node.owner is not CONSTANT and node.grad is not None
        ]
    else:
        given = _resolve(order, namer, answers, names)
    terms: dict[int, list[Term]] = {}
    shares: dict[tuple[int, int], Term] = {}
    with grads_from_zero(order):
        for step in backward_steps(root, names=names):
            _keep(step, terms, shares)
        rights = {id(node): _numbers(node.grad) for node in order}
    reader = _Reader(root, namer, rights, terms, shares, digits, answers is None)
    for node, answer in sorted(given, key=lambda pair: reader.position(pair[0])):
        reader.compare(node, answer)
    with grads_from_zero(order):
        reader.follow_your_answers(order)
    reader.explain_wrong()
    return CheckReport(list(reader.answered.values()), digits)


def _keep(step: Step, terms: dict[int, list[Term]], shares: dict[tuple[int, int], Term]) -> None:
    term = Term(step, _numbers(step.upstream), _numbers(step.local), _numbers(step.contribution))
    terms.setdefault(id(step.input), []).append(term)
    shares[(id(step.output), step.input_index)] = term


def _resolve(
    order: Sequence[Any],
    namer: Namer,
    answers: Mapping[Any, Any] | Iterable[tuple[Any, Any]],
    names: Mapping[str, Any] | None,
) -> list[tuple[Any, Any]]:
    """The answers as ``(node, answer)`` pairs, each key found in the graph."""
    in_graph = {id(node): node for node in order}
    by_name: dict[str, Any] = {}
    for node in order:
        if node.owner is not CONSTANT:
            by_name.setdefault(namer.name(node), node)
            if node.label:
                by_name.setdefault(node.label, node)
    for name, node in (names or {}).items():
        if isinstance(name, str) and id(node) in in_graph:
            by_name.setdefault(name, node)
    pairs = answers.items() if isinstance(answers, Mapping) else answers
    found: list[tuple[Any, Any]] = []
    seen: set[int] = set()
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(
                f"check: answers are a dict from node (or name) to gradient, or a list of "
                f"(node, gradient) pairs; got {pair!r:.60}"
            )
        key, answer = pair
        if isinstance(key, str):
            if key not in by_name:
                known = ", ".join(sorted(by_name)[:12])
                raise KeyError(f"check: no node called {key!r} in this graph; its names: {known}")
            node = by_name[key]
        elif id(key) in in_graph:
            node = key
        else:
            raise ValueError(
                f"check: an answer is for {key!r:.60}, which is not a node of the graph "
                "behind the root"
            )
        if node.owner is CONSTANT:
            raise ValueError(f"check: {namer.name(node)} is a plain number: it has no gradient")
        if id(node) in seen:
            raise ValueError(f"check: two answers for {namer.name(node)}")
        seen.add(id(node))
        found.append((node, answer))
    return found


class _Reader:
    """Reads each answer against backward's numbers, and says why a wrong one is wrong."""

    def __init__(
        self,
        root: Any,
        namer: Namer,
        rights: dict[int, Any],
        terms: dict[int, list[Term]],
        shares: dict[tuple[int, int], Term],
        digits: int,
        from_grads: bool,
    ) -> None:
        self.root = root
        self.namer = namer
        self.rights = rights
        self.terms = terms
        self.shares = shares
        self.digits = digits
        self.from_grads = from_grads  # the answers are the nodes' .grad (answers=None)
        self.d_root = namer.d(root)
        # Backward order: a node comes when its gradient is complete, after the last step into
        # it (the root first; w before x when w · x hands both their gradients).
        self._position = {id(root): 0}
        for key, arriving in terms.items():
            self._position[key] = max(term.step.index for term in arriving)
        self.answered: dict[int, Answer] = {}
        # Backward again with the learner's answers in place of backward's (follow_your_answers):
        # each node's gradient as the learner's numbers above it make it, and the wrong
        # answers above that it came through.
        self.yours_from_above: dict[int, Any] = {}
        self.wrong_above: dict[int, frozenset[int]] = {}
        self.not_followed: set[int] = set()  # answers that could not take backward's place

    @staticmethod
    def summed(term: Term, right: Any) -> tuple[Any, Any]:
        """How large the numbers were that rounding errors come from in this term: its
        upstream times how many of its entries are added into each entry of the node (a
        bias's gradient sums a whole batch), and the term itself."""
        count = max(1, np.size(term.upstream) // max(1, np.size(right)))
        return np.max(np.abs(_float(term.upstream)), initial=0.0) * count, term.contribution

    def position(self, node: Any) -> int:
        return self._position.get(id(node), len(self._position) + 1)  # unreached: last

    def derivative(self, node: Any) -> str:
        return f"{self.d_root}/{self.namer.d(node)}"

    # --- one answer against the right one ---------------------------------------------------

    def compare(self, node: Any, answer: Any) -> None:
        right = self.rights[id(node)]
        name = self.namer.name(node)
        if right is None:
            raise ValueError(
                f"check: {name} needs no gradient (requires_grad is False), so there is "
                "nothing to check"
            )
        yours = _as_numbers(answer, isinstance(right, float), name)
        terms = tuple(self.terms.get(id(node), ()))
        checked = Answer(node, name, self.derivative(node), yours, right, False, terms)
        self.answered[id(node)] = checked
        if np.shape(yours) != np.shape(right):
            if np.size(yours) == 1 and np.size(right) == 1:
                yours = checked.yours = np.reshape(yours, np.shape(right))
            else:
                checked.cause = _shape_cause(name, yours, right)
                return
        sizes = (size for term in terms for size in self.summed(term, right))
        checked.roundoff = _roundoff(right, *sizes)
        fine = is_right(yours, right, self.digits, roundoff=checked.roundoff)
        checked.ok = bool(np.all(fine))
        if np.ndim(right) > 0:
            checked.wrong_entries = int(np.size(fine) - np.count_nonzero(fine))
            checked.worst = _worst(yours, right, self.digits, checked.roundoff)

    def follow_your_answers(self, order: Sequence[Any]) -> None:
        """The engine's backward loop once more, watched: when a node's gradient is complete
        (its last path has arrived) and the learner answered for it, the learner's answer
        takes its place before the node passes it on. So every node gets the gradient the
        learner's own numbers above it imply, and the set of wrong answers it came through.
        The caller is inside :func:`grads_from_zero`: every grad is put back."""
        arrived: dict[int, int] = {}
        above, values, answered = self.wrong_above, self.yours_from_above, self.answered
        nothing: frozenset[int] = frozenset()
        passed_on: dict[int, frozenset[int]] = {}  # the wrong answers each node hands on

        def observe(node: Any, i: int, parent: Any, local: Any, share: Any) -> None:
            key = id(parent)
            if key not in self.terms:
                return  # a plain number: no gradient to follow
            above[key] = above.get(key, nothing) | passed_on.get(id(node), nothing)
            arrived[key] = arrived.get(key, 0) + 1
            if arrived[key] < len(self.terms[key]):
                return
            values[key] = _numbers(parent.grad)
            answer = answered.get(key)
            passed_on[key] = above[key]
            if answer is not None:
                passed_on[key] = nothing if answer.ok else frozenset({key})
                # An answer of the wrong shape cannot take the place (said already): backward's
                # own gradient goes on.
                try:
                    parent.grad = parent.seed(answer.yours)
                except (ValueError, TypeError, RuntimeError):
                    self.not_followed.add(key)

        deque(walk(self.root, order=order, observer=observe), maxlen=0)

    # --- why a wrong answer is wrong --------------------------------------------------------

    def explain_wrong(self) -> None:
        for answer in self.answered.values():  # backward order: every upstream answer first
            if answer.ok or np.shape(answer.yours) != np.shape(answer.right):
                continue  # right, or of the wrong shape (said on the answer's own line)
            if answer.node is self.root:
                answer.cause = f"{answer.derivative} is 1: backward starts at the result itself"
            elif self.wrong_above.get(id(answer.node)):
                answer.cause = self.upstream_cause(answer)
            else:
                answer.cause = self.term_cause(answer)
                answer.detail = self.chain_rule(answer)

    def chain_rule(self, answer: Answer) -> list[str]:
        terms, at = answer.terms, answer.worst
        count = len(terms)
        uses = "once" if count == 1 else f"{count} times"
        lines = [f"{answer.derivative}, by the chain rule ({answer.name} is used {uses}):"]
        for term in terms:
            lines.append(term.step.text)
            if term.local is None:
                lines.append(f"    [{term.step.formula}]")
        if at is not None:
            parts = [_paren(fmt(_entry(t.contribution, at))) for t in terms]
            right = fmt(_entry(answer.right, at))
            sum_text = " + ".join(parts) + f" = {right}" if count > 1 else right
            lines.append(f"at the worst entry, {_index_text(at)}: {sum_text}")
            lines.append(f"yours there: {fmt(_entry(answer.yours, at))}")
        elif count > 1:
            parts = [_paren(fmt(float(t.contribution))) for t in terms]
            lines.append(f"sum of the paths: {' + '.join(parts)} = {fmt(float(answer.right))}")
            lines.append(f"yours: {_number_text(answer.yours)}")
        else:
            lines.append(f"yours: {_number_text(answer.yours)}")
        lines.append(f"why: {answer.cause}")
        return lines

    def upstream_cause(self, answer: Answer) -> str:
        """The cause when a wrong answer above reaches this one: point up to it, and say
        whether this step is right from the learner's own numbers."""
        sources = sorted(self.wrong_above[id(answer.node)], key=lambda k: self._position[k])
        named = " and ".join(self.answered[key].derivative for key in sources)
        them = "it" if len(sources) == 1 else "them"
        text = f"your {named} above was already wrong: fix {them} first"
        implied = self.yours_from_above.get(id(answer.node))
        if any(key in self.not_followed for key in sources):
            return text + " (its shape is wrong, so your numbers cannot be followed past it)"
        if implied is None or np.shape(implied) != np.shape(answer.yours):
            return text
        if np.all(is_right(answer.yours, implied, self.digits, roundoff=answer.roundoff)):
            return text + "; from your numbers, this step itself is right"
        at = answer.worst
        where = "" if at is None else f" at {_index_text(at)}"
        shown = fmt(_entry(implied, at))
        return text + f"; this step is wrong too: from your numbers it would be {shown}{where}"

    def term_cause(self, answer: Answer) -> str:
        """Why an answer is wrong when every upstream gradient the learner gave is right."""
        yours, right, terms, digits = answer.yours, answer.right, answer.terms, self.digits
        name, count = answer.name, len(terms)

        def near(candidate: Any) -> bool:
            return bool(np.all(is_right(yours, candidate, digits, roundoff=answer.roundoff)))

        if not terms:
            return f"no gradient reaches {name}: it is 0"
        times = _multiple(yours, right)
        if times and self.from_grads and not answer.node.parents:
            return (
                f"{name}.grad holds {times} times {answer.derivative}: .grad adds up, so "
                f"{times} backward passes without zero_grad() in between leave this"
            )
        numbers = [self.share_text(t, answer.worst) for t in terms]
        sum_text = f"{' + '.join(numbers)} = {self.entry_text(right, answer.worst)}"
        have = self.entry_text(yours, answer.worst)
        if count > 1:
            left_out = self.left_out(terms, near)
            if left_out is not None:
                which = " and ".join(self.path_name(terms, k) for k in left_out)
                verb = "is" if len(left_out) == 1 else "are"
                return (
                    f"{name} is used {count} times, so {answer.derivative} adds up {count} "
                    f"paths: {sum_text}, and yours is {have}: {which} {verb} left out"
                )
            for k, term in enumerate(terms):
                if near(right + term.contribution):
                    return (
                        f"{name} is used {count} times: {sum_text}, and yours is {have}: "
                        f"{self.path_name(terms, k)} is counted twice"
                    )
        found = []
        for k, term in enumerate(terms):
            for wrong_share, why in self.usual_mistakes(term):
                if near(right - term.contribution + wrong_share):
                    found.append((k, why))
                    break
        if len(found) == 1 or (count == 1 and found):
            k, why = found[0]
            return self.term_text(answer, terms[k], why, count)
        if count == 1:
            why = f"yours is {times} times the right one" if times else ""
            return self.term_text(answer, terms[0], why, 1)
        if times:
            return f"yours is {times} times {answer.derivative}"
        return (
            f"{name} is used {count} times: {sum_text}, and yours is {have}: at least one "
            "term is wrong (compare each path above with yours)"
        )

    def left_out(self, terms: Sequence[Term], near: Any) -> tuple[int, ...] | None:
        count = len(terms)
        sizes = range(1, count + 1) if count <= SUBSETS_UP_TO else (1, count - 1, count)
        for size in sizes:
            for missing in itertools.combinations(range(count), size):
                kept = [t.contribution for k, t in enumerate(terms) if k not in missing]
                total = sum(kept[1:], kept[0]) if kept else 0 * terms[0].contribution
                if near(total):
                    return missing
        return None

    def usual_mistakes(self, term: Term) -> list[tuple[Any, str]]:
        """The shares a learner often writes instead of this term, and what each means."""
        step = term.step
        out, d_out = step.output, self.namer.d(step.output)
        d_in = self.namer.d(step.input)
        upstream, share = term.upstream, term.contribution
        mistakes: list[tuple[Any, str]] = [(-share, "its sign is flipped")]
        if np.any(share):
            passed = f" (did {self.namer.name(out)}._backward() run?)" if self.from_grads else ""
            mistakes.append((0 * share, f"{NOTHING} from {self.namer.name(out)}{passed}"))
        if np.shape(upstream) == np.shape(share) and not _same(upstream, share):
            mistakes.append(
                (
                    upstream,
                    f"that is {self.d_root}/{d_out} passed on unchanged, {d_out}/{d_in} left out",
                )
            )
        if term.local is not None and not _same(term.local, share):
            mistakes.append(
                (term.local, f"{self.d_root}/{d_out} left out (the local derivative alone)")
            )
        for j, other in enumerate(out.parents):
            sibling = self.shares.get((id(out), j))
            if j == step.input_index or sibling is None or other is step.input:
                continue
            similar = np.shape(sibling.contribution) == np.shape(share)
            if similar and not _same(sibling.contribution, share):
                other_name, out_name = self.namer.name(other), self.namer.name(out)
                why = f"that is what {other_name}, the other input of {out_name}, gets (swapped)"
                mistakes.append((sibling.contribution, why))
        return mistakes

    def upstream_told(self, answer: Answer, term: Term) -> str:
        """``your dloss/dy = 4 is right`` (given), ``with the right dloss/dy = 4`` (not given)."""
        at = answer.worst
        if at is None:
            shown = f" = {_number_text(term.upstream)}"
        elif np.shape(term.upstream) == np.shape(answer.right):
            shown = f" ({fmt(_entry(term.upstream, at))} at {_index_text(at)})"
        else:
            shown = ""  # another shape: its entry at this index means nothing here
        told = f"{self.d_root}/{self.namer.d(term.output)}{shown}"
        if id(term.output) in self.answered:  # given, and right (else the cause is above)
            return f"your {told} is right"
        return f"with the right {told}"

    def term_text(self, answer: Answer, term: Term, why: str, count: int) -> str:
        step = term.step
        d_out = self.namer.d(step.output)
        local_name = f"{d_out}/{self.namer.d(answer.node)}"
        where = (
            "" if count == 1 else f" in {self.path_name(answer.terms, answer.terms.index(term))}"
        )
        told = self.upstream_told(answer, term)
        if why.startswith(NOTHING):
            return f"{told}, but {why}" if step.output is not self.root else why
        if step.output is self.root:  # d(root)/d(root) = 1: the local derivative is all
            text = f"the local derivative{where} is wrong"
        elif told.startswith("your"):
            text = f"{told}, so the local derivative{where} is wrong"
        else:
            text = f"{told}, the local derivative{where} is wrong"
        if term.local is not None and np.ndim(term.local) == 0:
            local = float(term.local)
            others = sum(float(t.contribution) for t in answer.terms if t is not term)
            upstream = float(term.upstream)
            formula = narrated(step.formula)
            if formula.startswith(f"{local_name} = ") and not formula.endswith(f"= {fmt(local)}"):
                text += f": {formula} = {fmt(local)}"
            else:
                text += f": {local_name} is {fmt(local)}"
            yours = float(answer.yours)
            if upstream != 0 and (yours - others) / upstream != yours:
                text += f", and your {fmt(yours)} means {fmt((yours - others) / upstream)}"
            elif upstream != 0:
                text += f", not {fmt(yours)}"
        else:
            text += f" ({step.formula})"
        return f"{text}: {why}" if why else text

    def path_name(self, terms: Sequence[Term], k: int) -> str:
        """``the path through a``; ``(path 2 of 3)`` added when another path goes through a."""
        out = terms[k].output
        text = f"the path through {self.namer.name(out)}"
        if sum(1 for t in terms if t.output is out) > 1:
            text += f" (path {k + 1} of {len(terms)})"
        return text

    def share_text(self, term: Term, at: tuple[int, ...] | None) -> str:
        return _paren(self.entry_text(term.contribution, at))

    @staticmethod
    def entry_text(number: Any, at: tuple[int, ...] | None) -> str:
        return fmt(_entry(number, at)) if at is not None else _number_text(number)
