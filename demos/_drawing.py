"""Writing the demos' pictures: the whole graph to one file, one picture per backward step, or
the lesson page to click through."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from autograd import draw_dot, lesson, render_steps

FORMATS = ("svg", "png", "pdf", "dot")


def write_graph(root: Any, path: str | os.PathLike[str], **options: Any) -> Path:
    """Draw the graph behind ``root`` to exactly ``path``; the suffix picks the format.

    A ``.dot`` path writes the Graphviz source, which needs no Graphviz installed.
    ``options`` go to ``draw_dot`` (``collapse="neuron"``, ``rankdir="TB"``, ...).
    """
    path = Path(path)
    format = path.suffix.lstrip(".").lower()
    if format not in FORMATS:
        raise ValueError(f"--graph {path}: the file must end in one of .{', .'.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    picture = draw_dot(root, **options)
    if format == "dot":
        picture.save(path)
    else:
        picture.render(path, format=format)
    return path


def write_steps(root: Any, folder: str | os.PathLike[str]) -> list[Path]:
    """One SVG per backward step in ``folder`` (step_00.svg is the start), for slides."""
    return render_steps(root, folder, format="svg")


def write_lesson(root: Any, path: str | os.PathLike[str], **options: Any) -> Path:
    """The page that steps through forward and backward of ``root``, written to exactly
    ``path``; ``options`` go to ``autograd.lesson`` (``collapse="neuron"``, ``title=...``)."""
    return lesson(root, **options).save(path)
