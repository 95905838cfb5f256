"""Devices: where tensors live. tracegrad computes with numpy on the CPU, its one device.

PyTorch programs name a device three ways, and each is accepted wherever a device is
(``x.to(dev)``, ``model.to(dev)``): the string ``"cpu"``, ``autograd.device("cpu")``, and
``torch.device("cpu")`` from the real PyTorch (anything whose ``type`` is ``"cpu"``). Any
other device (``"cuda"``, ``"cuda:0"``, ``"mps"``) is an error saying where GPUs are: PyTorch,
which :func:`nn.to_torch` hands a model to. ``torch.cuda.is_available()`` is False, so the
usual ``"cuda" if torch.cuda.is_available() else "cpu"`` picks the CPU.

    >>> import autograd as torch
    >>> dev = torch.device("cuda" if torch.cuda.is_available() else "cpu"); dev
    device(type='cpu')
    >>> torch.tensor([1.0]).to(dev).device
    device(type='cpu')
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

__all__ = ["device", "cuda", "names_a_device", "check_device"]


def _kind(where: Any) -> str:
    """``"cpu"`` of ``"cpu"``, ``"cuda"`` of ``"cuda:0"``, the ``type`` of a device object."""
    kind = where if isinstance(where, str) else getattr(where, "type", "")
    return str(kind).split(":")[0]


def names_a_device(where: Any) -> bool:
    """Whether ``where`` names a device: a string, an ``autograd.device`` or a
    ``torch.device`` (anything with a ``type`` string, which a dtype does not have).

    >>> names_a_device("cuda"), names_a_device(device("cpu")), names_a_device(float)
    (True, True, False)
    """
    return isinstance(where, (str, device)) or isinstance(getattr(where, "type", None), str)


def check_device(where: Any, what: str) -> None:
    """Refuse any device but the CPU, pointing at PyTorch for GPUs.

    >>> check_device("cpu", "to")
    >>> try:
    ...     check_device("cuda:0", "to")
    ... except ValueError as error:
    ...     print(str(error).split(".")[0])
    to: device 'cuda:0' does not exist here: tracegrad computes on the CPU only (numpy)
    """
    if _kind(where) == "cpu":
        return
    shown = where if isinstance(where, str) else str(where)
    raise ValueError(
        f"{what}: device {shown!r} does not exist here: tracegrad computes on the CPU only "
        "(numpy). Use 'cpu' (device = torch.device('cuda' if torch.cuda.is_available() else "
        "'cpu') picks it). To train on a GPU, hand the model to PyTorch: "
        "module = nn.to_torch(model).to('cuda'), and nn.from_torch(module) brings it back"
    )


class device:  # noqa: N801 - PyTorch's name
    """Where tensors live: ``device("cpu")``, the only one here (see the module's docs).

    >>> device("cpu").type, str(device(device("cpu")))
    ('cpu', 'cpu')
    """

    type: str

    def __init__(self, type: Any = "cpu") -> None:
        check_device(type, "device")
        self.type = "cpu"

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"

    def __eq__(self, other: object) -> bool:
        return names_a_device(other) and _kind(other) == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")


#: ``torch.cuda``: ``is_available()`` is False and there are no GPUs (``device_count()``).
cuda = SimpleNamespace(is_available=lambda: False, device_count=lambda: 0)
