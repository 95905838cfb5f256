"""tracegrad's autograd: scalar Values and numpy Tensors that record how they were computed.

    >>> from autograd import Value
    >>> x = Value(2.0, "x")
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> x.grad
    7.0

The package's folders are its layers, read bottom up: each imports only the ones below it
(``tests/project/test_layers.py`` checks every import). ``engine/`` and ``scalar/`` are the
core, the one-sitting read: ``w * x`` can be followed from the call to ``backward()``
without leaving them, and ``x @ W`` adds only ``tensors/``.

1. ``engine/``: what every node shares. ``notation.py`` (who made a node, numbers,
   parentheses), ``records.py`` (:class:`~autograd.engine.records.Op`: forward rule, local
   derivative, formula text), ``grad_mode.py`` (``no_grad``), ``graph.py`` (the node
   protocol, the topological order and the one backward loop, ``walk``).
2. ``narration/``: ``names.py`` (every node's name, ``dy/dx`` for gradients), ``steps.py``
   (:class:`Step` and ``backward_steps``: the backward loop, watched), ``explain.py``. It
   reads nodes only through the protocol, so it sits below the node kinds, which narrate
   themselves (``v.explain()``).
3. ``scalar/``: ``ops.py`` (the scalar op records, each op defined once) and ``value.py``
   (:class:`Value`, a node holding a float, and its one ``_apply`` path).
4. ``tensors/``: the Tensor half on the same protocol. ``tensor.py`` (what a Tensor is: its
   slots, the one ``apply`` path, ``propagate``, in-place hooks), ``ops/`` (the Tensor op
   records by family: ``tensor_op.py`` the record type and its machinery, ``arithmetic.py``,
   ``reductions.py``, ``shapes.py``, ``losses.py``, ``comparisons.py``), ``methods/``
   (PyTorch's method surface, as mixins), ``dtypes.py``, ``axes.py``, ``versions.py``
   (in-place changes and the version checks that keep them honest), ``notation.py``,
   ``factories.py``, ``functions.py``, ``interop.py`` (to and from torch).
5. ``gradients.py``: :func:`grad`, the same loop run from several outputs, every ``.grad``
   put back.
6. ``tools/``: ``gradcheck.py`` (finite differences against backward), ``check.py``
   (:func:`check`: the learner's own gradients against backward's, the first wrong step and
   why) with ``answers.py`` (its report and its rule for a right answer), ``quiz.py`` (the
   backward steps as questions), ``expression.py`` (the command line's reader), ``files.py``
   (the one way any file is written).
7. ``pictures/``: ``draw.py`` (Graphviz), ``lesson.py`` (the page to click through).
8. ``cli.py`` (``tracegrad`` / ``python -m autograd``), ``autograd.py`` (PyTorch's
   ``torch.autograd``: ``grad``, ``backward``, ``Function``) and this file, the public names.
   ``autograd.ops`` and ``autograd.tensor_ops`` are the old paths of the records, kept as
   thin re-exports for now.

``import autograd as torch`` is enough for a PyTorch program: ``torch.nn``,
``torch.nn.functional``, ``torch.optim`` and ``torch.utils.data`` are the :mod:`nn` package's,
reached through a lazy attribute (nn imports autograd, so autograd imports nn only when one of
them is first used).
"""

import math
from types import ModuleType
from typing import Any

from . import autograd
from .engine.graph import topological_order
from .engine.notation import Owner
from .gradients import grad
from .narration.explain import explain
from .narration.steps import Step, backward_steps
from .pictures.draw import draw_dot, render_steps
from .pictures.lesson import Lesson, lesson
from .scalar.value import Value
from .tensors.dtypes import (
    bool_,
    float16,
    int8,
    int16,
    int32,
    uint8,
)
from .tensors.factories import (
    Generator,
    arange,
    default_generator,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    manual_seed,
    multinomial,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .tensors.function import Function, FunctionCtx

# PyTorch's names that are also Python's builtins: re-exported (torch.max, torch.abs, ...)
# but kept out of __all__, so that a star import never shadows the builtins.
from .tensors.functions import abs as abs
from .tensors.functions import (
    accelerator,
    allclose,
    argmax,
    argmin,
    as_tensor,
    cat,
    clamp,
    clip,
    concatenate,
    cos,
    cuda,
    device,
    equal,
    exp,
    flatten,
    get_default_device,
    histogram,
    inference_mode,
    is_tensor,
    isclose,
    log,
    log10,
    log_softmax,
    matmul,
    mean,
    numel,
    permute,
    relu,
    reshape,
    set_default_device,
    set_grad_enabled,
    sigmoid,
    sin,
    softmax,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    tanh,
    transpose,
    unsqueeze,
    var,
    where,
)
from .tensors.functions import all as all
from .tensors.functions import any as any
from .tensors.functions import max as max
from .tensors.functions import min as min
from .tensors.functions import pow as pow
from .tensors.functions import sum as sum
from .tensors.spatial import conv2d, max_pool2d
from .tensors.tensor import (
    Tensor,
    apply,
    enable_grad,
    float32,
    float64,
    int64,
    is_grad_enabled,
    no_grad,
)
from .tools.check import CheckReport, check
from .tools.gradcheck import GradcheckError, GradcheckReport, gradcheck

# PyTorch's constants, Python's numbers
inf, nan, pi, e = math.inf, math.nan, math.pi, math.e

# PyTorch's dtype names (numpy dtypes: x.dtype == torch.float compares as in PyTorch). Those
# that are Python's builtin names too (float, int, bool) stay out of __all__.
float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
bool = bool_  # noqa: A001

# autograd.max, .min, .sum, .abs, .pow, .all, .any, .float, .int and .bool exist (as in
# torch) but are left out of __all__: a star import must not shadow the builtins.
__all__ = [
    "Value",
    "Tensor",
    "apply",
    "tensor",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "from_numpy",
    "zeros",
    "ones",
    "zeros_like",
    "ones_like",
    "randn",
    "rand",
    "arange",
    "manual_seed",
    "default_generator",
    "concatenate",
    "cat",
    "stack",
    "float32",
    "float64",
    "int64",
    "Owner",
    "Step",
    "backward_steps",
    "topological_order",
    "explain",
    "draw_dot",
    "render_steps",
    "lesson",
    "Lesson",
    "gradcheck",
    "grad",
    "GradcheckReport",
    "GradcheckError",
    "check",
    "CheckReport",
    "sigmoid",
    "conv2d",
    "max_pool2d",
    "relu",
    "tanh",
    "exp",
    "log",
    "softmax",
    "log_softmax",
    "argmax",
    "device",
    "cuda",
    "accelerator",
    "set_default_device",
    "get_default_device",
    "Generator",
    "linspace",
    "full",
    "full_like",
    "empty",
    "empty_like",
    "eye",
    "randint",
    "randn_like",
    "rand_like",
    "multinomial",
    "randperm",
    "as_tensor",
    "where",
    "set_grad_enabled",
    "inference_mode",
    "sin",
    "cos",
    "sqrt",
    "square",
    "log10",
    "mean",
    "std",
    "var",
    "argmin",
    "clamp",
    "clip",
    "matmul",
    "reshape",
    "flatten",
    "unsqueeze",
    "squeeze",
    "transpose",
    "permute",
    "numel",
    "allclose",
    "isclose",
    "equal",
    "histogram",
    "is_tensor",
    "Function",
    "FunctionCtx",
    "autograd",
    "float16",
    "half",
    "double",
    "long",
    "short",
    "int8",
    "uint8",
    "int16",
    "int32",
    "bool_",
]


def __getattr__(name: str) -> Any:
    """``autograd.nn``, ``autograd.optim`` and ``autograd.utils`` (whose ``data`` is
    ``nn.data``): PyTorch's ``torch.nn``, ``torch.optim`` and ``torch.utils.data`` for a program
    that writes ``import autograd as torch``.

    nn is built on autograd, so autograd cannot import it while it loads: it is imported here,
    on first use, the one import from autograd up to nn (tests/project/test_layers.py allows
    exactly this one). Once found, each name is kept in the module, so this runs once.

    >>> import autograd as torch
    >>> torch.nn.Linear(2, 3).weight.shape, torch.utils.data.DataLoader.__name__
    ((3, 2), 'DataLoader')
    """
    if name not in ("nn", "optim", "utils"):
        raise AttributeError(f"module 'autograd' has no attribute {name!r}")
    import nn

    utils = ModuleType("autograd.utils", "PyTorch's torch.utils: utils.data is nn.data")
    utils.data = nn.data  # type: ignore[attr-defined]
    found = {"nn": nn, "optim": nn.optim, "utils": utils}
    globals().update(found)
    return found[name]
