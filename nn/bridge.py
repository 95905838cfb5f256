"""The old path of :mod:`nn.torch`, kept so that ``nn.bridge.parameter_map`` and
``from nn.bridge import ConversionError`` still work; new code imports from ``nn`` or ``nn.torch``.

>>> import nn.torch
>>> parameter_map is nn.torch.parameter_map
True
"""

from .torch import (
    ConversionError,
    from_torch,
    from_torch_optimizer,
    parameter_map,
    to_torch,
    to_torch_optimizer,
)

__all__ = [
    "to_torch",
    "from_torch",
    "parameter_map",
    "to_torch_optimizer",
    "from_torch_optimizer",
    "ConversionError",
]
