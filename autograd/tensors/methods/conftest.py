"""The examples in these docstrings are Tensor's: ``help(Tensor)`` shows them, where ``Tensor``
is at hand. The modules here sit below the Tensor class and never import it, so pytest's
doctest run gets it from this fixture, for the examples of this folder only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from autograd import Tensor


@pytest.fixture(autouse=True)
def _tensor_in_examples(doctest_namespace: dict[str, Any]) -> Iterator[None]:
    doctest_namespace["Tensor"] = Tensor
    yield
    del doctest_namespace["Tensor"]
