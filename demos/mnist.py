"""The tutorial's MNIST digit classifier (seed 001), ported to tracegrad.

The seed's program with only the changes the port needs, each marked ``# port:`` with its
reason: tracegrad's imports, and MNIST read from IDX files you already have (nothing is ever
downloaded). The model, the device lines, ``train()``, ``evaluate()`` and the printed lines are
the seed's.
Added for a demo you can run and test: command-line options for the hyperparameters, a fixed
seed, ``--limit`` for quick runs, a tqdm progress bar over batches when tqdm is installed, and
numpy's matrix products kept on one thread (:func:`one_blas_thread` says why).

    python -m demos.mnist --data DIR [--epochs 5] [--batch-size 64] [--lr 0.001] [--limit N]
                          [--seed 0] [--graph out/mnist.svg]

DIR holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
t10k-labels-idx1-ubyte (each may be gzipped), or is the root torchvision saved MNIST under.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

# port: the seed imports torch, torch.nn, torch.optim, torch.utils.data.DataLoader and
# torchvision's datasets and transforms. tracegrad's Tensors answer to torch's names, its nn
# and nn.optim to torch.nn's and torch.optim's, and nn.data reads MNIST's files itself.
import autograd as torch
import nn
from demos._common import draw_if_asked, heading, one_blas_thread, parser, positive_int
from nn import DataLoader, optim
from nn.data import IDXError, load_mnist, normalize_mnist

# Hyperparameters (the seed's; --batch-size, --lr and --epochs change them for one run)
BATCH_SIZE = 64
LEARNING_RATE = 0.001
EPOCHS = 5

MNISTData = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def load_data(folder: str, limit: int | None = None) -> MNISTData:
    """MNIST's four arrays from ``folder``, the first ``limit`` images of each set if given.

    Raises FileNotFoundError (naming the missing files and where to get them) or IDXError.
    """
    # port: datasets.MNIST('./data', train=..., download=True) fetches the files itself;
    # load_mnist reads the same IDX files from a folder you give and never downloads.
    train_images, train_labels, test_images, test_labels = load_mnist(folder)
    if limit is not None:
        train_images, train_labels = train_images[:limit], train_labels[:limit]
        test_images, test_labels = test_images[:limit], test_labels[:limit]
    return train_images, train_labels, test_images, test_labels


def make_loaders(data: MNISTData, batch_size: int, seed: int) -> tuple[DataLoader, DataLoader]:
    """The seed's train_loader (shuffled) and test_loader, yielding (images, labels) Tensors."""
    train_images, train_labels, test_images, test_labels = data
    # port: transforms.Compose([ToTensor(), Normalize((0.1307,), (0.3081,))]) becomes
    # normalize_mnist, the same (pixel / 255 - 0.1307) / 0.3081 on the whole set at once;
    # [:, None] adds the channel axis ToTensor gives, so batches are (64, 1, 28, 28) as there.
    train_dataset = (normalize_mnist(train_images, flatten=False)[:, None], train_labels)
    test_dataset = (normalize_mnist(test_images, flatten=False)[:, None], test_labels)

    # Added: seed= makes the shuffled order repeat from run to run.
    train_loader = DataLoader(train_dataset, batch_size=batch_size, shuffle=True, seed=seed)
    test_loader = DataLoader(test_dataset, batch_size=batch_size)
    return train_loader, test_loader


# Define the network
class MNISTClassifier(nn.Module):
    """The seed's classifier: Flatten, then 784 → 256 → 128 → 10 with ReLU and Dropout(0.2)."""

    def __init__(self) -> None:
        super(MNISTClassifier, self).__init__()  # noqa: UP008 - the seed's spelling
        self.flatten = nn.Flatten()
        self.layers = nn.Sequential(
            nn.Linear(28 * 28, 256),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(256, 128),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(128, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.flatten(x)
        return self.layers(x)


# Create model, loss, optimizer (the device line is the seed's; tracegrad has only the CPU)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


# Training function
def train(model: nn.Module, loader: Any, criterion: Any, optimizer: Any) -> float:
    """One pass over ``loader`` in training mode; returns the mean of the batch losses."""
    model.train()
    total_loss = 0

    for batch_idx, (data, target) in enumerate(loader):  # noqa: B007 - the seed's loop
        data, target = data.to(device), target.to(device)

        optimizer.zero_grad()
        output = model(data)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()

        total_loss += loss.item()

    return total_loss / len(loader)


# Evaluation function
def evaluate(model: nn.Module, loader: Any) -> float:
    """The fraction of ``loader``'s images the model classifies correctly (eval mode)."""
    model.eval()
    correct = 0
    total = 0

    with torch.no_grad():
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            _, predicted = torch.max(output.data, 1)
            total += target.size(0)
            correct += (predicted == target).sum().item()

    return correct / total


def progress(loader: DataLoader, description: str) -> Iterable[Any]:
    """``loader`` with a tqdm progress bar over its batches, or ``loader`` itself without tqdm.

    The bar goes to stderr, only when that is a terminal, and vanishes when the epoch ends, so
    the seed's per-epoch lines are all that stays.
    """
    try:
        from tqdm import tqdm
    except ImportError:
        return loader
    return tqdm(loader, desc=description, unit="batch", leave=False, disable=None)


def run(
    data: MNISTData,
    *,
    epochs: int = EPOCHS,
    batch_size: int = BATCH_SIZE,
    lr: float = LEARNING_RATE,
    seed: int = 0,
    on_epoch: Callable[[int, float, float], None] | None = None,
) -> dict[str, Any]:
    """Train the seed's classifier on ``data`` and evaluate it after every epoch.

    Returns the model, the accuracy before training, every epoch's mean training loss and test
    accuracy, the final test accuracy and the seconds spent. ``on_epoch(n, loss, accuracy)``
    is called after each epoch (``main`` prints the seed's line there).
    """
    # Added: one fixed seed for the initial weights and Dropout's masks, so runs repeat.
    torch.manual_seed(seed)
    train_loader, test_loader = make_loaders(data, batch_size, seed)

    model = MNISTClassifier().to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=lr)

    start = time.perf_counter()
    # Added: BLAS on one thread (see one_blas_thread), the seed's loop inside unchanged.
    with one_blas_thread():
        before = evaluate(model, test_loader)
        losses, accuracies = [], []
        # Training loop
        for epoch in range(epochs):
            train_loss = train(
                model, progress(train_loader, f"Epoch {epoch + 1}"), criterion, optimizer
            )
            accuracy = evaluate(model, test_loader)
            losses.append(train_loss)
            accuracies.append(accuracy)
            if on_epoch:
                on_epoch(epoch + 1, train_loss, accuracy)
        final_accuracy = evaluate(model, test_loader)
    return {
        "model": model,
        "criterion": criterion,
        "accuracy_before": before,
        "losses": losses,
        "accuracies": accuracies,
        "final_accuracy": final_accuracy,
        "seconds": time.perf_counter() - start,
    }


def main(argv: Sequence[str] | None = None) -> None:
    p = parser("mnist", __doc__)
    p.add_argument("--data", required=True, metavar="DIR", help="folder with MNIST's IDX files")
    p.add_argument("--epochs", type=positive_int, default=EPOCHS, help=f"default {EPOCHS}")
    p.add_argument(
        "--batch-size", type=positive_int, default=BATCH_SIZE, help=f"default {BATCH_SIZE}"
    )
    p.add_argument("--lr", type=float, default=LEARNING_RATE, help=f"default {LEARNING_RATE}")
    p.add_argument(
        "--limit", type=positive_int, metavar="N", help="use the first N images of each set"
    )
    p.add_argument("--seed", type=int, default=0, help="seed for weights, Dropout, order")
    args = p.parse_args(argv)
    if not args.lr > 0:
        p.error(f"argument --lr: the learning rate must be above 0, got {args.lr}")

    try:
        data = load_data(args.data, args.limit)
    except (FileNotFoundError, IDXError) as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None

    train_images, _, test_images, _ = data
    print(heading("MNIST with the seed's MNISTClassifier (784-256-128-10, Dropout 0.2, Adam)"))
    limited = f" (--limit {args.limit})" if args.limit else ""
    print(f"{len(train_images):,} training and {len(test_images):,} test images{limited}")
    print(
        f"from {args.data}; device {device.type}; batch size {args.batch_size}, learning rate"
        f" {args.lr}, epochs {args.epochs}, seed {args.seed}"
    )

    def report(epoch: int, train_loss: float, accuracy: float) -> None:
        print(f"Epoch {epoch}: Loss={train_loss:.4f}, Accuracy={accuracy:.4f}")

    result = run(
        data,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        on_epoch=report,
    )
    print(f"\nFinal Test Accuracy: {result['final_accuracy']:.4f}")
    print(
        f"(before training: {result['accuracy_before']:.4f}, about 1 in 10 by chance; "
        f"{result['seconds']:.1f} s of training and testing)"
    )
    if args.graph:
        # One small training batch: the graph one step of train() backpropagates through.
        images, labels = next(iter(make_loaders(data, 4, args.seed)[0]))
        model = result["model"].train()
        draw_if_asked(result["criterion"](model(images), labels), args.graph)


if __name__ == "__main__":
    main()
