"""Seed 001's from-scratch XOR network, and why it does not learn in 1,000 epochs.

The tutorial's NeuralNetwork (2-4-1, sigmoid everywhere, MSE, weights ``randn · 0.01``, lr 1.0)
on tracegrad's Values. Its update is gradient descent on ½·mean((ŷ − y)²), so the engine
follows it exactly. After 1,000 epochs every prediction is 0.5: the tiny, nearly identical
starting weights make the four hidden units compute the same thing, and the gradient
reaching the first layer is scaled by those 0.01 weights. The engine's gradients show it.

    python -m demos.xor_from_scratch [--graph out/xor_from_scratch.svg]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograd import Value
from demos._common import draw_if_asked, heading, parser
from nn import MLP

X = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
Y = [0.0, 1.0, 1.0, 0.0]


def make_model(seed: int = 0, scale: float = 0.01) -> MLP:
    """The tutorial's start: ``randn(2, 4) * scale``, ``randn(4, 1) * scale``, zero biases."""
    rng = np.random.RandomState(seed)
    w1, w2 = rng.randn(2, 4) * scale, rng.randn(4, 1) * scale
    return MLP(
        2,
        [4, 1],
        activation="sigmoid",
        output_activation="sigmoid",
        weights=[w1.T.tolist(), w2.T.tolist()],  # a neuron's weights are a column of W
        biases=[[0.0] * 4, [0.0]],
    )


def _loss(model: MLP) -> tuple[Value, list[Value]]:
    outputs = [model(x, squeeze=True) for x in X]
    half_mse = 0.5 * Value.sum([(out - y) ** 2 for out, y in zip(outputs, Y)]) / len(X)
    half_mse.label = "loss"
    return half_mse, outputs


def _largest(grads: Sequence[float]) -> float:
    return max(abs(g) for g in grads)


def train(epochs: int = 1000, seed: int = 0, scale: float = 0.01, lr: float = 1.0):
    """Train as the tutorial does; returns the model and a log of (epoch, loss, |dW1|, |dW2|)."""
    model = make_model(seed, scale)
    first, second = model.layers
    log = []
    for epoch in range(epochs):
        loss, outputs = _loss(model)
        model.zero_grad()
        loss.backward()
        if epoch % 100 == 0:
            mse = sum((y - out.data) ** 2 for out, y in zip(outputs, Y)) / len(X)
            w1 = [w.grad for n in first.neurons for w in n.w]
            w2 = [w.grad for n in second.neurons for w in n.w]
            log.append((epoch, mse, _largest(w1), _largest(w2)))
        for p in model.parameters():
            p.data -= lr * p.grad
    return model, log


def hidden_outputs(model: MLP) -> list[list[float]]:
    """What the four hidden units output for each of the four inputs."""
    return [[h.data for h in model.layers[0](x)] for x in X]


def run(epochs: int = 1000, scale: float = 0.01, seed: int = 0) -> dict[str, object]:
    """Predictions, the log, and how different the hidden units' outputs are."""
    model, log = train(epochs, seed, scale)
    hidden = hidden_outputs(model)
    spread = max(max(row) - min(row) for row in zip(*hidden))
    return {
        "predictions": [model(x, squeeze=True).data for x in X],
        "log": log,
        "hidden_spread": spread,
    }


def main(argv: Sequence[str] | None = None) -> None:
    args = parser("xor_from_scratch", __doc__).parse_args(argv)
    print(heading("Seed 001's XOR network: randn·0.01 weights, sigmoid, MSE, lr 1.0"))
    model, log = train()
    print("epoch   loss (mean squared error)   largest |dL/dW1|   largest |dL/dW2|")
    for epoch, mse, g1, g2 in log:
        print(f"{epoch:>5}   {mse:.6f}                    {g1:.2e}           {g2:.2e}")
    predictions = [model(x, squeeze=True).data for x in X]
    print("\nPredictions after 1,000 epochs:")
    for x, p, y in zip(X, predictions, Y):
        print(f"  [{x[0]:.0f} {x[1]:.0f}] -> {p:.4f} (expected {y:.0f})")
    hidden = hidden_outputs(model)
    print("\nThe hidden layer's outputs for the four inputs (rows) barely differ:")
    for x, row in zip(X, hidden):
        print(f"  [{x[0]:.0f} {x[1]:.0f}] -> " + "  ".join(f"{h:.4f}" for h in row))
    print(
        "\nWhy: with weights of size 0.01 every hidden unit outputs about σ(0) = 0.5 for every"
        "\ninput, so the output can only learn the average target, 0.5, which it does at once."
        "\nAfter that the error signal for 0 XOR 0 and 1 XOR 1 cancels the one for the other"
        "\ntwo inputs, and what reaches W1 is further multiplied by the 0.01 weights of W2:"
        "\nthe gradients above are tiny, so W1 hardly moves. The network sits on a flat saddle."
    )
    bigger = run(epochs=5000, scale=1.0)
    fixed = ", ".join(f"{p:.3f}" for p in bigger["predictions"])  # type: ignore[attr-defined]
    print(
        "\nThe same network started with randn·1.0 instead (larger, more different weights)"
        f"\nlearns XOR: after 5,000 epochs it predicts [{fixed}]."
    )
    draw_if_asked(_loss(model)[0], args.graph, collapse="neuron")


if __name__ == "__main__":
    main()
