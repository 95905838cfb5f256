"""Drawing from issue 10: very long labels, and render() never writing over a user's file."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import require_dot
from test_draw import Picture

from autograd import Value, draw_dot, render_steps
from autograd.pictures.draw import SHOWN_LABEL_LIMIT

LONG = "w" * 6000 + "_middle_" + "z" * 6000 + ".weight"  # over 12k characters


def _graph() -> Value:
    x = Value(2.0, LONG, param=True)
    y = x * 3.0
    y.label = "y"
    return y


def _short_label_in(texts: list[str]) -> str:
    return next(t for t in texts if "…" in t)


def test_a_long_label_is_shortened_in_pictures_and_whole_in_the_tooltip() -> None:
    require_dot()
    for step in (None, 0, 1):
        picture = Picture(draw_dot(_graph(), step=step))
        (param,) = picture.kinds("param")
        title = _short_label_in(picture.texts(param))
        assert len(title) <= SHOWN_LABEL_LIMIT
        assert title.startswith("www") and title.endswith("zz.weight")
        assert LONG in picture.tooltip(param)  # the whole label, on hover


def test_a_step_caption_shortens_the_names_it_narrates() -> None:
    require_dot()
    picture = Picture(draw_dot(_graph(), step=1))
    caption = " ".join(picture.caption())
    assert "Step 1 of 1" in caption and "weight = 3" in caption
    assert "…" in caption and len(caption) < 4 * SHOWN_LABEL_LIMIT


def test_render_steps_works_with_a_long_label(tmp_path: Path) -> None:
    require_dot()
    paths = render_steps(_graph(), tmp_path, format="svg")
    assert [p.name for p in paths] == ["step_00.svg", "step_01.svg"]
    assert all(p.read_bytes().lstrip().startswith(b"<?xml") for p in paths)


def test_long_names_of_groups_are_shortened_too() -> None:
    require_dot()
    import nn

    layer = nn.Layer(1, 1, seed=0, name="L" * 20000)
    out = layer([1.0], squeeze=True)
    for collapse in (None, "layer"):
        Picture(draw_dot(out, collapse=collapse))  # renders: no label over Graphviz's limit


# --- render() and the user's files ------------------------------------------------------------


def test_render_refuses_a_suffix_that_disagrees_with_the_format(tmp_path: Path) -> None:
    drawing = draw_dot(_graph())
    target = tmp_path / "g.svg"
    with pytest.raises(ValueError, match=r"render: the file name 'g\.svg' ends in \.svg"):
        drawing.render(target, format="png")
    assert not target.exists() and list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match=r"ends in \.pdf"):
        drawing.render(outfile=tmp_path / "g.pdf", format="svg")


def test_render_does_not_write_source_over_a_users_file(tmp_path: Path) -> None:
    drawing = draw_dot(_graph())
    precious = tmp_path / "loss"
    precious.write_text("my notes, not a graph\n")
    with pytest.raises(FileExistsError, match=r"loss' exists and is not Graphviz source"):
        drawing.render(precious)
    with pytest.raises(FileExistsError, match="is not Graphviz source"):
        drawing.render(precious, format="png")
    assert precious.read_text() == "my notes, not a graph\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss"]


def test_render_may_rewrite_its_own_source(tmp_path: Path) -> None:
    require_dot()
    drawing = draw_dot(_graph())
    source = tmp_path / "loss"
    first = drawing.render(source, format="svg")
    assert source.read_text() == drawing.source and Path(first).name == "loss.svg"
    draw_dot(Value(1.0, "other")).render(source, format="svg")  # source from before: replaced
    assert "other" in source.read_text()


def test_rendering_a_picture_file_leaves_a_users_gv_file_alone(tmp_path: Path) -> None:
    require_dot()
    mine = tmp_path / "loss.gv"
    mine.write_text("digraph { mine }\n")
    written = draw_dot(_graph()).render(tmp_path / "loss.svg")
    assert Path(written) == tmp_path / "loss.svg" and Path(written).exists()
    assert mine.read_text() == "digraph { mine }\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss.gv", "loss.svg"]
