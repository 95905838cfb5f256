"""How pictures look: colours and shapes per kind of node, and text any label can be put in.

Every label reaches Graphviz through :func:`_html` (inside HTML-like labels) or :func:`_quoted`
(plain attributes such as tooltips), so quotes, backslashes, markup, newlines and emoji all
render; a long name is shortened to its start … its end (:func:`_short`).

    >>> _html("a < b"), _short("x" * 80, 9)
    ('a &lt; b', 'xxxx…xxxx')
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# --- colours and shapes ---------------------------------------------------------------------------

FONT = "Helvetica,Arial,sans-serif"
HIGHLIGHT = "#D62728"
MUTED = "#777777"

#: Node attributes per kind of node; ``class`` makes each kind findable in the SVG.
_STYLE = {
    "param": 'shape=box style="rounded,filled" fillcolor="#FDE3C0" color="#C77400"',
    "input": 'shape=box style=filled fillcolor="#D9E8F6" color="#3A73B0"',
    "computed": 'shape=box style="rounded,filled" fillcolor="white" color="#8C8C8C"',
    "root": 'shape=box style="rounded,filled" fillcolor="#D8EFD8" color="#2E7D32" penwidth=2',
    "constant": f'shape=plain fontcolor="{MUTED}" fontsize=11',
    "op": 'shape=circle style=filled fillcolor="#EEEEEE" color="#9E9E9E" fontsize=13'
    " margin=0.03 width=0.3",
    "group": 'shape=box style="rounded,filled" fillcolor="#ECE6F5" color="#6A4C9C"',
    "more": 'shape=box style="rounded,dashed,filled" fillcolor="#F5F5F5" color="#8C8C8C"',
}
_HIGHLIGHT_BORDER = f' color="{HIGHLIGHT}" penwidth=2.5'
#: Edge attributes by what the edge shows: the step being narrated, gradient that has
#: flowed (or any edge outside a step picture), gradient still to come, a plain number.
_EDGE_STYLE = {
    "step": f'class="step" color="{HIGHLIGHT}" penwidth=2.5 arrowsize=0.9',
    "flow": 'class="flow" color="#555555" arrowsize=0.7',
    "pending": 'class="pending" color="#C8C8C8" arrowsize=0.7',
    "constant": 'class="constant" color="#AAAAAA" arrowsize=0.5 style=dashed',
}
# Between folded boxes edges form a dense mesh (16 × 16 for two layers of 16): keep it light.
_MESH = " penwidth=0.6 arrowsize=0.5"
_EDGE_RANK = {"constant": 0, "pending": 1, "flow": 2, "step": 3}
_RANKDIRS = ("LR", "RL", "TB", "BT")


# --- escaping: any label must survive Graphviz ----------------------------------------------

_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
# Characters that XML (and so Graphviz's HTML-like labels) or UTF-8 cannot carry.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Anything _html may change: markup, backslashes, line breaks, unprintable characters, and
# "]" (Graphviz 2.43 cannot parse a text made only of "]", as in <B>]</B>).
_NEEDS_CARE = re.compile('[&<>"\\]\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]')


def _visible(text: str) -> str:
    """Replace characters no picture can hold by their escape, e.g. ``\\x00``."""
    text = text.replace("\t", "    ")
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


def _html(text: str) -> str:
    """Text for inside an HTML-like label: markup characters escaped, lines kept.

    Graphviz still reads backslash sequences in this text (``\\N`` becomes the node's
    name), and ``\\\\`` is its way to write one backslash.
    """
    if _NEEDS_CARE.search(text) is None:  # most text, and every number: nothing to do
        return text
    lines = [_visible(line).replace("\\", "\\\\") for line in text.splitlines() or [""]]
    return "<BR/>".join(
        "&#93;" * len(line) if line and line.strip("]") == "" else line.translate(_HTML_ESCAPES)
        for line in lines
    )


def _quoted(text: str) -> str:
    """A quoted DOT string for plain-text attributes such as tooltips.

    Graphviz versions differ in how many times they unescape backslashes in a tooltip, so
    a backslash is shown as the look-alike ⧵ rather than risk a tooltip that reads wrong.
    Graphviz decodes entities such as ``&lt;`` here, so ``&`` is written as one. Graphviz
    reads at most 16384 characters in one string, so longer text goes in parts joined by
    ``+`` (DOT's concatenation): a tooltip holds a label of any length.

    >>> _quoted('say "hi"'), _quoted("x" * 5000).count(" + ")
    ('"say \\\\"hi\\\\""', 2)
    """
    text = _visible(" / ".join(text.splitlines())).replace("\\", "⧵").replace("&", "&amp;")
    parts = [text[i : i + _DOT_STRING_PART] for i in range(0, len(text), _DOT_STRING_PART)]
    return " + ".join('"' + part.replace('"', '\\"') + '"' for part in parts or [""])


_DOT_STRING_PART = 2000  # characters per part: even escaped twice over, far below 16384


#: The most characters of a name that a picture shows. A longer name keeps its start and
#: end around an ellipsis (its tooltip has it whole): Graphviz refuses labels over 16k.
SHOWN_LABEL_LIMIT = 60


def _short(text: str, limit: int = SHOWN_LABEL_LIMIT) -> str:
    """``text`` if it fits in ``limit`` characters, else its start … its end.

    >>> _short("layers." + "x" * 100 + ".weight", 20)
    'layers.xxx…xx.weight'
    """
    if len(text) <= limit:
        return text
    tail = (limit - 1) // 2
    return text[: limit - 1 - tail] + "…" + text[-tail:]


def _muted(text: str) -> str:
    return f'<FONT COLOR="{MUTED}" POINT-SIZE="10">{text}</FONT>'


def _table(rows: Sequence[str]) -> str:
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
        + "".join(rows)
        + "</TABLE>>"
    )


def _title_row(text: str) -> str:
    bold = f"<B>{text}</B>" if text else ""  # Graphviz rejects an empty <B></B>
    return f'<TR><TD COLSPAN="2">{bold}</TD></TR>'


def _number_row(name: str, shown: str) -> str:
    return f'<TR><TD ALIGN="RIGHT">{_muted(name)}</TD><TD ALIGN="LEFT">{shown}</TD></TR>'
