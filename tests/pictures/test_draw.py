"""Drawing: real SVG rendered by Graphviz, parsed and checked node by node."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import graphviz
import pytest
from conftest import require_dot
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from autograd import Owner, Value, draw_dot, render_steps
from autograd.engine.records import Op
from autograd.pictures.draw import GraphvizNotFound
from autograd.scalar.ops import ADD

SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"


# --- reading the SVG --------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Graphviz writes runs of spaces as no-break spaces: compare words only."""
    return " ".join(text.replace("\xa0", " ").split())


class Picture:
    """A rendered SVG, read back: nodes and edges by their DOT names, with their texts."""

    def __init__(self, drawing: graphviz.Digraph) -> None:
        require_dot()
        self.root = ET.fromstring(drawing.pipe(format="svg"))
        groups = list(self.root.iter(f"{SVG}g"))
        self.nodes = {self._title(g): g for g in groups if "node" in self._classes(g)}
        self.edges = [(self._title(g), g) for g in groups if "edge" in self._classes(g)]
        self.clusters = [g for g in groups if "cluster" in self._classes(g)]

    @staticmethod
    def _classes(g: ET.Element) -> list[str]:
        return (g.get("class") or "").split()

    @staticmethod
    def _title(g: ET.Element) -> str:
        title = g.find(f"{SVG}title")
        return title.text or "" if title is not None else ""

    def texts(self, name: str) -> list[str]:
        return [_clean(t.text or "") for t in self.nodes[name].iter(f"{SVG}text")]

    def kinds(self, kind: str) -> list[str]:
        return [name for name, g in self.nodes.items() if kind in self._classes(g)]

    def tooltip(self, name: str) -> str:
        return next(a.get(XLINK_TITLE) or "" for a in self.nodes[name].iter(f"{SVG}a"))

    def edge_classes(self, title: str) -> list[list[str]]:
        return [self._classes(g) for t, g in self.edges if t == title]

    def outline(self, name: str) -> tuple[str, str]:
        """The fill and stroke colour of a node's own shape (its first path or polygon)."""
        shape = next(e for e in self.nodes[name].iter() if e.tag in (f"{SVG}path", f"{SVG}polygon"))
        return shape.get("fill") or "", shape.get("stroke") or ""

    def caption(self) -> list[str]:
        """The graph's own label: texts directly in the top group, not in any node."""
        top = self.root.find(f"{SVG}g")
        assert top is not None
        return [_clean(t.text or "") for t in top.findall(f"{SVG}text")]

    def value(self, name: str) -> dict[str, str]:
        """A value node's numbers, e.g. ``{"title": "w", "data": "3", "grad": "8"}``."""
        title, *rest = self.texts(name)
        return {"title": title, **dict(zip(rest[::2], rest[1::2]))}

    def by_title(self) -> dict[str, dict[str, str]]:
        return {self.value(n)["title"]: self.value(n) for n in self.kinds("value")}


def chain_rule() -> dict[str, Value]:
    """The chain-rule tutorial's graph: y = w·x + b, loss = (y − target)²."""
    x, w, b = Value(2.0, "x"), Value(3.0, "w", param=True), Value(1.0, "b", param=True)
    target = Value(5.0, "target")
    y = w * x + b
    y.label = "y"
    loss = (y - target) ** 2
    loss.label = "loss"
    return {"x": x, "w": w, "b": b, "target": target, "y": y, "loss": loss}


@pytest.fixture
def no_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Graphviz's programs cannot be found: PATH holds only an empty folder."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))


# --- the whole picture -------------------------------------------------------------------------


def test_chain_rule_picture_shows_every_value_with_data_and_grad() -> None:
    v = chain_rule()
    v["loss"].backward()
    drawing = draw_dot(v["loss"])
    assert isinstance(drawing, graphviz.Digraph)
    picture = Picture(drawing)
    assert len(picture.nodes) == 12  # 8 values and 4 ops
    assert len(picture.kinds("value")) == 8 and len(picture.kinds("op")) == 4
    values = picture.by_title()
    shown = {title: (n["data"], n["grad"]) for title, n in values.items()}
    assert shown == {
        "w": ("3", "8"),
        "x": ("2", "12"),
        "b": ("1", "4"),
        "target": ("5", "-4"),
        "w · x": ("6", "4"),
        "y": ("7", "4"),
        "y − target": ("2", "4"),
        "loss": ("4", "1"),
    }
    assert len(picture.edges) == 4 + 7  # op -> output, and one edge per input of each op


def test_parameters_inputs_intermediates_and_root_are_told_apart() -> None:
    v = chain_rule()
    picture = Picture(draw_dot(v["loss"]))

    def titles(kind: str) -> set[str]:
        return {picture.value(n)["title"] for n in picture.kinds(kind)}

    assert titles("param") == {"w", "b"}
    assert titles("input") == {"x", "target"}
    assert titles("computed") == {"w · x", "y", "y − target"}
    assert titles("root") == {"loss"}

    def fill(kind: str) -> set[str]:
        return {picture.outline(name)[0] for name in picture.kinds(kind)}

    fills = [fill(kind) for kind in ("param", "input", "computed", "root")]
    assert all(len(f) == 1 for f in fills) and len(set.union(*fills)) == 4


def test_op_nodes_show_the_symbol_of_their_record_even_for_an_op_made_here() -> None:
    cube = Op(
        name="cube",
        symbol="³",
        template="{0}³",
        forward=lambda a: a**3,
        derivative=lambda a, out: (3 * a * a,),
        formulas=("d(a³)/da = 3a²",),
        doc="cube",
    )
    x = Value(2.0, "x")
    y = Value._apply(cube, (x,)) + x * x
    picture = Picture(draw_dot(y))
    symbols = sorted(picture.texts(name)[0] for name in picture.kinds("op"))
    assert symbols == sorted(["³", "·", "+"])
    cube_node = next(n for n in picture.kinds("op") if picture.texts(n) == ["³"])
    assert picture.tooltip(cube_node) == "cube: x³"
    assert picture.by_title()["out"]["data"] == "12"


def test_a_value_used_twice_gets_two_edges_into_its_op() -> None:
    a = Value(3.0, "a")
    b = a * a
    picture = Picture(draw_dot(b))
    assert len(picture.edge_classes("v0->o1")) == 2


def test_constants_are_small_numbers_without_grad() -> None:
    x = Value(4.0, "x")
    y = x * 2 + 1.5
    picture = Picture(draw_dot(y))
    constants = picture.kinds("constant")
    assert sorted(picture.texts(n)[0] for n in constants) == ["1.5", "2"]
    assert all(len(picture.texts(n)) == 1 for n in constants)
    assert picture.by_title()["out"]["data"] == "9.5"
    assert sum("constant" in c for _, g in picture.edges for c in [picture._classes(g)]) == 2


def test_numbers_are_compact() -> None:
    x = Value(0.1, "x")
    y = (x * 3).tanh()
    y.backward()
    values = Picture(draw_dot(y)).by_title()
    assert values["x · 3"]["data"] == "0.3"  # not 0.30000000000000004
    assert values["out"]["data"] == "0.291313"
    assert values["x"]["grad"] == "2.74541"


def test_rankdir_top_to_bottom_and_bad_rankdir() -> None:
    x = Value(1.0, "x")
    assert "rankdir=TB" in draw_dot(x.tanh(), rankdir="TB").source
    with pytest.raises(ValueError, match="rankdir must be one of LR, RL, TB, BT, not 'down'"):
        draw_dot(x, rankdir="down")


def test_a_lone_leaf_is_the_root() -> None:
    picture = Picture(draw_dot(Value(3.0, "x")))
    assert picture.kinds("root") == ["v0"] and picture.value("v0")["data"] == "3"


# --- any label renders -----------------------------------------------------------------------

HOSTILE = [
    'say "hi"',
    "back\\slash",
    "ends with a backslash\\",
    "\\n is not a newline",
    "\\l\\r\\N\\G",
    "<b>not bold</b>",
    "<>",
    "{record|fields}",
    "| pipe",
    "a & b &amp; c",
    "&#60;",
    "line one\nline two",
    "naïve ∂L/∂w → σ(z) ≥ 0",
    "日本語のラベル",
    "emoji 🙂",
    "-> edge --",
    "}; digraph x {",
    "[label=x]",
    "port:name:n",
    "   spaced   out   ",
    "'single'",
    "]",  # Graphviz 2.43 cannot parse <B>]</B> (found by the hypothesis test below)
]


def test_hostile_labels_render_exactly() -> None:
    leaves = [Value(float(i), label) for i, label in enumerate(HOSTILE)]
    root = Value.sum(leaves)
    root.label = "sum of hostile"
    picture = Picture(draw_dot(root))
    assert len(picture.nodes) == len(HOSTILE) + 2
    for i, label in enumerate(HOSTILE):
        texts = picture.texts(f"v{i}")
        lines = label.splitlines()
        assert texts[: len(lines)] == [_clean(line) for line in lines], label
        assert texts[len(lines) :] == ["data", str(i), "grad", "0"], label
        tooltip = " / ".join(lines).replace("\\", "⧵") + " (input)"
        assert _clean(picture.tooltip(f"v{i}")) == _clean(tooltip), label


def test_unprintable_characters_are_shown_as_escapes() -> None:
    labels = ["nul\x00here", "tab\there", "bell\x07", "surrogate\ud800", "not a char\ufffe"]
    root = Value.sum([Value(1.0, label) for label in labels])
    picture = Picture(draw_dot(root))
    titles = [picture.texts(f"v{i}")[0] for i in range(len(labels))]
    assert titles == [
        "nul\\x00here",
        "tab here",
        "bell\\x07",
        "surrogate\\ud800",
        "not a char\\ufffe",
    ]


def test_labels_that_are_only_line_breaks_render_as_blank_titles() -> None:
    root = Value.sum([Value(1.0, "\n"), Value(2.0, "\x1e"), Value(3.0, "\u2028")])
    picture = Picture(draw_dot(root, step=2))
    assert [picture.texts(f"v{i}") for i in range(3)] == [
        ["data", "1", "grad", "1"],
        ["data", "2", "grad", "1"],
        ["data", "3", "grad", "?"],
    ]


def test_hostile_group_names_render() -> None:
    w = Value(1.0, "w", param=True)
    w.owner = Owner((("layer", '<L1 "&">'), ("neuron", "N{1}|\\")), "param")
    y = w * 2
    picture = Picture(draw_dot(y))
    cluster_texts = [_clean(t.text or "") for c in picture.clusters for t in c.iter(f"{SVG}text")]
    assert sorted(cluster_texts) == sorted(['<L1 "&">', "N{1}|\\"])
    box = Picture(draw_dot(y, collapse="neuron"))
    assert box.texts(box.kinds("group")[0])[0] == '<L1 "&">.N{1}|\\'


@hypothesis_settings(max_examples=40)
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Co"))
        | st.sampled_from("\n"),
        min_size=1,
        max_size=30,
    )
)
def test_any_printable_label_renders(label: str) -> None:
    picture = Picture(draw_dot(Value(1.5, label)))
    texts = picture.texts("v0")
    assert texts[-4:] == ["data", "1.5", "grad", "0"]
    assert _clean(" ".join(texts[:-4])) == _clean(" ".join(label.splitlines()))


# --- step view -------------------------------------------------------------------------------


def test_step_view_fills_grads_so_far_and_highlights_the_step() -> None:
    v = chain_rule()
    steps = list(chain_rule()["loss"].backward_steps())
    picture = Picture(draw_dot(v["loss"], step=3))
    values = picture.by_title()
    assert {t: n["grad"] for t, n in values.items()} == {
        "loss": "1",
        "y − target": "4",
        "y": "4",
        "target": "-4",  # step 3: dloss/dtarget
        "w · x": "?",
        "b": "?",
        "w": "?",
        "x": "?",
    }
    # target (v5) -> the subtraction (o6), and that op's edge to its output (v6)
    highlighted = [title for title, g in picture.edges if "step" in picture._classes(g)]
    assert sorted(highlighted) == ["o6->v6", "v5->o6"]
    assert picture.kinds("value")[0] == "v0"
    stroke = {
        p.get("stroke")
        for t, g in picture.edges
        if t == "v5->o6"
        for p in g
        if p.tag == f"{SVG}path"
    }
    assert stroke == {"#d62728"}
    assert picture.caption() == [
        "Step 3 of 7",
        _clean(str(steps[2])),
        "local derivative: d(y − target)/dtarget = −1",
    ]
    assert (
        str(steps[2])
        == "dloss/dtarget = dloss/d(y − target) · d(y − target)/dtarget = 4 · (−1) = −4"
    )
    pending = [title for title, g in picture.edges if "pending" in picture._classes(g)]
    assert len(pending) == 4 + 2  # four inputs still to reach, two ops not started


def test_step_zero_is_the_start_and_the_last_step_is_the_full_backward() -> None:
    v = chain_rule()
    start = Picture(draw_dot(v["loss"], step=0))
    assert start.caption() == ["Start of backward: 7 steps to go", "dloss/dloss = 1"]
    assert [n["grad"] for n in start.by_title().values()].count("?") == 7
    assert not [t for t, g in start.edges if "step" in start._classes(g)]
    end = Picture(draw_dot(v["loss"], step=7)).by_title()
    assert end["w"]["grad"] == "8" and end["x"]["grad"] == "12"


def test_step_view_leaves_the_users_grads_alone(tmp_path: Path) -> None:
    v = chain_rule()
    draw_dot(v["loss"], step=4)
    assert all(node.grad == 0.0 for node in v.values())
    v["loss"].backward()
    draw_dot(v["loss"], step=2)
    render_steps(v["loss"], tmp_path, format="dot")
    assert (v["w"].grad, v["x"].grad, v["y"].grad, v["loss"].grad) == (8.0, 12.0, 4.0, 1.0)
    v["loss"].backward()  # leaves still accumulate from where they were
    assert v["w"].grad == 16.0


def test_step_view_of_a_value_used_twice_highlights_the_right_edge() -> None:
    a = Value(3.0, "a")
    b = a * a
    b.label = "b"
    first, second = Picture(draw_dot(b, step=1)), Picture(draw_dot(b, step=2))
    assert first.edge_classes("v0->o1") == [["edge", "step"], ["edge", "pending"]]
    assert second.edge_classes("v0->o1") == [["edge", "flow"], ["edge", "step"]]
    assert first.value("v0")["grad"] == "3" and second.value("v0")["grad"] == "6"
    assert second.caption()[1] == "db/da += a = 3 (path 2 of 2: 3 + 3 = 6)"


def test_steps_out_of_range_say_how_many_there_are() -> None:
    loss = chain_rule()["loss"]
    with pytest.raises(ValueError, match=r"step=8, but backward from 'loss' has only 7 steps"):
        draw_dot(loss, step=8)
    for bad in (-1, True, 1.5):
        with pytest.raises(ValueError, match="step must be a whole number"):
            draw_dot(loss, step=bad)  # type: ignore[arg-type]


def test_render_steps_writes_one_numbered_svg_per_step(tmp_path: Path) -> None:
    require_dot()
    v = chain_rule()
    v["loss"].backward()
    paths = render_steps(v["loss"], tmp_path / "steps")
    assert [p.name for p in paths] == [f"step_0{k}.svg" for k in range(8)]
    assert sorted(p.name for p in (tmp_path / "steps").iterdir()) == [p.name for p in paths]
    expected = [str(s) for s in chain_rule()["loss"].backward_steps()]
    for k, path in enumerate(paths):
        svg = ET.parse(path).getroot()
        edges = [g for g in svg.iter(f"{SVG}g") if "edge" in (g.get("class") or "").split()]
        highlighted = [g for g in edges if "step" in (g.get("class") or "").split()]
        assert len(highlighted) == (0 if k == 0 else 2)
        captions = [_clean(t.text or "") for t in svg.find(f"{SVG}g").findall(f"{SVG}text")]
        assert captions[1] == (_clean(expected[k - 1]) if k else "dloss/dloss = 1")
    assert v["w"].grad == 8.0


def test_render_steps_dot_sources_need_no_graphviz(no_dot: None, tmp_path: Path) -> None:
    x = Value(2.0, "x")
    y = (x * x).tanh()
    paths = render_steps(y, tmp_path, format="dot")
    assert [p.name for p in paths] == ["step_00.dot", "step_01.dot", "step_02.dot", "step_03.dot"]
    assert 'class="step"' in paths[2].read_text()


# --- groups ----------------------------------------------------------------------------------


def small_network() -> tuple[Value, list[Value], list[Value]]:
    """A 2-2-1 network whose values carry hand-made owners (layer, neuron): loss, x, hidden."""
    x1, x2 = Value(1.0, "x1"), Value(-2.0, "x2")

    def neuron(layer: str, name: str, inputs: list[Value], activate: bool = True) -> Value:
        groups = (("layer", layer), ("neuron", name))
        ws = [Value(0.5 - 0.3 * i, f"w{i + 1}", param=True) for i in range(len(inputs))]
        b = Value(0.1, "b", param=True)
        for p in (*ws, b):
            p.owner = Owner(groups, "param")
        z = Value.dot(ws, inputs, b)
        out = z.tanh() if activate else z * 1
        for node in {id(n): n for n in (z, out, *out.parents)}.values():
            if node.owner is None:
                node.owner = Owner(groups, "computed")
        return out

    hidden = [neuron("L1", f"N{i + 1}", [x1, x2]) for i in range(2)]
    out = neuron("L2", "N1", hidden, activate=False)
    loss = (out - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return loss, [x1, x2], hidden


def _inside(picture: Picture, cluster: ET.Element, node: str) -> bool:
    numbers = [
        float(n)
        for s in cluster.iter()
        for n in re.findall(r"-?\d+\.?\d*", s.get("d") or s.get("points") or "")
    ]
    xs, ys = numbers[::2], numbers[1::2]
    text = next(picture.nodes[node].iter(f"{SVG}text"))
    x, y = float(text.get("x") or 0), float(text.get("y") or 0)
    return min(xs) <= x <= max(xs) and min(ys) <= y <= max(ys)


def test_groups_are_drawn_as_nested_clusters() -> None:
    loss, _, _ = small_network()
    picture = Picture(draw_dot(loss))
    names = [_clean(next(c.iter(f"{SVG}text")).text or "") for c in picture.clusters]
    assert sorted(names) == ["L1", "L2", "N1", "N1", "N2"]
    labels = dict(zip(names, picture.clusters))
    layer_classes = sorted(picture._classes(c)[1] for c in picture.clusters)
    assert layer_classes == ["layer", "layer", "neuron", "neuron", "neuron"]
    # Every param of L1 lies inside the L1 cluster, no param of L2 does.
    params = {n: picture.value(n)["title"] for n in picture.kinds("param")}
    l1 = labels["L1"]
    l1_params = [n for n in params if _inside(picture, l1, n)]
    assert len(params) == 9 and len(l1_params) == 6
    # Inputs and the loss stay outside every layer.
    for name, g in picture.nodes.items():
        if "input" in picture._classes(g) or "root" in picture._classes(g):
            assert not _inside(picture, l1, name) and not _inside(picture, labels["L2"], name)


def test_collapse_by_neuron_draws_one_box_per_neuron() -> None:
    loss, _, hidden = small_network()
    picture = Picture(draw_dot(loss, collapse="neuron"))
    boxes = {picture.texts(n)[0]: picture.texts(n) for n in picture.kinds("group")}
    assert sorted(boxes) == ["L1.N1", "L1.N2", "L2.N1"]
    # Σwx+b, tanh and 3 params per hidden neuron; the output neuron is Σwx+b, ·1, a constant.
    assert boxes["L1.N1"][1] == "5 values (3 params)"
    assert boxes["L2.N1"][1] == "5 values (3 params)"
    first = hidden[0]
    assert boxes["L1.N1"][2:] == ["data", f"{first.data:.6g}", "grad", f"{first.grad:.6g}"]
    # Boxes, two inputs, and outside the boxes: sub, pow with their outputs and a constant.
    assert len(picture.kinds("group")) == 3 and len(picture.kinds("input")) == 2
    assert len(picture.nodes) == 3 + 2 + 2 + 2 + 1
    titles = sorted(t for t, _ in picture.edges)
    box_ids = {picture.texts(n)[0]: n for n in picture.kinds("group")}
    l1n1, l1n2, l2n1 = box_ids["L1.N1"], box_ids["L1.N2"], box_ids["L2.N1"]
    inputs = {picture.value(n)["title"]: n for n in picture.kinds("input")}
    expected_box_edges = {
        f"{inputs['x1']}->{l1n1}",
        f"{inputs['x2']}->{l1n1}",
        f"{inputs['x1']}->{l1n2}",
        f"{inputs['x2']}->{l1n2}",
        f"{l1n1}->{l2n1}",
        f"{l1n2}->{l2n1}",
    }
    assert expected_box_edges <= set(titles)
    assert len([t for t in titles if l1n1 in t or l1n2 in t or l2n1 in t]) == 7  # + box -> sub
    assert len(titles) == len(set(titles))  # deduplicated


def test_collapse_by_layer_and_edges_are_deduplicated() -> None:
    x = Value(2.0, "x")
    groups = (("layer", "L1"), ("neuron", "N1"))
    w = Value(0.5, "w", param=True)
    w.owner = Owner(groups, "param")
    inner = x * w + x * x  # x enters the neuron three times
    for node in (inner, *inner.parents):
        node.owner = Owner(groups, "computed")
    y = inner.tanh()
    picture = Picture(draw_dot(y, collapse="layer"))
    (box,) = picture.kinds("group")
    assert picture.texts(box) == ["L1", "4 values (1 param)", "data", "5", "grad", "0"]
    assert [t for t, _ in picture.edges].count(f"v0->{box}") == 1


def test_collapse_in_a_step_picture_marks_the_box_of_the_step() -> None:
    loss, _, _ = small_network()
    pictures = [Picture(draw_dot(loss, step=k, collapse="neuron")) for k in (1, 3)]
    assert pictures[0].kinds("group") and all(
        "#d62728" not in {s.get("stroke") for s in pictures[0].nodes[g]}
        for g in pictures[0].kinds("group")
    )
    marked = [
        pictures[1].texts(g)[0]
        for g in pictures[1].kinds("group")
        if "#d62728" in {s.get("stroke") for s in pictures[1].nodes[g]}
    ]
    assert marked == ["L2.N1"]


def test_collapse_names_the_kinds_there_are() -> None:
    loss, _, _ = small_network()
    with pytest.raises(
        ValueError, match="collapse='nueron', but this graph's groups are of kind 'layer', 'neuron'"
    ):
        draw_dot(loss, collapse="nueron")
    x = Value(1.0, "x")
    assert draw_dot(x.tanh(), collapse="neuron").source == draw_dot(x.tanh()).source


# --- other kinds of node ---------------------------------------------------------------------


class ArrayLikeNode:
    """A node that describes itself without numbers, as a Tensor will: draw must not care."""

    def __init__(self, label: str, parents: tuple[Any, ...] = (), op: Any = None) -> None:
        self.label, self.parents, self.op = label, parents, op
        self.data, self.grad, self.owner = object(), None, None

    def describe(self, number: Any) -> str:
        return "shape (2, 3) float64"

    brief = describe


def test_a_node_that_is_not_a_value_draws_through_its_own_describe() -> None:
    a, b = ArrayLikeNode("A"), ArrayLikeNode("B")
    c = ArrayLikeNode("C", (a, b), ADD)
    picture = Picture(draw_dot(c))
    assert picture.by_title()["C"] == {"title": "C", "data": "shape (2, 3) float64", "grad": "none"}
    assert [picture.texts(n) for n in picture.kinds("op")] == [["+"]]


# --- rendering, with and without Graphviz ----------------------------------------------------


def test_render_writes_svg_png_and_pdf(tmp_path: Path) -> None:
    require_dot()
    loss = chain_rule()["loss"]
    drawing = draw_dot(loss)
    assert Path(drawing.render(tmp_path / "exact.png")).read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exact.png"]
    pdf = drawing.render(tmp_path / "graph", format="pdf")  # exactly the name given
    assert Path(pdf).name == "graph" and Path(pdf).read_bytes()[:4] == b"%PDF"
    svg = drawing.render(tmp_path / "graph.svg")
    assert len(ET.parse(svg).getroot().findall(f".//{SVG}g[@class='node value param']")) == 2


def test_notebook_display_is_svg() -> None:
    require_dot()
    bundle = draw_dot(chain_rule()["loss"])._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"] and "loss" in bundle["image/svg+xml"]


def test_without_dot_drawing_works_and_rendering_says_how_to_install(
    no_dot: None, tmp_path: Path
) -> None:
    drawing = draw_dot(chain_rule()["loss"], step=2)
    assert drawing.source.count('class="value') == 8
    saved = drawing.save(tmp_path / "graph.dot")
    assert Path(saved).read_text() == drawing.source
    for attempt in (
        lambda: drawing.render(tmp_path / "graph.svg"),
        lambda: drawing.render(tmp_path / "graph", format="png"),
        lambda: drawing.pipe(format="svg"),
    ):
        with pytest.raises(GraphvizNotFound) as error:
            attempt()
        message = str(error.value)
        assert "\n" not in message and "install Graphviz" in message and "apt install" in message
        assert isinstance(error.value, graphviz.ExecutableNotFound)
    bundle = drawing._repr_mimebundle_()
    assert list(bundle) == ["text/plain"] and "install Graphviz" in bundle["text/plain"]


def test_a_deep_graph_draws_without_recursion() -> None:
    x = Value(0.5, "x")
    y = x
    for _ in range(3000):
        y = y.tanh()
    source = draw_dot(y).source
    assert source.count('class="value') == 3001 and source.count('class="op"') == 3000


# --- the demo --------------------------------------------------------------------------------


def test_chain_rule_demo_writes_its_graph_and_steps(tmp_path: Path, capsys: Any) -> None:
    require_dot()
    from demos import chain_rule as demo

    demo.main(
        ["--graph", str(tmp_path / "out" / "chain_rule.svg"), "--steps", str(tmp_path / "steps")]
    )
    printed = capsys.readouterr().out
    assert f"graph written to {tmp_path / 'out' / 'chain_rule.svg'}" in printed
    assert "8 step pictures written to" in printed
    svg = ET.parse(tmp_path / "out" / "chain_rule.svg").getroot()
    assert len([g for g in svg.iter(f"{SVG}g") if "node" in (g.get("class") or "")]) == 12
    assert len(list((tmp_path / "steps").glob("step_*.svg"))) == 8


def test_chain_rule_demo_without_dot_says_so_in_one_line(no_dot: None, tmp_path: Path) -> None:
    from demos import chain_rule as demo

    with pytest.raises(SystemExit) as stop:
        demo.main(["--graph", str(tmp_path / "chain_rule.svg")])
    assert "install Graphviz" in str(stop.value.code) and "\n" not in str(stop.value.code)
    demo.main(["--graph", str(tmp_path / "chain_rule.dot")])
    assert (tmp_path / "chain_rule.dot").read_text().startswith("digraph {")


# --- slides: one size per graph, any format, a Step for step= ---------------------------------


def test_every_step_picture_of_one_graph_has_the_same_size(tmp_path: Path) -> None:
    import struct

    require_dot()
    loss = chain_rule()["loss"]
    sizes = {
        re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', p.read_text()).groups()  # type: ignore[union-attr]
        for p in render_steps(loss, tmp_path / "svg")
    }
    assert len(sizes) == 1
    pngs = render_steps(loss, tmp_path / "png", format="png", dpi=48)
    assert [p.name for p in pngs][:2] == ["step_00.png", "step_01.png"]
    pixels = {struct.unpack(">II", p.read_bytes()[16:24]) for p in pngs}
    assert len(pixels) == 1
    (width, _), ((svg_width, _),) = next(iter(pixels)), sizes
    assert abs(width - float(svg_width) * 48 / 72) <= 2  # dpi=48: two thirds of a point each
    assert sorted(p.name for p in (tmp_path / "png").iterdir()) == [p.name for p in pngs]


def test_render_steps_refuses_a_dpi_that_is_not_a_positive_number(tmp_path: Path) -> None:
    for bad in (0, -5, "96", True):
        with pytest.raises(ValueError, match="dpi must be a positive number"):
            render_steps(chain_rule()["loss"], tmp_path, format="png", dpi=bad)  # type: ignore[arg-type]


def test_draw_dot_accepts_a_step_of_its_own_graph() -> None:
    loss = chain_rule()["loss"]
    steps = list(loss.backward_steps())
    assert draw_dot(loss, step=steps[3]).source == draw_dot(loss, step=4).source
    other = chain_rule()["loss"]
    with pytest.raises(ValueError, match="another graph"):
        draw_dot(other, step=steps[3])


def test_a_failed_render_leaves_no_stray_files(no_dot: None, tmp_path: Path) -> None:
    drawing = draw_dot(chain_rule()["loss"])
    for attempt in (
        lambda: drawing.render(tmp_path / "graph.svg"),
        lambda: drawing.render(tmp_path / "graph", format="png"),
        lambda: drawing.render(filename="g", directory=tmp_path, format="svg"),
        lambda: render_steps(chain_rule()["loss"], tmp_path / "slides", format="png"),
    ):
        with pytest.raises(GraphvizNotFound):
            attempt()
    assert [p.name for p in tmp_path.iterdir()] == ["empty"] or not list(tmp_path.iterdir())
