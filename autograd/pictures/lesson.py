"""A lesson to click through: one self-contained HTML page per graph.

``lesson(root)`` turns the graph behind any Value or Tensor into a page that steps through
the forward pass (each value appears in topological order) and then every backward step,
with the graph drawn as :func:`~autograd.pictures.draw.draw_dot` draws it, the step's narration and
formula, and a table of the leaves with their gradients so far beside finite-difference
estimates. Clicking a node shows its whole chain-rule sum, path by path, with numbers.

The page needs nothing but a browser: the SVG, the script and the style are inline, and its
Content-Security-Policy forbids every network request. All data goes in as JSON and is
shown as text, so no label can run as code.

Example (not run as a doctest: it needs Graphviz's ``dot``, and writes a file):
    >>> from autograd import Value
    >>> x, w = Value(2.0, "x"), Value(3.0, "w")
    >>> y = w * x; y.label = "y"
    >>> lesson(y).save("y.html")  # doctest: +SKIP
    PosixPath('y.html')
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import os
import re
import string
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.graph import grads_from_zero
from ..engine.notation import CONSTANT, fmt
from ..engine.records import OpDomainError
from ..narration.explain import already_held
from ..narration.names import brief, narrated
from ..narration.steps import backward_steps
from ..tools.files import write_file
from ..tools.gradcheck import FiniteDifferences, numbers_of
from ..tools.quiz import questions
from .draw import _check_sample, _choose, notes
from .scene import Plan, _Scene
from .windows import window_pictures

__all__ = ["lesson", "Lesson"]

#: Paths listed one by one when a node is clicked; beyond this the page sums per consumer.
MAX_PATHS = 24
#: Finite differences cost two forward passes per estimate: this many node evaluations in all.
FD_BUDGET = 2_000_000
#: Entries of a Tensor leaf shown in the table (and estimated by finite differences).
TENSOR_ENTRIES = 3
FD_EPS = 1e-6
#: What counts as agreement between backward and finite differences (gradcheck's defaults).
ATOL, RTOL = 1e-5, 1e-3


class Lesson:
    """The page for one graph: ``save(path)`` writes it, a notebook shows it inline.

    ``html`` is the whole page. ``forward_steps`` and ``backward_steps`` count the values the
    forward pass computes and the chain-rule steps of backward.

    >>> page = Lesson("<!DOCTYPE html><p>a page</p>", "a page", 1, 2, height=480)
    >>> page
    Lesson('a page': 1 forward values, 2 backward steps)
    >>> page._repr_html_()[:63]
    '<iframe srcdoc="&lt;!DOCTYPE html&gt;&lt;p&gt;a page&lt;/p&gt;"'
    """

    def __init__(
        self, page: str, title: str, forward_steps: int, backward_steps: int, height: int
    ) -> None:
        self.html = page
        self.title = title
        self.forward_steps = forward_steps
        self.backward_steps = backward_steps
        self._height = height

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page (UTF-8) to exactly ``path``, making its folder if needed; returns it.

        Through :func:`~autograd.tools.files.write_file`: an interrupted save leaves any earlier
        file as it was; a symbolic link is followed; a folder, device, FIFO or read-only file
        is refused and left alone; a replaced page keeps its mode, a new one gets the umask's.
        """
        target = Path(path)
        if not target.parent.is_dir():
            target.parent.mkdir(parents=True)
        return write_file(target, self.html, what="Lesson.save")

    def _repr_html_(self) -> str:
        # In its own sandboxed frame: two lessons in one notebook share no ids, no script
        # state and no keyboard focus, and the page cannot reach the notebook.
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts"'
            f' title="{html.escape(self.title, quote=True)}"'
            f' style="width: 100%; height: {self._height}px; border: 1px solid #ddd;'
            ' resize: vertical"></iframe>'
        )

    def __repr__(self) -> str:
        return (
            f"Lesson({self.title!r}: {self.forward_steps} forward values, "
            f"{self.backward_steps} backward steps)"
        )


def lesson(
    root: Any,
    *,
    collapse: str | None = None,
    title: str | None = None,
    names: Mapping[str, Any] | None = None,
    quiz: bool = False,
    sample: int | None = None,
    whole: bool = False,
) -> Lesson:
    """The step-through page for the graph behind ``root`` (a Value or a one-number Tensor).

    ``collapse="neuron"`` (or ``"layer"``) folds groups into boxes as in ``draw_dot``;
    ``title`` heads the page; ``names`` (a dict such as ``locals()``, from name to node)
    names the unlabelled nodes it holds, on this page only. ``quiz=True`` makes the backward
    pass a quiz: each step with a number asks for it (in a box labelled "answer") before it
    is shown; a wrong answer shows the chain-rule product with the wrong factor marked, and
    may be tried again or revealed; the end gives the score. A big graph's picture is
    summarised as ``draw_dot`` does (the page says what was folded); ``sample=k`` draws term
    ``k`` of repeated terms, and ``whole=True`` every node. Backward is narrated as if every
    grad started at zero, and every grad is restored afterwards, as ``explain()`` does.
    Needs Graphviz's ``dot`` (without it: :class:`~autograd.pictures.draw.GraphvizNotFound`,
    with drawing's install hint).

    Not run as a doctest, since it needs ``dot``:

    >>> from autograd import Value
    >>> x = Value(2.0, "x"); y = (x * x).tanh(); y.label = "y"
    >>> page = lesson(y, title="tanh(x²)")  # doctest: +SKIP
    >>> page.forward_steps, page.backward_steps  # doctest: +SKIP
    (2, 3)
    """
    _check_sample(sample, whole, "lesson")
    # A quiz asks at every step of the graph as it is: its long chains are not folded.
    asked_plan = Plan(fold=not (whole or quiz), sample=sample, collapse=collapse)
    scene, _, why = _choose(root, "LR", asked_plan, whole, names)
    if quiz and scene.view.folded:
        raise ValueError(
            "lesson(quiz=True): this graph is too big to lay out step by step with its long "
            "sums written out; quiz a smaller part of it"
        )
    said = notes(scene, asked_plan, "lesson", why)
    builder = _Builder(scene)
    held = {id(leaf): leaf.grad for leaf in builder.leaves}  # from earlier passes, if any
    asked = _quiz(root, names) if quiz else None
    with grads_from_zero(scene.graph):
        builder.run_backward()
        before = already_held([n for n in builder.leaves if n.grad is not None], held, scene.namer)
        # Drawn with backward's final grads, so every box is wide enough for its numbers.
        svg = scene.draw("svg").pipe(format="svg", encoding="utf-8")
        leaf_grads = {id(leaf): leaf.grad for leaf in builder.leaves}
        for node, shown in zip(scene.order, builder.nodes):
            shown["noGrad"] = node.grad is None  # a Tensor that does not require grad
        windows = window_pictures(scene.order, builder.namer.name)
    leaves = builder.leaf_rows(leaf_grads)
    heading = title if title is not None else f"Backpropagation through {builder.root_name}"
    payload = {
        "title": heading,
        "root": len(scene.order) - 1,
        "maxPaths": MAX_PATHS,
        "nodes": builder.nodes,
        "formulas": builder.formulas,
        "groups": {box.id: [scene.index[o] for o in box.outputs] for box in scene.boxes.values()},
        # The kinds of group steps can be taken by, innermost first ("neuron", "layer").
        "kinds": sorted(scene.kinds(), key=lambda kind: -_depth(scene, kind)),
        "events": builder.events,
        "leaves": leaves,
        "notes": said,
        "held": [narrated(line.strip()) for line in before[2:]],  # after a blank and a heading
        "quiz": asked,
        "windows": {str(i): picture for i, picture in windows.items()},
    }
    page = _page(heading, _inline_svg(svg), payload, len(leaves))
    return Lesson(page, heading, builder.forward_count, builder.backward_count, _frame_height(svg))


def _depth(scene: _Scene, kind: str) -> int:
    """How deep groups of ``kind`` nest (a layer 1, its neurons 2)."""
    return max(
        (
            k + 1
            for key in scene.groups.values()
            for k, (found, _) in enumerate(key)
            if found == kind
        ),
        default=0,
    )


def _quiz(root: Any, names: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The quiz's questions by the index of their backward step (the page judges answers)."""
    asked = questions(root, names=names)
    if not asked:
        raise ValueError(
            "lesson(quiz=True): every backward step of this graph is on arrays, and the quiz "
            "asks for one number a step: use Values, or Tensors of one number"
        )
    return {
        str(q.step.index): {
            "prompt": q.prompt,
            "answer": _json_number(q.answer),
            "upstream": _json_number(q.upstream),
            "local": _json_number(q.local),
            "upstreamName": q.upstream_name,
            "localName": q.local_name,
            "rule": q.rule,
            "fromRoot": q.from_root,
            "path": list(q.path),
            "soFar": _json_number(math.fsum([*q.earlier, q.answer])),
            "total": _json_number(q.total),
            "uses": q.uses,
            "outputName": q.output_name,
            "inputName": q.input_name,
            "derivative": q.derivative,
            "sum": q.sum_text(),
        }
        for q in asked
    }


# --- what the page shows, step by step -------------------------------------------------------


class _Builder:
    """Reads the scene once: the nodes, every event of the lesson, and the leaves.

    Events refer to nodes by their index in topological order (``v{i}`` in the picture) and
    to formulas by their index in ``formulas``: a network repeats the same few many times.
    """

    def __init__(self, scene: _Scene) -> None:
        self.scene = scene
        order = scene.order
        self.namer = scene.namer
        self.root_name = self.namer.name(scene.root)
        self.leaves = [n for n in order if not n.parents and n.owner is not CONSTANT]
        self.formulas: list[str] = []
        self._formula_index: dict[str, int] = {}
        self.nodes = [self._node(node) for node in order]
        self.events: list[dict[str, Any]] = [self._start()]
        self.forward_count = 0
        for i, node in enumerate(order):
            if node.parents:
                self.forward_count += 1
                self.events.append(self._forward(self.forward_count, i, node))
        self.backward_count = 0

    def formula(self, text: str) -> int:
        if text not in self._formula_index:
            self._formula_index[text] = len(self.formulas)
            self.formulas.append(text)
        return self._formula_index[text]

    # --- nodes and where they are drawn ------------------------------------------------------

    def _node(self, node: Any) -> dict[str, Any]:
        return {
            "name": self.namer.name(node),
            "d": self.namer.d(node),
            "element": self.scene.element(node),
            "display": self.scene.display(node),
            "computed": bool(node.parents),
            "constant": node.owner is CONSTANT,
            "inputs": [self.scene.edge_ids(node, k) for k in range(len(node.parents))],
            **self._groups(node),
        }

    def _groups(self, node: Any) -> dict[str, Any]:
        """The groups the node belongs to by kind, e.g. ``{"layer": "L1", "neuron": "L1.N3"}``
        (left out when none): the page steps through them."""
        key = self.scene.groups[id(node)]
        if not key:
            return {}
        return {
            "groups": {
                kind: ".".join(n for _, n in key[: k + 1]) for k, (kind, _) in enumerate(key)
            }
        }

    # --- events: the start, the forward pass, the seed, the backward steps -------------------

    def _start(self) -> dict[str, Any]:
        given = [f"{self.namer.name(n)} = {brief(n, n.data)}" for n in self.leaves[:6]]
        if len(self.leaves) > 6:
            given.append(f"… and {len(self.leaves) - 6} more")
        text = "The inputs are given: " + ", ".join(given) if given else "Nothing is given."
        return {"kind": "start", "text": text, "formula": None}

    def _forward(self, index: int, i: int, node: Any) -> dict[str, Any]:
        namer = self.namer
        expression = node.op.render([namer.name(p) for p in node.parents])
        name = namer.name(node)
        head = f"{name} = {expression}" if expression != name else name
        numbers = node.op.render([brief(p, p.data) for p in node.parents])
        return {
            "kind": "forward",
            "index": index,
            "node": i,
            "text": narrated(f"{head} = {numbers} = {node.describe(node.data)}"),
            "formula": self.formula(node.op.doc or node.op.name),
        }

    def run_backward(self) -> None:
        """Backward, one event per chain-rule step; the caller resets and restores the grads
        (:func:`~autograd.engine.graph.grads_from_zero`)."""
        scene, root = self.scene, self.scene.root
        seed = scene.real_root.seed()
        d_root = self.namer.d(root)
        seed_text = "the chain rule starts at the result: its gradient with respect to itself is 1"
        self.events.append(
            {
                "kind": "seed",
                "node": len(scene.order) - 1,
                "text": f"{d_root}/{d_root} = {brief(root, seed)}",
                "formula": self.formula(seed_text),
                **self._grad_texts(root, seed),
            }
        )
        for step in backward_steps(scene.real_root, fold=scene.view):
            self.backward_count += 1
            output, parent = step.output, step.input
            event = {
                "kind": "backward",
                "index": step.index,
                "node": scene.index[id(parent)],
                "output": scene.index[id(output)],
                "position": step.input_index,
                "text": str(step),
                "formula": self.formula(step.formula),
                "upstream": _json_number(step.upstream),
                "local": _json_number(step.local),
                "contribution": _json_number(step.contribution),
                **self._grad_texts(parent, step.total),
            }
            if event["local"] is None or event["upstream"] is None:  # arrays: shapes as text
                event["upstreamText"] = brief(output, step.upstream)
                event["localText"] = "…" if step.local is None else brief(output, step.local)
                event["contributionText"] = brief(parent, step.contribution)
            self.events.append(event)

    def _grad_texts(self, node: Any, grad: Any) -> dict[str, Any]:
        """How the node's grad so far is written: in the picture, and for a leaf in the table
        (``cell``, left out when it is the same text) and exactly."""
        texts: dict[str, Any] = {"grad": "none" if grad is None else node.describe(grad)}
        if not node.parents:
            cell, texts["exact"] = _cell(grad)
            if cell != texts["grad"]:
                texts["cell"] = cell
        return texts

    # --- the leaves, and their finite-difference estimates ------------------------------------

    def leaf_rows(self, grads: dict[int, Any]) -> list[dict[str, Any]]:
        order = self.scene.graph
        nudge = FiniteDifferences(order)
        budget = FD_BUDGET
        rows = []
        for leaf in self.leaves:
            grad = grads[id(leaf)]
            data = numbers_of(leaf)
            size = int(np.size(data))
            entries = list(range(min(size, TENSOR_ENTRIES)))
            row: dict[str, Any] = {
                "node": self.scene.index[id(leaf)],
                "name": self.namer.name(leaf),
                "data": leaf.describe(data),
                "dataTitle": _entries(data, size) if size > 1 else repr(float(data)),
                "fd": "—",
                "fdTitle": "",
                "agree": None,
                "noGrad": grad is None,
            }
            cost = 2 * len(nudge.downstream(leaf)) * len(entries) if grad is not None else 0
            if grad is None:
                row["fdTitle"] = "this leaf needs no gradient (requires_grad is False)"
            elif cost > budget:
                row["fdTitle"] = (
                    "not estimated: finite differences of every leaf of a graph this big "
                    f"({len(self.leaves)} leaves × {len(order)} nodes) would take too long"
                )
            else:
                budget -= cost
                row.update(_estimate(nudge, leaf, entries, grad, size))
            rows.append(row)
        return rows


def _estimate(
    nudge: FiniteDifferences, leaf: Any, entries: list[int], grad: Any, size: int
) -> dict[str, Any]:
    try:
        estimates = nudge.of(leaf, entries, FD_EPS)
    except (OpDomainError, ArithmeticError, ValueError, TypeError) as error:
        return {"fd": "undefined", "fdTitle": f"a nudge of ±{FD_EPS:g} fails here: {error}"}
    analytic = np.asarray(grad, dtype=np.float64).reshape(-1)[entries]
    agree = all(
        abs(g - e) <= ATOL + RTOL * abs(e) or (math.isnan(g) and math.isnan(e))
        for g, e in zip(analytic.tolist(), estimates)
    )
    shown = _entries(np.array(estimates), size)
    what = f"the first {len(entries)} of {size} entries" if size > len(entries) else "this leaf"
    verdict = (
        "agrees with backward"
        if agree
        else "differs from backward: at a kink (relu at 0, step, clip) or a jump, "
        "the two-sided estimate is not the derivative"
    )
    return {
        "fd": shown,
        "fdTitle": f"(f(x+ε) − f(x−ε)) / 2ε with ε = {FD_EPS:g}, for {what}: "
        f"{', '.join(map(repr, estimates))}; {verdict}",
        "agree": agree,
    }


def _entries(array: Any, size: int) -> str:
    """The first entries of an array, written compactly: ``0.5, -1, 2.25, 0.1, …``."""
    flat = np.asarray(array, dtype=np.float64).reshape(-1)[:TENSOR_ENTRIES]
    shown = ", ".join(fmt(float(x)) for x in flat)
    return shown + (", …" if size > TENSOR_ENTRIES else "")


def _cell(grad: Any) -> tuple[str, str]:
    """A leaf's grad in the table, and exactly (for a title and for checking)."""
    if grad is None:
        return "none", "requires_grad is False: no gradient"
    grad = np.asarray(grad)  # a float, an array, or a Tensor's numbers
    size = int(np.size(grad))
    if size == 1 and np.ndim(grad) == 0:
        value = float(grad)
        return fmt(value), repr(value)
    flat = np.asarray(grad).reshape(-1)
    return _entries(grad, size), f"{size} entries; the first: {', '.join(map(repr, flat[:8]))}"


def _json_number(x: Any) -> float | str | None:
    """A number for JSON, which has no NaN or infinity: those are written as text."""
    if x is None or np.ndim(x) != 0:
        return None  # an array: the page names its shape instead
    value = float(x)
    if math.isfinite(value):
        return value
    return "nan" if value != value else ("inf" if value > 0 else "-inf")


# --- the page --------------------------------------------------------------------------------

_PROLOG = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.S)


def _inline_svg(svg: str) -> str:
    """Graphviz's SVG as an element of the page: no XML prolog, doctype or comments."""
    return _PROLOG.sub("", svg).strip()


def _frame_height(svg: str) -> int:
    """A notebook frame tall enough for the picture (up to a point: the page scrolls)."""
    found = re.search(r'<svg[^>]*height="([\d.]+)pt"', svg)
    picture = float(found.group(1)) * 4 / 3 if found else 400.0
    return int(min(max(picture + 260, 480), 900))


def _script_json(payload: Any) -> str:
    """JSON that cannot end its <script> block or read as markup: < > & are escaped, and so
    are U+2028, U+2029 and lone surrogates (which UTF-8 cannot carry; JSON's \\uXXXX can).
    """
    text = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate as \udxxx
    for char in "&<>\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _resource(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _page(title: str, svg: str, payload: dict[str, Any], leaf_count: int) -> str:
    """The page: lesson.html with the picture, the data, lesson.js and lesson.css put in."""
    script = _resource("lesson.js") + _resource("windows.js")
    style = _resource("lesson.css") + _resource("windows.css")
    if "</script" in script.lower() or "</style" in style.lower():
        raise AssertionError("internal: lesson.js or lesson.css would end its own element")
    # Only this script and this style may run: no other script, no request of any kind.
    policy = (
        f"default-src 'none'; script-src {_hash(script)}; style-src {_hash(style)}; "
        "base-uri 'none'; form-action 'none'"
    )
    return string.Template(_resource("lesson.html")).substitute(
        policy=policy,
        title=html.escape(title.encode("utf-8", "backslashreplace").decode("utf-8")),
        style=style,
        svg=svg,
        rows="\n".join(["<tr><td></td><td></td><td></td><td></td></tr>"] * leaf_count),
        last=len(payload["events"]) - 1,
        data=_script_json(payload),
        script=script,
    )
