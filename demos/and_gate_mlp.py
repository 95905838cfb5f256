"""A 2-2-1 sigmoid network learns AND (seed 003): BCE loss, SGD with lr 0.1, 10,000 epochs.

The tutorial's PyTorch program (NeuralNet with two nn.Linear layers and torch.sigmoid) on
tracegrad's Values; its printed result is the rounded predictions 0, 0, 0, 1.

    python -m demos.and_gate_mlp [--graph out/and_gate_mlp.svg]
"""

from __future__ import annotations

from collections.abc import Sequence

import nn
from demos._common import compare, draw_if_asked, heading, parser
from nn import MLP
from nn.optim import SGD

X = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
Y = [0.0, 0.0, 0.0, 1.0]


def train(epochs: int = 10_000, lr: float = 0.1, seed: int = 0) -> tuple[MLP, list[float]]:
    """Train the network; returns it and the loss every 1,000 epochs."""
    model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=seed)
    optimizer = SGD(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        outputs = [model(x, squeeze=True) for x in X]
        loss = nn.binary_cross_entropy(outputs, Y)
        loss.backward()
        optimizer.step()
        if epoch % 1000 == 0:
            losses.append(loss.data)
    return model, losses


def run(epochs: int = 10_000) -> dict[str, list[float]]:
    """The predictions, rounded predictions and the loss curve."""
    model, losses = train(epochs)
    predictions = [model(x, squeeze=True).data for x in X]
    return {
        "predictions": predictions,
        "rounded": [float(round(p)) for p in predictions],
        "losses": losses,
    }


def main(argv: Sequence[str] | None = None) -> None:
    args = parser("and_gate_mlp", __doc__).parse_args(argv)
    model, losses = train()
    print(heading("AND with a 2-2-1 sigmoid network"))
    print(model)
    for i, loss in enumerate(losses):
        print(f"epoch {i * 1000:>5}: BCE loss {loss:.4f}")
    predictions = [model(x, squeeze=True).data for x in X]
    print("\nPredictions:")
    for x, p in zip(X, predictions):
        print(f"  {x[0]:.0f} {x[1]:.0f} -> {p:.4f} -> rounded {round(p)}")
    print(
        compare("Rounded predictions", [float(round(p)) for p in predictions], [0.0, 0.0, 0.0, 1.0])
    )
    outputs = [model(x, squeeze=True) for x in X]
    draw_if_asked(nn.binary_cross_entropy(outputs, Y), args.graph, collapse="neuron")


if __name__ == "__main__":
    main()
