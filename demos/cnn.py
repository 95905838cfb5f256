"""The CNN of PyTorch's "What is torch.nn really?" trained on MNIST, beside the MLP demo.

Three 3×3 convolutions of stride 2 (1 → 16 → 16 → 10 channels, 28×28 → 14×14 → 7×7 → 4×4),
ReLU after each, an average over the last 4×4 and the ten channels are the ten classes' scores;
SGD with momentum 0.9 and learning rate 0.1, the tutorial's ``loss_batch`` and ``fit``. The
MNIST demo's MLP (:mod:`demos.mnist`) trains on the same split and batches, and the two test
accuracies are printed side by side. Then one output entry of the first convolution, on the
first test image, is written out as its sum over the 3×3 window with the trained weights, and
where its gradient goes back to (``Tensor.explain_entry``).

    python -m demos.cnn --data DIR [--epochs 2] [--batch-size 64] [--lr 0.1] [--limit N]
                        [--mlp-epochs N] [--entry C,P,Q] [--seed 0] [--graph out/cnn.svg]

DIR holds MNIST's IDX files, as for ``python -m demos.mnist`` (nothing is ever downloaded).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any

import autograd as torch
import nn
import nn.functional as F
from demos import mnist
from demos._common import draw_if_asked, heading, one_blas_thread, parser, positive_int
from nn import optim
from nn.data import IDXError

# The tutorial's settings
BATCH_SIZE = 64
LEARNING_RATE = 0.1
MOMENTUM = 0.9
EPOCHS = 2
#: The output entry explained: channel 3 at row 5, column 5 of the first convolution's 14×14,
#: whose window is the input's rows and columns 9 to 11, near the middle of the digit.
ENTRY = (3, 5, 5)


class Mnist_CNN(nn.Module):  # noqa: N801 - the tutorial's name
    """The tutorial's CNN: three Conv2d(kernel_size=3, stride=2, padding=1), then avg_pool2d."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1)

    def forward(self, xb: torch.Tensor) -> torch.Tensor:
        return self.after_conv1(self.conv1(xb.view(-1, 1, 28, 28)))

    def after_conv1(self, xb: torch.Tensor) -> torch.Tensor:
        """The tutorial's forward from the first convolution's output on, kept apart so the
        demo can hold that output and explain one of its entries."""
        xb = F.relu(xb)
        xb = F.relu(self.conv2(xb))
        xb = F.relu(self.conv3(xb))
        xb = F.avg_pool2d(xb, 4)
        return xb.view(-1, xb.size(1))


def loss_batch(model: nn.Module, loss_func: Any, xb: Any, yb: Any, opt: Any = None) -> Any:
    """The tutorial's: the batch's loss, and a step of ``opt`` when one is given."""
    loss = loss_func(model(xb), yb)
    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss.item(), len(xb)


def train_epoch(model: nn.Module, batches: Iterable[Any], opt: Any) -> float:
    """One pass of the tutorial's ``fit`` over the training batches; the mean batch loss."""
    model.train()
    losses = [loss_batch(model, F.cross_entropy, xb, yb, opt)[0] for xb, yb in batches]
    return sum(losses) / max(len(losses), 1)


def run(
    data: mnist.MNISTData,
    *,
    epochs: int = EPOCHS,
    batch_size: int = BATCH_SIZE,
    lr: float = LEARNING_RATE,
    seed: int = 0,
    on_epoch: Any = None,
) -> dict[str, Any]:
    """Train the tutorial's CNN on ``data`` (batches as the MNIST demo makes them) and test it
    after every epoch. Returns the model, every epoch's mean loss and test accuracy, the final
    accuracy and the seconds spent; ``on_epoch(n, loss, accuracy)`` runs after each epoch."""
    torch.manual_seed(seed)
    train_loader, test_loader = mnist.make_loaders(data, batch_size, seed)
    model = Mnist_CNN()
    opt = optim.SGD(model.parameters(), lr=lr, momentum=MOMENTUM)
    start = time.perf_counter()
    losses, accuracies = [], []
    with one_blas_thread():
        for epoch in range(epochs):
            loss = train_epoch(model, mnist.progress(train_loader, f"Epoch {epoch + 1}"), opt)
            accuracy = mnist.evaluate(model, test_loader)
            losses.append(loss)
            accuracies.append(accuracy)
            if on_epoch:
                on_epoch(epoch + 1, loss, accuracy)
    return {
        "model": model,
        "losses": losses,
        "accuracies": accuracies,
        "final_accuracy": accuracies[-1] if accuracies else mnist.evaluate(model, test_loader),
        "seconds": time.perf_counter() - start,
    }


def explain_first_convolution(
    model: Mnist_CNN, data: mnist.MNISTData, entry: tuple[int, int, int] = ENTRY
) -> str:
    """One output entry of ``model``'s first convolution on the first test image, written out
    (``Tensor.explain_entry``) after a backward pass from that image's loss, so its gradient
    has numbers."""
    _, _, test_images, test_labels = data
    _, test_loader = mnist.make_loaders((test_images[:1], test_labels[:1]) * 2, 1, 0)
    images, labels = next(iter(test_loader))
    x = images.detach()
    x.label = "x"
    model.eval()
    model.zero_grad()
    y = model.conv1(x)
    y.label = "y"
    loss = F.cross_entropy(model.after_conv1(y), labels)
    loss.backward()
    return y.explain_entry((0, *entry))


def _entry(text: str) -> tuple[int, int, int]:
    parts = text.split(",")
    try:
        channel, row, column = (int(p) for p in parts)
    except ValueError:
        raise SystemExit(f"--entry: expected three whole numbers C,P,Q, got {text!r}") from None
    if not (0 <= channel < 16 and 0 <= row < 14 and 0 <= column < 14):
        raise SystemExit(f"--entry: the first convolution's output is 16×14×14, got {text!r}")
    return channel, row, column


def main(argv: Sequence[str] | None = None) -> None:
    p = parser("cnn", __doc__)
    p.add_argument("--data", required=True, metavar="DIR", help="folder with MNIST's IDX files")
    p.add_argument("--epochs", type=positive_int, default=EPOCHS, help=f"default {EPOCHS}")
    p.add_argument(
        "--batch-size", type=positive_int, default=BATCH_SIZE, help=f"default {BATCH_SIZE}"
    )
    p.add_argument("--lr", type=float, default=LEARNING_RATE, help=f"default {LEARNING_RATE}")
    p.add_argument(
        "--limit", type=positive_int, metavar="N", help="use the first N images of each set"
    )
    p.add_argument(
        "--mlp-epochs", type=int, metavar="N", help="epochs of the MLP (default --epochs; 0: none)"
    )
    p.add_argument(
        "--entry", default=",".join(map(str, ENTRY)), help="channel,row,column to explain"
    )
    p.add_argument("--seed", type=int, default=0, help="seed for weights and order")
    args = p.parse_args(argv)
    if not args.lr > 0:
        p.error(f"argument --lr: the learning rate must be above 0, got {args.lr}")
    entry = _entry(args.entry)
    mlp_epochs = args.epochs if args.mlp_epochs is None else max(args.mlp_epochs, 0)

    try:
        data = mnist.load_data(args.data, args.limit)
    except (FileNotFoundError, IDXError) as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None

    print(heading("MNIST with the CNN of 'What is torch.nn really?'"))
    limited = f" (--limit {args.limit})" if args.limit else ""
    print(f"{len(data[0]):,} training and {len(data[2]):,} test images{limited} from {args.data}")
    print(
        f"Conv2d(1,16) → Conv2d(16,16) → Conv2d(16,10), 3×3, stride 2, padding 1, ReLU, "
        f"avg_pool2d(4); SGD lr {args.lr} momentum {MOMENTUM}, batch size {args.batch_size}, "
        f"epochs {args.epochs}, seed {args.seed}"
    )

    def report(epoch: int, loss: float, accuracy: float) -> None:
        print(f"Epoch {epoch}: Loss={loss:.4f}, Accuracy={accuracy:.4f}")

    cnn = run(
        data,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        on_epoch=report,
    )
    print(f"\nTest accuracy, CNN: {cnn['final_accuracy']:.4f} ({cnn['seconds']:.1f} s)")
    if mlp_epochs:
        print(f"Training the MNIST demo's MLP on the same split ({mlp_epochs} epochs, Adam)...")
        mlp = mnist.run(data, epochs=mlp_epochs, batch_size=args.batch_size, seed=args.seed)
        print(f"Test accuracy, MLP: {mlp['final_accuracy']:.4f} ({mlp['seconds']:.1f} s)")

    print("\n" + heading("One output entry of the first convolution, on the first test image"))
    print(explain_first_convolution(cnn["model"], data, entry))
    if args.graph:
        images, labels = next(iter(mnist.make_loaders(data, 4, args.seed)[0]))
        model = cnn["model"].train()
        draw_if_asked(F.cross_entropy(model(images), labels), args.graph)


if __name__ == "__main__":
    main()
