"""Graduating to PyTorch: the digits network trains in tracegrad, then carries on in PyTorch.

The 64-50-10 network of ``demos.digits`` trains for a few epochs with tracegrad's Adam. Then the
model and the optimizer move to PyTorch (``nn.to_torch``, ``nn.to_torch_optimizer``: the
weights, each parameter's step count and Adam averages, the learning rate) and training goes on
there, on the same kind of shuffled batches with the same falling learning rate. The two loss
curves print as one. To show that the move loses nothing, the first step after it is also taken
in tracegrad, from the same state on the same batch: the parameters the two steps give differ by
float32 rounding only, far less than the step itself moves them.

    python -m demos.graduate [--epochs 5] [--torch-epochs 5] [--seed 2] [--graph out/g.svg]

Without PyTorch it says how to install it and exits with status 1, as the demos do when the
Graphviz program they need is missing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import nn
from autograd import Tensor, tensor
from autograd.tensors.interop import require_torch
from demos._common import draw_if_asked, heading, one_blas_thread, parser, positive_int
from demos._training import accuracy, load_digits_split
from demos.digits import DEFAULT_SEED, make_model

LR = 0.01
BATCH_SIZE = 32


@dataclass
class Handover:
    """What the move showed: the first step after it, taken on both sides from the same state."""

    loss_tracegrad: float
    loss_torch: float
    #: The largest difference between a parameter after PyTorch's step and after tracegrad's.
    max_difference: float
    #: The largest change the step made to a parameter, for scale.
    max_step: float
    #: The largest difference from tracegrad's step of a new torch Adam's (no state carried).
    max_difference_without_state: float


@dataclass
class Curve:
    """One training run across the two engines: (epoch, engine, mean loss, test accuracy)."""

    epochs: list[tuple[int, str, float, float]] = field(default_factory=list)
    handover: Handover | None = None


def batches(count: int, epoch: int, seed: int) -> Iterator[np.ndarray]:
    """The row indices of each minibatch of an epoch, shuffled by (seed, epoch), as both sides use.

    >>> [len(rows) for rows in batches(70, epoch=1, seed=0)]
    [32, 32, 6]
    """
    order = np.random.default_rng([seed, epoch]).permutation(count)
    for start in range(0, count, BATCH_SIZE):
        yield order[start : start + BATCH_SIZE]


def _lr(epoch: int, total: int) -> float:
    """The learning rate of an epoch, falling linearly to 0 over the whole run, as in fit()."""
    return LR * (1 - (epoch - 1) / total)


def _set_lr(optimizer: Any, lr: float) -> None:
    for group in optimizer.param_groups:  # the same on both sides
        group["lr"] = lr


def _step_tracegrad(model: nn.Module, optimizer: Any, X: np.ndarray, y: np.ndarray) -> float:
    optimizer.zero_grad()
    loss = nn.CrossEntropyLoss()(model(Tensor(X)), tensor(y))
    loss.backward()
    optimizer.step()
    return float(loss.item())


def _step_torch(torch: Any, module: Any, optimizer: Any, X: np.ndarray, y: np.ndarray) -> float:
    optimizer.zero_grad()
    loss = torch.nn.functional.cross_entropy(module(torch.from_numpy(X)), torch.from_numpy(y))
    loss.backward()
    optimizer.step()
    return float(loss.item())


def _torch_accuracy(torch: Any, module: Any, X: np.ndarray, y: np.ndarray) -> float:
    module.eval()
    with torch.no_grad():
        predicted = module(torch.from_numpy(X)).argmax(1).numpy()
    module.train()
    return float((predicted == y).mean())


def run(
    epochs: int = 5,
    torch_epochs: int = 5,
    seed: int = DEFAULT_SEED,
    on_epoch: Callable[[int, str, float, float], None] | None = None,
    on_move: Callable[[Handover], None] | None = None,
) -> dict[str, Any]:
    """Train ``epochs`` in tracegrad, move, train ``torch_epochs`` in PyTorch; needs PyTorch.

    Returns the curve (with the handover's check), the tracegrad model (one step past the
    move: the step it took to check PyTorch's) and the PyTorch module at the end.
    """
    torch = require_torch("python -m demos.graduate")
    X_train, X_test, y_train, y_test = load_digits_split()
    total = epochs + torch_epochs
    curve = Curve()

    def record(epoch: int, engine: str, losses: list[float], score: float) -> None:
        entry = (epoch, engine, sum(losses) / len(losses), score)
        curve.epochs.append(entry)
        if on_epoch:
            on_epoch(*entry)

    model = make_model(seed)
    optimizer = nn.optim.Adam(model.parameters(), lr=LR)
    with one_blas_thread(), _one_torch_thread(torch):
        for epoch in range(1, epochs + 1):
            _set_lr(optimizer, _lr(epoch, total))
            losses = [
                _step_tracegrad(model, optimizer, X_train[rows], y_train[rows])
                for rows in batches(len(X_train), epoch, seed)
            ]
            record(epoch, "tracegrad", losses, accuracy(model, X_test, y_test))

        # The move: the weights, and the optimizer's state paired by parameter name.
        module = nn.to_torch(model)
        torch_optimizer = nn.to_torch_optimizer(optimizer, model, module)

        for epoch in range(epochs + 1, total + 1):
            lr = _lr(epoch, total)
            _set_lr(torch_optimizer, lr)
            losses = []
            for rows in batches(len(X_train), epoch, seed):
                X, y = X_train[rows], y_train[rows]
                if curve.handover is None:
                    handover = _first_step_both_ways(
                        torch, model, optimizer, module, torch_optimizer, lr, X, y
                    )
                    curve.handover = handover
                    losses.append(handover.loss_torch)
                    if on_move:
                        on_move(handover)
                else:
                    losses.append(_step_torch(torch, module, torch_optimizer, X, y))
            record(epoch, "PyTorch", losses, _torch_accuracy(torch, module, X_test, y_test))
    return {"curve": curve, "model": model, "module": module}


@contextmanager
def _one_torch_thread(torch: Any) -> Iterator[None]:
    """PyTorch on one thread, for the reason one_blas_thread gives: on a busy 2-core machine a
    second thread made this network's step take 90 ms instead of 0.6 ms."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _first_step_both_ways(
    torch: Any,
    model: nn.Module,
    optimizer: Any,
    module: Any,
    torch_optimizer: Any,
    lr: float,
    X: np.ndarray,
    y: np.ndarray,
) -> Handover:
    """PyTorch's first step; the same step in tracegrad, from the state both had at the move;
    and, to show what the optimizer's state is worth, a new torch Adam's step without it."""
    pairs = nn.torch.parameter_map(model, module)
    before = {name: ours.detach().numpy().astype(np.float64) for name, (ours, _) in pairs.items()}
    stateless = copy.deepcopy(module)
    loss_torch = _step_torch(torch, module, torch_optimizer, X, y)
    _set_lr(optimizer, lr)
    loss_tracegrad = _step_tracegrad(model, optimizer, X, y)
    _step_torch(torch, stateless, torch.optim.Adam(stateless.parameters(), lr=lr), X, y)
    restarted = dict(stateless.named_parameters())
    difference = step = fresh = 0.0
    for name, (ours, theirs) in pairs.items():
        after = ours.detach().numpy().astype(np.float64)
        difference = max(difference, _largest(theirs.detach().numpy() - after))
        step = max(step, _largest(after - before[name]))
        fresh = max(fresh, _largest(restarted[name].detach().numpy() - after))
    return Handover(loss_tracegrad, loss_torch, difference, step, fresh)


def _largest(array: np.ndarray) -> float:
    return float(np.max(np.abs(array)))


def main(argv: Sequence[str] | None = None) -> None:
    p = parser("graduate", __doc__)
    p.add_argument("--epochs", type=positive_int, default=5, help="epochs in tracegrad")
    p.add_argument("--torch-epochs", type=positive_int, default=5, help="epochs in PyTorch")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = p.parse_args(argv)
    try:
        torch = require_torch("python -m demos.graduate")
    except ImportError as missing:  # one clear line, not a traceback
        raise SystemExit(str(missing)) from None

    print(heading("Graduating to PyTorch: the digits network trains in tracegrad, then in torch"))
    print(
        f"64 → 50 (ReLU) → 10, Adam (lr {LR} falling linearly), batches of {BATCH_SIZE}: "
        f"{args.epochs} epochs in tracegrad,\nthen {args.torch_epochs} in PyTorch "
        f"{torch.__version__}. One loss curve:\n"
    )

    def report(epoch: int, engine: str, loss: float, score: float) -> None:
        print(f"epoch {epoch:>2} {engine:>9}: loss {loss:.4f}, test accuracy {score:.2%}")

    def moved(handover: Handover) -> None:
        indent = " " * 6
        lines = [
            "--- the move: module = nn.to_torch(model)",
            "              torch_optimizer = nn.to_torch_optimizer(optimizer, model, module)",
            "the first step in PyTorch, and the step tracegrad takes from the same state:",
            f"batch loss {handover.loss_torch:.7f} in PyTorch, "
            f"{handover.loss_tracegrad:.7f} in tracegrad",
            f"parameters after it: max difference {handover.max_difference:.1e}, float32 rounding",
            f"(the step moved them by up to {handover.max_step:.1e}; a new torch Adam, without "
            "the state,",
            f" would have ended {handover.max_difference_without_state:.1e} away)",
        ]
        print("\n".join(indent + line for line in lines))

    result = run(args.epochs, args.torch_epochs, args.seed, on_epoch=report, on_move=moved)
    final = result["curve"].epochs[-1]
    print(f"\nAfter {final[0]} epochs ({args.epochs} in tracegrad): {final[3]:.2%} test accuracy.")
    print(
        "From here the module is PyTorch's own: module.to('cuda'), DistributedDataParallel,\n"
        "torchrun (README: When you outgrow tracegrad)."
    )
    if args.graph:
        _, X_test, _, y_test = load_digits_split()
        model = result["model"]
        loss = nn.CrossEntropyLoss()(model(Tensor(X_test[:8])), tensor(y_test[:8]))
        draw_if_asked(loss, args.graph, collapse="layer")


if __name__ == "__main__":
    main()
