"""Tensor's PyTorch methods live in mixins (autograd/tensors/methods/) apart from what a Tensor
is (autograd/tensors/tensor.py), and the modules of autograd/tensors import each other
without a circle (issue 20, items 4 and 5)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import numpy as np
import pytest
from conftest import needs_torch

import nn
from autograd import Tensor, no_grad, tensor, zeros
from autograd.tensors import methods

TENSORS = Path(methods.__file__).resolve().parent.parent


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
PROPERTIES = _words("T _version dtype is_leaf ndim shape")
SLOTS = _words("data grad requires_grad op parents ctx label owner _recorded_at _vc")

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


@pytest.mark.parametrize("name", SURFACE)
def test_the_pytorch_surface_comes_from_a_mixin_not_from_tensor_py(name: str) -> None:
    owner = next(c for c in Tensor.__mro__ if name in vars(c))
    assert owner.__module__.startswith("autograd.tensors.methods."), (name, owner)


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


# --- imports inside autograd/tensors -----------------------------------------------------


def _module_name(path: Path) -> str:
    parts = path.relative_to(TENSORS).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sibling_imports(path: Path) -> list[tuple[str, ast.stmt, bool]]:
    """The modules of autograd/tensors that ``path`` imports, each with its statement and
    whether the statement runs when the module is imported (module level, not under
    ``if TYPE_CHECKING``) or later (inside a function, or only for a type checker)."""
    name = _module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: list[tuple[str, ast.stmt, bool]] = []

    def visit(node: ast.AST, at_import_time: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ImportFrom) and 0 < child.level <= len(package) + 1:
                base = package[: len(package) - child.level + 1]
                target = ".".join([*base, *(child.module or "").split(".")]).strip(".")
                candidates = [target, *(f"{target}.{a.name}".strip(".") for a in child.names)]
                found.extend((c, child, at_import_time) for c in candidates if _exists(c))
            later = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) or (
                isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test)
            )
            visit(child, at_import_time and not later)

    visit(ast.parse(path.read_text()), True)
    return found


def _exists(name: str) -> bool:
    where = TENSORS / name.replace(".", "/")
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def _tensors_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(TENSORS.rglob("*.py")) if p.name != "conftest.py"}


def test_no_module_of_autograd_tensors_defers_an_import_of_another() -> None:
    late = []
    for name, path in _tensors_modules().items():
        for target, statement, at_import_time in _sibling_imports(path):
            if not at_import_time:
                late.append(f"{name} -> {target} (line {statement.lineno})")
        body = ast.parse(path.read_text()).body
        first_code = next(
            (i for i, s in enumerate(body) if isinstance(s, (ast.FunctionDef, ast.ClassDef))),
            len(body),
        )
        for statement in body[first_code:]:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                late.append(f"{name}: an import at line {statement.lineno}, after the code")
    assert late == []


def test_the_modules_of_autograd_tensors_import_each_other_without_a_circle() -> None:
    modules = _tensors_modules()
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for target, _, _ in _sibling_imports(path):
            edges[name].add(target)
            # importing a module of a package from outside it runs the package's __init__
            parent = target.rpartition(".")[0]
            if parent and not name.startswith(parent):
                edges[name].add(parent)
    edges = {name: targets - {name} for name, targets in edges.items()}
    order: list[str] = []
    state: dict[str, str] = {}

    def walk(name: str, trail: list[str]) -> None:
        if state.get(name) == "done":
            return
        assert state.get(name) != "open", "a circle: " + " -> ".join([*trail, name])
        state[name] = "open"
        for target in sorted(edges[name]):
            walk(target, [*trail, name])
        state[name] = "done"
        order.append(name)

    for name in sorted(modules):
        walk(name, [])
    assert edges["base"] == set()  # the bottom: what "a Tensor" means below tensor.py
    # read bottom up: what tensor.py uses comes before it, the methods included
    for below in ("dtypes", "versions", "interop", "methods", "methods.conversion"):
        assert order.index(below) < order.index("tensor"), below
    assert not any(
        target == "tensor" for m in modules if m.startswith("methods") for target in edges[m]
    )
