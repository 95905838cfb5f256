"""nn.functional is PyTorch's torch.nn.functional: the same names, keywords, defaults, numbers
and gradients, Tensor in and Tensor out, and every import form a program uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from conftest import needs_torch

import autograd as torch_like
import nn
import nn.functional as F
from autograd import Tensor, tensor


def test_every_import_form_reaches_the_same_module() -> None:
    from nn import functional

    assert functional is F is nn.functional is torch_like.nn.functional


def leaf(x: np.ndarray) -> Tensor:
    return Tensor(x, requires_grad=True, dtype=x.dtype)


RNG = np.random.default_rng(22)
SCORES = RNG.standard_normal((5, 4))
CLASSES = np.array([0, 3, 1, 1, 2])
PROBABILITIES = RNG.uniform(0.05, 0.95, (5, 4))
LABELS = (RNG.uniform(size=(5, 4)) > 0.5).astype(np.float64)
WEIGHTS = RNG.uniform(0.5, 2.0, 4)
LINEAR = RNG.standard_normal((3, 4))

#: (name, our call, the same call in PyTorch's spelling, the input): keywords as PyTorch's.
CASES: list[tuple[str, Callable[[Any, Any], Any], np.ndarray]] = [
    ("relu", lambda F, x: F.relu(x), SCORES),
    ("sigmoid", lambda F, x: F.sigmoid(x), SCORES),
    ("tanh", lambda F, x: F.tanh(x), SCORES),
    ("softmax", lambda F, x: F.softmax(x, dim=1), SCORES),
    ("softmax dim 0", lambda F, x: F.softmax(x, 0), SCORES),
    ("log_softmax", lambda F, x: F.log_softmax(x, dim=-1), SCORES),
    ("leaky_relu", lambda F, x: F.leaky_relu(x, negative_slope=0.2), SCORES),
    ("softplus", lambda F, x: F.softplus(x), SCORES * 5),
    ("softplus beta", lambda F, x: F.softplus(x, beta=2.0), SCORES),
    ("dropout off", lambda F, x: F.dropout(x, p=0.3, training=False), SCORES),
    ("cross_entropy", lambda F, x: F.cross_entropy(x, F_long(F, CLASSES)), SCORES),
    (
        "cross_entropy sum",
        lambda F, x: F.cross_entropy(x, F_long(F, CLASSES), reduction="sum"),
        SCORES,
    ),
    (
        "cross_entropy none",
        lambda F, x: F.cross_entropy(x, F_long(F, CLASSES), reduction="none"),
        SCORES,
    ),
    (
        "cross_entropy weight",
        lambda F, x: F.cross_entropy(x, F_long(F, CLASSES), weight=F_float(F, WEIGHTS)),
        SCORES,
    ),
    (
        "cross_entropy smoothing",
        lambda F, x: F.cross_entropy(x, F_long(F, CLASSES), label_smoothing=0.1),
        SCORES,
    ),
    (
        "cross_entropy ignore_index",
        lambda F, x: F.cross_entropy(x, F_long(F, [0, -100, 1, 1, -100])),
        SCORES,
    ),
    (
        "cross_entropy probabilities",
        lambda F, x: F.cross_entropy(
            x, F_float(F, PROBABILITIES / PROBABILITIES.sum(1, keepdims=True))
        ),
        SCORES,
    ),
    ("cross_entropy one example", lambda F, x: F.cross_entropy(x[0], F_long(F, 2)), SCORES),
    (
        "cross_entropy (N, C, d)",
        lambda F, x: F.cross_entropy(x.reshape(1, 4, 5), F_long(F, [[0, 1, 2, 3, 0]])),
        SCORES,
    ),
    ("nll_loss", lambda F, x: F.nll_loss(F.log_softmax(x, dim=1), F_long(F, CLASSES)), SCORES),
    (
        "nll_loss weight none",
        lambda F, x: F.nll_loss(
            x, F_long(F, CLASSES), weight=F_float(F, WEIGHTS), reduction="none"
        ),
        SCORES,
    ),
    (
        "nll_loss weight mean",
        lambda F, x: F.nll_loss(x, F_long(F, CLASSES), weight=F_float(F, WEIGHTS)),
        SCORES,
    ),
    ("mse_loss", lambda F, x: F.mse_loss(x, F_float(F, LABELS)), SCORES),
    ("mse_loss sum", lambda F, x: F.mse_loss(x, F_float(F, LABELS), reduction="sum"), SCORES),
    ("mse_loss legacy", lambda F, x: F.mse_loss(x, F_float(F, LABELS), size_average=False), SCORES),
    ("l1_loss", lambda F, x: F.l1_loss(x, F_float(F, LABELS)), SCORES),
    (
        "binary_cross_entropy",
        lambda F, x: F.binary_cross_entropy(x, F_float(F, LABELS)),
        PROBABILITIES,
    ),
    (
        "binary_cross_entropy weight",
        lambda F, x: F.binary_cross_entropy(x, F_float(F, LABELS), weight=F_float(F, WEIGHTS)),
        PROBABILITIES,
    ),
    (
        "binary_cross_entropy_with_logits",
        lambda F, x: F.binary_cross_entropy_with_logits(x, F_float(F, LABELS), reduction="none"),
        SCORES * 3,
    ),
    (
        "binary_cross_entropy_with_logits pos_weight",
        lambda F, x: F.binary_cross_entropy_with_logits(
            x, F_float(F, LABELS), pos_weight=F_float(F, WEIGHTS)
        ),
        SCORES * 3,
    ),
    (
        "linear",
        lambda F, x: F.linear(x, F_float(F, LINEAR), F_float(F, np.ones(3))),
        SCORES,
    ),
]


def F_long(F: Any, values: Any) -> Any:  # noqa: N802 - read as part of F's calls
    """Class indices in the library ``F`` belongs to."""
    if F is nn.functional:
        return tensor(np.asarray(values, dtype=np.int64))
    import torch

    return torch.tensor(np.asarray(values, dtype=np.int64))


def F_float(F: Any, values: Any) -> Any:  # noqa: N802
    if F is nn.functional:
        return Tensor(np.asarray(values, dtype=np.float64), dtype=np.float64)
    import torch

    return torch.tensor(np.asarray(values, dtype=np.float64))


@needs_torch
@pytest.mark.filterwarnings("ignore:size_average and reduce args")  # PyTorch's, for the legacy case
@pytest.mark.parametrize(("name", "call", "x"), CASES, ids=[c[0] for c in CASES])
def test_each_function_matches_pytorch_values_and_gradients(
    name: str, call: Callable[[Any, Any], Any], x: np.ndarray
) -> None:
    import torch
    import torch.nn.functional as torch_F

    ours_x, theirs_x = leaf(x), torch.tensor(x, requires_grad=True)
    ours, theirs = call(F, ours_x), call(torch_F, theirs_x)
    assert isinstance(ours, Tensor)
    np.testing.assert_allclose(
        ours.numpy() if not ours.requires_grad else ours.detach().numpy(),
        theirs.detach().numpy(),
        rtol=1e-10,
        atol=1e-12,
        err_msg=name,
    )
    weights = RNG.standard_normal(theirs.shape)
    (ours * Tensor(weights, dtype=np.float64)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(
        np.asarray(ours_x.grad), theirs_x.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name
    )


def test_softmax_of_a_tensor_is_pytorchs_and_nn_softmax_still_takes_values() -> None:
    from autograd import Value

    probs = F.softmax(tensor([[1.0, 2.0, 3.0]]), dim=1)
    assert probs.shape == (1, 3) and abs(probs.sum().item() - 1.0) < 1e-6
    values = nn.softmax([Value(1.0), Value(2.0), Value(3.0)])
    assert [round(p.data, 4) for p in values] == [0.09, 0.2447, 0.6652]
    with pytest.raises(TypeError, match="list of Values: for Values use nn.softmax"):
        F.softmax([Value(1.0), Value(2.0)], dim=0)
    with pytest.raises(TypeError, match="give dim="):
        F.softmax(tensor([1.0, 2.0]))


def test_one_hot_is_int64_and_checks_its_classes() -> None:
    out = F.one_hot(tensor([0, 2, 1]), num_classes=4)
    assert out.dtype == np.int64 and out.tolist() == [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]]
    assert F.one_hot(tensor([[1], [0]])).shape == (2, 1, 2)
    with pytest.raises(TypeError, match="class indices must be integers"):
        F.one_hot(tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="does not fit num_classes=2"):
        F.one_hot(tensor([3]), num_classes=2)


def test_dropout_in_training_zeroes_and_scales_with_the_seeded_generator() -> None:
    torch_like.manual_seed(0)
    a = F.dropout(torch_like.ones(1000), p=0.25)
    torch_like.manual_seed(0)
    b = F.dropout(torch_like.ones(1000), p=0.25)
    assert a.tolist() == b.tolist()
    assert set(a.tolist()) == {0.0, float(np.float32(1 / 0.75))}


def test_options_tracegrad_lacks_are_errors_naming_them() -> None:
    x = tensor([[1.0, -1.0]])
    with pytest.raises(NotImplementedError, match="F.relu: inplace=True is not supported"):
        F.relu(x, inplace=True)
    with pytest.raises(ValueError, match="F.mse_loss: reduction must be"):
        F.mse_loss(x, x, reduction="avg")
    with pytest.raises(TypeError, match="F.relu takes a Tensor, got ndarray"):
        F.relu(np.zeros(2))


def test_a_functional_loss_is_one_narrated_node() -> None:
    logits = Tensor([[2.0, 0.5]], requires_grad=True, label="logits")
    loss = F.cross_entropy(logits, tensor([1]))
    assert loss.op is not None and loss.op.name == "cross_entropy" and loss.label == "loss"
    steps = [str(step) for step in loss.backward_steps()]
    assert any("dloss/dlogits" in step for step in steps)
