"""The chain rule, one step at a time (seed 001, ``backpropagation_example``).

x = 2, w = 3, b = 1 and target 5 give y = w·x + b = 7 and loss = (y − target)² = 4;
backward gives dloss/dw = 8, and one gradient step at learning rate 0.01 moves w to 2.92.

    python -m demos.chain_rule
    python -m demos.chain_rule --graph out/chain_rule.svg --steps out/steps/
    python -m demos.chain_rule --steps out/slides/ --steps-format png   (slides of one size)
    python -m demos.chain_rule --html out/chain_rule.html     (a page to click through)
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from autograd import Value
from demos._common import compare, heading, lesson_if_asked
from demos._drawing import FORMATS

LEARNING_RATE = 0.01


def build() -> dict[str, Value]:
    """The tutorial's expression, with every quantity labelled as the tutorial names it."""
    x, w, b, target = (
        Value(2.0, "x"),
        Value(3.0, "w", param=True),
        Value(1.0, "b", param=True),
        Value(5.0, "target"),
    )
    y = w * x + b
    y.label = "y"
    loss = (y - target) ** 2
    loss.label = "loss"
    return {"x": x, "w": w, "b": b, "target": target, "y": y, "loss": loss}


def run() -> dict[str, float]:
    """Forward, backward and one update; returns the numbers the tutorial prints."""
    v = build()
    v["loss"].backward()
    return {
        "y": v["y"].data,
        "loss": v["loss"].data,
        "dloss_dy": v["y"].grad,
        "dloss_dw": v["w"].grad,
        "w_new": v["w"].data - LEARNING_RATE * v["w"].grad,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m demos.chain_rule", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--graph", metavar="PATH", help="draw the graph (.svg, .png, .pdf or .dot)")
    parser.add_argument("--steps", metavar="FOLDER", help="draw one picture per backward step")
    parser.add_argument(
        "--steps-format",
        choices=FORMATS,
        default="svg",
        help="the format of the step pictures (default: svg)",
    )
    parser.add_argument("--html", metavar="PATH", help="write the lesson page to click through")
    args = parser.parse_args(argv)

    v = build()
    print(heading("The chain rule, step by step"))
    print("y = w·x + b and loss = (y − target)², with x = 2, w = 3, b = 1, target = 5\n")
    print(v["loss"].explain())
    v["loss"].backward()
    w_new = v["w"].data - LEARNING_RATE * v["w"].grad
    print()
    print(compare("Gradient of loss w.r.t. weight", v["w"].grad, 8.0))
    print(compare("New weight (w − 0.01 · dloss/dw)", w_new, 2.92))

    if args.graph or args.steps:
        from autograd.pictures.draw import GraphvizNotFound
        from demos._drawing import write_graph, write_steps

        try:
            if args.graph:
                print(f"graph written to {write_graph(v['loss'], args.graph)}")
            if args.steps:
                paths = write_steps(v["loss"], args.steps, args.steps_format)
                print(f"{len(paths)} step pictures written to {args.steps}")
        except GraphvizNotFound as missing:  # one clear line, not a traceback
            raise SystemExit(f"{missing} (--graph PATH.dot works without it)") from None
        except OSError as error:  # a folder, a FIFO, a read-only file...
            raise SystemExit(str(error)) from None
    lesson_if_asked(build()["loss"], args.html)


if __name__ == "__main__":
    main()
