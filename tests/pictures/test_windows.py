"""The lesson page's picture of a convolution or pooling step: the entry it picks, the input's
numbers around the window, the kernel, and the factors each cell sends back, as backward and
explain_entry compute them."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from conftest import require_dot
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Tensor, lesson
from autograd.engine.graph import topological_order
from autograd.engine.notation import fmt
from autograd.pictures.windows import MAX_SIDE, window_pictures
from autograd.tensors.spatial import avg_pool2d, conv2d, max_pool2d


def _position(order: list, node: Tensor) -> int:
    return [id(n) for n in order].index(id(node))


def _graph(seed: int, stride: int, padding: int) -> dict[str, Tensor]:
    rng = np.random.default_rng(seed)
    x = Tensor(rng.normal(size=(2, 2, 7, 7)), label="x", dtype=np.float64)
    W = Tensor(rng.normal(size=(3, 2, 3, 3)), requires_grad=True, label="W", dtype=np.float64)
    y = conv2d(x, W, stride=stride, padding=padding)
    y.label = "y"
    z = max_pool2d(y, 2, ceil_mode=True)
    z.label = "z"
    loss = (z * z).sum()
    loss.label = "loss"
    loss.backward()
    return {"x": x, "W": W, "y": y, "z": z, "loss": loss}


@settings(max_examples=30)
@given(st.integers(0, 2**32 - 1), st.integers(1, 2), st.integers(0, 2))
def test_a_convolutions_picture_is_its_largest_gradient_entry_with_its_windows_numbers(
    seed: int, stride: int, padding: int
) -> None:
    graph = _graph(seed, stride, padding)
    x, W, y = graph["x"], graph["W"], graph["y"]
    order = topological_order(graph["loss"])
    pictures = window_pictures(order, lambda node: node.label)
    assert sorted(pictures) == [_position(order, y), _position(order, graph["z"])]
    picture = pictures[_position(order, y)]
    # The entry of the first batch item that backward sends most through.
    index = tuple(picture["index"])
    grads = y.grad.numpy()
    assert index[0] == 0 and abs(grads[index]) == np.abs(grads[0]).max()
    assert picture["text"] == y.entry(index).text(9, "loss").splitlines()
    assert picture["text"][4].startswith(
        f"Its gradient, g = dloss/dy[{','.join(map(str, index))}] = "
    )
    # The grid holds x's numbers (padding: None); the window's cells hold the weights over them.
    o, p, q = index[1:]
    rows, columns = picture["rows"], picture["columns"]
    for i, r in enumerate(rows):
        for j, c in enumerate(columns):
            inside = 0 <= r < 7 and 0 <= c < 7
            assert picture["values"][i][j] == (fmt(float(x.data[0, 0, r, c])) if inside else None)
    cells = {(r, c): f for r, c, f in picture["cells"]}
    for ki in range(3):
        for kj in range(3):
            r, c = p * stride - padding + ki, q * stride - padding + kj
            inside = 0 <= r < 7 and 0 <= c < 7
            assert cells[(r, c)] == (fmt(float(W.data[o, 0, ki, kj])) if inside else None)
            received = picture["kernel"]["received"][ki][kj]
            assert received == (fmt(float(x.data[0, 0, r, c])) if inside else None)
    assert picture["kernel"]["values"] == [[fmt(float(w)) for w in row] for row in W.data[o, 0]]
    assert picture["channels"] == 2 and picture["channel"] == 0
    # A margin of one cell of the input around the window, never more.
    assert rows[0] >= min(p * stride - padding, max(p * stride - padding - 1, 0))
    assert len(rows) <= 3 + 2 and len(columns) <= 3 + 2


def test_a_max_pools_picture_marks_the_largest_cell_and_an_averages_its_divisor() -> None:
    x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True, label="x")
    m = max_pool2d(x, 2)
    a = avg_pool2d(x, 2)
    (m.sum() + a.sum()).backward()
    order = [x, m, a]
    pictures = window_pictures(order)
    largest, average = pictures[1], pictures[2]
    assert largest["kind"] == "max" and average["kind"] == "sum"
    index = tuple(largest["index"])  # every gradient is 1: the first entry is the largest
    assert index == (0, 0, 0, 0)
    assert largest["picked"] == [1, 1]  # 5 is the largest of 0, 1, 4, 5
    assert sorted((r, c, f) for r, c, f in largest["cells"]) == [
        (0, 0, "0"),
        (0, 1, "0"),
        (1, 0, "0"),
        (1, 1, "1"),
    ]
    assert {f for _, _, f in average["cells"]} == {"0.25"}
    assert average["rows"] == [0, 1, 2] and average["columns"] == [0, 1, 2]


def test_before_backward_the_middle_entry_is_shown_and_huge_windows_only_as_text() -> None:
    x = Tensor(np.ones((1, 1, 9, 9)), label="x")
    W = Tensor(np.ones((1, 1, 3, 3)), requires_grad=True, label="W")
    y = conv2d(x, W)
    assert window_pictures([x, W, y])[2]["index"] == [0, 0, 3, 3]
    big = Tensor(np.ones((1, 1, MAX_SIDE + 3, MAX_SIDE + 3)), requires_grad=True, label="big")
    pooled = max_pool2d(big, MAX_SIDE + 1)
    picture = window_pictures([big, pooled])[1]
    assert "rows" not in picture and picture["text"][0].startswith("y[0,0,0,0] = max of big")


def test_the_lesson_page_carries_the_pictures_by_node() -> None:
    require_dot()
    graph = _graph(0, 2, 1)
    page = lesson(graph["loss"])
    found = re.search(r'<script type="application/json" id="tg-data">(.*?)</script>', page.html)
    assert found is not None
    data = json.loads(found.group(1))
    order = topological_order(graph["loss"])
    assert sorted(data["windows"]) == sorted(
        str(_position(order, graph[name])) for name in ("y", "z")
    )
    assert "tg-window" in page.html  # the script that draws them is on the page
    with pytest.raises(KeyError):
        data["windows"][str(_position(order, graph["loss"]))]
