"""Writing the demos' pictures: the whole graph to one file, one picture per backward step, or
the lesson page to click through."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from autograd import draw_dot, lesson, render_steps
from autograd.engine.graph import topological_order

FORMATS = ("svg", "png", "pdf", "dot")


def backward_from_zero(root: Any) -> None:
    """Backward from ``root`` with every grad of its graph starting at zero, so a picture
    shows exactly the gradients of ``root`` (not those of earlier training steps)."""
    for node in topological_order(root):
        node.grad = node.initial_grad
    root.backward()


def write_graph(root: Any, path: str | os.PathLike[str], **options: Any) -> Path:
    """Draw the graph behind ``root`` to exactly ``path``, after backward from ``root``, so
    the picture shows the grads the demo printed; the suffix picks the format.

    A ``.dot`` path writes the Graphviz source, which needs no Graphviz installed.
    ``options`` go to ``draw_dot`` (``collapse="neuron"``, ``rankdir="TB"``, ...).
    """
    path = Path(path)
    format = path.suffix.lstrip(".").lower()
    if format not in FORMATS:
        raise ValueError(f"--graph {path}: the file must end in one of .{', .'.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    backward_from_zero(root)
    picture = draw_dot(root, **options)
    if format == "dot":
        picture.save(path)
    else:
        picture.render(path, format=format)
    return path


def write_steps(root: Any, folder: str | os.PathLike[str], format: str = "svg") -> list[Path]:
    """One picture per backward step in ``folder`` (step_00 is the start), all of one size,
    for slides; ``format`` is svg, png, pdf or dot."""
    if format not in FORMATS:
        raise ValueError(f"--steps-format {format}: choose one of {', '.join(FORMATS)}")
    return render_steps(root, folder, format=format)


def write_lesson(root: Any, path: str | os.PathLike[str], **options: Any) -> Path:
    """The page that steps through forward and backward of ``root``, written to exactly
    ``path``; ``options`` go to ``autograd.lesson`` (``collapse="neuron"``, ``title=...``)."""
    return lesson(root, **options).save(path)
