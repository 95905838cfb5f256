"""A single artificial neuron (seed 000): sigmoid(inputs · weights + bias).

Inputs [1, 0], weights [0.5, −0.5] and bias 0.1 give sigmoid(0.6) = 0.6456563062257954.

    python -m demos.neuron [--graph out/neuron.svg] [--html out/neuron.html]
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd import Value
from demos._common import compare, draw_if_asked, heading, lesson_if_asked, parser
from nn import Neuron

TUTORIAL_OUTPUT = 0.6456563062257954


def build() -> tuple[Neuron, Value]:
    """The tutorial's neuron and its output for the inputs [1, 0]."""
    neuron = Neuron(2, activation="sigmoid", weights=[0.5, -0.5], bias=0.1)
    return neuron, neuron([Value(1.0, "x1"), Value(0.0, "x2")])


def run() -> dict[str, float]:
    """The output, and how it changes with each weight (d output / d w)."""
    neuron, output = build()
    output.backward()
    w1, w2 = neuron.w
    return {"output": output.data, "z": output.parents[0].data, "dw1": w1.grad, "dw2": w2.grad}


def main(argv: Sequence[str] | None = None) -> None:
    p = parser("neuron", __doc__)
    p.add_argument("--html", metavar="PATH", help="write the lesson page to click through")
    args = p.parse_args(argv)
    neuron, output = build()
    print(heading("One neuron: sigmoid(x · w + b)"))
    print(f"inputs [1, 0], weights [0.5, -0.5], bias 0.1\n\nOutput: {output.data}")
    print(compare("Output", output.data, TUTORIAL_OUTPUT))
    print()
    print(output.explain())
    print(
        "\nThe weight of the input that is 0 gets no gradient: changing it cannot change the"
        "\noutput. That is why a neuron learns only from the inputs that are active."
    )
    draw_if_asked(output, args.graph)
    lesson_if_asked(build()[1], args.html)


if __name__ == "__main__":
    main()
