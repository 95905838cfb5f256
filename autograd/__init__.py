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
6. ``tools/``: ``gradcheck.py`` (finite differences against backward), ``expression.py``
   (the command line's reader), ``files.py`` (the one way any file is written).
7. ``pictures/``: ``draw.py`` (Graphviz), ``lesson.py`` (the page to click through).
8. ``cli.py`` (``tracegrad`` / ``python -m autograd``) and this file, the public names.
   ``autograd.ops`` and ``autograd.tensor_ops`` are the old paths of the records, kept as
   thin re-exports for now.
"""

from .engine.graph import topological_order
from .engine.notation import Owner
from .gradients import grad
from .narration.explain import explain
from .narration.steps import Step, backward_steps
from .pictures.draw import draw_dot, render_steps
from .pictures.lesson import Lesson, lesson
from .scalar.value import Value
from .tensors.factories import (
    arange,
    default_generator,
    from_numpy,
    manual_seed,
    ones,
    ones_like,
    rand,
    randn,
    tensor,
    zeros,
    zeros_like,
)
from .tensors.functions import (
    argmax,
    cat,
    concatenate,
    cuda,
    device,
    exp,
    log,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    stack,
    tanh,
)
from .tensors.functions import (
    max as max,  # re-exported (as torch.max), but kept out of __all__
)
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
from .tools.gradcheck import GradcheckError, GradcheckReport, gradcheck

# autograd.max exists (as torch.max does) but is left out of __all__: a star import must not
# shadow the builtin max.
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
    "sigmoid",
    "relu",
    "tanh",
    "exp",
    "log",
    "softmax",
    "log_softmax",
    "argmax",
    "device",
    "cuda",
]
