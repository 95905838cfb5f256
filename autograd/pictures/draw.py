"""Pictures of computation graphs, drawn with Graphviz.

:func:`draw_dot` turns the graph behind a node into a :class:`graphviz.Digraph` (it shows
inline in a notebook). Values are boxes with their name, data and grad; each op is a small
circle between its inputs and its output, showing the symbol from the op's record.
Parameters, inputs, intermediate values and the root are coloured apart; plain numbers
that entered an expression are drawn small and grey.

``draw_dot(root, step=k)`` shows backward after ``k`` chain-rule steps; :func:`render_steps`
writes one picture per step. Values that belong to groups (``owner.groups``, set by ``nn``)
are drawn in nested clusters, and ``collapse="neuron"`` folds each group into one box.

A big graph is drawn so that it can be read, and laid out in seconds: a long chain of one op
(Python's ``sum``) is one node, "Σ 337 terms"; a graph with more than :data:`READABLE`
values is summarised (of many terms of one shape, such as one per data point, one is drawn
in full; neurons fold into boxes), and the picture says what it folded and how to see it
whole (``whole=True``). Graphviz gets at most ``layout_seconds`` per layout
(:mod:`~autograd.pictures.render`): past that, the next simpler picture is drawn.

Building the picture never runs Graphviz: only ``.render()`` and notebook display need the
``dot`` program.

Example:
    >>> from autograd import Value
    >>> w, x = Value(3.0, "w", param=True), Value(2.0, "x")
    >>> y = w * x; y.label = "y"
    >>> picture = draw_dot(y)
    >>> picture.source.count('class="op"'), picture.source.count('class="value')
    (1, 3)
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..engine.graph import grads_from_zero
from ..narration.passes import accumulated
from ..narration.steps import Step, backward_steps
from .look import SHOWN_LABEL_LIMIT, _html, _muted, _table
from .render import (
    INSTALL_HINT,
    LAYOUT_SECONDS,
    Drawing,
    GraphvizNotFound,
    LayoutFallback,
    LayoutTooSlow,
)
from .scene import EdgeKey, Plan, _Scene
from .summary import repeated_terms

__all__ = [
    "draw_dot",
    "render_steps",
    "Drawing",
    "GraphvizNotFound",
    "LayoutFallback",
    "LayoutTooSlow",
    "INSTALL_HINT",
    "LAYOUT_SECONDS",
    "SHOWN_LABEL_LIMIT",
    "READABLE",
]

#: Values (and boxes) a picture shows before ``draw_dot`` summarises the graph by itself.
READABLE = 120
#: About the most layout work (:meth:`_Scene.layout_cost`) Graphviz is given: beyond it a
#: simpler picture is drawn without trying (past this, ``dot`` takes minutes, or hours).
LAYOUT_BUDGET = 60_000


# --- which picture: the plan, and the simpler ones after it ---------------------------------


def _rungs(asked: Plan, kinds: set[str]) -> Iterator[tuple[Plan, bool]]:
    """Plans from ``asked`` to ever simpler ones, each with whether it changes only what the
    caller left open (a summary may choose it) or also what they asked for (only a layout
    too big for Graphviz may)."""
    plan, free = asked, True
    if not plan.fold:
        plan = replace(plan, fold=True)
        free = False
        yield plan, free
    if plan.sample is None:
        plan = replace(plan, sample=0)
        yield plan, free
    for kind in ("neuron", "layer"):
        if kind in kinds and plan.collapse in (None, "neuron") and plan.collapse != kind:
            free = free and asked.collapse is None
            plan = replace(plan, collapse=kind)
            yield plan, free


def _choose(
    root: Any, rankdir: str, asked: Plan, whole: bool, names: Mapping[str, Any] | None = None
) -> tuple[_Scene, Iterator[tuple[Plan, bool]], str | None]:
    """The scene to draw first: ``asked``, or the first simpler plan that is readable (unless
    ``whole``) and that Graphviz can lay out; the plans left after it; and, when what was
    asked is too big a layout for Graphviz, why it was not drawn."""
    scene = _Scene(root, rankdir, asked, names=names)
    rungs = list(_rungs(asked, scene.kinds()))
    why = None
    for k, (plan, free) in enumerate(rungs):
        readable = whole or not free or scene.drawn <= READABLE
        fits = scene.layout_cost <= LAYOUT_BUDGET
        if readable and fits:
            return scene, iter(rungs[k:]), why
        if not fits and not free and why is None:
            why = (
                f"the picture asked for ({scene.drawn:,} boxes) would take Graphviz "
                "minutes to lay out"
            )
        # The same chains folded: the graph as seen is read once, not once per plan.
        view = scene.view if plan.fold == scene.plan.fold else None
        terms = None
        if view is not None and plan.sample is not None and scene.plan.sample is None:
            terms = repeated_terms(view.order, plan.sample)
            if not terms[1] and plan.collapse == scene.plan.collapse:
                continue  # no repeated terms: drawing one of each would draw the same
        scene = _Scene(root, rankdir, plan, view, terms, names)
    return scene, iter(()), why


def _call(scene: _Scene, function: str) -> str:
    name = scene.real_root.label
    return name if isinstance(name, str) and name.isidentifier() else "root"


def notes(scene: _Scene, asked: Plan, function: str, why: str | None = None) -> list[str]:
    """What the picture leaves out and how to see it whole, in a few lines (none when it
    draws what was asked)."""
    lines = []
    if why:
        lines.append(f"Drawn simpler than asked: {why}.")
    plan = scene.plan
    folded = []
    if plan.collapse is not None and plan.collapse != asked.collapse:
        folded.append(f"one box per {plan.collapse}")
    for family in scene.families[:3]:
        folded.append(
            f"of {family.total} terms of one shape into {scene.namer.name(family.head)}, "
            f"term {family.rank} is drawn"
        )
    if len(scene.families) > 3:
        folded.append(f"and {len(scene.families) - 3} more such sums")
    if folded:
        values = sum(1 for node in scene.graph if node.parents)
        lines.append(f"A summary of {values:,} computed values: " + "; ".join(folded) + ".")
    if (folded or why) and asked.fold:  # (with whole=True asked, the whole was too big)
        name = _call(scene, function)
        lines.append(
            f"Every node: {function}({name}, whole=True); another term of each: "
            f"{function}({name}, sample=k)."
        )
    return lines


def _caption_rows(lines: Sequence[str]) -> list[str]:
    return [f'<TR><TD ALIGN="LEFT">{_muted(_html(line))}</TD></TR>' for line in lines]


def _label(picture: Drawing, rows: list[str]) -> None:
    if rows:
        table = _table(rows).replace('CELLPADDING="1"', 'CELLPADDING="2"')
        picture.attr(label=table, labelloc="t", labeljust="l", fontsize="14")


# --- the picture ----------------------------------------------------------------------------


def draw_dot(
    root: Any,
    rankdir: str = "LR",
    *,
    step: int | Step | None = None,
    collapse: str | None = None,
    sample: int | None = None,
    whole: bool = False,
    format: str = "svg",
    names: Mapping[str, Any] | None = None,
) -> Drawing:
    """The computation graph behind ``root`` as a Graphviz picture.

    ``rankdir`` is the direction of flow (``"LR"``, ``"TB"``, ...). ``step=k`` shows the
    grads after the first ``k`` backward steps with step ``k`` highlighted and narrated
    (``0`` is the start, before any step); the grads you computed are left as they were.
    ``step`` may also be a :class:`~autograd.narration.steps.Step` of ``root``'s backward.
    ``collapse="neuron"`` (or ``"layer"``, any group kind) folds each group into one box.
    ``sample=k`` draws, of many terms of one shape (one per data point, one per parameter),
    term ``k`` only, in full, and one box for the others. A graph with more than
    :data:`READABLE` values is summarised that way by itself (``sample=0``, then neurons,
    then layers as boxes), and says so in its caption; ``whole=True`` draws every node,
    the links of long sums included. ``format`` is the default for ``.render()``. ``names``
    (a dict such as ``locals()``, from name to node) names the unlabelled nodes it holds, in
    this picture only.

    >>> from autograd import Value
    >>> x = Value(2.0, "x"); y = (x * x).tanh(); y.label = "y"
    >>> picture = draw_dot(y, step=1)
    >>> 'class="step"' in picture.source, x.grad
    (True, 0.0)
    >>> first = next(y.backward_steps())
    >>> draw_dot(y, step=first).source == picture.source
    True
    """
    raw = None
    if isinstance(step, Step):
        if step.root is not root:
            raise ValueError(
                f"draw_dot: step {step.index} belongs to the backward of another graph "
                f"(from {step.root!r:.60}), not of this root"
            )
        raw = None if step.folded else step.index
        step = step.index
    if step is not None and (isinstance(step, bool) or not isinstance(step, int) or step < 0):
        raise ValueError(f"draw_dot: step must be a whole number 0, 1, 2, ..., not {step!r}")
    _check_sample(sample, whole, "draw_dot")
    asked = Plan(fold=not whole, sample=sample, collapse=collapse)
    scene, rungs, too_big = _choose(root, rankdir, asked, whole, names)

    def picture(scene: _Scene, why: str | None) -> Drawing:
        rows = _caption_rows(notes(scene, asked, "draw_dot", why))
        if step is None:
            drawing = scene.draw(format)
            held = accumulated(scene.real_root, scene.graph, scene.namer, scene.root)
            if held:
                rows.insert(0, f'<TR><TD ALIGN="LEFT">{_html("Note: " + held)}</TD></TR>')
            _label(drawing, rows)
        else:
            only = step if raw is None or not scene.view.folded else _folded_index(scene, raw)
            pictures, count = _step_pictures(scene, format, only=only, notes=rows)
            if not pictures:
                raise ValueError(
                    f"draw_dot: step={step}, but backward from {scene.namer.name(scene.root)!r}"
                    f" has only {count} step{'' if count == 1 else 's'} (step=0 shows the start)"
                )
            drawing = pictures[0]
        drawing.about = why or "; ".join(notes(scene, asked, "draw_dot")[:1]) or "every node"

        def simpler(why: str) -> Drawing | None:
            for plan, _ in rungs:
                return picture(_Scene(root, rankdir, plan, names=names), why)
            return None

        drawing.simpler = simpler
        return drawing

    return picture(scene, too_big)


def _check_sample(sample: int | None, whole: bool, where: str) -> None:
    whole_number = isinstance(sample, int) and not isinstance(sample, bool) and sample >= 0
    if sample is not None and not whole_number:
        raise ValueError(f"{where}: sample must be a whole number 0, 1, 2, ..., not {sample!r}")
    if sample is not None and whole:
        raise ValueError(f"{where}: whole=True draws every term; sample={sample} draws one")


def _folded_index(scene: _Scene, raw: int) -> int:
    """The step, among those told with long chains folded, at which backward stands after
    the graph's own step ``raw`` (a step inside a chain shows as the chain's last step)."""
    with grads_from_zero(scene.graph):
        told = 0
        for told, _ in enumerate(backward_steps(scene.real_root, fold=scene.view), start=1):
            if scene.view.raw_index[told - 1] > raw:
                return told - 1
        return told


def render_steps(
    root: Any,
    folder: str | os.PathLike[str],
    format: str = "svg",
    *,
    rankdir: str = "LR",
    collapse: str | None = None,
    dpi: float | None = None,
    names: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Write one picture per backward step into ``folder``: ``step_00`` (the start), ``step_01``...

    The numbers sort in order, ready for slides, and every picture of one graph has the same
    size (the largest step's), so slides do not jump. ``format`` is any Graphviz format
    (``"svg"``, ``"png"``, ``"pdf"``); ``dpi`` sets the resolution of a bitmap such as png
    (Graphviz's default is 96). ``format="dot"`` writes the Graphviz sources only, which
    needs no Graphviz installed. Long chains of one op are one node, as in ``draw_dot``;
    ``names`` names unlabelled nodes as in :func:`draw_dot`.
    Returns the paths written.

    >>> import tempfile
    >>> from autograd import Value
    >>> x = Value(2.0, "x"); y = x * 3; y.label = "y"
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [path.name for path in render_steps(y, folder, format="dot")]
    ['step_00.dot', 'step_01.dot']
    """
    if dpi is not None and (isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or dpi <= 0):
        raise ValueError(f"render_steps: dpi must be a positive number, not {dpi!r}")
    folder = Path(folder)
    if not folder.is_dir() and os.path.lexists(folder):
        raise NotADirectoryError(
            f"render_steps: {folder} exists and is not a folder; give a folder for the pictures"
        )
    scene = _Scene(root, rankdir, Plan(collapse=collapse), names=names)
    pictures, count = _step_pictures(scene, format)
    if format != "dot":
        _same_size(pictures)
    if dpi is not None:
        for picture in pictures:
            picture.attr(dpi=f"{dpi:g}")
    folder.mkdir(parents=True, exist_ok=True)
    digits = max(2, len(str(count)))
    paths = []
    for k, picture in enumerate(pictures):
        path = folder / f"step_{k:0{digits}d}.{format}"
        if format == "dot":
            picture.save(path)
        else:
            picture.render(path, format=format)
        paths.append(path)
    return paths


def _same_size(pictures: Sequence[Drawing]) -> None:
    """Give every picture the canvas of the largest, so a series of slides does not jump.

    Graphviz lays each one out (as plain text, cheaply) to measure it; each is then padded
    evenly to the largest width and height, its drawing unchanged and centred.
    """
    sizes = []
    for picture in pictures:
        first = picture.pipe(format="plain").decode("utf-8").split("\n", 1)[0].split()
        sizes.append((float(first[2]), float(first[3])))
    width, height = max(w for w, _ in sizes), max(h for _, h in sizes)
    for picture, (w, h) in zip(pictures, sizes):
        # Graphviz's own margin is 4 points (1/18 inch) on every side.
        x, y = (width - w) / 2 + 1 / 18, (height - h) / 2 + 1 / 18
        picture.attr(pad=f"{x:.4f},{y:.4f}")


# --- backward, one state at a time ----------------------------------------------------------


def _backward_states(
    scene: _Scene,
) -> Generator[tuple[Step | None, set[EdgeKey], dict[int, Any]], None, None]:
    """Run backward from zero, pausing at the start and after every step (told as the scene
    sees the graph: a long chain as one node).

    Yields ``(step, done, reached)``: the step just applied (``None`` at the start), the
    edges gradient has flowed along, and the grad of each node reached so far, by id, as it
    stood after that step. Afterwards the user's grads come back.
    """
    with grads_from_zero(scene.graph):
        done: set[EdgeKey] = set()
        reached = {id(scene.root): scene.real_root.seed()}
        yield None, done, reached
        for step in backward_steps(scene.real_root, fold=scene.view):
            done.add((id(step.output), step.input_index))
            reached[id(step.input)] = step.total
            yield step, done, reached


def _step_pictures(
    scene: _Scene, format: str, only: int | None = None, notes: Sequence[str] = ()
) -> tuple[list[Drawing], int]:
    """Pictures at the start and after each step (or only after step ``only``), and the count."""
    drawn: list[tuple[int, Step | None, Drawing]] = []
    count, seed = 0, ""
    with closing(_backward_states(scene)) as states:
        for k, (step, done, reached) in enumerate(states):
            if k == 0:
                seed = scene.root.describe(reached[id(scene.root)])
            if only is None or k == only:
                drawn.append((k, step, scene.draw(format, step, done, reached)))
            count = k
    for k, step, picture in drawn:
        _label(picture, [*scene.caption(step, k, count, seed), *notes])
    return [picture for _, _, picture in drawn], count
