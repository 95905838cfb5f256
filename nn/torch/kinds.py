"""What corresponds to what between tracegrad and PyTorch: layer kinds, dtypes, parameter names.

The rest of :mod:`nn.torch` reads these tables and asks nothing else about the two libraries:
:data:`KINDS` pairs each layer class with PyTorch's class of the same name and lists the
attributes that configure it; :data:`SCALAR_ACTIVATIONS` gives the PyTorch layer for each
activation of a scalar ``nn.MLP``; :func:`torch_dtype` and :func:`numpy_dtype` translate dtypes;
:func:`scalar_parameters` names a scalar network's Values as PyTorch's tensors; and
:func:`parameter_map` pairs the parameters of a model with those of its PyTorch twin by name.
PyTorch is imported only by the functions that need it, which receive it as an argument.

>>> import nn
>>> kind = kind_of(nn.LeakyReLU, tracegrad=True)
>>> kind.name, kind.config
('LeakyReLU', ('negative_slope',))
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd.tensors.interop import array_to_torch
from nn import convolution, layers, losses, module, normalization
from nn.module import Module
from nn.neurons import MLP, Layer, Neuron

__all__ = [
    "ConversionError",
    "Kind",
    "KINDS",
    "kind_of",
    "SCALAR_MODELS",
    "SCALAR_ACTIVATIONS",
    "scalar_layers",
    "scalar_parameters",
    "parameter_map",
    "torch_dtype",
    "numpy_dtype",
    "array_to_torch",
]


class ConversionError(TypeError):
    """A model cannot be converted faithfully; the message names the layer and the reason.

    >>> issubclass(ConversionError, TypeError)
    True
    """


@dataclass(frozen=True)
class Kind:
    """One layer kind: its class on each side and the attributes that configure it.

    PyTorch's class is the one of the same ``name`` in ``torch.nn``.

    >>> linear = KINDS[3]
    >>> linear.name, linear.ours.__name__, linear.config
    ('Linear', 'Linear', ('in_features', 'out_features'))
    """

    name: str
    ours: type[Module]
    config: tuple[str, ...] = ()
    # Attributes of PyTorch's class that configure it but have no meaning here; any value other
    # than the default (given; None: any value) is refused.
    torch_only: tuple[tuple[str, Any], ...] = ()
    # Attributes of our class that are its own machinery, not settings to carry over.
    hidden: tuple[str, ...] = ()

    def class_on(self, torch: Any, *, tracegrad: bool) -> type:
        """This kind's class in tracegrad (``tracegrad=True``) or in PyTorch (``torch``).

        >>> import pytest; torch = pytest.importorskip("torch")
        >>> KINDS[3].class_on(torch, tracegrad=False)
        <class 'torch.nn.modules.linear.Linear'>
        """
        return self.ours if tracegrad else getattr(torch.nn, self.name)


#: Every layer kind that converts, in both directions; ``Module`` first, the base of them all.
KINDS: tuple[Kind, ...] = (
    Kind("Module", Module),
    Kind("Sequential", module.Sequential),
    Kind("ModuleList", module.ModuleList),
    Kind("Linear", layers.Linear, ("in_features", "out_features")),
    Kind("Identity", layers.Identity),
    Kind("ReLU", layers.ReLU, (), (("inplace", None),)),
    Kind("Sigmoid", layers.Sigmoid),
    Kind("Tanh", layers.Tanh),
    Kind("LeakyReLU", layers.LeakyReLU, ("negative_slope",), (("inplace", None),)),
    Kind("Softmax", layers.Softmax, ("dim",)),
    Kind("LogSoftmax", layers.LogSoftmax, ("dim",)),
    Kind("Flatten", layers.Flatten, ("start_dim", "end_dim")),
    Kind("Unflatten", layers.Unflatten, ("dim", "unflattened_size")),
    Kind(
        "Conv2d",
        convolution.Conv2d,
        ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation")
        + ("groups", "padding_mode"),
    ),
    Kind(
        "MaxPool2d",
        convolution.MaxPool2d,
        ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"),
    ),
    Kind(
        "AvgPool2d",
        convolution.AvgPool2d,
        ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"),
    ),
    Kind("AdaptiveAvgPool2d", convolution.AdaptiveAvgPool2d, ("output_size",)),
    Kind("AdaptiveMaxPool2d", convolution.AdaptiveMaxPool2d, ("output_size", "return_indices")),
    Kind(
        "BatchNorm1d",
        normalization.BatchNorm1d,
        ("num_features", "eps", "momentum", "affine", "track_running_stats"),
    ),
    Kind(
        "BatchNorm2d",
        normalization.BatchNorm2d,
        ("num_features", "eps", "momentum", "affine", "track_running_stats"),
    ),
    Kind("Dropout", layers.Dropout, ("p",), (("inplace", None),), ("_rng",)),
    Kind("MSELoss", losses.MSELoss, ("reduction",)),
    Kind("BCELoss", losses.BCELoss, ("reduction",)),
    Kind("BCEWithLogitsLoss", losses.BCEWithLogitsLoss, ("reduction",)),
    Kind(
        "CrossEntropyLoss",
        losses.CrossEntropyLoss,
        ("reduction",),
        (("ignore_index", -100), ("label_smoothing", 0.0)),
    ),
)


def kind_of(library_class: type, torch: Any = None, *, tracegrad: bool) -> Kind | None:
    """The kind whose class is exactly ``library_class``, or None (subclasses do not count).

    ``tracegrad`` says which library the class is from; PyTorch's classes need ``torch``.

    >>> import nn
    >>> kind_of(nn.Tanh, tracegrad=True).name, kind_of(nn.MLP, tracegrad=True)
    ('Tanh', None)
    """
    for kind in KINDS:
        if library_class is kind.class_on(torch, tracegrad=tracegrad):
            return kind
    return None


# --- the scalar networks ------------------------------------------------------------------

#: The scalar networks (on Values), which become a stack of PyTorch layers.
SCALAR_MODELS = (MLP, Layer, Neuron)

#: The scalar activations and the PyTorch layers (name, arguments) that compute them.
SCALAR_ACTIVATIONS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "relu": ("ReLU", ()),
    "sigmoid": ("Sigmoid", ()),
    "tanh": ("Tanh", ()),
    "leaky_relu": ("LeakyReLU", (0.01,)),  # Value.leaky_relu's default slope
}


def scalar_layers(model: MLP | Layer | Neuron) -> list[tuple[str, list[Neuron], str]]:
    """(name, neurons, activation) per layer of a scalar network; a lone Neuron is a layer of one.

    >>> import nn
    >>> [(name, len(neurons), act) for name, neurons, act in scalar_layers(nn.MLP(2, [3, 1]))]
    [('L1', 3, 'relu'), ('L2', 1, 'linear')]
    """
    if isinstance(model, Neuron):
        return [(model.name, [model], model.activation)]
    found = model.layers if isinstance(model, MLP) else [model]
    return [(layer.name, layer.neurons, layer.activation) for layer in found]


def scalar_parameters(model: MLP | Layer | Neuron) -> dict[str, np.ndarray]:
    """A scalar network's Values as PyTorch's parameters: name -> object array of Values.

    ``L1.weight[j, i]`` is ``L1.N{j+1}.w{i+1}`` and ``L1.bias[j]`` is ``L1.N{j+1}.b``.

    >>> import nn
    >>> params = scalar_parameters(nn.MLP(2, [3, 1], seed=0))
    >>> {name: values.shape for name, values in params.items()}
    {'L1.weight': (3, 2), 'L1.bias': (3,), 'L2.weight': (1, 3), 'L2.bias': (1,)}
    >>> params["L1.weight"][2, 0].label
    'L1.N3.w1'
    """
    params: dict[str, np.ndarray] = {}
    for name, neurons, _ in scalar_layers(model):
        weight = np.empty((len(neurons), neurons[0].nin), dtype=object)
        bias = np.empty(len(neurons), dtype=object)
        for j, neuron in enumerate(neurons):
            weight[j, :] = neuron.w
            bias[j] = neuron.b
        params[f"{name}.weight"], params[f"{name}.bias"] = weight, bias
    return params


def parameter_map(model: Any, torch_module: Any) -> OrderedDict[str, tuple[Any, Any]]:
    """Pair each parameter of a tracegrad model with the torch parameter of the same name.

    Returns ``name -> (ours, theirs)`` in the tracegrad model's order. For a scalar MLP,
    ``ours`` is a numpy object array of Values shaped like the torch parameter. Raises
    ``ValueError`` if the names or shapes of the two differ. This is what moving optimizer
    state from one model to the other needs.

    >>> import pytest; torch = pytest.importorskip("torch")
    >>> import nn
    >>> model = nn.Linear(2, 1)
    >>> pairs = parameter_map(model, nn.to_torch(model))
    >>> list(pairs), pairs["weight"][0] is model.weight
    (['weight', 'bias'], True)
    """
    if isinstance(model, SCALAR_MODELS):
        ours: dict[str, Any] = scalar_parameters(model)
        shapes = {name: values.shape for name, values in ours.items()}
    else:
        ours = dict(model.named_parameters())
        shapes = {name: p.shape for name, p in ours.items()}
    theirs = dict(torch_module.named_parameters())
    missing, extra = [n for n in ours if n not in theirs], [n for n in theirs if n not in ours]
    if missing or extra:
        raise ValueError(
            "parameter_map: the two models' parameters differ: only in the tracegrad model: "
            f"{missing or 'none'}; only in the torch module: {extra or 'none'}"
        )
    for name, shape in shapes.items():
        if tuple(theirs[name].shape) != tuple(shape):
            raise ValueError(
                f"parameter_map: {name} has shape {tuple(shape)} in the tracegrad model and "
                f"{tuple(theirs[name].shape)} in the torch module"
            )
    return OrderedDict((name, (ours[name], theirs[name])) for name in ours)


# --- numbers ------------------------------------------------------------------------------


def torch_dtype(torch: Any, dtype: np.dtype[Any]) -> Any:
    """PyTorch's dtype for a numpy dtype.

    >>> import pytest; torch = pytest.importorskip("torch")
    >>> torch_dtype(torch, np.dtype(">f4"))
    torch.float32
    """
    return array_to_torch(torch, np.zeros(0, dtype=dtype)).dtype


def numpy_dtype(dtype: Any, where: str) -> np.dtype[Any]:
    """numpy's dtype for a PyTorch dtype, or a :class:`ConversionError` naming ``where``.

    >>> import pytest; torch = pytest.importorskip("torch")
    >>> numpy_dtype(torch.float64, "the model")
    dtype('float64')
    """
    try:
        import torch

        return np.dtype(torch.empty(0, dtype=dtype).numpy().dtype)
    except (TypeError, RuntimeError):
        raise ConversionError(
            f"nn.from_torch: {where} holds {dtype} parameters, which numpy has no type for; "
            "convert them first (module.float() or module.double())"
        ) from None
