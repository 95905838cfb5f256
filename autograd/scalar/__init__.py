"""Scalars: the scalar op records (``ops``: forward rule, local derivative, formula text) and
:class:`~autograd.scalar.value.Value`, the node that holds one float."""
