"""Small helpers the demos share: headings, "tutorial printed / we compute", and --graph."""

from __future__ import annotations

import argparse
from contextlib import AbstractContextManager, nullcontext
from typing import Any


def heading(title: str) -> str:
    """A title underlined to its width. ``heading("XOR")`` gives ``'XOR\\n==='``."""
    return f"{title}\n{'=' * len(title)}"


def compare(what: str, computed: object, printed: object) -> str:
    """One line: what this program computes beside what the tutorial printed."""
    verdict = "same" if str(computed) == str(printed) else "differs"
    return f"{what}: computed {computed}   (tutorial printed {printed}: {verdict})"


def parser(prog: str, doc: str | None) -> argparse.ArgumentParser:
    """An argument parser with the ``--graph PATH`` option every demo has."""
    summary = (doc or "").strip().split("\n")[0]
    p = argparse.ArgumentParser(prog=f"python -m demos.{prog}", description=summary)
    p.add_argument("--graph", metavar="PATH", help="draw the graph (.svg, .png, .pdf or .dot)")
    return p


def draw_if_asked(root: Any, path: str | None, **options: Any) -> None:
    """Write the graph of ``root`` to ``path`` when the user asked for it (--graph).

    The picture is drawn after backward from ``root``, so it shows the gradients of ``root``.
    """
    if not path:
        return
    from demos._drawing import write_graph

    try:
        written = write_graph(root, path, **options)
    except OSError as error:  # a folder, a FIFO, a read-only file...: one line, not a traceback
        raise SystemExit(f"--graph: {error}") from None
    print(f"\ngraph written to {written}")


def lesson_if_asked(root: Any, path: str | None, **options: Any) -> None:
    """Write the lesson page of ``root`` to ``path`` when the user asked for it (--html)."""
    if not path:
        return
    from autograd.pictures.draw import GraphvizNotFound
    from demos._drawing import write_lesson

    try:
        written = write_lesson(root, path, **options)
    except (GraphvizNotFound, OSError) as error:  # one clear line, not a traceback
        raise SystemExit(f"--html: {error}") from None
    print(f"\nlesson written to {written}: open it in a browser")


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1. ``positive_int("5") == 5``"""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def one_blas_thread() -> AbstractContextManager[object]:
    """numpy's matrix products on one thread while a demo trains, when threadpoolctl is
    installed (it comes with scikit-learn).

    A minibatch's products are small (at most 64 × 784 by 784 × 256 here): waking a second
    BLAS thread for each one costs about what it saves, and on a busy machine far more. On the
    2-core machine these demos were written on, with other jobs running, five epochs over
    60,000 MNIST-sized images took 92 s with two threads and 15 s with one.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def pyplot() -> Any:
    """matplotlib's pyplot drawing to files (no window), or None when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    return plt


def save_figure(figure: Any, path: str) -> str:
    """Write a matplotlib figure to ``path`` (making its folder) and close it."""
    from pathlib import Path

    from autograd.tools.files import write_file

    figure.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    format = Path(path).suffix.lstrip(".").lower() or "png"
    write_file(path, lambda file: figure.savefig(file, format=format), what="save_figure")
    figure.clear()
    pyplot().close(figure)
    return path
