"""Running the programs learners bring from PyTorch as they wrote them.

Each program is transcribed once, from its public source, into tests/interop/programs/ with
tracegrad's imports (the README's table, :data:`IMPORTS`); nothing else in it is changed. The
tests run it in a temporary folder and read what it printed and what it defined. Where torch is
installed, the same text runs again with PyTorch's imports (the table read backwards), and the
numbers are compared.

Two things stand apart from the programs, in the harness:

* A test may shorten a program's training loop (``replace``, e.g. ``range(200000)`` to
  ``range(300)``): a test runs in seconds; the full programs are for people and hidden checks.
* :func:`torchs_random_numbers` makes tracegrad's ``randn``, ``rand``, ``randint``,
  ``multinomial`` and ``Generator`` hand out PyTorch's own random numbers. tracegrad's stream
  is numpy's (only ``manual_seed``'s repeatability is promised), so without it a program that
  draws its starting weights can only agree with PyTorch statistically; with it, both sides
  start from the same numbers and must agree to float32 rounding.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import types
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

PROGRAMS = Path(__file__).resolve().parent / "interop" / "programs"

#: The README's table: PyTorch's import, tracegrad's. A program is transcribed by replacing
#: each line of the left column with the right; read backwards, it is PyTorch's again.
IMPORTS = [
    ("import torch", "import autograd as torch"),
    ("import torch.nn as nn", "import nn"),
    ("from torch import nn", "import nn"),
    ("import torch.nn.functional as F", "import nn.functional as F"),
    ("from torch.nn import functional as F", "from nn import functional as F"),
    ("import torch.optim as optim", "from nn import optim"),
    ("from torch import optim", "from nn import optim"),
    ("from torch.utils.data import DataLoader", "from nn.data import DataLoader"),
    ("from torch.utils.data import TensorDataset", "from nn.data import TensorDataset"),
    ("from torch.utils.data import Dataset", "from nn.data import Dataset"),
    ("from torch.autograd import Function", "from autograd import Function"),
    ("from torch.autograd import grad", "from autograd import grad"),
]


def source(name: str) -> str:
    """The transcribed program ``name`` (tracegrad's imports)."""
    return (PROGRAMS / f"{name}.py").read_text(encoding="utf-8")


def with_torchs_imports(text: str) -> str:
    """The program as PyTorch's users write it: every tracegrad import line put back."""
    back: dict[str, str] = {}
    for theirs, ours in IMPORTS:
        back.setdefault(ours, theirs)
    lines = [back.get(line, line) for line in text.splitlines()]
    return "\n".join(lines) + "\n"


def run(
    name: str,
    folder: Path,
    *,
    library: str = "tracegrad",
    replace: dict[str, str] | None = None,
    seed: int = 0,
) -> tuple[str, dict[str, Any]]:
    """Run program ``name`` in ``folder`` with ``library``'s imports; what it printed and
    what it defined. ``replace`` shortens it (exact substrings, each must occur). PyTorch's
    run starts from ``torch.manual_seed(seed)``, as :func:`torchs_random_numbers` does."""
    text = source(name)
    for old, new in (replace or {}).items():
        assert old in text, f"{name}: {old!r} is not in the program"
        text = text.replace(old, new)
    if library == "torch":
        import torch

        text = with_torchs_imports(text)
        torch.manual_seed(seed)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scope: dict[str, Any] = {"__name__": "__main__", "__file__": str(folder / f"{name}.py")}
    printed = io.StringIO()
    here = Path.cwd()
    os.chdir(folder)
    try:
        stubbed = _missing_modules_stubbed()
        with contextlib.redirect_stdout(printed), stubbed, warnings.catch_warnings():
            # torch's Tensor.__array__ takes no copy= yet; matplotlib asks numpy 2 for one
            warnings.filterwarnings("ignore", "__array__ implementation doesn't accept")
            exec(compile(text, f"{name}.py", "exec"), scope)
    finally:
        os.chdir(here)
        plt.close("all")
    return printed.getvalue(), scope


@contextlib.contextmanager
def _missing_modules_stubbed() -> Iterator[None]:
    """The modules a tutorial imports but never uses here, where they are not installed:
    ``requests`` (a download the program skips, the file being there: using it fails) and
    IPython's debugger (imported for a commented-out breakpoint)."""
    stubs: dict[str, types.ModuleType] = {}
    try:
        import requests  # noqa: F401
    except ImportError:
        requests_stub = types.ModuleType("requests")

        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("the tests never download anything")

        requests_stub.get = refuse  # type: ignore[attr-defined]
        stubs["requests"] = requests_stub
    try:
        import IPython.core.debugger  # noqa: F401
    except ImportError:
        for module in ("IPython", "IPython.core", "IPython.core.debugger"):
            stubs[module] = types.ModuleType(module)
        stubs["IPython.core.debugger"].set_trace = lambda *a, **k: None  # type: ignore[attr-defined]
        # matplotlib asks a loaded IPython whether it runs inside one, and its version
        stubs["IPython"].get_ipython = lambda: None  # type: ignore[attr-defined]
        stubs["IPython"].version_info = (8, 24)  # type: ignore[attr-defined]
    saved = {key: sys.modules.get(key) for key in stubs}
    sys.modules.update(stubs)
    try:
        yield
    finally:
        for key, module in saved.items():
            if module is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = module


def printed_numbers(text: str, prefix: str = "") -> list[float]:
    """The last number of every printed line that starts with ``prefix``."""
    found = []
    for line in text.splitlines():
        if line.startswith(prefix) and line.split():
            try:
                found.append(float(line.split()[-1]))
            except ValueError:
                continue
    return found


# --- PyTorch's random numbers, handed out by tracegrad's functions ------------------------


@contextlib.contextmanager
def torchs_random_numbers(seed: int = 0) -> Iterator[None]:
    """Within it, ``autograd.randn``, ``rand``, ``randint``, ``multinomial`` and
    ``Generator`` draw PyTorch's numbers (PyTorch's default generator seeded with ``seed``,
    and each ``Generator``'s seed given to a torch one), as ``torch.manual_seed(seed)``
    before the PyTorch run does on its side."""
    import torch

    import autograd

    originals = {
        name: getattr(autograd, name)
        for name in ("randn", "rand", "randint", "multinomial", "Generator")
    }

    class Generator(originals["Generator"]):  # type: ignore[misc, valid-type]
        def manual_seed(self, seed: int) -> Any:
            super().manual_seed(seed)
            self.torch = torch.Generator().manual_seed(seed)
            return self

    def torch_generator(generator: Any) -> Any:
        return None if generator is None else generator.torch

    def leaf(t: Any, requires_grad: bool) -> Any:
        return autograd.tensor(t.numpy(), requires_grad=requires_grad)

    def torch_dtype(dtype: Any) -> Any:
        return None if dtype is None else getattr(torch, np.dtype(dtype).name)

    def randn(*shape: Any, generator: Any = None, dtype: Any = None, requires_grad: bool = False,
              device: Any = None) -> Any:  # fmt: skip
        drawn = torch.randn(*shape, generator=torch_generator(generator), dtype=torch_dtype(dtype))
        return leaf(drawn, requires_grad)

    def rand(*shape: Any, generator: Any = None, dtype: Any = None, requires_grad: bool = False,
             device: Any = None) -> Any:  # fmt: skip
        drawn = torch.rand(*shape, generator=torch_generator(generator), dtype=torch_dtype(dtype))
        return leaf(drawn, requires_grad)

    def randint(*args: Any, generator: Any = None, dtype: Any = None, device: Any = None,
                requires_grad: bool = False) -> Any:  # fmt: skip
        return leaf(torch.randint(*args, generator=torch_generator(generator)), False)

    def multinomial(input: Any, num_samples: int, replacement: bool = False, *,
                    generator: Any = None) -> Any:  # fmt: skip
        weights = torch.from_numpy(np.array(input.detach().numpy()))
        source = torch_generator(generator)
        drawn = torch.multinomial(weights, num_samples, replacement, generator=source)
        return leaf(drawn, False)

    replayed = {
        "randn": randn,
        "rand": rand,
        "randint": randint,
        "multinomial": multinomial,
        "Generator": Generator,
    }
    torch.manual_seed(seed)
    for name, function in replayed.items():
        setattr(autograd, name, function)
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(autograd, name, function)


# --- what the programs read ---------------------------------------------------------------

#: The first five names of makemore's names.txt, which its lectures index by hand (the 32
#: examples of words[:5] in part 2).
FIRST_NAMES = ["emma", "olivia", "ava", "isabella", "sophia"]


def write_names(folder: Path, how_many: int = 400, seed: int = 0) -> list[str]:
    """A names.txt of made-up names for makemore, written into ``folder`` (never a
    download): :data:`FIRST_NAMES`, then names of 3 to 8 letters drawn with ``seed``."""
    import random

    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    drawn = {
        "".join(rng.choice(letters) for _ in range(rng.randint(3, 8))) for _ in range(how_many)
    }
    names = FIRST_NAMES + sorted(drawn - set(FIRST_NAMES))
    (folder / "names.txt").write_text("\n".join(names) + "\n", encoding="utf-8")
    return names
