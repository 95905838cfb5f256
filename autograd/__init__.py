"""tracegrad's autograd: scalar Values and numpy Tensors that record how they were computed.

    >>> from autograd import Value
    >>> x = Value(2.0, "x")
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> x.grad
    7.0

The pieces: :class:`Value` (value.py), the op records (ops.py), the graph walk and
step-through (graph.py), narration (explain.py) and finite-difference checks (gradcheck.py).
"""

from .draw import draw_dot, render_steps
from .explain import explain
from .functions import (
    argmax,
    cuda,
    device,
    exp,
    log,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    tanh,
)
from .functions import (
    max as max,  # re-exported (as torch.max), but kept out of __all__
)
from .gradcheck import GradcheckError, GradcheckReport, gradcheck
from .gradients import grad
from .graph import Owner, Step, backward_steps, topological_order
from .lesson import Lesson, lesson
from .tensor import (
    Tensor,
    apply,
    arange,
    cat,
    concatenate,
    default_generator,
    enable_grad,
    float32,
    float64,
    int64,
    is_grad_enabled,
    manual_seed,
    no_grad,
    ones,
    ones_like,
    rand,
    randn,
    stack,
    tensor,
    zeros,
    zeros_like,
)
from .value import Value

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
