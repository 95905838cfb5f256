"""names= on pictures and lesson pages: the learner's variables name the unlabelled nodes, in
that picture or page only."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import require_dot

from autograd import Value, draw_dot, lesson, render_steps
from autograd.engine.graph import topological_order


def graph() -> tuple[Value, dict[str, Value]]:
    x, w, b = Value(2.0), Value(3.0), Value(1.0)
    wx = w * x
    y = wx + b
    loss = (y - 5) ** 2
    return loss, {"x": x, "w": w, "b": b, "wx": wx, "y": y, "loss": loss}


def unlabelled(root: Value) -> bool:
    return all(node.label == "" for node in topological_order(root))


def test_draw_dot_names_nodes_and_its_steps() -> None:
    loss, names = graph()
    plain = draw_dot(loss, step=5).source
    named = draw_dot(loss, step=5, names=names).source
    assert "<B>wx</B>" in named and "<B>wx</B>" not in plain
    assert "dloss/dw = dloss/dwx · dwx/dw" in named  # the caption narrates in the names
    assert unlabelled(loss)


def test_render_steps_names(tmp_path: Path) -> None:
    loss, names = graph()
    paths = render_steps(loss, tmp_path, format="dot", names=names)
    assert "dloss/dwx" in paths[3].read_text(encoding="utf-8")
    assert unlabelled(loss)


def test_lesson_page_names() -> None:
    require_dot()
    loss, names = graph()
    page = lesson(loss, names=names)
    found = re.search(r'id="tg-data">(.*?)</script>', page.html, re.S)
    assert found is not None
    data = json.loads(found.group(1))
    names_shown = [node["name"] for node in data["nodes"]]
    assert names_shown == ["w", "x", "wx", "b", "y", "5", "y − 5", "loss"]
    assert any("dloss/dwx" in event["text"] for event in data["events"])
    assert unlabelled(loss)
