"""Tools that read a graph: ``gradcheck`` (finite differences against backward) and the
``expression`` reader of the command line."""
