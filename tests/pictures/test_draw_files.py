"""Drawing from issue 10: very long labels; render() writes only the file it is given."""

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


def test_render_writes_only_the_file_it_is_given(tmp_path: Path) -> None:
    """graphviz's render("loss") writes the source to loss and the picture to loss.svg."""
    require_dot()
    drawing = draw_dot(_graph())
    for name, format, start in (("loss", None, b"<?xml"), ("slide", "png", b"\x89PNG")):
        written = drawing.render(tmp_path / name, format=format)
        assert written == str(tmp_path / name)
        assert (tmp_path / name).read_bytes().lstrip().startswith(start)
    written = drawing.render(filename="g", directory=tmp_path / "sub", format="svg")
    assert written == str(tmp_path / "sub" / "g") and (tmp_path / "sub" / "g").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss", "slide", "sub"]
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["g"]


def test_rendering_a_picture_file_leaves_a_users_gv_file_alone(tmp_path: Path) -> None:
    require_dot()
    mine = tmp_path / "loss.gv"
    mine.write_text("digraph { mine }\n")
    written = draw_dot(_graph()).render(tmp_path / "loss.svg")
    assert Path(written) == tmp_path / "loss.svg" and Path(written).exists()
    assert mine.read_text() == "digraph { mine }\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss.gv", "loss.svg"]
