"""Seed 001's PyTorch SimpleNN learning XOR, run on tracegrad with only its imports changed.

2-4-1 with ReLU then sigmoid, BCELoss, Adam with lr 0.1, 1,000 epochs; prints the loss every
100 epochs and the final predictions, as the tutorial's program does.

    python -m demos.simple_nn_xor [--seed 0] [--graph out/simple_nn_xor.svg]
"""

from __future__ import annotations

from collections.abc import Sequence

# Changed for the port: "import torch", "import torch.nn as nn", "import torch.optim as optim".
import autograd as torch
import nn
from demos._common import draw_if_asked, parser
from nn import optim


# The tutorial's network, unchanged.
class SimpleNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(SimpleNN, self).__init__()  # noqa: UP008 - the tutorial's spelling
        self.layer1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.layer2 = nn.Linear(hidden_size, output_size)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        x = self.layer1(x)
        x = self.relu(x)
        x = self.layer2(x)
        x = self.sigmoid(x)
        return x


def run(seed: int = 0, epochs: int = 1000, log=print) -> dict[str, object]:
    """The tutorial's program; returns its losses and predictions."""
    torch.manual_seed(seed)  # added: the tutorial does not seed, so its runs differ
    model = SimpleNN(input_size=2, hidden_size=4, output_size=1)
    criterion = nn.BCELoss()
    optimizer = optim.Adam(model.parameters(), lr=0.1)
    X = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
    y = torch.tensor([[0], [1], [1], [0]], dtype=torch.float32)
    losses = []
    for epoch in range(epochs):
        outputs = model(X)
        loss = criterion(outputs, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if epoch % 100 == 0:
            log(f"Epoch {epoch}, Loss: {loss.item():.4f}")
            losses.append(loss.item())
    with torch.no_grad():
        predictions = model(X)
        log("\nPredictions:")
        log(predictions.numpy())
    return {"model": model, "losses": losses, "predictions": predictions.numpy().ravel().tolist()}


def learned(predictions: Sequence[float]) -> bool:
    """Whether every prediction is on the right side of 0.5 for XOR's targets 0, 1, 1, 0."""
    return [round(p) for p in predictions] == [0, 1, 1, 0]


def survey(seeds: int = 10) -> int:
    """How many of ``seeds`` starting points learn XOR."""
    return sum(learned(run(s, log=lambda *_: None)["predictions"]) for s in range(seeds))  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> None:
    p = parser("simple_nn_xor", __doc__)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    result = run(args.seed)
    count = survey()
    print(f"\nFrom 10 different seeds, {count} learn XOR.")
    if count < 10:
        print(
            "The others get stuck: with four hidden ReLUs and a large step (lr 0.1), units"
            "\ncan die (output 0 for all four inputs, so no gradient reaches them) before XOR"
            "\nis solved."
        )
    model = result["model"]
    X = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
    y = torch.tensor([[0], [1], [1], [0]], dtype=torch.float32)
    draw_if_asked(nn.BCELoss()(model(X), y), args.graph, collapse="layer")  # type: ignore[operator]


if __name__ == "__main__":
    main()
