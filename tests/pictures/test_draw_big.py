"""Big graphs: long chains drawn as one node, repeated terms drawn once, Graphviz bounded."""

from __future__ import annotations

import re
import warnings

import pytest
from big_graphs import demo_loss
from conftest import require_dot

from autograd import Value, draw_dot, topological_order
from autograd.pictures.render import LayoutFallback, LayoutTooSlow


def _notes(picture) -> list[str]:
    caption = r'<TD ALIGN="LEFT"><FONT COLOR="#777777" POINT-SIZE="10">([^<]*)</FONT></TD></TR>'
    return re.findall(caption, picture.source)


def test_a_long_sum_is_one_node_with_every_terms_edge_and_grad() -> None:
    xs = [Value(k / 10, f"x{k}") for k in range(337)]
    total = sum(x * x for x in xs)
    total.label = "total"
    total.backward()
    source = draw_dot(total, sample=None, whole=False).source
    assert source.count("337 terms</FONT>") == 1
    ops = re.findall(r'^\s*(o\d+) \[id="o\d+" class="op"', source, re.MULTILINE)
    assert len(ops) <= 2  # the sum, and one square drawn in full; 336 others in one stand-in
    whole = draw_dot(total, whole=True).source
    # whole: every square, every term's edge into the one Σ, every leaf's grad
    assert whole.count('class="op"') == 338 and whole.count("337 terms</FONT>") == 1
    sigma = re.search(r'(o\d+) \[id="o\d+" class="op"[^\n]*337 terms', whole).group(1)
    assert len(re.findall(rf"-> {sigma} ", whole)) == 337
    for x in xs[:5]:
        assert f"<B>{x.label}</B>" in whole and f">{x.grad:.6g}<" in whole.replace("-", "-")


def test_the_demo_loss_is_summarised_and_says_how_to_see_it_whole() -> None:
    loss = demo_loss(10)
    loss.backward()
    picture = draw_dot(loss)
    notes = _notes(picture)
    assert notes[0].startswith("A summary of ") and "one box per neuron" in notes[0]
    assert "of 337 terms of one shape" in notes[0] and "of 10 terms of one shape" in notes[0]
    assert (
        notes[1]
        == "Every node: draw_dot(loss, whole=True); another term of each: draw_dot(loss, sample=k)."
    )
    assert picture.source.count('class="more"') == 2
    computed = sum(1 for node in topological_order(loss) if node.parents)
    assert picture.source.count('class="op"') < computed / 20


def test_sample_draws_the_chosen_term() -> None:
    xs = [Value(float(k), f"x{k}") for k in range(8)]
    total = sum((x * 2).relu() for x in xs)
    total.label = "total"
    third = draw_dot(total, sample=2).source
    assert "<B>x2</B>" in third and "<B>x0</B>" not in third
    assert "+ 7 more like" in third
    with pytest.raises(ValueError, match="sample must be a whole number"):
        draw_dot(total, sample=-1)
    with pytest.raises(ValueError, match="whole=True draws every term"):
        draw_dot(total, sample=1, whole=True)


def test_a_layout_too_big_for_graphviz_is_drawn_simpler_and_said_so() -> None:
    x = Value(2.0, "x")
    y = x
    for _ in range(99):
        y = y + x
    y.label = "y"
    picture = draw_dot(y, whole=True)
    assert picture.about.startswith("the picture asked for (100 boxes) would take Graphviz")
    assert _notes(picture)[0].startswith("Drawn simpler than asked:")
    assert picture.source.count('class="op"') == 1 and "×100" in picture.source


def test_a_layout_over_its_time_falls_back_with_one_warning() -> None:
    require_dot()
    loss = demo_loss(4)
    picture = draw_dot(loss, collapse="neuron", sample=0)
    picture.layout_seconds = 1e-6  # no layout finishes in a microsecond
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svg = picture.pipe(format="svg").decode()
    said = [w for w in caught if issubclass(w.category, LayoutFallback)]
    assert len(said) == 1 and "drawn simpler instead: Drawn simpler" not in str(said[0].message)
    assert "the layout took over 1e-06 s" in str(said[0].message) and "<svg" in svg
    alone = draw_dot(Value(1.0, "a") * 2)
    alone.layout_seconds, alone.simpler = 1e-6, None
    with pytest.raises(LayoutTooSlow, match="picture.layout_seconds = None"):
        alone.pipe(format="svg")


def test_the_demo_loss_picture_fits_a_screen_at_scale_one() -> None:
    require_dot()
    loss = demo_loss(10)
    loss.backward()
    svg = draw_dot(loss).pipe(format="svg").decode()
    width, height = (
        float(v) for v in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    )
    assert max(width, height) <= 5000 and 'transform="scale(1 1)' in svg


def test_a_second_backward_is_noted_on_the_picture() -> None:
    w, x = Value(3.0, "w"), Value(2.0, "x")
    y = w * x
    y.label = "y"
    y.backward()
    assert "Note:" not in draw_dot(y).source
    y.backward()
    assert "Note: the leaves&#39; grads hold 2 backward passes" in draw_dot(y).source.replace(
        "'", "&#39;"
    )


def test_one_input_used_many_times_by_one_node_is_one_edge_marked() -> None:
    x = Value(2.0, "x")
    for total in (sum([x] * 99, x), Value.sum([x] * 100)):
        total.label = "total"
        source = draw_dot(total).source
        assert source.count('label="×100"') == 1
        assert len(re.findall(r"^\s*v0 -> o", source, re.MULTILINE)) == 1
