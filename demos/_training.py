"""The training loop the Tensor demos share: minibatches, Adam, a decaying learning rate.

>>> import numpy as np, nn, autograd
>>> _ = autograd.manual_seed(0)
>>> X = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
>>> y = (X[:, 0] > 0).astype(np.int64)
>>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
>>> history = fit(model, X, y, epochs=30, batch_size=16, lr=0.05)
>>> accuracy(model, X, y) > 0.9
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import nn
from autograd import Tensor, no_grad, tensor
from demos._common import one_blas_thread


@dataclass
class Epoch:
    """What one epoch of training gave: its number, mean loss, and test accuracy if asked."""

    number: int
    loss: float
    accuracy: float | None = None


@dataclass
class History:
    epochs: list[Epoch] = field(default_factory=list)

    def first_reaching(self, accuracy: float) -> Epoch | None:
        """The first epoch whose test accuracy is at least ``accuracy``."""
        return next(
            (e for e in self.epochs if e.accuracy is not None and e.accuracy >= accuracy), None
        )


def load_digits_split(scale: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8×8 digits, split as the seed splits them (20% test, seed 42).

    With ``scale`` the pixels (0..16) become 0..1 floats; the labels are int64.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = digits.data.astype(np.float32) / (16.0 if scale else 1.0)
    X_train, X_test, y_train, y_test = train_test_split(
        X, digits.target.astype(np.int64), test_size=0.2, random_state=42
    )
    return X_train, X_test, y_train, y_test


def predict(model: nn.Module, X: np.ndarray) -> np.ndarray:
    """The most likely class of every row of ``X`` (the model in eval mode, no graph)."""
    training = model.training
    model.eval()
    with no_grad():
        predictions = model(Tensor(X)).argmax(1).numpy()
    model.train(training)
    return predictions


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    """The fraction of rows of ``X`` whose predicted class is ``y``."""
    return float((predict(model, X) == y).mean())


def fit(
    model: nn.Module,
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int = 20,
    batch_size: int = 32,
    lr: float = 0.01,
    seed: int = 0,
    test: tuple[np.ndarray, np.ndarray] | None = None,
    on_epoch: Callable[[Epoch], None] | None = None,
    stop_at: float | None = None,
) -> History:
    """Train with cross-entropy and Adam, the learning rate falling linearly to 0.

    After each epoch, measures accuracy on ``test`` if given, calls ``on_epoch``, and stops
    early once the test accuracy reaches ``stop_at``.
    """
    optimizer = nn.optim.Adam(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()
    loader = nn.DataLoader(
        (X, y),
        batch_size=batch_size,
        shuffle=True,
        seed=seed,
        transform=lambda xb, yb: (Tensor(xb), tensor(yb)),
    )
    history = History()
    with one_blas_thread():  # small matrix products: a second BLAS thread costs more than it saves
        for number in range(1, epochs + 1):
            optimizer.lr = lr * (1 - (number - 1) / epochs)
            total, batches = 0.0, 0
            for xb, yb in loader:
                optimizer.zero_grad()
                loss = criterion(model(xb), yb)
                loss.backward()
                optimizer.step()
                total += loss.item()
                batches += 1
            epoch = Epoch(number, total / batches, accuracy(model, *test) if test else None)
            history.epochs.append(epoch)
            if on_epoch:
                on_epoch(epoch)
            if stop_at is not None and epoch.accuracy is not None and epoch.accuracy >= stop_at:
                break
    return history
