"""The seed's ModernNetwork (seed 001): 784 → 256 → 128 → 10 with ReLU and Dropout(0.2).

The class is the seed's with only its import changed (and the project's type hints and
docstring added). The seed defines it and stops; this
demo prints it (the printout PyTorch gives), counts its 235,146 parameters, shows what
Dropout does in train() and eval() mode, and trains it for a few epochs to show it learns.
Without MNIST on the machine it learns scikit-learn's 8×8 digits, each pixel repeated 3×3
and the 24×24 result framed by 2 blank pixels to fill MNIST's 28×28 (MNIST's own digits
sit in a 20×20 box inside the frame). Those images carry only 64 distinct numbers in their
784 inputs, so this shows the network learns, not how well it does on MNIST: for that, give
``--data DIR`` with MNIST's IDX files.

    python -m demos.modern_network [--data DIR [--limit N]] [--epochs 5] [--seed 0]
                                   [--graph out/modern_network.svg]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

# port: the seed imports torch.nn as nn; tracegrad's nn has the same names.
import autograd as torch
import nn
from demos._common import draw_if_asked, heading, parser, positive_int
from demos._training import Epoch, accuracy, fit, load_digits_split
from demos.mnist import MNISTData, load_data
from nn.data import IDXError, normalize_mnist

EPOCHS = 5
BATCH_SIZE = 64
LEARNING_RATE = 0.001


# Modern best practices:
class ModernNetwork(nn.Module):
    """The seed's network for 28×28 images flattened to 784 inputs, with 10 class scores out."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(784, 256),
            nn.ReLU(),  # ReLU for hidden layers
            nn.Dropout(0.2),  # Regularization
            nn.Linear(256, 128),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(128, 10),
            # No activation here if using CrossEntropyLoss
            # Or use Softmax for multi-class classification
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


def digits_as_mnist() -> MNISTData:
    """scikit-learn's digits as MNIST-like uint8 images of 28×28, split as seed 002 splits them.

    Each 8×8 pixel (0..16) becomes a 3×3 block of 0..255, and 2 blank rows and columns frame
    the 24×24 digit, so ``normalize_mnist`` treats these images exactly as it treats MNIST's.
    """
    X_train, X_test, y_train, y_test = load_digits_split(scale=False)

    def upscale(rows: np.ndarray) -> np.ndarray:
        pixels = np.rint(rows.reshape(-1, 8, 8) * (255 / 16)).astype(np.uint8)
        blocks = pixels.repeat(3, axis=1).repeat(3, axis=2)
        return np.pad(blocks, ((0, 0), (2, 2), (2, 2)))

    return upscale(X_train), y_train, upscale(X_test), y_test


def parameter_table(model: nn.Module) -> list[tuple[str, tuple[int, ...], int]]:
    """Every parameter's name, shape and number of entries."""
    return [(name, p.shape, p.numel()) for name, p in model.named_parameters()]


def dropout_effect(model: ModernNetwork, x: torch.Tensor) -> dict[str, Any]:
    """What Dropout does to one input: two forward passes in train() mode, two in eval() mode.

    Also follows the first Dropout: how many of the first hidden layer's positive units it
    zeroed, and what it multiplied the others by.
    """
    model.train()
    first, second = model(x), model(x)
    hidden = model.layers[1](model.layers[0](x)).detach().numpy()
    dropped = model.layers[2](torch.tensor(hidden)).detach().numpy()
    model.eval()
    third, fourth = model(x), model(x)
    model.train()
    positive = hidden > 0
    kept = positive & (dropped != 0)
    return {
        "train_gap": float(np.abs((first - second).detach().numpy()).max()),
        "eval_gap": float(np.abs((third - fourth).detach().numpy()).max()),
        "positive": int(positive.sum()),
        "zeroed": int((positive & (dropped == 0)).sum()),
        "scale": float(np.median(dropped[kept] / hidden[kept])),
    }


def learn(
    model: ModernNetwork,
    data: MNISTData,
    *,
    epochs: int = EPOCHS,
    batch_size: int = BATCH_SIZE,
    lr: float = LEARNING_RATE,
    seed: int = 0,
    on_epoch: Callable[[Epoch], None] | None = None,
) -> dict[str, Any]:
    """Train ``model`` on ``data`` with the demos' shared loop and measure its test accuracy.

    ``data`` is (train images, train labels, test images, test labels), uint8 images of 28×28
    as ``load_mnist`` gives them. The loop (``demos._training.fit``) is Adam at ``lr``, falling
    linearly to 0, on cross-entropy, in shuffled minibatches of ``batch_size``, with numpy's
    matrix products on one thread (see ``demos._common.one_blas_thread``).
    """
    train_images, train_labels, test_images, test_labels = data
    X_train, X_test = normalize_mnist(train_images), normalize_mnist(test_images)
    before = accuracy(model, X_test, test_labels)
    start = time.perf_counter()
    history = fit(
        model,
        X_train,
        train_labels,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        seed=seed,
        test=(X_test, test_labels),
        on_epoch=on_epoch,
    )
    return {
        "accuracy_before": before,
        "history": history,
        "final_accuracy": history.epochs[-1].accuracy,
        "seconds": time.perf_counter() - start,
        "sample": torch.tensor(X_test[:4], label="images"),
        "sample_labels": torch.tensor(test_labels[:4]),
    }


def run(data: MNISTData | None = None, *, epochs: int = EPOCHS, seed: int = 0) -> dict[str, Any]:
    """Everything ``main`` prints, as numbers: printout, parameters, Dropout, training."""
    data = data if data is not None else digits_as_mnist()
    torch.manual_seed(seed)
    model = ModernNetwork()
    table = parameter_table(model)
    one_image = torch.tensor(normalize_mnist(data[2][:1]))
    return {
        "model": model,
        "printout": repr(model),
        "parameters": table,
        "parameter_count": sum(count for _, _, count in table),
        "dropout": dropout_effect(model, one_image),
        **learn(model, data, epochs=epochs, seed=seed),
    }


def main(argv: Sequence[str] | None = None) -> None:
    p = parser("modern_network", __doc__)
    p.add_argument("--data", metavar="DIR", help="train on MNIST's IDX files in DIR instead")
    p.add_argument("--epochs", type=positive_int, default=EPOCHS, help=f"default {EPOCHS}")
    p.add_argument(
        "--limit", type=positive_int, metavar="N", help="with --data: first N of each set"
    )
    p.add_argument("--seed", type=int, default=0, help="seed for weights, Dropout and order")
    args = p.parse_args(argv)

    if args.data:
        try:
            data = load_data(args.data, args.limit)
        except (FileNotFoundError, IDXError) as error:
            print(error, file=sys.stderr)
            raise SystemExit(2) from None
        source = f"MNIST from {args.data}"
    else:
        data = digits_as_mnist()
        source = (
            "scikit-learn's 8×8 digits, each pixel repeated 3×3 and framed to 28×28\n"
            "(these are not MNIST: --data DIR trains on MNIST's files)"
        )

    torch.manual_seed(args.seed)
    model = ModernNetwork()
    print(heading("The seed's ModernNetwork, as print(model) shows it"))
    print(model)

    print("\nParameters (a weight is out_features × in_features, as in PyTorch):")
    table = parameter_table(model)
    for name, shape, count in table:
        print(f"  {name:<16} {str(shape):<11} {count:>9,}")
    print(f"  {'total':<16} {'':<11} {sum(count for _, _, count in table):>9,}")

    one_image = torch.tensor(normalize_mnist(data[2][:1]))
    effect = dropout_effect(model, one_image)
    print("\nDropout(0.2), the same image passed twice:")
    share = effect["zeroed"] / effect["positive"]
    print(
        f"  train() mode: the two outputs differ by up to {effect['train_gap']:.4f}; each pass"
        f" draws a new mask.\n  Of the {effect['positive']} positive units of the first hidden"
        f" layer, this pass zeroed {effect['zeroed']} ({share:.0%};\n  each is dropped with"
        f" probability 20%) and multiplied the rest by {effect['scale']:.4f} (1 / (1 - 0.2)),"
        "\n  so their expected sum stays the same."
    )
    print(
        f"  eval() mode:  the two outputs differ by {effect['eval_gap']}; Dropout passes"
        " everything through."
    )

    train_images, _, test_images, _ = data
    print(f"\nTraining on {source}:")
    print(
        f"{len(train_images):,} training and {len(test_images):,} test images, Adam lr"
        f" {LEARNING_RATE} falling to 0, batch size {BATCH_SIZE}, seed {args.seed}."
    )

    def report(epoch: Epoch) -> None:
        print(f"  Epoch {epoch.number}: Loss={epoch.loss:.4f}, Accuracy={epoch.accuracy:.4f}")

    result = learn(model, data, epochs=args.epochs, seed=args.seed, on_epoch=report)
    print(
        f"Test accuracy {result['final_accuracy']:.4f} (before training"
        f" {result['accuracy_before']:.4f}, about 1 in 10 by chance), after"
        f" {result['seconds']:.1f} s.\nThe seed only defines this network; it prints no"
        " results of its own to compare with."
    )
    # One small batch in training mode: the graph one step of training backpropagates through.
    loss = nn.CrossEntropyLoss()(model.train()(result["sample"]), result["sample_labels"])
    draw_if_asked(loss, args.graph)


if __name__ == "__main__":
    main()
