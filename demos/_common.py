"""Small helpers the demos share: headings, "tutorial printed / we compute", and --graph."""

from __future__ import annotations

import argparse
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

    Runs backward first when the graph has not had one, so the picture shows gradients.
    """
    if not path:
        return
    if not root.grad:
        root.backward()
    from demos._drawing import write_graph

    written = write_graph(root, path, **options)
    print(f"\ngraph written to {written}")
