"""The old home of ``nn.save`` and ``nn.load``, kept so that old imports keep working.

Saving and loading live in :mod:`nn.io`; checking a state dict against a model lives in
:mod:`nn.state_dict`.

>>> from nn.serialization import load, save, StateDictError
>>> save is __import__("nn").save
True
"""

from .io import FORMATS, MAX_RATIO, load, save
from .state_dict import CheckedStateDict, StateDictError, check_state_dict

__all__ = [
    "save",
    "load",
    "check_state_dict",
    "CheckedStateDict",
    "StateDictError",
    "FORMATS",
    "MAX_RATIO",
]
