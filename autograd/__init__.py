"""tracegrad's autograd: scalar Values and numpy Tensors that record how they were computed.

    >>> from autograd import Value
    >>> x = Value(2.0, "x")
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> x.grad
    7.0

Reading order, for a learner or a maintainer (each module only uses the ones before it):

1. ``notation.py``: how things are written: numbers, the minus sign, parentheses, shapes,
   and the names of nodes and of the groups (layers, neurons) that own them.
2. ``ops.py``: the scalar op records, each op defined once (forward rule, local
   derivative, formula text).
3. ``value.py``: :class:`Value`, a node holding a float, and its one ``_apply`` path.
4. ``graph.py``: the topological order, the one backward loop, and ``backward_steps``
   (the same walk, one :class:`Step` per chain-rule use).
5. ``explain.py`` and ``draw.py``: narration and Graphviz pictures; they read op records
   and never name an op. ``lesson.py`` turns both into a page to click through.
6. ``gradcheck.py``: central finite differences against backward.
7. The Tensor half on the same graph protocol: ``grad_mode.py`` (no_grad), ``dtypes.py``
   (what a Tensor holds, and operands as arrays), the Tensor op records in ``tensors/ops/``
   (``tensor_op.py``, the record type; ``arithmetic.py``, elementwise ones built from the
   scalar records, and matmul; ``reductions.py``, ``shapes.py``, ``losses.py``,
   ``comparisons.py``; each with the rules ``apply`` follows),
   ``axes.py`` (reading axis, shape and index arguments), ``tensor.py`` (the class and its
   one ``apply`` path, as ``Value._apply``), ``inplace.py`` (in-place changes and the
   version checks that keep them honest), ``factories.py`` (``tensor``, ``zeros``,
   ``randn``, ...), ``functions.py`` (PyTorch's function forms and ``cat``/``stack``),
   ``torch_bridge.py`` (to and from torch).
8. ``gradients.py``: :func:`grad` and ``backward(create_graph=True)`` for both halves:
   gradients built as nodes, which can be differentiated again.
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
