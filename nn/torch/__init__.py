"""tracegrad and PyTorch: models, their parameters and their optimizers, both ways.

``nn.to_torch(model)`` gives the ``torch.nn.Module`` that computes what ``model`` computes,
``nn.from_torch(module)`` the reverse, and ``nn.to_torch_optimizer`` and
``nn.from_torch_optimizer`` carry an SGD or Adam optimizer across, so training continues on the
other side with the same steps. PyTorch is imported only when one of them is called. Read
bottom up, each module using only the ones before it:

- :mod:`~nn.torch.kinds`: what corresponds to what (layer kinds, dtypes, parameter names);
- :mod:`~nn.torch.translate`: your own classes and functions, rerun with the other library's
  names;
- :mod:`~nn.torch.convert`: whole models (``to_torch``, ``from_torch``);
- :mod:`~nn.torch.optimizers`: optimizer handover (``to_torch_optimizer``,
  ``from_torch_optimizer``).

Single tensors are ``Tensor.to_torch()`` and ``Tensor.from_torch(t)``
(:mod:`autograd.tensors.interop`), which the conversions use for every parameter.

>>> import pytest; torch = pytest.importorskip("torch")  # the example needs PyTorch
>>> import nn
>>> model = nn.Linear(2, 1)
>>> module = nn.to_torch(model)
>>> list(parameter_map(model, module))
['weight', 'bias']
"""

from .convert import from_torch, to_torch
from .kinds import ConversionError, parameter_map
from .optimizers import from_torch_optimizer, to_torch_optimizer

__all__ = [
    "to_torch",
    "from_torch",
    "parameter_map",
    "to_torch_optimizer",
    "from_torch_optimizer",
    "ConversionError",
]
