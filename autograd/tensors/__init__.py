"""Tensors: numpy arrays on the engine's graph, with PyTorch's names and semantics.

Read bottom up: ``base`` (what "a Tensor" means to the modules below the class), the Tensor
op records (``ops``), the rules for dtypes and axes, in-place ``versions``, ``interop`` with
torch itself, PyTorch's Tensor methods as mixins (``methods``), the
:class:`~autograd.tensors.tensor.Tensor` class (its slots, its one ``apply`` path, backward and
the in-place bookkeeping), then ``factories`` and PyTorch's function forms (``functions``)."""
