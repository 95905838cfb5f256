"""The command line: ``python -m autograd explain EXPR NAME=VALUE ...`` (also ``tracegrad``).

    python -m autograd explain "(w*x + b - 5)**2" x=2 w=3 b=1
    python -m autograd explain "tanh(w*x)" x=0.5 w=-2 --html lesson.html --graph g.svg
    tracegrad explain "relu(x)*w" x=1 w=2 --steps slides/
    tracegrad quiz "(w*x + b - 5)**2" x=2 w=3 b=1

``explain`` prints the narrated lesson of a typed expression (forward values, then every chain-rule
step), and can write the page to click through (``--html``), the graph (``--graph``, .svg,
.png, .pdf or .dot) and one picture per backward step (``--steps``). A bad expression, or
a missing or unknown name, is shown with a caret under the column at fault (exit status 2);
an output path that cannot be written (a folder, a device, a FIFO, a read-only file, a
``--steps`` that is a file) is one line on stderr and exit status 2, checked before anything
is printed. Every file is written through :func:`autograd.tools.files.write_file`.
``quiz`` shows the forward pass, then asks for each backward step's number before showing
it (:func:`autograd.tools.quiz.run_quiz`) and ends with the score.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .narration.explain import explain
from .pictures.draw import GraphvizNotFound, draw_dot, render_steps
from .pictures.lesson import lesson
from .tools.expression import FUNCTIONS, ExpressionError, parse_expression
from .tools.files import checked_target
from .tools.quiz import run_quiz

__all__ = ["main"]

#: Options that take a value; anything else that starts with "-" is part of the expression
#: or a NAME=VALUE (argparse alone would read "-x*2" as an unknown option).
_VALUED = ("--html", "--graph", "--steps", "--steps-format")
_FLAGS = ("-h", "--help")
_GRAPH_FORMATS = ("svg", "png", "pdf", "dot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tracegrad",
        description="tracegrad's command line: backpropagation through a typed expression.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    explain_command = commands.add_parser(
        "explain",
        help="narrate forward and backward through an expression",
        description="Narrate forward and backward through an expression, step by step.",
        epilog="Allowed: numbers, names, + - * / **, unary minus and the functions "
        + ", ".join(FUNCTIONS)
        + ". Example: tracegrad explain '(w*x + b - 5)**2' x=2 w=3 b=1 --html lesson.html",
    )
    explain_command.add_argument("expression", help='the expression, e.g. "(w*x + b - 5)**2"')
    explain_command.add_argument(
        "values", nargs="*", metavar="NAME=VALUE", help="a number for each name, e.g. x=2"
    )
    explain_command.add_argument("--html", metavar="PATH", help="write the lesson page to click")
    explain_command.add_argument(
        "--graph", metavar="PATH", help="draw the graph (.svg, .png, .pdf or .dot)"
    )
    explain_command.add_argument(
        "--steps", metavar="FOLDER", help="draw one picture per backward step into FOLDER"
    )
    explain_command.add_argument(
        "--steps-format",
        choices=_GRAPH_FORMATS,
        default="svg",
        help="the format of the step pictures, all of one size (default: svg)",
    )
    quiz_command = commands.add_parser(
        "quiz",
        help="do the backward pass yourself, one chain-rule step at a time",
        description="The forward pass, then each backward step asked before it is shown: "
        "type the number it ends with. A wrong answer shows the chain-rule product and the "
        "factor that is wrong; ? shows the step, q stops.",
        epilog="Example: tracegrad quiz '(w*x + b - 5)**2' x=2 w=3 b=1",
    )
    quiz_command.add_argument("expression", help='the expression, e.g. "(w*x + b - 5)**2"')
    quiz_command.add_argument(
        "values", nargs="*", metavar="NAME=VALUE", help="a number for each name, e.g. x=2"
    )
    return parser


def _arrange(argv: Sequence[str]) -> list[str]:
    """The arguments with options first and the rest after ``--``, so that an expression or
    a value may start with a minus sign."""
    if not argv or argv[0] not in ("explain", "quiz"):
        return list(argv)
    options: list[str] = []
    positional: list[str] = []
    rest = iter(argv[1:])
    for argument in rest:
        name = argument.split("=", 1)[0]
        if argument in _FLAGS:
            options.append(argument)
        elif name in _VALUED:
            options.append(argument)
            if "=" not in argument:
                options.append(next(rest, ""))
        elif argument == "--":
            positional.extend(rest)
        else:
            positional.append(argument)
    return [argv[0], *options, "--", *positional]


def _values(pairs: Sequence[str], expression: str) -> dict[str, float]:
    values: dict[str, float] = {}
    for pair in pairs:
        name, equals, number = pair.partition("=")
        name = name.strip()
        if not equals or not name.isidentifier():
            raise ExpressionError(
                f"{pair!r} is not NAME=VALUE: write each value as, e.g., x=2", expression
            )
        try:
            values[name] = float(number)
        except ValueError:
            raise ExpressionError(
                f"{pair!r}: {number!r} is not a number (write e.g. {name}=1.5)", expression
            ) from None
    return values


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for a bad expression or name).

    >>> status = main(["explain", "x*3", "x=2"])  # doctest: +ELLIPSIS
    Forward pass: each value from its inputs
      x = 2
      out = x · 3 = 2 · 3 = 6
    ...
    >>> status
    0
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(_arrange(arguments))
    expression = args.expression.strip()
    try:
        root = parse_expression(args.expression, _values(args.values, expression))
    except ExpressionError as error:
        print(f"tracegrad {args.command}: {error.pointed()}", file=sys.stderr)
        return 2
    if args.command == "quiz":
        return _quiz(root)
    try:
        _check_outputs(args)
    except (OSError, ValueError) as error:
        print(f"tracegrad explain: {error}", file=sys.stderr)
        return 2
    print(explain(root))
    # explain leaves the grads as it found them (zero): the picture shows those it printed.
    root.backward()
    try:
        if args.html:
            page = lesson(root, title=expression).save(args.html)
            print(f"\nlesson written to {page}: open it in a browser")
        if args.graph:
            print(f"graph written to {_write_graph(root, args.graph)}")
        if args.steps:
            paths = render_steps(root, args.steps, format=args.steps_format)
            print(f"{len(paths)} step pictures written to {args.steps}")
    except GraphvizNotFound as missing:
        print(f"tracegrad explain: {missing}", file=sys.stderr)
        return 1
    except OSError as error:  # an output changed since it was checked, or a full disk
        print(f"tracegrad explain: {error}", file=sys.stderr)
        return 2
    return 0


def _quiz(root: object) -> int:
    """The forward pass as explain tells it, then the backward steps as questions."""
    forward = explain(root).split("\n\n", 1)[0]
    try:
        run_quiz(root, forward=forward)
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, as q does
        print()
    return 0


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse, before any work, an output that could not be written: what ``write_file``
    refuses (a folder, a device, a FIFO, a read-only file or folder), a ``--graph`` that is no
    picture format, a ``--steps`` that exists and is not a folder. Missing folders are made."""
    if args.graph and Path(args.graph).suffix.lstrip(".").lower() not in _GRAPH_FORMATS:
        formats = ", .".join(_GRAPH_FORMATS)
        raise ValueError(f"--graph {args.graph}: the file must end in .{formats}")
    for option, path in (("--html", args.html), ("--graph", args.graph)):
        if path and Path(path).parent.is_dir():
            checked_target(path, what=option)
    if args.steps and os.path.lexists(args.steps) and not Path(args.steps).is_dir():
        raise NotADirectoryError(
            f"--steps: {args.steps} exists and is not a folder; give a folder for the pictures"
        )


def _write_graph(root: object, path: str) -> Path:
    target = Path(path)
    format = target.suffix.lstrip(".").lower()
    target.parent.mkdir(parents=True, exist_ok=True)
    picture = draw_dot(root)
    if format == "dot":
        picture.save(target)
    else:
        picture.render(target, format=format)
    return target


if __name__ == "__main__":
    sys.exit(main())
