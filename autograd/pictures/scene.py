"""The scene: what a picture draws, where, and under which ids.

A :class:`Plan` says how much of the graph to draw: long chains of one op folded into one
node (``fold``), of many terms of one shape only term ``sample`` drawn in full
(:mod:`~autograd.pictures.summary`), and groups (neurons, layers) folded into boxes
(``collapse``). :class:`_Scene` reads the graph once under a plan and writes the DOT source;
lesson pages ask it which SVG element stands for which node and edge.

Ids in the picture: ``v{i}`` a value (``i`` its place in the topological order as seen),
``o{i}`` its op, ``g{n}`` a folded group, ``m{n}`` the stand-in for repeated terms not drawn;
edges ``e{i}`` from ``o{i}`` to ``v{i}``, ``e{i}_{k}`` from input ``k`` into ``o{i}`` (one
edge for the same input used several times, marked ×n) and ``e_{tail}_{head}`` at a box or
a stand-in.

    >>> from autograd import Value
    >>> x = Value(2.0, "x"); y = sum([x] * 8); y.label = "y"
    >>> scene = _Scene(y, "LR", Plan())
    >>> [node.op.symbol for node in scene.order if node.parents], scene.edge_ids(scene.root, 5)
    (['Σ'], ['e1_0', 'o1', 'e1'])
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..engine.graph import topological_order
from ..engine.notation import CONSTANT
from ..narration.chains import CHAIN_TERMS, Seen, View
from ..narration.steps import Step
from .look import (
    _EDGE_STYLE,
    _HIGHLIGHT_BORDER,
    _MESH,
    _RANKDIRS,
    _STYLE,
    FONT,
    HIGHLIGHT,
    SHOWN_LABEL_LIMIT,
    _html,
    _muted,
    _number_row,
    _quoted,
    _short,
    _table,
    _title_row,
)
from .render import Drawing
from .summary import Family, repeated_terms

EdgeKey = tuple[int, int]  # (id of the op's output as seen, position of the input)
GroupKey = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Plan:
    """How much of a graph a picture draws (see the module docstring)."""

    fold: bool = True
    sample: int | None = None
    collapse: str | None = None


class _Wire:
    """One drawn edge and the inputs it carries (several when it stands for a box's or a
    stand-in's inputs, or for one input used many times)."""

    __slots__ = ("tail", "head", "keys", "constant", "mesh")

    def __init__(self, tail: str, head: str, mesh: bool) -> None:
        self.tail, self.head, self.mesh = tail, head, mesh
        self.keys: list[EdgeKey] = []
        self.constant = True


#: The fewest boxes on each side of a full mesh that is drawn through one junction point.
BUS = 3


def _number(element: str) -> int:
    return int(element[1:])


class _Box:
    """One folded group: its DOT id, what it holds, and the values used outside it."""

    def __init__(self, box_id: str, key: GroupKey) -> None:
        self.id = box_id
        self.key = key
        self.values = 0
        self.params = 0
        self.outputs: dict[int, Any] = {}


_ROLE_WORDS = {"param": " (parameter)", "input": " (input)", "constant": " (constant)"}


class _Scene:
    """The graph behind ``root``, read once under ``plan``: names, kinds, groups, boxes,
    what is not drawn, and every drawn edge."""

    def __init__(
        self,
        root: Any,
        rankdir: str,
        plan: Plan,
        view: View | None = None,
        terms: tuple[dict[int, Family], list[Family]] | None = None,
        names: Mapping[str, Any] | None = None,
    ) -> None:
        if rankdir not in _RANKDIRS:
            raise ValueError(f"rankdir must be one of {', '.join(_RANKDIRS)}, not {rankdir!r}")
        self.plan = plan
        self.rankdir = rankdir
        if view is None:  # names: the learner's names for unlabelled nodes (names=)
            view = View(topological_order(root), plan.fold, names)
        self.view = view
        #: The graph's own nodes, links of folded chains included: backward runs on these.
        self.graph = self.view.graph
        self.real_root = root
        #: The nodes as seen (folded chains as one), each after its inputs; the root last.
        self.order = order = self.view.order
        self.root = order[-1]
        self.namer = self.view.namer
        self.index = {id(node): i for i, node in enumerate(order)}
        # A plain number is drawn beside (or folded with) the op that uses it.
        self.consumer: dict[int, Any] = {}
        for node in order:
            for parent in node.parents:
                self.consumer.setdefault(id(parent), node)
        self.groups = {id(node): self._own_groups(node) for node in order}
        self.hidden: dict[int, Family] = {}
        self.families: list[Family] = []
        if plan.sample is not None:
            self.hidden, self.families = terms or repeated_terms(order, plan.sample)
        self.fold: dict[int, GroupKey] = {}
        self.boxes: dict[GroupKey, _Box] = {}
        if plan.collapse is not None:
            self._collapse(plan.collapse)
        self.wires: dict[str, _Wire] = {}
        self.wire_of: dict[EdgeKey, tuple[str, ...]] = {}
        self.junctions: list[str] = []
        self._wire_up()
        self._bus()

    def _own_groups(self, node: Any) -> GroupKey:
        if node.owner is CONSTANT and id(node) in self.consumer:
            return self._own_groups(self.consumer[id(node)])
        return node.owner.groups if node.owner is not None else ()

    def kinds(self) -> set[str]:
        """The kinds of group in this graph ("layer", "neuron", ...)."""
        return {k for groups in self.groups.values() for k, _ in groups}

    def _collapse(self, kind: str) -> None:
        kinds = self.kinds()
        if kinds and kind not in kinds:
            raise ValueError(
                f"draw_dot: collapse={kind!r}, but this graph's groups are of kind "
                + ", ".join(repr(k) for k in sorted(kinds))
            )
        for node in self.order:
            if id(node) in self.hidden:
                continue
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
            if id(node) in self.hidden:
                continue
            for parent in node.parents:
                parent_key = self.fold.get(id(parent))
                if parent_key is not None and parent_key != self.fold.get(id(node)):
                    self.boxes[parent_key].outputs[id(parent)] = parent
        root_key = self.fold.get(id(self.root))
        if root_key is not None:
            self.boxes[root_key].outputs[id(self.root)] = self.root

    # --- which element stands for what ---------------------------------------------------------

    def element(self, node: Any) -> str:
        """The SVG id that stands for ``node``: its box ``v{i}``, its folded group's, or the
        stand-in of the repeated terms it belongs to."""
        family = self.hidden.get(id(node))
        if family is not None:
            return family.id
        key = self.fold.get(id(node))
        return f"v{self.index[id(node)]}" if key is None else self.boxes[key].id

    def display(self, node: Any) -> str | None:
        """The SVG id whose data and grad rows are ``node``'s, if any."""
        if node.owner is CONSTANT or id(node) in self.hidden:
            return None
        key = self.fold.get(id(node))
        if key is None:
            return f"v{self.index[id(node)]}"
        box = self.boxes[key]
        return box.id if list(box.outputs) == [id(node)] else None

    def edge_ids(self, node: Any, position: int) -> list[str]:
        """The SVG ids along the way from input ``position`` of ``node`` into it."""
        if id(node) in self.hidden:
            return []
        wires = self.wire_of.get((id(node), position))
        if wires is None:
            return []
        ids = list(wires)
        if id(node) not in self.fold:
            i = self.index[id(node)]
            ids += [f"o{i}", f"e{i}"]
        return ids

    def _wire_up(self) -> None:
        """Every drawn edge, keyed by id, and which edge each input of each node takes."""
        boxes: dict[tuple[str, str], _Wire] = {}
        stand_ins: dict[str, _Wire] = {}
        for i, node in enumerate(self.order):
            if not node.parents or id(node) in self.hidden:
                continue
            key = self.fold.get(id(node))
            head = self.boxes[key].id if key else f"o{i}"
            # A folded chain's input used many times (x + x + … + x): one edge, marked ×n.
            plain: dict[str, _Wire] = {}
            merge = len(node.parents) >= CHAIN_TERMS  # Value.sum([x] * 100) as well
            for position, parent in enumerate(node.parents):
                family = self.hidden.get(id(parent))
                parent_key = self.fold.get(id(parent))
                if family is not None:
                    wire = stand_ins.get(family.id)
                    if wire is None:
                        wire = stand_ins[family.id] = _Wire(family.id, head, mesh=False)
                    edge_id = f"e_{family.id}_{head}"
                elif key is not None and parent_key == key:
                    continue  # inside one box
                elif key is None and parent_key is None:
                    tail = f"v{self.index[id(parent)]}"
                    wire = plain.get(tail) if merge else None
                    edge_id = f"e{i}_{position}"
                    if wire is None:
                        wire = plain[tail] = self.wires[edge_id] = _Wire(tail, head, mesh=False)
                    else:
                        edge_id = f"e{i}_{wire.keys[0][1]}"
                else:
                    tail = self.boxes[parent_key].id if parent_key else f"v{self.index[id(parent)]}"
                    wire = boxes.get((tail, head))
                    if wire is None:
                        wire = boxes[(tail, head)] = _Wire(tail, head, mesh=True)
                    edge_id = f"e_{tail}_{head}"
                wire.keys.append((id(node), position))
                wire.constant = wire.constant and parent.owner is CONSTANT
                self.wire_of[(id(node), position)] = (edge_id,)
        for wire in (*boxes.values(), *stand_ins.values()):
            self.wires[f"e_{wire.tail}_{wire.head}"] = wire

    def _bus(self) -> None:
        """Where every box of one set feeds every box of another (a layer of neurons into the
        next), the edges meet at one point: 16 + 16 edges instead of 16 × 16, which Graphviz
        lays out in a tenth of the time and the eye can follow."""
        tails_of: dict[str, set[str]] = {}
        for wire in self.wires.values():
            if wire.mesh and wire.tail.startswith("g") and wire.head.startswith("g"):
                tails_of.setdefault(wire.head, set()).add(wire.tail)
        heads_of: dict[frozenset[str], list[str]] = {}
        for head, tails in tails_of.items():
            heads_of.setdefault(frozenset(tails), []).append(head)
        for group, heads in heads_of.items():
            if len(group) < BUS or len(heads) < BUS:
                continue
            junction = f"j{len(self.junctions)}"
            self.junctions.append(junction)
            into = {tail: _Wire(tail, junction, mesh=True) for tail in sorted(group, key=_number)}
            out = {head: _Wire(junction, head, mesh=True) for head in heads}
            for tail in into:
                for head in heads:
                    wire = self.wires.pop(f"e_{tail}_{head}")
                    ids = (f"e_{tail}_{junction}", f"e_{junction}_{head}")
                    for key in wire.keys:
                        self.wire_of[key] = ids
                    into[tail].keys += wire.keys
                    out[head].keys += wire.keys
                    into[tail].constant = out[head].constant = False
            for wire in (*into.values(), *out.values()):
                self.wires[f"e_{wire.tail}_{wire.head}"] = wire

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
        placed: dict[GroupKey, list[str]] = {}
        fresh = id(step.input) if step is not None else None
        for i, node in enumerate(self.order):
            if id(node) not in self.fold and id(node) not in self.hidden:
                lines = placed.setdefault(self.groups[id(node)], [])
                lines += self._node_lines(i, node, reached, fresh)
        touched = {self.fold.get(id(step.input)), self.fold.get(id(step.output))} if step else ()
        for key, box in self.boxes.items():
            line = self._box_line(box, reached, fresh, key in touched)
            placed.setdefault(key[:-1], []).append(line)
        for junction in self.junctions:
            placed.setdefault((), []).append(
                f'{junction} [id="{junction}" class="junction" shape=point width=0.06'
                ' color="#777777"]'
            )
        for family in self.families:
            box_key = self.fold.get(id(family.head))
            where = box_key[:-1] if box_key is not None else self.groups[id(family.head)]
            placed.setdefault(where, []).append(self._stand_in_line(family))

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
            symbol = _html(op.symbol)
            shape = " shape=ellipse" if len(op.symbol) > 4 else ""
            if isinstance(node, Seen) and node.links:  # a folded chain: say how many terms
                what = "terms" if op.symbol == "Σ" else "factors"
                symbol += f'<BR/><FONT POINT-SIZE="9">{len(node.parents)} {what}</FONT>'
                shape = " shape=ellipse"
            tooltip = _quoted(f"{op.doc or op.name}: {self.expression(node)}")
            lines.append(
                f'o{i} [id="o{i}" class="op" {_STYLE["op"]}{shape}'
                f" label=<{symbol}> tooltip={tooltip}]"
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

    def _stand_in_line(self, family: Family) -> str:
        """The node standing for the repeated terms not drawn: how many, and like which."""
        shown = self.namer.name(family.shown)
        drawn = f"terms of one shape: {family.rank} of {family.total} drawn"
        rows = [
            _title_row(f"+ {family.count} more like {_html(_short(shown, 24))}"),
            f'<TR><TD COLSPAN="2">{_muted(drawn)}</TD></TR>',
        ]
        names = ", ".join(self.namer.name(term) for term in family.examples)
        tooltip = _quoted(
            f"{family.count} more terms of {self.namer.name(family.head)} built like "
            f"{shown}, not drawn: {names}, … (sample=k draws term k)"
        )
        return (
            f'{family.id} [id="{family.id}" class="more" {_STYLE["more"]}'
            f" label={_table(rows)} tooltip={tooltip}]"
        )

    def _edges(self, current: EdgeKey | None, done: set[EdgeKey] | None) -> list[str]:
        """Every drawn edge, styled by what it shows at this step of backward."""
        lines: list[str] = []
        for i, node in enumerate(self.order):
            if not node.parents or id(node) in self.hidden or id(node) in self.fold:
                continue
            # op -> its output: gradient enters the op once the op's turn came
            edges = [(id(node), position) for position in range(len(node.parents))]
            started = done is None or current in edges or not done.isdisjoint(edges)
            kind = "step" if current in edges else "flow" if started else "pending"
            lines.append(f'o{i} -> v{i} [id="e{i}" {_EDGE_STYLE[kind]}]')
        for edge_id, wire in self.wires.items():
            if current in wire.keys:
                kind = "step"
            elif wire.constant:
                kind = "constant"
            elif done is not None and done.isdisjoint(wire.keys):
                kind = "pending"
            else:
                kind = "flow"
            extra = _MESH if wire.mesh and kind in ("flow", "pending") else ""
            if len(wire.keys) > 1 and not wire.mesh:
                extra += f' label="×{len(wire.keys)}" fontsize=10 fontcolor="#777777"'
            lines.append(f'{wire.tail} -> {wire.head} [id="{edge_id}" {_EDGE_STYLE[kind]}{extra}]')
        return lines

    def caption(self, step: Step | None, k: int, count: int, seed: str) -> list[str]:
        """The title rows of a step picture: which step, its narration, its local derivative."""
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
        return rows

    def _shortened(self, line: str) -> str:
        """A caption line with each long name shortened as in the nodes, and cut to a few
        names' length."""
        if len(line) > SHOWN_LABEL_LIMIT:
            names = {self.namer.name(node) for node in self.order}
            for name in sorted((n for n in names if len(n) > SHOWN_LABEL_LIMIT), key=len)[::-1]:
                line = line.replace(name, _short(name))
        return _short(line, 8 * SHOWN_LABEL_LIMIT)

    # --- size --------------------------------------------------------------------------------

    @functools.cached_property
    def drawn(self) -> int:
        """How many boxes the picture shows: values (not plain numbers), groups, stand-ins."""
        values = sum(
            1
            for node in self.order
            if node.owner is not CONSTANT
            and id(node) not in self.hidden
            and id(node) not in self.fold
        )
        return values + len(self.boxes) + len(self.families)

    @functools.cached_property
    def layout_cost(self) -> int:
        """About the work of laying the picture out, in nodes: the nodes and edges, plus the
        square of every edge's length in ranks over :data:`LONG_EDGE` (``dot`` routes a long
        edge through one dummy node per rank and places them with a network simplex whose
        work grows with their length; thirty ``x`` in one long sum, ``x + x + … + x`` written
        out, are seconds; eighty are minutes)."""
        rank: dict[str, int] = {}
        tail_ranks: dict[str, list[int]] = {}
        hidden, fold = self.hidden, self.fold
        # Each node's element, by id: its own box v{i} unless hidden or folded into a box.
        element_of = {
            id(node): f"v{i}" if id(node) not in hidden and id(node) not in fold else None
            for i, node in enumerate(self.order)
        }
        for i, node in enumerate(self.order):
            if id(node) in hidden:
                continue
            element = element_of[id(node)] or self.element(node)
            if node.parents and element_of[id(node)] is not None:
                top = 0
                for p in node.parents:
                    if id(p) not in hidden:
                        top = max(top, rank.get(element_of[id(p)] or self.element(p), 0))
                rank[f"o{i}"] = top + 1
                rank[element] = top + 2
            else:
                rank.setdefault(element, 0)
        for wire in self.wires.values():
            tail_ranks.setdefault(wire.tail, []).append(rank.get(wire.head, 0))
        cost = len(rank) + len(self.wires)
        for tail, heads in tail_ranks.items():
            start = rank[tail] if rank.get(tail) else min(heads) - 1  # a leaf: before its use
            cost += sum(max(head - start - 1, 0) ** 2 for head in heads) // LONG_EDGE
        return cost


#: The length (in ranks) whose square counts as one more node of layout work.
LONG_EDGE = 20


def _clusters(placed: dict[GroupKey, list[str]]) -> list[str]:
    """Nested ``subgraph cluster_N`` blocks, one per group, holding the lines placed in it."""
    tree: dict[Any, Any] = {}
    for path in placed:
        level = tree
        for group in path:
            level = level.setdefault(group, {})
    lines: list[str] = []
    counter = itertools.count()

    def emit(level: dict[Any, Any], path: GroupKey) -> None:
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
