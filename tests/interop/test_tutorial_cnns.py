"""PyTorch's two CNN lessons compute PyTorch's numbers: the 60-minute blitz's LeNet ("Neural
Networks") and the CNN of "What is torch.nn really?", each taken from its one transcription in
tests/interop/programs/ (tracegrad's imports; read back with PyTorch's for torch), started
from the same weights on both sides and fed the same batches. Running the whole programs is
tests/interop/test_pytorch_tutorials.py's.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

import numpy as np
import pytest
from conftest import HAS_TORCH
from programs import source, with_torchs_imports

import autograd

pytestmark = pytest.mark.skipif(not HAS_TORCH, reason="torch is an optional peer")


def part(name: str, start: str, end: str) -> str:
    """The text of program ``name`` from ``start`` (found once) up to the first ``end`` after
    it."""
    text = source(name)
    assert text.count(start) == 1, (name, start)
    first = text.index(start)
    return text[first : text.index(end, first)]


def both(program: str, namespace: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """``program`` run with tracegrad's imports and with PyTorch's; what each defined."""
    made = []
    for text in (program, with_torchs_imports(program)):
        scope = dict(namespace or {})
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(text, "<lesson>", "exec"), scope)
        made.append(scope)
    return made


def digits(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Flattened 28×28 "images" in [0, 1] whose class shows in them (a bright block)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, count)
    images = rng.uniform(0.0, 0.3, (count, 28, 28)).astype(np.float32)
    for image, label in zip(images, labels):
        row, col = divmod(int(label), 5)
        image[4 + 10 * row : 12 + 10 * row, 2 + 5 * col : 6 + 5 * col] += 0.7
    return images.reshape(count, 784), labels.astype(np.int64)


def test_the_blitz_lenet_computes_pytorchs_numbers() -> None:
    import torch

    import nn

    autograd.manual_seed(1)
    mine, theirs = both(part("blitz_neural_networks", "import autograd as torch", "net = Net()"))
    net, torch_net = mine["Net"](), theirs["Net"]()
    torch_net.load_state_dict({k: torch.from_numpy(v) for k, v in net.state_dict().items()})
    x = np.random.default_rng(2).normal(size=(4, 1, 32, 32)).astype(np.float32)
    target = np.random.default_rng(3).normal(size=(4, 10)).astype(np.float32)
    optimizer = nn.optim.SGD(net.parameters(), lr=0.01)
    their_optimizer = torch.optim.SGD(torch_net.parameters(), lr=0.01)
    for _ in range(3):
        optimizer.zero_grad()
        their_optimizer.zero_grad()
        loss = nn.MSELoss()(net(autograd.tensor(x)), autograd.tensor(target))
        their_loss = torch.nn.MSELoss()(torch_net(torch.from_numpy(x)), torch.from_numpy(target))
        assert abs(loss.item() - their_loss.item()) < 1e-5
        loss.backward()
        their_loss.backward()
        optimizer.step()
        their_optimizer.step()
    for name, value in torch_net.state_dict().items():
        np.testing.assert_allclose(net.state_dict()[name], value.numpy(), rtol=1e-4, atol=1e-6)


def test_what_is_torch_nn_really_computes_pytorchs_numbers() -> None:
    """The lesson's own fit and models on both sides, from the same weights and batches."""
    import torch

    x_train, y_train = digits(192, 0)
    x_valid, y_valid = digits(128, 1)
    # The lesson's imports and data as its setup holds them, then its own fit and CNN.
    setup = "\n".join(
        [
            "import autograd as torch",
            "import numpy as np",
            "import nn",
            "import nn.functional as F",
            "from nn import optim",
            "from nn.data import TensorDataset",
            "from nn.data import DataLoader",
            "x_train, y_train, x_valid, y_valid = map(",
            "    torch.tensor, (x_train, y_train, x_valid, y_valid)",
            ")",
            "loss_func = F.cross_entropy",
            "train_ds = TensorDataset(x_train, y_train)",
            "valid_ds = TensorDataset(x_valid, y_valid)",
            "",
        ]
    )
    lesson = (
        setup
        + part("nn_tutorial", "def loss_batch(", "train_dl, valid_dl = get_data(")
        + part("nn_tutorial", "class Mnist_CNN(", "lr = 0.1")
    )
    data = {"x_train": x_train, "y_train": y_train, "x_valid": x_valid, "y_valid": y_valid}
    mine, theirs = both(lesson, data)
    autograd.manual_seed(4)
    model = mine["Mnist_CNN"]()
    twin = theirs["Mnist_CNN"]()
    twin.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    loaders = [
        (ns["DataLoader"](ns["train_ds"], batch_size=64), ns["DataLoader"](ns["valid_ds"], 128))
        for ns in (mine, theirs)
    ]
    printed = []
    for ns, net, (train_dl, valid_dl) in zip((mine, theirs), (model, twin), loaders):
        opt = ns["optim"].SGD(net.parameters(), lr=0.1, momentum=0.9)
        with contextlib.redirect_stdout(io.StringIO()) as out:
            ns["fit"](2, net, ns["loss_func"], opt, train_dl, valid_dl)
        printed.append([float(line.split()[1]) for line in out.getvalue().splitlines()])
    np.testing.assert_allclose(printed[0], printed[1], rtol=1e-4)
    for name, value in twin.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[name], value.numpy(), rtol=1e-3, atol=1e-5)
