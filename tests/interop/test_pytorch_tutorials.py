"""PyTorch's tutorials beyond the polynomials run on tracegrad with only their imports changed
(tests/interop/programs/, see tests/programs.py): the 60-minute blitz's autograd and neural
network (LeNet) tutorials and "What is torch.nn really?" to its end, CNN stages included, on
MNIST-shaped arrays the test makes (never a download). With torch installed their numbers are
compared with PyTorch's; tests/interop/test_tutorial_cnns.py compares the two CNN lessons' networks
with PyTorch's from the same weights.
"""

from __future__ import annotations

import gzip
import pickle
import re
from pathlib import Path

import numpy as np
from conftest import HAS_TORCH
from programs import run, torchs_random_numbers

from autograd import no_grad


def test_blitz_autograd_tutorial_gives_pytorchs_gradients(tmp_path: Path) -> None:
    printed, ours = run("blitz_autograd", tmp_path)
    assert "tensor([[4.5000, 4.5000]" in printed or "[[4.5, 4.5]" in printed
    if HAS_TORCH:
        with torchs_random_numbers(seed=0):
            _, ours = run("blitz_autograd", tmp_path)
        _, theirs = run("blitz_autograd", tmp_path, library="torch")
        np.testing.assert_allclose(np.asarray(ours["x"].grad), theirs["x"].grad.numpy(), rtol=1e-6)


def test_blitz_neural_network_tutorial_runs(tmp_path: Path) -> None:
    printed, ours = run("blitz_neural_networks", tmp_path)
    assert printed.splitlines()[:2] == [
        "Net(",
        "  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))",
    ]
    assert "\n10\n(6, 1, 5, 5)\n" in printed
    assert ours["out"].shape == (1, 10) and ours["loss"].item() > 0
    assert len(ours["params"]) == 10
    assert ours["net"].conv1.bias.grad is not None and ours["net"].conv1.bias.grad.shape == (6,)
    if HAS_TORCH:
        their_printed, _ = run("blitz_neural_networks", tmp_path, library="torch")
        # the same printout of the network, line for line
        assert printed.split("\n10\n")[0] == their_printed.split("\n10\n")[0]


def write_mnist_shaped(folder: Path, seed: int = 0) -> None:
    """data/mnist/mnist.pkl.gz as the tutorial reads it: (train, valid, test), each pixels in
    [0, 1] of shape (n, 784) float32 and int64 labels; here made from random numbers whose
    label is readable from the pixels (so the fit has something to learn)."""
    rng = np.random.default_rng(seed)

    def part(n: int) -> tuple[np.ndarray, np.ndarray]:
        labels = rng.integers(0, 10, n)
        pixels = rng.random((n, 784), dtype=np.float32) * 0.1
        for row, label in enumerate(labels):  # a stroke where the label says
            pixels[row, label * 78 : label * 78 + 20] = 1.0
        return pixels, labels.astype(np.int64)

    folder = folder / "data" / "mnist"
    folder.mkdir(parents=True)
    with gzip.open(folder / "mnist.pkl.gz", "wb") as f:
        pickle.dump((part(640), part(128), part(16)), f)


def epoch_losses(printed: str) -> list[float]:
    """The validation loss each "epoch loss" line printed (a number, or a 0-d tensor's)."""
    found = []
    for line in printed.splitlines():
        match = re.fullmatch(r"[01] (?:tensor\()?([-+.\deE]+).*", line)
        if match:
            found.append(float(match.group(1)))
    return found


def test_what_is_torch_nn_really_runs_to_its_end(tmp_path: Path) -> None:
    write_mnist_shaped(tmp_path)
    # The harness keeps the MLP under a name of its own before the CNN stages replace `model`.
    keep_the_mlp = {"class Mnist_CNN(nn.Module):": "mlp = model\n\n\nclass Mnist_CNN(nn.Module):"}
    printed, ours = run("nn_tutorial", tmp_path, replace=keep_the_mlp)
    curve = epoch_losses(printed)
    # two fits of the MLP, then the CNN, nn.Sequential, the wrapped loader, the device
    assert len(curve) == 12 and all(np.isfinite(curve))
    assert max(curve[1], curve[3]) < 0.5
    assert ours["accuracy"](ours["mlp"](ours["xb"]), ours["yb"]).item() > 0.9
    assert "False" in printed.splitlines()  # torch.cuda.is_available()
    model = ours["model"]
    assert type(model).__name__ == "Sequential" and len(model) == 8
    assert [type(m).__name__ for m in model][-2:] == ["AdaptiveAvgPool2d", "Lambda"]
    with no_grad():
        scores = model(ours["x_valid"][:16].view(-1, 1, 28, 28))
    assert scores.shape == (16, 10)
    if HAS_TORCH:
        theirs_printed, _ = run("nn_tutorial", tmp_path, library="torch", replace=keep_the_mlp)
        # shuffled batches and initial weights from two random streams: the same fit
        np.testing.assert_allclose(curve, epoch_losses(theirs_printed), rtol=0.25, atol=0.1)
