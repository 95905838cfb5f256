"""Tensor's PyTorch methods live in mixins (autograd/tensors/methods/) apart from what a Tensor
is (autograd/tensors/tensor.py), and the modules of autograd/tensors import each other
without a circle (issue 20, items 4 and 5)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from conftest import needs_torch

import nn
from autograd import Tensor, no_grad, tensor, zeros


def _words(text: str) -> list[str]:
    return text.split()


# Every public name of Tensor, and every operator, as listed before the methods moved out of
# tensor.py; a name that goes missing, or turns from a method into something else, fails here.
METHODS = _words("""
    __init__ __repr__ __add__ __radd__ __sub__ __rsub__ __mul__ __rmul__ __truediv__
    __rtruediv__ __pow__ __rpow__ __neg__ __matmul__ __rmatmul__ __iadd__ __isub__ __imul__
    __itruediv__ __eq__ __ne__ __lt__ __le__ __gt__ __ge__ __invert__ __bool__ __int__
    __float__ __format__ __array__ __len__ __iter__ __getitem__ __setitem__
    all amax amin any argmax argmin backward backward_steps bool clamp clip detach dim double
    exp explain flatten float from_torch int item leaky_relu log log_softmax logical_not long
    max mean min numel numpy permute relu requires_grad_ reshape round sigmoid size softmax
    sqrt sum tanh to to_torch tolist transpose view
""")
# .data and .grad became properties (Tensors, as in PyTorch) over the slots array and _grad.
PROPERTIES = _words("T _version dtype is_leaf ndim shape data grad")
SLOTS = _words("array _grad requires_grad op parents ctx label owner _recorded_at _vc")

# What moved into the mixins: PyTorch's surface, which tensor.py itself no longer defines.
SURFACE = _words("""
    dim size numel item tolist numpy requires_grad_ to float double long int bool round
    __add__ __radd__ __mul__ __matmul__ __pow__ __neg__ __eq__ __lt__ __invert__ exp log sqrt
    tanh sigmoid relu leaky_relu clip sum mean max min amax amin argmax argmin any all softmax
    log_softmax reshape view flatten permute transpose T __getitem__ __len__ __iter__ shape
    dtype ndim is_leaf from_torch to_torch __array__ __float__ __int__ __bool__ __format__
""")


@pytest.mark.parametrize("name", METHODS)
def test_every_tensor_method_is_still_a_method(name: str) -> None:
    found = inspect.getattr_static(Tensor, name)
    assert isinstance(found, (staticmethod, classmethod)) or inspect.isfunction(found), name


@pytest.mark.parametrize("name", PROPERTIES)
def test_every_tensor_property_is_still_a_property(name: str) -> None:
    assert isinstance(inspect.getattr_static(Tensor, name), property)


def test_the_slots_and_class_attributes_are_those_of_before() -> None:
    assert set(SLOTS) <= set(Tensor.__slots__)
    assert Tensor.__array_ufunc__ is None  # numpy defers to the reflected operators
    assert Tensor.__hash__ is object.__hash__
    x = Tensor([1.0])
    assert not hasattr(x, "__dict__")  # the mixins add no per-tensor storage
    assert (np.ones(1) + x).__class__ is Tensor and {x: 1}[x] == 1


def test_the_methods_reach_ops_through_the_one_apply_path_of_the_class() -> None:
    from autograd.tensors import tensor as tensor_module

    assert Tensor.apply is tensor_module.apply
    assert Tensor([1.0]).apply is tensor_module.apply


def test_a_parameter_takes_a_plain_tensor_as_operand_and_as_index() -> None:
    # Below tensor.py "is it a Tensor" is isinstance(x, TensorBase), never a test against
    # the class of the tensor at hand: a Parameter meets plain Tensors.
    p = nn.Parameter(zeros(3))
    with no_grad():
        p += Tensor([1.0, 2.0, 3.0])
        p[tensor([0, 2])] = Tensor([9.0, 8.0])
    assert p.tolist() == [9.0, 2.0, 8.0]
    assert p[tensor(1)].item() == 2.0 and p[tensor([1, 1])].tolist() == [2.0, 2.0]
    assert Tensor(p).tolist() == [9.0, 2.0, 8.0] and tensor(p.double()).dtype == np.float64


@needs_torch
@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # torch's
def test_a_torch_tensor_is_not_taken_for_one_of_ours() -> None:
    import torch

    x = Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="cannot combine"):
        x += torch.ones(2)
    with pytest.raises(RuntimeError, match="requires grad"):
        Tensor(torch.ones(2, requires_grad=True))
    assert Tensor(torch.ones(2)).tolist() == [1.0, 1.0]
