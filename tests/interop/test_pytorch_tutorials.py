"""PyTorch's tutorials beyond the polynomials run on tracegrad with only their imports changed
(tests/interop/programs/, see tests/programs.py): the 60-minute blitz's autograd and neural
network tutorials and "What is torch.nn really?" up to its CNN, on MNIST-shaped arrays the test
makes (never a download). With torch installed their numbers are compared with PyTorch's.

The blitz's network is LeNet, whose convolutions are issue 25's; "What is torch.nn really?"
and the blitz's autograd tutorial use ``.grad`` and ``.data`` as Tensors (issue 22 part A).
Until those land here the tests say so and skip.
"""

from __future__ import annotations

import gzip
import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import HAS_TORCH
from programs import grad_is_a_tensor, run, torchs_random_numbers

import nn

needs_tensor_grads = pytest.mark.skipif(
    not grad_is_a_tensor(), reason=".grad and .data as Tensors are issue 22 part A"
)
needs_convolutions = pytest.mark.skipif(
    not hasattr(nn, "Conv2d"), reason="the blitz's LeNet needs nn.Conv2d (issue 25)"
)


@needs_tensor_grads
def test_blitz_autograd_tutorial_gives_pytorchs_gradients(tmp_path: Path) -> None:
    printed, ours = run("blitz_autograd", tmp_path)
    assert "tensor([[4.5000, 4.5000]" in printed or "[[4.5, 4.5]" in printed
    if HAS_TORCH:
        with torchs_random_numbers(seed=0):
            _, ours = run("blitz_autograd", tmp_path)
        _, theirs = run("blitz_autograd", tmp_path, library="torch")
        np.testing.assert_allclose(np.asarray(ours["x"].grad), theirs["x"].grad.numpy(), rtol=1e-6)


@needs_convolutions
@needs_tensor_grads
def test_blitz_neural_network_tutorial_runs(tmp_path: Path) -> None:
    printed, ours = run("blitz_neural_networks", tmp_path)
    assert ours["out"].shape == (1, 10) and ours["loss"].item() > 0
    assert len(ours["params"]) == 10


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


@needs_tensor_grads
def test_what_is_torch_nn_really_up_to_its_cnn(tmp_path: Path) -> None:
    write_mnist_shaped(tmp_path)
    printed, ours = run("nn_tutorial", tmp_path)
    curve = epoch_losses(printed)
    assert len(curve) == 4 and max(curve[1], curve[3]) < 0.5  # two fits of two epochs
    assert ours["accuracy"](ours["model"](ours["xb"]), ours["yb"]).item() > 0.9
    if HAS_TORCH:
        theirs_printed, _ = run("nn_tutorial", tmp_path, library="torch")
        # shuffled batches and initial weights from two random streams: the same fit
        np.testing.assert_allclose(curve, epoch_losses(theirs_printed), rtol=0.25, atol=0.1)
