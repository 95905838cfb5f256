"""The tour: ``python -m demos``.

The chain rule narrated step by step, one neuron, and a network that learns XOR, with their
graphs written to ``out/`` and the chain rule as a page to click through
(``out/chain_rule.html``); then what to try next.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import nn
from demos import chain_rule, neuron, xor
from demos._common import heading


class _Hint:
    """Graphviz's install hint, said once per run however many pictures need ``dot``."""

    def __init__(self) -> None:
        self.said = False

    def __call__(self, missing: Exception) -> str:
        if self.said:
            return "no Graphviz, as said above"
        self.said = True
        return str(missing)


def _write(root, path: Path, hint: _Hint, **options) -> str:
    from autograd.pictures.draw import GraphvizNotFound
    from demos._drawing import write_graph

    try:
        return f"  {write_graph(root, str(path), **options)}"
    except GraphvizNotFound as missing:  # keep the tour going with the Graphviz source
        dot_path = write_graph(root, str(path.with_suffix(".dot")), **options)
        return f"  {dot_path}  ({hint(missing)})"


def _write_lesson(root, path: Path, hint: _Hint) -> str:
    from autograd.pictures.draw import GraphvizNotFound
    from demos._drawing import write_lesson

    try:
        return f"  {write_lesson(root, path)}: open it in a browser"
    except GraphvizNotFound as missing:  # the page draws the graph, so it needs dot too
        return f"  not written: {hint(missing)}"


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m demos", description="A short tour of tracegrad.")
    p.add_argument("--out", default="out", help="folder for the pictures (default: out)")
    args = p.parse_args(argv)
    out = Path(args.out)

    print(heading("1. The chain rule, narrated"))
    chain_rule.main([])

    print("\n" + heading("2. One neuron"))
    _, output = neuron.build()
    print(f"sigmoid([1, 0] · [0.5, -0.5] + 0.1) = {output.data}")

    print("\n" + heading("3. A hidden layer learns XOR"))
    model, log = xor.train()
    for epoch, loss in log:
        print(f"  epoch {epoch:>4}: loss {loss:.4f}")
    for x in xor.X:
        print(f"  {x[0]:.0f} XOR {x[1]:.0f} -> {model(x, squeeze=True).data:.4f}")

    print("\nPictures of these graphs:")
    hint = _Hint()
    print(_write(chain_rule.build()["loss"], out / "chain_rule.svg", hint))
    print(_write(output, out / "neuron.svg", hint))
    loss = nn.binary_cross_entropy([model(x, squeeze=True) for x in xor.X], xor.Y)
    print(_write(loss, out / "xor.svg", hint, collapse="neuron"))

    print("\nThe chain rule as a page to click through (forward, then every backward step):")
    print(_write_lesson(chain_rule.build()["loss"], out / "chain_rule.html", hint))

    print(
        "\nWhat to try next:\n"
        "  python -m demos.chain_rule --steps out/steps/   one picture per backward step\n"
        "  python -m demos.perceptron                      why one neuron cannot learn XOR\n"
        "  python -m demos.and_gate                        a tutorial's printout, checked\n"
        "  python -m demos.xor_from_scratch                a network that does not learn, and why\n"
        "  python -m demos.activations                     activations and their slopes\n"
        "  python -m demos.newton                          Newton's method: the grad of a grad\n"
        "  python -m demos.digits                          Tensors: a digit classifier, fast\n"
        "  python -m demos.simple_nn_xor                   a PyTorch program, new imports only\n"
        "  python -m autograd explain 'tanh(w*x)' x=0.5 w=-2 --html lesson.html\n"
        "                                                  any expression, narrated and as a page\n"
        "In a REPL:\n"
        "  >>> from autograd import Value\n"
        "  >>> x = Value(2.0, 'x'); y = (x * x).tanh(); y.label = 'y'\n"
        "  >>> steps = y.backward_steps(); print(next(steps)); x.grad\n"
        "  >>> print(y.explain())"
    )


if __name__ == "__main__":
    main()
