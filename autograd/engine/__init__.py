"""The engine: what every node shares, Values and Tensors alike.

Read it with :mod:`autograd.scalar` in one sitting, bottom up: ``notation`` (how numbers and
names are written), ``records`` (the :class:`~autograd.engine.records.Op` record type),
``grad_mode`` (``no_grad``), ``graph`` (the node protocol, topological order, the one backward
loop and the gradient walk behind ``grad()``). Nothing here knows a particular op or node kind.
"""
