"""The op record: everything tracegrad knows about one operation, in one place.

An :class:`Op` holds the forward rule, the local derivative and the formula text that
narration and drawing show. Scalar ops (:mod:`autograd.scalar.ops`) are Ops; the Tensor
records are Ops too (:class:`autograd.tensors.ops.tensor_op.TensorOp` is a subclass that adds
array rules), and an elementwise Tensor op keeps its scalar twin's own ``derivative``.
Nothing in the engine, narration or pictures knows what "mul" or "tanh" means: they read
these records, of either kind, through the same methods.

    >>> from autograd.scalar.ops import MUL
    >>> MUL.forward(2.0, 3.0), MUL.derivative(2.0, 3.0, 6.0)
    (6.0, (3.0, 2.0))
    >>> MUL.formula(0, 2)
    'd(a·b)/da = b'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .notation import delimited, is_base, is_power, parenthesize

__all__ = ["Op", "OpDomainError"]


class OpDomainError(ValueError):
    """Raised by a forward rule when its input lies outside the op's domain.

    The engine catches it and re-raises an error naming the op, the value and its label.
    ``kind`` is the exception class the learner should see (ValueError, ZeroDivisionError, ...).

    >>> OpDomainError("log needs x > 0", kind=ValueError).kind
    <class 'ValueError'>
    """

    def __init__(self, message: str, kind: type[Exception] = ValueError) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, eq=False, kw_only=True)
class Op:
    """One operation: its forward rule, its local derivatives and its formula text.

    ``template`` writes the output in terms of the inputs: a format string with ``{0}``,
    ``{1}`` for the input names, or a function of the list of names (for ops that take any
    number of inputs). ``formulas`` gives, per input, the local derivative in words: a tuple
    with one text per input, or a function ``(index, arity) -> text``.

    >>> from autograd.scalar.ops import DOT, SUM, TANH
    >>> TANH.render(["z"])
    'tanh(z)'
    >>> SUM.render(["a", "b", "c"])
    'a + b + c'
    >>> DOT.formula(0, 5), DOT.formula(4, 5)
    ('d(Σwᵢxᵢ+b)/dw₁ = x₁', 'd(Σwᵢxᵢ+b)/db = 1')
    """

    name: str
    symbol: str
    template: str | Callable[[Sequence[str]], str]
    #: The output from the inputs' numbers: floats here, arrays for a Tensor op.
    forward: Callable[..., Any]
    #: The local derivatives d(out)/d(input_i), given the inputs and the output, one per input.
    #: Written with arithmetic (and the few helpers of :mod:`autograd.scalar.ops`) so that the
    #: same rule runs on floats, on Values, and entry by entry on arrays and Tensors.
    derivative: Callable[..., tuple[Any, ...]]
    formulas: tuple[str, ...] | Callable[[int, int], str]
    #: What the op does, in a few words (drawings show it as a tooltip).
    doc: str = ""
    #: Per input, the local derivative written in the inputs' own names, as ``template`` is:
    #: a tuple of format strings with ``{0}``, ``{1}``, or a function ``(index, names) -> text``.
    #: Narration shows it (``d(w · x)/dw = x``) where ``formulas`` uses generic a, b.
    slopes: tuple[str, ...] | Callable[[int, Sequence[str]], str] | None = None
    #: True when ``derivative`` gives the same numbers whatever the inputs (add: 1 and 1, neg:
    #: −1). The Tensor op built from this record reads them once and hands the upstream on
    #: (or negates it) at each backward, instead of calling ``derivative`` there.
    constant_slopes: bool = False
    #: For an op whose slopes cost work (/, ^, BCE): per input, ``share(upstream, *inputs,
    #: out)``, the upstream times that input's slope. A Tensor op works out only the shares its
    #: inputs need (``x / 2``: none for 2), each in its cheapest form (``upstream / b``).
    shares: tuple[Callable[..., Any], ...] | None = None

    def render(self, names: Sequence[str]) -> str:
        """Write this op applied to inputs called ``names`` (or numbers), adding parentheses
        around a compound input only where the template needs them: ``(y − 5)^2`` but
        ``tanh(w · x)``.

        >>> from autograd.scalar.ops import TANH, power
        >>> power(2).render(["y − 5"]), TANH.render(["w · x"])
        ('(y − 5)^2', 'tanh(w · x)')
        """
        if isinstance(self.template, str):
            template = self.template
            return template.format(
                *(
                    name
                    if delimited(template, i) or (is_power(name) and not is_base(template, i))
                    else parenthesize(name)
                    for i, name in enumerate(names)
                )
            )
        return self.template(names)  # a function template places its own parentheses

    def formula(self, index: int, arity: int) -> str:
        """The local derivative of the output with respect to input ``index`` of ``arity``."""
        if isinstance(self.formulas, tuple):
            return self.formulas[index]
        return self.formulas(index, arity)

    def slope(self, index: int, names: Sequence[str]) -> str | None:
        """The local derivative with respect to input ``index``, written in the inputs' own
        ``names`` (``None`` for an op that has no such text).

        >>> from autograd.scalar.ops import DIV, MUL, TANH
        >>> MUL.slope(0, ["w", "x"]), DIV.slope(1, ["b", "a"]), TANH.slope(0, ["w · x"])
        ('x', '−b/a^2', '1 − tanh(w · x)^2')
        """
        slopes = self.slopes
        if slopes is None:
            return None
        if not isinstance(slopes, tuple):
            return slopes(index, names)
        template = slopes[index]
        return template.format(
            *(
                name if delimited(template, i) else parenthesize(name)
                for i, name in enumerate(names)
            )
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"
