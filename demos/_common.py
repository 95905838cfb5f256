"""Small helpers the demos share: a heading, and a side-by-side "tutorial says / we compute"."""

from __future__ import annotations


def heading(title: str) -> str:
    """A title underlined to its width. ``heading("XOR")`` gives ``'XOR\\n==='``."""
    return f"{title}\n{'=' * len(title)}"


def compare(what: str, computed: object, printed: object) -> str:
    """One line: what this program computes beside what the tutorial printed."""
    verdict = "same" if str(computed) == str(printed) else "differs"
    return f"{what}: computed {computed}   (tutorial printed {printed}: {verdict})"
