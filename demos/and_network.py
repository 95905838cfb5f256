"""Seed 003's PyTorch AND network, run on tracegrad with only its imports changed.

Two nn.Linear layers with torch.sigmoid, BCELoss, SGD with lr 0.1, 10,000 epochs; the
tutorial prints the rounded predictions tensor([[0.], [0.], [0.], [1.]]).

    python -m demos.and_network [--seed 0] [--graph out/and_network.svg]
"""

from __future__ import annotations

from collections.abc import Sequence

# Changed for the port: "import torch", "import torch.nn as nn", "import torch.optim as optim".
import autograd as torch
import nn
from demos._common import compare, draw_if_asked, parser
from nn import optim

# 1️⃣ Data (AND gate)
X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = torch.tensor([[0.0], [0.0], [0.0], [1.0]])


# 2️⃣ Define model (1 hidden layer): the tutorial's, unchanged.
class NeuralNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(2, 2)  # input 2 -> hidden 2
        self.layer2 = nn.Linear(2, 1)  # hidden 2 -> output 1

    def forward(self, x):
        x = torch.sigmoid(self.layer1(x))
        x = torch.sigmoid(self.layer2(x))
        return x


def run(seed: int = 0, epochs: int = 10_000) -> dict[str, object]:
    """The tutorial's program; returns the model and its rounded predictions."""
    torch.manual_seed(seed)  # added: the tutorial does not seed, so its runs differ
    # 3️⃣ Initialize
    model = NeuralNet()
    criterion = nn.BCELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    # 4️⃣ Train
    for _epoch in range(epochs):
        optimizer.zero_grad()
        output = model(X)
        loss = criterion(output, Y)
        loss.backward()
        optimizer.step()
    rounded = model(X).detach().round()
    return {"model": model, "rounded": rounded, "loss": loss.item()}


def main(argv: Sequence[str] | None = None) -> None:
    p = parser("and_network", __doc__)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    result = run(args.seed)
    print("Predictions:\n", result["rounded"])
    rounded = result["rounded"].tolist()  # type: ignore[attr-defined]
    print(compare("Rounded predictions", rounded, [[0.0], [0.0], [0.0], [1.0]]))
    model = result["model"]
    draw_if_asked(nn.BCELoss()(model(X), Y), args.graph)  # type: ignore[operator]


if __name__ == "__main__":
    main()
