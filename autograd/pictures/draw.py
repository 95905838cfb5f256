"""Pictures of computation graphs, drawn with Graphviz.

:func:`draw_dot` turns the graph behind a node into a :class:`graphviz.Digraph` (it shows
inline in a notebook). Values are boxes with their name, data and grad; each op is a small
circle between its inputs and its output, showing the symbol from the op's record.
Parameters, inputs, intermediate values and the root are coloured apart; plain numbers
that entered an expression are drawn small and grey.

``draw_dot(root, step=k)`` shows backward after ``k`` chain-rule steps; :func:`render_steps`
writes one picture per step. Values that belong to groups (``owner.groups``, set by ``nn``)
are drawn in nested clusters, and ``collapse="neuron"`` folds each group into one box.

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

import itertools
import os
import re
from collections.abc import Generator, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import graphviz

from ..engine.graph import grads_from_zero, topological_order
from ..engine.notation import CONSTANT
from ..narration.names import Namer
from ..narration.steps import Step, backward_steps
from ..tools.files import write_file

__all__ = ["draw_dot", "render_steps", "Drawing", "GraphvizNotFound"]

INSTALL_HINT = (
    "Graphviz's `dot` program was not found on PATH: install Graphviz"
    " (apt install graphviz · brew install graphviz · conda install -c conda-forge graphviz"
    " · winget install graphviz) or write the source with .save('graph.dot')"
)


class GraphvizNotFound(graphviz.ExecutableNotFound):
    """Rendering needs Graphviz's ``dot`` program, and it is not installed.

    >>> print(GraphvizNotFound())  # doctest: +ELLIPSIS
    Graphviz's `dot` program was not found on PATH: install Graphviz (apt install graphviz ...
    """

    def __init__(self) -> None:
        RuntimeError.__init__(self, INSTALL_HINT)


#: graphviz's ``render`` arguments in their positional order, after ``filename``.
_RENDER_ARGUMENTS = (
    "directory",
    "view",
    "cleanup",
    "format",
    "renderer",
    "formatter",
    "neato_no_op",
    "quiet",
    "quiet_view",
)
#: graphviz's ``pipe`` options that ``render`` passes on.
_PIPE_OPTIONS = ("renderer", "formatter", "neato_no_op", "quiet", "engine")
#: Formats that share suffixes: ``g.jpg`` may be rendered with ``format="jpeg"``.
_SAME_FORMAT = {"jpg": "jpeg", "jpe": "jpeg", "tif": "tiff"}


def _same(format: str) -> str:
    return _SAME_FORMAT.get(format.lower(), format.lower())


def _picture_format(path: str | os.PathLike[str]) -> str | None:
    """The format a file name asks for by its suffix (``svg`` for ``g.svg``), if any."""
    suffix = Path(path).suffix.lstrip(".").lower()
    return suffix if suffix in graphviz.FORMATS else None


class Drawing(graphviz.Digraph):
    """A :class:`graphviz.Digraph` whose rendering explains a missing Graphviz in one line,
    and writes only the file you name.

    ``render("loss.svg")`` writes exactly ``loss.svg``, the format coming from the suffix (a
    ``format=`` that disagrees with it is an error); ``render("loss")`` writes the picture (in
    ``format=``, else the drawing's format: svg from ``draw_dot``) to exactly ``loss``, with no
    Graphviz source beside it as the graphviz package would write. ``save("loss.dot")`` writes
    the source. Both write through :func:`~autograd.tools.files.write_file`: whole or not at
    all, a symbolic link followed, folders, devices, FIFOs and read-only files refused (never
    opened), modes kept.

    >>> from autograd import Value
    >>> isinstance(draw_dot(Value(1.0, "x")), graphviz.Digraph)
    True
    """

    def render(
        self, filename: str | os.PathLike[str] | None = None, *args: Any, **kwargs: Any
    ) -> str:
        """Write the picture to ``filename`` (or ``outfile=``; in ``directory=`` if given) and
        return its path; ``view=True`` then opens it. See the class docstring."""
        for argument, value in zip(_RENDER_ARGUMENTS, args):
            if argument in kwargs:
                raise TypeError(f"render() got multiple values for argument {argument!r}")
            kwargs[argument] = value
        named = kwargs.pop("outfile", None) or filename
        wanted = kwargs.get("format")
        suffix = _picture_format(named) if named is not None else None
        if named is not None and suffix and wanted and _same(suffix) != _same(wanted):
            raise ValueError(
                f"render: the file name {Path(named).name!r} ends in .{suffix}, but "
                f"format={wanted!r}: name the file for its format (….{wanted}), or leave "
                "format out to follow the suffix"
            )
        format = wanted or suffix or self.format
        named = named or f"{self.filename}.{format}"  # graphviz's name for an unnamed picture
        target = Path(kwargs.get("directory") or self.directory, named)
        if kwargs.get("raise_if_result_exists") and target.exists():
            raise FileExistsError(f"render: {target} exists (raise_if_result_exists=True)")
        options = {k: kwargs[k] for k in _PIPE_OPTIONS if kwargs.get(k) is not None}
        target.parent.mkdir(parents=True, exist_ok=True)
        write_file(target, lambda file: file.write(self.pipe(format, **options)), what="render")
        if kwargs.get("view") or kwargs.get("quiet_view"):
            graphviz.view(target, quiet=bool(kwargs.get("quiet_view")))
        return os.fspath(target)

    def save(
        self,
        filename: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        *,
        skip_existing: bool | None = False,
    ) -> str:
        """Write the Graphviz source to ``filename`` (in ``directory``), as graphviz does, and
        return its path; needs no Graphviz installed."""
        if filename is not None:
            self.filename = os.fspath(filename)
        if directory is not None:
            self.directory = os.fspath(directory)
        target = Path(self.filepath)
        if not (skip_existing and target.exists()):
            target.parent.mkdir(parents=True, exist_ok=True)
            write_file(target, self.source.encode(self.encoding), what="Drawing.save")
        return self.filepath

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        """The rendered picture as bytes (or text with ``encoding=``), as in graphviz."""
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFound() from None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> Any:
        # A notebook without Graphviz shows the source and how to install it, not a traceback.
        try:
            return super()._repr_mimebundle_(include, exclude)
        except GraphvizNotFound as missing:
            return {"text/plain": f"{missing}\n\n{self.source}"}


# --- look -----------------------------------------------------------------------------------

FONT = "Helvetica,Arial,sans-serif"
HIGHLIGHT = "#D62728"
MUTED = "#777777"

#: Node attributes per kind of node; ``class`` makes each kind findable in the SVG.
_STYLE = {
    "param": 'shape=box style="rounded,filled" fillcolor="#FDE3C0" color="#C77400"',
    "input": 'shape=box style=filled fillcolor="#D9E8F6" color="#3A73B0"',
    "computed": 'shape=box style="rounded,filled" fillcolor="white" color="#8C8C8C"',
    "root": 'shape=box style="rounded,filled" fillcolor="#D8EFD8" color="#2E7D32" penwidth=2',
    "constant": f'shape=plain fontcolor="{MUTED}" fontsize=11',
    "op": 'shape=circle style=filled fillcolor="#EEEEEE" color="#9E9E9E" fontsize=13'
    " margin=0.03 width=0.3",
    "group": 'shape=box style="rounded,filled" fillcolor="#ECE6F5" color="#6A4C9C"',
}
_HIGHLIGHT_BORDER = f' color="{HIGHLIGHT}" penwidth=2.5'
#: Edge attributes by what the edge shows: the step being narrated, gradient that has
#: flowed (or any edge outside a step picture), gradient still to come, a plain number.
_EDGE_STYLE = {
    "step": f'class="step" color="{HIGHLIGHT}" penwidth=2.5 arrowsize=0.9',
    "flow": 'class="flow" color="#555555" arrowsize=0.7',
    "pending": 'class="pending" color="#C8C8C8" arrowsize=0.7',
    "constant": 'class="constant" color="#AAAAAA" arrowsize=0.5 style=dashed',
}
# Between folded boxes edges form a dense mesh (16 × 16 for two layers of 16): keep it light.
_MESH = " penwidth=0.6 arrowsize=0.5"
_EDGE_RANK = {"constant": 0, "pending": 1, "flow": 2, "step": 3}
_RANKDIRS = ("LR", "RL", "TB", "BT")


# --- escaping: any label must survive Graphviz ----------------------------------------------

_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
# Characters that XML (and so Graphviz's HTML-like labels) or UTF-8 cannot carry.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Anything _html may change: markup, backslashes, line breaks, unprintable characters, and
# "]" (Graphviz 2.43 cannot parse a text made only of "]", as in <B>]</B>).
_NEEDS_CARE = re.compile('[&<>"\\]\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]')


def _visible(text: str) -> str:
    """Replace characters no picture can hold by their escape, e.g. ``\\x00``."""
    text = text.replace("\t", "    ")
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


def _html(text: str) -> str:
    """Text for inside an HTML-like label: markup characters escaped, lines kept.

    Graphviz still reads backslash sequences in this text (``\\N`` becomes the node's
    name), and ``\\\\`` is its way to write one backslash.
    """
    if _NEEDS_CARE.search(text) is None:  # most text, and every number: nothing to do
        return text
    lines = [_visible(line).replace("\\", "\\\\") for line in text.splitlines() or [""]]
    return "<BR/>".join(
        "&#93;" * len(line) if line and line.strip("]") == "" else line.translate(_HTML_ESCAPES)
        for line in lines
    )


def _quoted(text: str) -> str:
    """A quoted DOT string for plain-text attributes such as tooltips.

    Graphviz versions differ in how many times they unescape backslashes in a tooltip, so
    a backslash is shown as the look-alike ⧵ rather than risk a tooltip that reads wrong.
    Graphviz decodes entities such as ``&lt;`` here, so ``&`` is written as one. Graphviz
    reads at most 16384 characters in one string, so longer text goes in parts joined by
    ``+`` (DOT's concatenation): a tooltip holds a label of any length.

    >>> _quoted('say "hi"'), _quoted("x" * 5000).count(" + ")
    ('"say \\\\"hi\\\\""', 2)
    """
    text = _visible(" / ".join(text.splitlines())).replace("\\", "⧵").replace("&", "&amp;")
    parts = [text[i : i + _DOT_STRING_PART] for i in range(0, len(text), _DOT_STRING_PART)]
    return " + ".join('"' + part.replace('"', '\\"') + '"' for part in parts or [""])


_DOT_STRING_PART = 2000  # characters per part: even escaped twice over, far below 16384


#: The most characters of a name that a picture shows. A longer name keeps its start and
#: end around an ellipsis (its tooltip has it whole): Graphviz refuses labels over 16k.
SHOWN_LABEL_LIMIT = 60


def _short(text: str, limit: int = SHOWN_LABEL_LIMIT) -> str:
    """``text`` if it fits in ``limit`` characters, else its start … its end.

    >>> _short("layers." + "x" * 100 + ".weight", 20)
    'layers.xxx…xx.weight'
    """
    if len(text) <= limit:
        return text
    tail = (limit - 1) // 2
    return text[: limit - 1 - tail] + "…" + text[-tail:]


def _muted(text: str) -> str:
    return f'<FONT COLOR="{MUTED}" POINT-SIZE="10">{text}</FONT>'


def _table(rows: Sequence[str]) -> str:
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
        + "".join(rows)
        + "</TABLE>>"
    )


def _title_row(text: str) -> str:
    bold = f"<B>{text}</B>" if text else ""  # Graphviz rejects an empty <B></B>
    return f'<TR><TD COLSPAN="2">{bold}</TD></TR>'


def _number_row(name: str, shown: str) -> str:
    return f'<TR><TD ALIGN="RIGHT">{_muted(name)}</TD><TD ALIGN="LEFT">{shown}</TD></TR>'


# --- the picture ----------------------------------------------------------------------------


def draw_dot(
    root: Any,
    rankdir: str = "LR",
    *,
    step: int | Step | None = None,
    collapse: str | None = None,
    format: str = "svg",
    names: Mapping[str, Any] | None = None,
) -> Drawing:
    """The computation graph behind ``root`` as a Graphviz picture.

    ``rankdir`` is the direction of flow (``"LR"``, ``"TB"``, ...). ``step=k`` shows the
    grads after the first ``k`` backward steps with step ``k`` highlighted and narrated
    (``0`` is the start, before any step); the grads you computed are left as they were.
    ``step`` may also be a :class:`~autograd.narration.steps.Step` of ``root``'s backward.
    ``collapse="neuron"`` (or ``"layer"``, any group kind) folds each group into one box.
    ``format`` is the default for ``.render()``. ``names`` (a dict such as ``locals()``, from
    name to node) names the unlabelled nodes it holds, in this picture only.

    >>> from autograd import Value
    >>> x = Value(2.0, "x"); y = (x * x).tanh(); y.label = "y"
    >>> picture = draw_dot(y, step=1)
    >>> 'class="step"' in picture.source, x.grad
    (True, 0.0)
    >>> first = next(y.backward_steps())
    >>> draw_dot(y, step=first).source == picture.source
    True
    """
    if isinstance(step, Step):
        if step.root is not root:
            raise ValueError(
                f"draw_dot: step {step.index} belongs to the backward of another graph "
                f"(from {step.root!r:.60}), not of this root"
            )
        step = step.index
    if step is not None and (isinstance(step, bool) or not isinstance(step, int) or step < 0):
        raise ValueError(f"draw_dot: step must be a whole number 0, 1, 2, ..., not {step!r}")
    scene = _Scene(root, rankdir, collapse, names)
    if step is None:
        return scene.draw(format)
    pictures, count = _step_pictures(scene, format, only=step)
    if not pictures:
        raise ValueError(
            f"draw_dot: step={step}, but backward from {scene.namer.name(root)!r} has only "
            f"{count} step{'' if count == 1 else 's'} (step=0 shows the start)"
        )
    return pictures[0]


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
    needs no Graphviz installed. ``names`` names unlabelled nodes as in :func:`draw_dot`.
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
    scene = _Scene(root, rankdir, collapse, names)
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

EdgeKey = tuple[int, int]  # (id of the op's output, position of the input)


def _backward_states(
    root: Any, order: Sequence[Any], names: Mapping[str, Any] | None = None
) -> Generator[tuple[Step | None, set[EdgeKey], dict[int, Any]], None, None]:
    """Run backward from zero, pausing at the start and after every step.

    Yields ``(step, done, reached)``: the step just applied (``None`` at the start), the
    edges gradient has flowed along, and the grad of each node reached so far, by id, as it
    stood after that step. Afterwards the user's grads come back.
    """
    with grads_from_zero(order):
        done: set[EdgeKey] = set()
        reached = {id(root): root.seed()}
        yield None, done, reached
        for step in backward_steps(root, names=names):
            done.add((id(step.output), step.input_index))
            reached[id(step.input)] = step.total
            yield step, done, reached


def _step_pictures(
    scene: _Scene, format: str, only: int | None = None
) -> tuple[list[Drawing], int]:
    """Pictures at the start and after each step (or only after step ``only``), and the count."""
    drawn: list[tuple[int, Step | None, Drawing]] = []
    count, seed = 0, ""
    with closing(_backward_states(scene.root, scene.order, scene.names)) as states:
        for k, (step, done, reached) in enumerate(states):
            if k == 0:
                seed = scene.root.describe(reached[id(scene.root)])
            if only is None or k == only:
                drawn.append((k, step, scene.draw(format, step, done, reached)))
            count = k
    for k, step, picture in drawn:
        caption = scene.caption(step, k, count, seed)
        picture.attr(label=caption, labelloc="t", labeljust="l", fontsize="14")
    return [picture for _, _, picture in drawn], count


# --- the scene: what is drawn where ---------------------------------------------------------


class _Scene:
    """The graph behind ``root``, read once: names, kinds, groups and folded boxes."""

    def __init__(
        self,
        root: Any,
        rankdir: str,
        collapse: str | None,
        names: Mapping[str, Any] | None = None,
    ) -> None:
        if rankdir not in _RANKDIRS:
            raise ValueError(f"rankdir must be one of {', '.join(_RANKDIRS)}, not {rankdir!r}")
        self.root = root
        self.order = order = topological_order(root)
        self.rankdir = rankdir
        self.names = names  # the learner's names for unlabelled nodes (names=), or None
        self.namer = Namer(order, names)
        self.index = {id(node): i for i, node in enumerate(order)}
        # A plain number is drawn beside (or folded with) the op that uses it.
        self.consumer: dict[int, Any] = {}
        for node in order:
            for parent in node.parents:
                self.consumer.setdefault(id(parent), node)
        self.groups = {id(node): self._own_groups(node) for node in order}
        self.fold: dict[int, tuple[tuple[str, str], ...]] = {}
        self.boxes: dict[tuple[tuple[str, str], ...], _Box] = {}
        if collapse is not None:
            self._collapse(collapse)

    def _own_groups(self, node: Any) -> tuple[tuple[str, str], ...]:
        if node.owner is CONSTANT and id(node) in self.consumer:
            return self._own_groups(self.consumer[id(node)])
        return node.owner.groups if node.owner is not None else ()

    def _collapse(self, kind: str) -> None:
        kinds = {k for groups in self.groups.values() for k, _ in groups}
        if kinds and kind not in kinds:
            raise ValueError(
                f"draw_dot: collapse={kind!r}, but this graph's groups are of kind "
                + ", ".join(repr(k) for k in sorted(kinds))
            )
        for node in self.order:
            groups = self.groups[id(node)]
            for depth, (group_kind, _) in enumerate(groups):
                if group_kind == kind:
                    key = groups[: depth + 1]
                    self.fold[id(node)] = key
                    box = self.boxes.setdefault(key, _Box(f"g{len(self.boxes)}", key))
                    if node.owner is not CONSTANT:
                        box.values += 1
                        box.params += node.owner.role == "param"
                    break
        for node in self.order:
            for parent in node.parents:
                parent_key = self.fold.get(id(parent))
                if parent_key is not None and parent_key != self.fold.get(id(node)):
                    self.boxes[parent_key].outputs[id(parent)] = parent
        root_key = self.fold.get(id(self.root))
        if root_key is not None:
            self.boxes[root_key].outputs[id(self.root)] = self.root

    # --- node text ---------------------------------------------------------------------------

    def kind(self, node: Any) -> str:
        """root, computed, param, constant or input: what colour and shape the node gets."""
        if node is self.root:
            return "root"
        if node.parents:
            return "computed"
        role = node.owner.role if node.owner is not None else "input"
        return role if role in ("param", "constant") else "input"

    def expression(self, node: Any) -> str:
        """``name = op(inputs)`` for a computed node, else its name."""
        name = self.namer.name(node)
        if not node.parents:
            return name
        written = node.op.render([self.namer.name(p) for p in node.parents])
        return name if written == name else f"{name} = {written}"

    def grad_text(self, node: Any, reached: dict[int, Any] | None, fresh: bool) -> str:
        if reached is not None and id(node) not in reached:
            return _muted("?")  # backward has not got here yet
        grad = node.grad if reached is None else reached[id(node)]
        if grad is None:
            return _muted("none")
        shown = _html(node.describe(grad))
        return f'<FONT COLOR="{HIGHLIGHT}"><B>{shown}</B></FONT>' if fresh else shown

    def value_rows(self, node: Any, reached: dict[int, Any] | None, fresh: bool) -> list[str]:
        return [
            _number_row("data", _html(node.describe(node.data))),
            _number_row("grad", self.grad_text(node, reached, fresh)),
        ]

    # --- the drawing -------------------------------------------------------------------------

    def draw(
        self,
        format: str,
        step: Step | None = None,
        done: set[EdgeKey] | None = None,
        reached: dict[int, Any] | None = None,
    ) -> Drawing:
        """The picture; with ``reached``, grads are shown as backward has filled them so far."""
        placed: dict[tuple[tuple[str, str], ...], list[str]] = {}
        fresh = id(step.input) if step is not None else None
        for i, node in enumerate(self.order):
            if id(node) not in self.fold:
                lines = placed.setdefault(self.groups[id(node)], [])
                lines += self._node_lines(i, node, reached, fresh)
        touched = {self.fold.get(id(step.input)), self.fold.get(id(step.output))} if step else ()
        for key, box in self.boxes.items():
            line = self._box_line(box, reached, fresh, key in touched)
            placed.setdefault(key[:-1], []).append(line)

        body = placed.pop((), [])
        body += _clusters(placed)
        current = (id(step.output), step.input_index) if step is not None else None
        body += self._edges(current, done)
        layout = {"rankdir": self.rankdir, "fontname": FONT, "nodesep": "0.25", "ranksep": "0.35"}
        if self.boxes:  # keep boxes in their order (N1, N2, ...): crossings there are unavoidable
            layout |= {"ranksep": "1.0", "mclimit": "0.1"}
        return Drawing(
            format=format,
            graph_attr=layout,
            node_attr={"fontname": FONT, "fontsize": "12"},
            edge_attr={"fontname": FONT},
            body=["\t" + line + "\n" for line in body],
        )

    def _node_lines(
        self, i: int, node: Any, reached: dict[int, Any] | None, fresh: int | None
    ) -> list[str]:
        """The value node ``v{i}`` and, for a computed value, its op node ``o{i}``."""
        kind = self.kind(node)
        if kind == "constant":
            label = f"<{_html(node.describe(node.data))}>"
        else:
            title = _title_row(_html(_short(self.namer.name(node))))
            label = _table([title, *self.value_rows(node, reached, id(node) == fresh)])
        extra = _HIGHLIGHT_BORDER if id(node) == fresh else ""
        tooltip = _quoted(self.expression(node) + _ROLE_WORDS.get(kind, ""))
        lines = [
            f'v{i} [id="v{i}" class="value {kind}" {_STYLE[kind]}{extra}'
            f" label={label} tooltip={tooltip}]"
        ]
        if node.parents:
            op = node.op
            shape = " shape=ellipse" if len(op.symbol) > 4 else ""
            tooltip = _quoted(f"{op.doc or op.name}: {self.expression(node)}")
            lines.append(
                f'o{i} [id="o{i}" class="op" {_STYLE["op"]}{shape}'
                f" label=<{_html(op.symbol)}> tooltip={tooltip}]"
            )
        return lines

    def _box_line(
        self, box: _Box, reached: dict[int, Any] | None, fresh: int | None, touched: bool
    ) -> str:
        """One folded group: its name, what it holds and, with one clear output, that value."""
        rows = [_title_row(_html(_short(".".join(name for _, name in box.key))))]
        counted = f"{box.values} value{'' if box.values == 1 else 's'}"
        if box.params:
            counted += f" ({box.params} param{'' if box.params == 1 else 's'})"
        rows.append(f'<TR><TD COLSPAN="2">{_muted(counted)}</TD></TR>')
        if len(box.outputs) == 1:
            (output,) = box.outputs.values()
            rows += self.value_rows(output, reached, id(output) == fresh)
        style = _STYLE["group"] + (_HIGHLIGHT_BORDER if touched else "")
        return f'{box.id} [id="{box.id}" class="group" {style} label={_table(rows)}]'

    def _edges(self, current: EdgeKey | None, done: set[EdgeKey] | None) -> list[str]:
        """One edge per input of each op; edges into or out of a box once per pair of ends.

        Edge ids, for pages that highlight them: ``e{i}`` from op ``o{i}`` to its value,
        ``e{i}_{k}`` from input ``k`` into ``o{i}``, and ``e_{tail}_{head}`` at a folded box.
        """
        plain: list[str] = []
        folded: dict[tuple[str, str], str] = {}  # (tail, head) -> the strongest kind of edge
        for i, node in enumerate(self.order):
            if not node.parents:
                continue
            key = self.fold.get(id(node))
            head = self.boxes[key].id if key else f"o{i}"
            edges = [(id(node), position) for position in range(len(node.parents))]
            if key is None:  # op -> its output: gradient enters the op once the op's turn came
                started = done is None or current in edges or not done.isdisjoint(edges)
                kind = "step" if current in edges else "flow" if started else "pending"
                plain.append(f'o{i} -> v{i} [id="e{i}" {_EDGE_STYLE[kind]}]')
            for edge, parent in zip(edges, node.parents):
                parent_key = self.fold.get(id(parent))
                if key is not None and parent_key == key:
                    continue  # inside one box
                tail = self.boxes[parent_key].id if parent_key else f"v{self.index[id(parent)]}"
                if edge == current:
                    kind = "step"
                elif parent.owner is CONSTANT:
                    kind = "constant"
                elif done is not None and edge not in done:
                    kind = "pending"
                else:
                    kind = "flow"
                if key is None and parent_key is None:  # id: the op's output and input position
                    plain.append(f'{tail} -> {head} [id="e{i}_{edge[1]}" {_EDGE_STYLE[kind]}]')
                elif _EDGE_RANK[kind] > _EDGE_RANK.get(folded.get((tail, head), ""), -1):
                    folded[(tail, head)] = kind
        for (tail, head), kind in folded.items():
            mesh = _MESH if kind in ("flow", "pending") else ""
            plain.append(f'{tail} -> {head} [id="e_{tail}_{head}" {_EDGE_STYLE[kind]}{mesh}]')
        return plain

    def caption(self, step: Step | None, k: int, count: int, seed: str) -> str:
        """The title of a step picture: which step, its narration and its local derivative."""
        if step is None:
            d_root = self.namer.d(self.root)
            title = f"Start of backward: {count} step{'' if count == 1 else 's'} to go"
            lines = [f"{d_root}/{d_root} = {seed}"]
        else:
            title = f"Step {k} of {count}"
            lines = [step.text, f"local derivative: {step.formula}"]
        lines = [self._shortened(line) for line in lines]
        rows = [f'<TR><TD ALIGN="LEFT"><B><FONT POINT-SIZE="16">{title}</FONT></B></TD></TR>']
        rows += [f'<TR><TD ALIGN="LEFT">{_html(line)}</TD></TR>' for line in lines[:1]]
        rows += [f'<TR><TD ALIGN="LEFT">{_muted(_html(line))}</TD></TR>' for line in lines[1:]]
        return _table(rows).replace('CELLPADDING="1"', 'CELLPADDING="2"')

    def _shortened(self, line: str) -> str:
        """A caption line with each long name shortened as in the nodes, and cut to a few
        names' length."""
        if len(line) > SHOWN_LABEL_LIMIT:
            names = {self.namer.name(node) for node in self.order}
            for name in sorted((n for n in names if len(n) > SHOWN_LABEL_LIMIT), key=len)[::-1]:
                line = line.replace(name, _short(name))
        return _short(line, 8 * SHOWN_LABEL_LIMIT)


_ROLE_WORDS = {"param": " (parameter)", "input": " (input)", "constant": " (constant)"}


class _Box:
    """One folded group: its DOT id, what it holds, and the values used outside it."""

    def __init__(self, box_id: str, key: tuple[tuple[str, str], ...]) -> None:
        self.id = box_id
        self.key = key
        self.values = 0
        self.params = 0
        self.outputs: dict[int, Any] = {}


def _clusters(placed: dict[tuple[tuple[str, str], ...], list[str]]) -> list[str]:
    """Nested ``subgraph cluster_N`` blocks, one per group, holding the lines placed in it."""
    tree: dict[Any, Any] = {}
    for path in placed:
        level = tree
        for group in path:
            level = level.setdefault(group, {})
    lines: list[str] = []
    counter = itertools.count()

    def emit(level: dict[Any, Any], path: tuple[tuple[str, str], ...]) -> None:
        for group, children in level.items():
            inner = (*path, group)
            kind, name = group
            lines.append(f"subgraph cluster_{next(counter)} {{")
            lines.append(
                f'label=<{_html(_short(name))}> tooltip={_quoted(f"{kind} {name}")} class="{kind}"'
                f' style="rounded,dashed" color="#9C89B8" fontcolor="#6A4C9C" fontsize=11'
                " labeljust=l"
            )
            lines.extend(placed.get(inner, []))
            emit(children, inner)
            lines.append("}")

    emit(tree, ())
    return lines
