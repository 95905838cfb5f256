"""The lesson page as written: its data agrees with the engine, it is safe and self-contained,
and the finite differences behind its table are right. (tests/pictures/test_lesson_browser.py clicks
through it in a real browser.)"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib
import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import require_dot
from expressions import Recipe, kink_inputs, recipes
from hypothesis import assume, given

import nn
from autograd import (
    Lesson,
    Tensor,
    Value,
    arange,
    backward_steps,
    draw_dot,
    gradcheck,
    lesson,
    tensor,
)
from autograd.engine.graph import topological_order
from autograd.engine.notation import fmt
from autograd.pictures.draw import INSTALL_HINT, GraphvizNotFound
from autograd.tools.gradcheck import FiniteDifferences, rerun


def chain_rule() -> dict[str, Value]:
    x, w, b = Value(2.0, "x"), Value(3.0, "w", param=True), Value(1.0, "b", param=True)
    target = Value(5.0, "target")
    y = w * x + b
    y.label = "y"
    loss = (y - target) ** 2
    loss.label = "loss"
    return {"x": x, "w": w, "b": b, "target": target, "y": y, "loss": loss}


def payload(page: Lesson | str) -> dict[str, Any]:
    """The data a page (a Lesson, or a saved page's text) shows."""
    text = page if isinstance(page, str) else page.html
    found = re.search(r'<script type="application/json" id="tg-data">(.*?)</script>', text)
    assert found is not None
    return json.loads(found.group(1))


def tensor_loss() -> tuple[Tensor, list[Tensor]]:
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 3)), label="x")
    W = Tensor(rng.standard_normal((3, 5)), requires_grad=True, label="W")
    b = Tensor(np.zeros(5), requires_grad=True, label="b")
    loss = -(x @ W + b).log_softmax(1)[arange(4), tensor([0, 1, 2, 3])].mean()
    loss.label = "loss"
    return loss, [x, W, b]


@pytest.fixture(autouse=True)
def _dot() -> None:
    require_dot()


# --- the data the page shows is the engine's ------------------------------------------------


def test_the_page_steps_through_forward_then_every_backward_step_as_the_engine_narrates() -> None:
    page = lesson(chain_rule()["loss"])
    data = payload(page)
    events = data["events"]
    fresh = chain_rule()
    steps = list(backward_steps(fresh["loss"]))
    assert [e["kind"] for e in events] == ["start"] + ["forward"] * 4 + ["seed"] + [
        "backward"
    ] * len(steps)
    assert [e["text"] for e in events if e["kind"] == "backward"] == [str(s) for s in steps]
    formulas = [data["formulas"][e["formula"]] for e in events if e["kind"] == "backward"]
    assert formulas == [s.formula for s in steps]
    # Forward values appear in topological order, each written with its numbers.
    order = topological_order(fresh["loss"])
    forward = [e for e in events if e["kind"] == "forward"]
    assert [e["node"] for e in forward] == [i for i, n in enumerate(order) if n.parents]
    assert forward[1]["text"] == "y = (w · x) + b = 6 + 1 = 7"
    assert events[5]["text"] == "dloss/dloss = 1"
    assert (page.forward_steps, page.backward_steps) == (4, len(steps))
    # The slider runs over every event.
    assert f'max="{len(events) - 1}"' in page.html


def test_each_step_names_the_picture_ids_of_its_edge_and_nodes() -> None:
    v = chain_rule()
    data = payload(lesson(v["loss"]))
    order = topological_order(v["loss"])
    svg = draw_dot(v["loss"]).pipe(format="svg", encoding="utf-8")
    for event in (e for e in data["events"] if e["kind"] == "backward"):
        ways = data["nodes"][event["output"]]["inputs"][event["position"]]
        assert ways == [f"e{event['output']}_{event['position']}", f"o{event['output']}"] + [
            f"e{event['output']}"
        ]
        for way in ways:
            assert f'id="{way}"' in svg  # draw_dot gives every edge a stable id
        parent = order[event["node"]]
        assert order[event["output"]].parents[event["position"]] is parent


def test_leaf_table_rows_hold_backwards_grads_and_finite_differences() -> None:
    v = chain_rule()
    data = payload(lesson(v["loss"]))
    fresh = chain_rule()
    fresh["loss"].backward()
    leaves = data["leaves"]
    assert [row["name"] for row in leaves] == ["w", "x", "b", "target"]
    final = {}
    for event in data["events"]:
        if event["kind"] == "backward":
            final[event["node"]] = event
    for row in leaves:
        grad = fresh[row["name"]].grad
        last = final[row["node"]]
        assert float(last["exact"]) == grad  # exactly backward's number
        assert last.get("cell", last["grad"]) == fmt(grad)
        assert float(row["fd"]) == pytest.approx(grad, rel=1e-6)
        assert row["agree"] is True


def test_reading_the_lesson_leaves_every_grad_as_it_was() -> None:
    v = chain_rule()
    v["loss"].backward()
    v["loss"].backward()  # leaves accumulate: w.grad is 16 now
    before = {name: node.grad for name, node in v.items()}
    lesson(v["loss"])
    assert {name: node.grad for name, node in v.items()} == before
    # ...and the page shows backward from zero all the same.
    data = payload(lesson(v["loss"]))
    w_steps = [e for e in data["events"] if e["kind"] == "backward" and e["node"] == 0]
    assert w_steps[-1]["exact"] == "8.0"


def test_a_value_used_twice_sums_its_paths_and_accumulates() -> None:
    a = Value(3.0, "a")
    b = a * a
    b.label = "b"
    data = payload(lesson(b))
    steps = [e for e in data["events"] if e["kind"] == "backward"]
    assert [(e["node"], e["position"]) for e in steps] == [(0, 0), (0, 1)]
    assert "+=" in steps[1]["text"] and steps[1]["exact"] == "6.0"


def test_collapsed_networks_point_steps_at_their_boxes() -> None:
    model = nn.MLP(2, [3, 1], activation="relu", output_activation="sigmoid", seed=0)
    loss = nn.binary_cross_entropy(
        [model(x, squeeze=True) for x in [(0.0, 1.0), (1.0, 1.0)]], [1.0, 0.0]
    )
    data = payload(lesson(loss, collapse="neuron"))
    svg = draw_dot(loss, collapse="neuron").pipe(format="svg", encoding="utf-8")
    boxes = set(re.findall(r'id="(g\d+)" class="node group"', svg))
    assert boxes and set(data["groups"]) == boxes
    elements = {node["element"] for node in data["nodes"]}
    assert boxes <= elements
    for node in data["nodes"]:
        for ways in node["inputs"]:
            for way in ways:
                assert f'id="{way}"' in svg
    assert len(data["leaves"]) == len(model.parameters()) + 4  # and the inputs x1, x2 twice
    with pytest.raises(ValueError, match="collapse='tree'"):
        lesson(loss, collapse="tree")


def test_tensor_graphs_show_shapes_and_estimate_the_first_entries() -> None:
    loss, (x, W, b) = tensor_loss()
    data = payload(lesson(loss))
    rows = {row["name"]: row for row in data["leaves"]}
    assert rows["x"]["data"] == "[4×3] float32" and rows["x"]["noGrad"] is True
    assert rows["x"]["fd"] == "—"
    assert rows["W"]["data"] == "[3×5] float32"
    loss.backward()
    estimates = [float(t) for t in rows["W"]["fd"].rstrip(", …").split(", ")]
    assert estimates == pytest.approx(W.grad.reshape(-1)[:3].tolist(), rel=1e-3, abs=1e-6)
    assert rows["W"]["agree"] is True
    last = [e for e in data["events"] if e["kind"] == "backward" and e["node"] == rows["W"]["node"]]
    assert last[-1]["grad"] == "[3×5] float32"
    assert last[-1]["cell"] == ", ".join(fmt(float(g)) for g in W.grad.reshape(-1)[:3]) + ", …"
    backward = [e for e in data["events"] if e["kind"] == "backward"]
    assert all(e["local"] is None and "upstreamText" in e for e in backward)


def test_a_non_finite_number_reaches_the_page_as_text() -> None:
    x = Value(float("nan"), "x")
    y = x * 2
    y.label = "y"
    data = payload(lesson(y))
    step = data["events"][-1]
    assert step["contribution"] == 2.0 and step["exact"] == "2.0"
    assert data["leaves"][0]["data"] == "nan"
    inf = Value(float("inf"), "big") * Value(1.0, "one")
    assert payload(lesson(inf))["events"][-1]["local"] == "inf"


def test_a_kink_is_marked_where_finite_differences_disagree() -> None:
    x = Value(0.0, "x")
    y = x.relu()
    y.label = "y"
    row = payload(lesson(y))["leaves"][0]
    assert row["agree"] is False and float(row["fd"]) == pytest.approx(0.5)
    assert "kink" in row["fdTitle"]


def test_a_nudge_outside_the_domain_is_reported_not_raised() -> None:
    z = Value(1e-7, "z")
    root = z.log()  # z − 1e-6 < 0: the estimate has no value here
    row = payload(lesson(root))["leaves"][0]
    assert row["fd"] == "undefined" and "log is only defined for x > 0" in row["fdTitle"]


def test_big_graphs_skip_finite_differences_past_the_budget(monkeypatch) -> None:
    # (autograd.lesson is the function; the module is autograd's submodule of that name)
    monkeypatch.setattr(importlib.import_module("autograd.pictures.lesson"), "FD_BUDGET", 30)
    v = chain_rule()
    rows = payload(lesson(v["loss"]))["leaves"]
    estimated = [row for row in rows if row["agree"] is not None]
    assert 0 < len(estimated) < len(rows)
    assert all("not estimated" in row["fdTitle"] for row in rows if row["agree"] is None)


def test_a_leaf_alone_is_a_lesson_with_no_steps() -> None:
    x = Value(3.0, "x")
    page = lesson(x)
    data = payload(page)
    assert [e["kind"] for e in data["events"]] == ["start", "seed"]
    assert data["leaves"][0]["fd"] == "1"
    assert (page.forward_steps, page.backward_steps) == (0, 0)


def test_a_tensor_with_many_entries_cannot_be_the_root() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    with pytest.raises(RuntimeError, match="scalar outputs"):
        lesson(x * 2)


# --- safe and self-contained ------------------------------------------------------------------

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(2)</script>",
    '"><svg onload=alert(3)>',
    "&lt;b&gt; & \u2028\u2029 \\ \ud800 {{7*7}} ${alert(4)}",
]


class _Tags(HTMLParser):
    """Every start tag of a page, with its attributes, as a browser's parser sees them."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def test_hostile_labels_and_titles_never_reach_the_page_as_markup() -> None:
    leaves = [Value(float(i + 1), label) for i, label in enumerate(HOSTILE)]
    root = Value.sum([leaf * leaf for leaf in leaves])
    root.label = "<b>root</b>"
    page = lesson(root, title=HOSTILE[1])
    text = page.html
    text.encode("utf-8")  # a lone surrogate would not encode: it is escaped
    for label in HOSTILE[:3]:
        assert label not in text
    tags = _Tags(text).tags
    names = [tag for tag, _ in tags]
    assert names.count("script") == 2 and "img" not in names and "iframe" not in names
    handlers = [name for _, attrs in tags for name, _ in attrs if name.startswith("on")]
    assert handlers == []  # no inline event handlers: the one script adds its listeners
    found = re.search(r'id="tg-data">(.*?)</script>', text)
    assert found is not None and not re.search("[<>&\u2028\u2029]", found.group(1))
    data = payload(page)
    assert data["title"] == HOSTILE[1]
    assert [row["name"] for row in data["leaves"]] == HOSTILE
    assert f"<title>{html.escape(HOSTILE[1])}</title>" in text


def test_the_content_security_policy_allows_only_the_pages_own_script_and_style() -> None:
    text = lesson(chain_rule()["loss"]).html
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text)
    assert policy is not None
    rules = dict(rule.strip().split(" ", 1) for rule in policy.group(1).split(";"))
    assert rules["default-src"] == "'none'"
    script = re.search(r"<script>(.*?)</script>", text, re.S)
    style = re.search(r"<style>(.*?)</style>", text, re.S)
    assert script is not None and style is not None

    def digest(block: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"

    assert rules["script-src"] == digest(script.group(1))
    assert rules["style-src"] == digest(style.group(1))
    assert "http" not in policy.group(1) and "unsafe" not in policy.group(1)
    assert not re.search(r'(src|href)="(?!#)', text.split("</head>", 1)[1])
    assert "eval(" not in script.group(1) and "innerHTML" not in script.group(1)


def test_without_dot_lesson_gives_drawings_one_line_hint(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(GraphvizNotFound) as missing:
        lesson(chain_rule()["loss"])
    assert str(missing.value) == INSTALL_HINT and "\n" not in INSTALL_HINT


def test_in_a_notebook_the_page_sits_in_its_own_sandboxed_frame() -> None:
    page = lesson(chain_rule()["loss"], title='a "quoted" <title>')
    frame = page._repr_html_()
    found = re.fullmatch(
        r'<iframe srcdoc="([^"]*)" sandbox="allow-scripts" title="([^"]*)"[^>]*></iframe>', frame
    )
    assert found is not None
    assert html.unescape(found.group(1)) == page.html
    assert html.unescape(found.group(2)) == 'a "quoted" <title>'
    assert "allow-same-origin" not in frame


def test_save_writes_exactly_the_path_and_replaces_an_old_file_whole(tmp_path: Path) -> None:
    page = lesson(chain_rule()["loss"])
    target = tmp_path / "deep" / "er" / "lesson.html"
    assert page.save(target) == target
    assert target.read_text(encoding="utf-8") == page.html
    target.write_text("old")
    page.save(str(target))
    assert target.read_text(encoding="utf-8") == page.html
    assert [p.name for p in target.parent.iterdir()] == ["lesson.html"]  # no temporary left
    with pytest.raises(IsADirectoryError, match="is a folder"):
        page.save(tmp_path)
    assert (
        repr(page) == "Lesson('Backpropagation through loss': 4 forward values, 7 backward steps)"
    )


def test_page_resources_ship_with_the_package() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    root = Path(__file__).resolve().parents[2]
    listed = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    resources = {
        path.name for path in (root / "autograd" / "pictures").iterdir() if path.suffix != ".py"
    } - {"__pycache__"}
    assert set(listed["package-data"]["autograd.pictures"]) == resources
    assert {"lesson.html", "lesson.js", "lesson.css", "windows.js", "windows.css"} <= resources


# --- re-running a recorded graph: the finite differences behind the table ---------------------


@given(recipes())
def test_rerun_reproduces_every_forward_value_exactly(recipe: Recipe) -> None:
    root = recipe.build([Value(x, f"x{i}") for i, x in enumerate(recipe.leaves)])
    assume(math.isfinite(root.data))
    order = topological_order(root)
    assert rerun(order, {}) == root.data or (math.isnan(root.data) and math.isnan(rerun(order, {})))


@given(recipes(max_steps=8))
def test_finite_difference_on_a_built_graph_agrees_with_gradcheck(recipe: Recipe) -> None:
    leaves = [Value(x, f"x{i}") for i, x in enumerate(recipe.leaves)]
    root = recipe.build(leaves)
    assume(math.isfinite(root.data) and abs(root.data) < 1e8)
    assume(all(abs(x) > 1e-4 for x in kink_inputs(root)))
    report = gradcheck(lambda *xs: recipe.build(list(xs)), *[Value(x) for x in recipe.leaves])
    order = topological_order(root)
    nudge = FiniteDifferences(order)
    for leaf, check in zip(leaves, report.checks):
        if leaf in order:
            (estimate,) = nudge.of(leaf)
            assert estimate == pytest.approx(check.numeric, rel=1e-6, abs=1e-7)


def test_rerun_runs_tensor_ops_that_read_their_nodes_context() -> None:
    # Indexing and max(dim) need more than their inputs' arrays: their records say how.
    x = Tensor([[1.0, 5.0, 2.0], [7.0, 3.0, 4.0]], requires_grad=True, label="x")
    values, _ = (x * 2).max(1)
    root = (values * x[:, 0] + x[1, 1:].sum()).sum()
    order = topological_order(root)
    assert rerun(order, {}) == pytest.approx(float(root.data))
    nudged = x.array.astype(np.float64)
    nudged[0, 1] += 1.0
    # max(1) keeps the indices it found (1, then 0): 12·1 + 14·7, plus 3 + 4 for each row
    assert rerun(order, {id(x): nudged}) == pytest.approx(12.0 + 98.0 + 2 * 7.0)
    root.backward()
    estimates = FiniteDifferences(order).of(x, range(6))
    assert estimates == pytest.approx(x.grad.reshape(-1).tolist(), rel=1e-6)


# --- the demos write their lessons -------------------------------------------------------------


def test_the_chain_rule_neuron_and_xor_demos_take_html(tmp_path: Path, capsys) -> None:
    from demos import chain_rule as chain_rule_demo
    from demos import neuron, xor

    chain_rule_demo.main(["--html", str(tmp_path / "chain.html")])
    neuron.main(["--html", str(tmp_path / "neuron.html")])
    xor.main(["--html", str(tmp_path / "xor.html")])
    out = capsys.readouterr().out
    for name in ("chain", "neuron", "xor"):
        assert f"lesson written to {tmp_path / name}.html: open it in a browser" in out
    data = {
        name: payload((tmp_path / f"{name}.html").read_text("utf-8"))
        for name in ("chain", "neuron", "xor")
    }
    assert [row["name"] for row in data["chain"]["leaves"]] == ["w", "x", "b", "target"]
    assert data["neuron"]["events"][-1]["text"].startswith("dN1.a/d")
    assert data["xor"]["groups"]  # one box per neuron


def test_the_lesson_benchmark_reports_time_size_and_the_ratio_to_drawing(capsys) -> None:
    from benchmarks import bench_lesson

    bench_lesson.main(["--points", "2"])
    out = capsys.readouterr().out
    assert "MLP(2, [16, 16, 1]) on 2 points" in out
    assert re.search(r"the file +\d+\.\d\d MB", out)
    assert re.search(r"the lesson takes \d+\.\dx the time of drawing the same graph", out)


def test_a_lessons_sample_and_whole_are_checked_as_draw_dots() -> None:
    from autograd import Value

    y = Value(2.0, "x") * 3
    with pytest.raises(ValueError, match="lesson: whole=True draws every term"):
        lesson(y, sample=1, whole=True)
    with pytest.raises(ValueError, match="lesson: sample must be a whole number"):
        lesson(y, sample=-2)
