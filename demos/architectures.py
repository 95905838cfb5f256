"""Seed 001's exercise 4, "try different architectures and compare performance", on digits.

The seed names three shapes for 28×28 MNIST (784 inputs): funnel 784 → 256 → 64 → 10,
same 784 → 256 → 256 → 10, and hourglass 784 → 64 → 64 → 784, an autoencoder. Here they
are scaled to scikit-learn's 8×8 digits (64 inputs), which are on this machine:

- funnel 64 → 128 → 32 → 10 and same 64 → 128 → 128 → 10 share their first hidden layer
  and differ in the second (a quarter as wide, or as wide), as the seed's two do (256, then
  64 or 256). With only 64 inputs the first layer widens instead of narrowing: 256/784 of
  64 would leave 21 units.
- hourglass 64 → 16 → 16 → 10: the seed's hourglass squeezes its input through a narrow
  waist. Its ratio, 64/784, would leave 5 units; 16 is a quarter of the input, and a row
  with an 8-wide waist shows what squeezing harder costs. The seed's hourglass ends where it
  started (784) because it is an autoencoder, so the demo also trains 64 → 16 → 16 → 64 to
  reconstruct the digits, with MSELoss.

Every classifier trains the same way (``demos._training.fit``: Adam, lr 0.01 falling to 0,
batches of 32, 20 epochs) from several seeds; the table gives each one's parameter count,
test accuracy (mean, lowest and highest over the seeds) and mean training time.

    python -m demos.architectures [--epochs 20] [--seeds 3] [--graph out/architectures.svg]
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

import autograd
import nn
from autograd import Tensor, tensor
from demos._common import draw_if_asked, heading, one_blas_thread, parser, positive_int
from demos._training import accuracy, fit, load_digits_split
from demos.digits import ascii_digits

EPOCHS = 20
BATCH_SIZE = 32
LEARNING_RATE = 0.01
SEEDS = 3


@dataclass(frozen=True)
class Architecture:
    """A named shape: the width of every layer, input first, and the seed's shape it scales."""

    name: str
    sizes: tuple[int, ...]
    seed_shape: str


ARCHITECTURES = (
    Architecture("funnel", (64, 128, 32, 10), "784 → 256 → 64 → 10"),
    Architecture("same", (64, 128, 128, 10), "784 → 256 → 256 → 10"),
    Architecture("hourglass", (64, 16, 16, 10), "784 → 64 → 64 → 784"),
    Architecture("hourglass, 8 wide", (64, 8, 8, 10), "784 → 64 → 64 → 784"),
)
AUTOENCODER = Architecture("hourglass autoencoder", (64, 16, 16, 64), "784 → 64 → 64 → 784")


def build(sizes: Sequence[int], seed: int) -> nn.Sequential:
    """Linear layers of the given widths with ReLU between them (none after the last).

    >>> build((64, 16, 10), seed=0)
    Sequential(
      (0): Linear(in_features=64, out_features=16, bias=True)
      (1): ReLU()
      (2): Linear(in_features=16, out_features=10, bias=True)
    )
    """
    autograd.manual_seed(seed)
    layers: list[nn.Module] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def parameter_count(model: nn.Module) -> int:
    """How many numbers training adjusts. ``parameter_count(build((64, 10), 0)) == 650``"""
    return sum(p.numel() for p in model.parameters())


@dataclass
class Row:
    """One line of the table: an architecture and what it gave from each seed."""

    architecture: Architecture
    parameters: int
    accuracies: list[float]
    seconds: list[float]

    @property
    def mean_accuracy(self) -> float:
        return float(np.mean(self.accuracies))

    @property
    def mean_seconds(self) -> float:
        return float(np.mean(self.seconds))


def compare(
    architectures: Sequence[Architecture] = ARCHITECTURES,
    *,
    epochs: int = EPOCHS,
    seeds: int = SEEDS,
) -> list[Row]:
    """Train every architecture from seeds 0..seeds-1 with the same settings; one Row each."""
    X_train, X_test, y_train, y_test = load_digits_split()
    rows = []
    for architecture in architectures:
        row = Row(architecture, parameter_count(build(architecture.sizes, 0)), [], [])
        for seed in range(seeds):
            model = build(architecture.sizes, seed)
            start = time.perf_counter()
            fit(
                model,
                X_train,
                y_train,
                epochs=epochs,
                batch_size=BATCH_SIZE,
                lr=LEARNING_RATE,
                seed=seed,
            )
            row.seconds.append(time.perf_counter() - start)
            row.accuracies.append(accuracy(model, X_test, y_test))
        rows.append(row)
    return rows


@dataclass
class Reconstruction:
    """What the hourglass autoencoder learned: its errors and its redrawn test digits."""

    model: nn.Sequential
    test_mse: float  # mean squared error per pixel on the test digits
    mean_image_mse: float  # the same for always answering the average training digit
    originals: np.ndarray
    reconstructed: np.ndarray
    seconds: float


def train_autoencoder(
    sizes: Sequence[int] = AUTOENCODER.sizes, *, epochs: int = EPOCHS, seed: int = 0
) -> Reconstruction:
    """Train the hourglass to give back its input (MSELoss), with fit's other settings.

    The average training digit is the yardstick: it is the best answer that ignores which
    digit came in, so an error well below its error means the waist carries the digit.
    """
    X_train, X_test, _, _ = load_digits_split()
    model = build(sizes, seed)
    optimizer = nn.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    criterion = nn.MSELoss()
    # The target is the input itself, so a batch is just rows of X.
    loader = nn.DataLoader(
        X_train, batch_size=BATCH_SIZE, shuffle=True, seed=seed, transform=Tensor
    )
    start = time.perf_counter()
    for number in range(1, epochs + 1):
        optimizer.lr = LEARNING_RATE * (1 - (number - 1) / epochs)  # as fit lowers it
        for xb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), xb)
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - start
    with autograd.no_grad():
        reconstructed = model(Tensor(X_test)).numpy()
    return Reconstruction(
        model=model,
        test_mse=float(np.mean((reconstructed - X_test) ** 2)),
        mean_image_mse=float(np.mean((X_train.mean(axis=0) - X_test) ** 2)),
        originals=X_test,
        reconstructed=reconstructed,
        seconds=seconds,
    )


def table(rows: Sequence[Row]) -> str:
    """The comparison as aligned text, one line per architecture."""
    header = (
        f"{'architecture':<18} {'layers':<20} {'parameters':>10}   "
        f"{'test accuracy: mean (low-high)':<31} {'training':>8}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        sizes = " → ".join(str(s) for s in row.architecture.sizes)
        spread = f"{row.mean_accuracy:.2%} ({min(row.accuracies):.2%}-{max(row.accuracies):.2%})"
        lines.append(
            f"{row.architecture.name:<18} {sizes:<20} {row.parameters:>10,}   "
            f"{spread:<31} {row.mean_seconds:>6.2f} s"
        )
    return "\n".join(lines)


def run(epochs: int = EPOCHS, seeds: int = SEEDS) -> tuple[list[Row], Reconstruction]:
    """The classifier rows and the autoencoder's result, as ``main`` computes them."""
    rows = compare(epochs=epochs, seeds=seeds)  # fit keeps BLAS on one thread itself
    with one_blas_thread():
        return rows, train_autoencoder(epochs=epochs)


def main(argv: Sequence[str] | None = None) -> None:
    p = parser("architectures", __doc__)
    p.add_argument("--epochs", type=positive_int, default=EPOCHS, help=f"default {EPOCHS}")
    p.add_argument(
        "--seeds", type=positive_int, default=SEEDS, help=f"seeds per architecture, default {SEEDS}"
    )
    args = p.parse_args(argv)

    X_train, X_test, y_train, y_test = load_digits_split()
    print(heading("Architectures compared on 8×8 digits (seed 001, exercise 4)"))
    print(
        f"{len(X_train):,} training and {len(X_test):,} test digits of 64 pixels; the seed's"
        " shapes are for MNIST's 784:"
    )
    for architecture in ARCHITECTURES[:3]:
        scaled = " → ".join(str(s) for s in architecture.sizes)
        print(f"  {architecture.name:<10} seed {architecture.seed_shape:<22} here {scaled}")
    print("  (and the hourglass again with an 8-unit waist, to see what squeezing costs)")
    print(
        f"Every network: ReLU between layers, cross-entropy, Adam lr {LEARNING_RATE} falling to"
        f" 0,\nbatches of {BATCH_SIZE}, {args.epochs} epochs, from seeds 0..{args.seeds - 1}."
        " Times are per training run,\nwith numpy's matrix products on one thread"
        " (demos._common.one_blas_thread says why).\n"
    )
    start = time.perf_counter()
    rows = compare(epochs=args.epochs, seeds=args.seeds)
    print(table(rows))
    for line in findings(rows, len(y_test)):
        print(line)

    print("\n" + heading("The hourglass as the seed means it: an autoencoder"))
    with one_blas_thread():
        result = train_autoencoder(epochs=args.epochs)
    sizes = " → ".join(str(s) for s in AUTOENCODER.sizes)
    waist = min(AUTOENCODER.sizes)
    print(
        f"{sizes}, trained to give back its own input (MSELoss; seed 0; Adam, batches and"
        f"\nepochs as above) in {result.seconds:.2f} s."
    )
    print(
        f"Mean squared error per pixel (pixels 0..1) on the test digits: {result.test_mse:.4f};"
        f"\nanswering the average training digit every time: {result.mean_image_mse:.4f}."
        f"\nSix test digits, then what the network redraws from the {waist} numbers in its"
        " waist:\n"
    )
    shown = slice(0, 6)
    print(ascii_digits(result.originals[shown], [f"digit {d}" for d in y_test[shown]]))
    print()
    print(ascii_digits(np.clip(result.reconstructed[shown], 0, 1), ["redrawn"] * 6))
    print(f"\n{time.perf_counter() - start:.1f} s in all.")

    hourglass = build(ARCHITECTURES[2].sizes, seed=0)
    batch_loss = nn.CrossEntropyLoss()(
        hourglass(Tensor(X_test[:4], label="digits")), tensor(y_test[:4])
    )
    draw_if_asked(batch_loss, args.graph)


def findings(rows: Sequence[Row], test_size: int) -> list[str]:
    """What the table shows, in sentences computed from its numbers."""
    by_name = {row.architecture.name: row for row in rows}
    best = max(rows, key=lambda row: row.mean_accuracy)
    one_digit = 1 / test_size
    lines = [
        f"\nOne test digit is {one_digit:.2%}; the low-high ranges show how much the seed"
        " alone moves a result.",
        f"Best mean: {best.architecture.name} ({best.mean_accuracy:.2%}).",
    ]
    funnel, same = by_name.get("funnel"), by_name.get("same")
    if funnel and same:
        gap = (same.mean_accuracy - funnel.mean_accuracy) * 100
        within = " (less than one test digit)" if abs(gap) < one_digit * 100 else ""
        lines.append(
            f"same: {same.parameters / funnel.parameters:.1f}× the funnel's parameters,"
            f" {gap:+.2f} points of mean accuracy{within}."
        )
    for row in rows:
        if row.architecture.name.startswith("hourglass"):
            waist = min(row.architecture.sizes[1:-1])
            lines.append(
                f"{row.architecture.name} ({waist}-unit waist, {row.parameters:,} parameters):"
                f" {(row.mean_accuracy - best.mean_accuracy) * 100:+.2f} points against the best."
            )
    return lines


if __name__ == "__main__":
    main()
