"""The perceptron (seeds 001 and 004): a step-function neuron and the perceptron learning rule.

It learns AND and OR, which a straight line can separate, and never learns XOR, which no
straight line can. The step has gradient 0 everywhere, so backpropagation cannot train it:
the perceptron rule w ← w + lr·(target − output)·x does instead.

    python -m demos.perceptron [--graph out/perceptron.svg]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from autograd import Value
from demos._common import draw_if_asked, heading, parser
from nn import Neuron

INPUTS = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}


@dataclass
class Training:
    gate: str
    learned: bool
    epochs: int
    predictions: list[int]
    weights: list[float]
    bias: float


def train(gate: str, max_epochs: int = 100, lr: float = 0.1, seed: int = 0) -> Training:
    """Train a step neuron on ``gate`` with the perceptron rule until it makes no mistake."""
    neuron = Neuron(2, activation="step", seed=seed)
    targets = GATES[gate]
    epochs = 0
    while epochs < max_epochs:
        epochs += 1
        mistakes = 0
        for x, target in zip(INPUTS, targets):
            error = target - neuron(x).data
            if error:
                mistakes += 1
                for w, xi in zip(neuron.w, x):
                    w.data += lr * error * xi
                neuron.b.data += lr * error
        if mistakes == 0:
            break
    predictions = [int(neuron(x).data) for x in INPUTS]
    return Training(
        gate,
        predictions == targets,
        epochs,
        predictions,
        [w.data for w in neuron.w],
        neuron.b.data,
    )


def step_gradient() -> float:
    """d step(w·x + b) / d w for a typical input: always 0."""
    neuron = Neuron(2, activation="step", seed=0)
    out = neuron([1.0, 1.0])
    out.backward()
    return neuron.w[0].grad


def main(argv: Sequence[str] | None = None) -> None:
    args = parser("perceptron", __doc__).parse_args(argv)
    print(heading("The perceptron learning rule"))
    for gate in GATES:
        result = train(gate)
        verdict = (
            f"learned in {result.epochs} epoch(s)"
            if result.learned
            else f"NOT learned after {result.epochs} epochs"
        )
        weights = ", ".join(f"{w:.2f}" for w in result.weights)
        print(f"\n{gate}: {verdict}; weights [{weights}], bias {result.bias:.2f}")
        for x, target, predicted in zip(INPUTS, GATES[gate], result.predictions):
            mark = "" if target == predicted else "   <- wrong"
            print(f"  {x[0]:.0f} {x[1]:.0f} -> {predicted} (expected {target}){mark}")
    print(
        "\nXOR's ones (0,1) and (1,0) sit on opposite corners from its zeros: no straight line"
        "\nw1·x1 + w2·x2 + b = 0 separates them, so a single perceptron keeps making a mistake."
        "\nA hidden layer fixes that: python -m demos.xor"
    )
    print(f"\nThe gradient backward finds through the step: d out / d w1 = {step_gradient()}")
    print("It is 0 everywhere, which is why the perceptron rule, not backprop, trains a step.")
    neuron = Neuron(2, activation="step", seed=0)
    draw_if_asked(neuron([Value(1.0, "x1"), Value(1.0, "x2")]), args.graph)


if __name__ == "__main__":
    main()
