"""What the nn.torch tests compare: numbers, gradients and parameters on the two sides.

The tolerances are float32: 1e-6 relative, float64: 1e-12, relative to each array's scale;
integers and booleans compare exactly. torch itself is never imported here: the tensors come
from the tests, which skip without it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import nn
from autograd import Tensor

RTOL = {np.dtype(np.float32): 1e-6, np.dtype(np.float64): 1e-12}


def numbers(value: Any) -> np.ndarray:
    """The numbers of a tracegrad tensor, a torch tensor, a numpy array or a number."""
    if hasattr(value, "detach"):  # a tensor of either library
        return value.detach().numpy()
    return np.asarray(value)


def close(ours: Any, theirs: Any, what: str) -> None:
    """Same shape, same dtype, and the same numbers to the dtype's tolerance."""
    a, b = numbers(ours), numbers(theirs)
    assert a.shape == b.shape, what
    assert a.dtype == b.dtype, what
    rtol = RTOL.get(a.dtype, 0.0)
    # Relative to the array's scale, so entries that cancel to near zero are compared fairly.
    scale = max(1.0, float(np.max(np.abs(b.astype(np.float64)), initial=0.0)))
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * scale, err_msg=what)


def compare(ours: nn.Module, theirs: Any, x: np.ndarray, *, seed: int = 0) -> None:
    """Same outputs, same gradient for the input and for every parameter (by name)."""
    import torch

    ours.zero_grad()
    theirs.zero_grad()  # both accumulate: a second comparison must start from nothing
    ours_x = Tensor(x, requires_grad=True, dtype=x.dtype)
    theirs_x = torch.tensor(x, requires_grad=True)
    our_out, their_out = ours(ours_x), theirs(theirs_x)
    close(our_out, their_out, "output")
    weights = np.random.default_rng(seed).standard_normal(their_out.shape).astype(x.dtype)
    (our_out * Tensor(weights, dtype=x.dtype)).sum().backward()
    (their_out * torch.from_numpy(weights)).sum().backward()
    close(ours_x.grad, theirs_x.grad, "input gradient")
    their_params = dict(theirs.named_parameters())
    our_params = dict(ours.named_parameters())
    assert list(our_params) == list(their_params)
    for name, param in our_params.items():
        if param.requires_grad:
            close(param.grad, their_params[name].grad, f"gradient of {name}")
        else:
            assert param.grad is None and their_params[name].grad is None, name


def same_parameters(ours: nn.Module, theirs: Any) -> None:
    """The same parameter names, numbers, dtypes and requires_grad, exactly."""
    for name, (mine, other) in nn.torch.parameter_map(ours, theirs).items():
        assert mine.dtype == other.detach().numpy().dtype, name
        np.testing.assert_array_equal(mine.data, other.detach().numpy(), err_msg=name)
        assert mine.requires_grad == other.requires_grad, name
