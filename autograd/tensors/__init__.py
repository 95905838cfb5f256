"""Tensors: numpy arrays on the engine's graph, with PyTorch's names and semantics.

The Tensor op records (``ops``), the rules for dtypes and axes, in-place ``versions``, the
:class:`~autograd.tensors.tensor.Tensor` class and its one ``apply`` path, ``factories`` and
PyTorch's function forms (``functions``), and ``interop`` with torch itself."""
