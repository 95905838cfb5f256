"""Rendering a picture: Graphviz's ``dot`` run with a time limit, and files written whole.

:class:`Drawing` is the :class:`graphviz.Digraph` that :func:`~autograd.pictures.draw.draw_dot`
returns. Its ``render`` writes only the file named, through
:func:`~autograd.tools.files.write_file`; its ``pipe`` gives ``dot`` at most
:attr:`Drawing.layout_seconds` to lay the graph out. A layout that takes longer is stopped and
the next simpler picture of the same graph is drawn instead (its caption says what it folds),
with one line of warning (:class:`LayoutFallback`); when there is none left,
:class:`LayoutTooSlow` says what to try.

    >>> picture = Drawing()
    >>> picture.layout_seconds == LAYOUT_SECONDS, picture.simpler is None
    (True, True)
"""

from __future__ import annotations

import os
import subprocess
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import graphviz
from graphviz.backend import dot_command, execute

from ..tools.files import write_file

__all__ = [
    "Drawing",
    "GraphvizNotFound",
    "LayoutFallback",
    "LayoutTooSlow",
    "INSTALL_HINT",
    "LAYOUT_SECONDS",
]

#: Seconds Graphviz's ``dot`` may take to lay out one picture before a simpler one is drawn.
LAYOUT_SECONDS = 30.0

INSTALL_HINT = (
    "Graphviz's `dot` program was not found on PATH: install Graphviz"
    " (apt install graphviz · brew install graphviz · conda install -c conda-forge graphviz"
    " · winget install graphviz) or write the source with .save('graph.dot')"
)


class GraphvizNotFound(graphviz.ExecutableNotFound):
    """Rendering needs Graphviz's ``dot`` program, and it is not installed.

    >>> print(GraphvizNotFound())  # doctest: +ELLIPSIS
    Graphviz's `dot` program was not found on PATH: install Graphviz (apt install graphviz ...
    """

    def __init__(self) -> None:
        RuntimeError.__init__(self, INSTALL_HINT)


#: graphviz's ``render`` arguments in their positional order, after ``filename``.
_RENDER_ARGUMENTS = (
    "directory",
    "view",
    "cleanup",
    "format",
    "renderer",
    "formatter",
    "neato_no_op",
    "quiet",
    "quiet_view",
)
#: graphviz's ``pipe`` options that ``render`` passes on.
_PIPE_OPTIONS = ("renderer", "formatter", "neato_no_op", "quiet", "engine")
#: Formats that share suffixes: ``g.jpg`` may be rendered with ``format="jpeg"``.
_SAME_FORMAT = {"jpg": "jpeg", "jpe": "jpeg", "tif": "tiff"}


def _same(format: str) -> str:
    return _SAME_FORMAT.get(format.lower(), format.lower())


def _picture_format(path: str | os.PathLike[str]) -> str | None:
    """The format a file name asks for by its suffix (``svg`` for ``g.svg``), if any."""
    suffix = Path(path).suffix.lstrip(".").lower()
    return suffix if suffix in graphviz.FORMATS else None


class LayoutFallback(UserWarning):
    """Said (once, in one line) when a layout took too long and a simpler picture is drawn."""


class LayoutTooSlow(RuntimeError):
    """Graphviz could not lay a picture out in time, and no simpler picture is left."""


class Drawing(graphviz.Digraph):
    """A :class:`graphviz.Digraph` whose rendering explains a missing Graphviz in one line,
    and writes only the file you name.

    ``render("loss.svg")`` writes exactly ``loss.svg``, the format coming from the suffix (a
    ``format=`` that disagrees with it is an error); ``render("loss")`` writes the picture (in
    ``format=``, else the drawing's format: svg from ``draw_dot``) to exactly ``loss``, with no
    Graphviz source beside it as the graphviz package would write. ``save("loss.dot")`` writes
    the source. Both write through :func:`~autograd.tools.files.write_file`: whole or not at
    all, a symbolic link followed, folders, devices, FIFOs and read-only files refused (never
    opened), modes kept.

    >>> isinstance(Drawing(), graphviz.Digraph)
    True
    """

    def render(
        self, filename: str | os.PathLike[str] | None = None, *args: Any, **kwargs: Any
    ) -> str:
        """Write the picture to ``filename`` (or ``outfile=``; in ``directory=`` if given) and
        return its path; ``view=True`` then opens it. See the class docstring."""
        for argument, value in zip(_RENDER_ARGUMENTS, args):
            if argument in kwargs:
                raise TypeError(f"render() got multiple values for argument {argument!r}")
            kwargs[argument] = value
        named = kwargs.pop("outfile", None) or filename
        wanted = kwargs.get("format")
        suffix = _picture_format(named) if named is not None else None
        if named is not None and suffix and wanted and _same(suffix) != _same(wanted):
            raise ValueError(
                f"render: the file name {Path(named).name!r} ends in .{suffix}, but "
                f"format={wanted!r}: name the file for its format (….{wanted}), or leave "
                "format out to follow the suffix"
            )
        format = wanted or suffix or self.format
        named = named or f"{self.filename}.{format}"  # graphviz's name for an unnamed picture
        target = Path(kwargs.get("directory") or self.directory, named)
        if kwargs.get("raise_if_result_exists") and target.exists():
            raise FileExistsError(f"render: {target} exists (raise_if_result_exists=True)")
        options = {k: kwargs[k] for k in _PIPE_OPTIONS if kwargs.get(k) is not None}
        target.parent.mkdir(parents=True, exist_ok=True)
        write_file(target, lambda file: file.write(self.pipe(format, **options)), what="render")
        if kwargs.get("view") or kwargs.get("quiet_view"):
            graphviz.view(target, quiet=bool(kwargs.get("quiet_view")))
        return os.fspath(target)

    def save(
        self,
        filename: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        *,
        skip_existing: bool | None = False,
    ) -> str:
        """Write the Graphviz source to ``filename`` (in ``directory``), as graphviz does, and
        return its path; needs no Graphviz installed."""
        if filename is not None:
            self.filename = os.fspath(filename)
        if directory is not None:
            self.directory = os.fspath(directory)
        target = Path(self.filepath)
        if not (skip_existing and target.exists()):
            target.parent.mkdir(parents=True, exist_ok=True)
            write_file(target, self.source.encode(self.encoding), what="Drawing.save")
        return self.filepath

    #: Seconds ``dot`` may take for this picture (None: as long as it takes).
    layout_seconds: float | None = LAYOUT_SECONDS
    #: Given why (``"the layout took over 30 s"``), the next simpler picture of the same graph,
    #: or None when there is none: set by ``draw_dot``.
    simpler: Callable[[str], Drawing | None] | None = None

    def pipe(
        self,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: bool | int | None = None,
        quiet: bool = False,
        *,
        engine: str | None = None,
        encoding: str | None = None,
    ) -> Any:
        """The rendered picture as bytes (or text with ``encoding=``), as in graphviz; a
        layout over :attr:`layout_seconds` gives the next simpler picture instead."""
        drawing: Drawing = self
        while True:
            command = dot_command.command(
                engine or drawing.engine,
                format or drawing.format,
                renderer=renderer,
                formatter=formatter,
                neato_no_op=neato_no_op,
            )
            limit = drawing.layout_seconds
            try:
                done = execute.run_check(
                    command,
                    input=drawing.source.encode(drawing.encoding),
                    capture_output=True,
                    quiet=quiet,
                    timeout=limit,
                )
            except graphviz.ExecutableNotFound:
                raise GraphvizNotFound() from None
            except subprocess.TimeoutExpired:
                why = f"the layout took over {limit:g} s"
                simpler = drawing.simpler(why) if drawing.simpler is not None else None
                if simpler is None:
                    raise LayoutTooSlow(
                        f"Graphviz's dot could not lay this picture out in {limit:g} s: draw "
                        'less of it (collapse="layer", sample=0) or allow more time '
                        "(picture.layout_seconds = None)"
                    ) from None
                warnings.warn(
                    f"draw_dot: {why}; drawn simpler instead: {simpler.about}",
                    LayoutFallback,
                    stacklevel=2,
                )
                drawing = simpler
                continue
            output: bytes = done.stdout
            return output.decode(encoding) if encoding is not None else output

    #: What this picture leaves out, in a few words ("" when it shows every node).
    about: str = ""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> Any:
        # A notebook without Graphviz shows the source and how to install it, not a traceback.
        try:
            return super()._repr_mimebundle_(include, exclude)
        except GraphvizNotFound as missing:
            return {"text/plain": f"{missing}\n\n{self.source}"}
