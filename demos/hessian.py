"""The Hessian of a function of two variables, from gradients of gradients.

f(x, y) = x³·y² + exp(x·y) − y⁴ at (0.5, −1.2). Row i of the Hessian is the gradient of
∂f/∂xᵢ, which ``grad(..., create_graph=True)`` returns as a Value with a graph of its own.
It is checked against central finite differences of the gradient, and computed a second
time on a Tensor holding both variables.

    python -m demos.hessian [--at 0.5 -1.2] [--graph out/hessian_dfdx.svg]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograd import Tensor, Value, grad
from demos._common import draw_if_asked, heading, parser

Matrix = list[list[float]]


def f(x: Value, y: Value) -> Value:
    """The function: x³y² + exp(xy) − y⁴ (works on Values and on Tensor entries alike)."""
    out = x**3 * y**2 + (x * y).exp() - y**4
    out.label = "f"
    return out


def gradient(point: Sequence[float]) -> list[float]:
    """∂f/∂x and ∂f/∂y at ``point``: first derivatives only."""
    x, y = Value(point[0], "x"), Value(point[1], "y")
    return [g.data for g in grad(f(x, y), [x, y])]


def hessian(point: Sequence[float]) -> tuple[Matrix, list[Value]]:
    """The Hessian at ``point``, and the gradient Values (df/dx, df/dy) it was taken from."""
    x, y = Value(point[0], "x"), Value(point[1], "y")
    firsts = grad(f(x, y), [x, y], create_graph=True)
    rows = [[g.data for g in grad(first, [x, y])] for first in firsts]
    return rows, list(firsts)


def finite_differences(point: Sequence[float], h: float = 1e-6) -> Matrix:
    """Column j: (∇f(p + h·eⱼ) − ∇f(p − h·eⱼ)) / 2h, from first derivatives only."""
    columns = []
    for j in range(len(point)):
        up = [p + (h if i == j else 0.0) for i, p in enumerate(point)]
        down = [p - (h if i == j else 0.0) for i, p in enumerate(point)]
        columns.append([(a - b) / (2 * h) for a, b in zip(gradient(up), gradient(down))])
    return [[columns[j][i] for j in range(len(point))] for i in range(len(point))]


def tensor_hessian(point: Sequence[float]) -> np.ndarray:
    """The same Hessian on a Tensor v = (x, y): row i is the gradient of (∇f)ᵢ."""
    v = Tensor(list(point), requires_grad=True, dtype=np.float64, label="v")
    (g,) = grad(f(v[0], v[1]), v, create_graph=True)
    return np.stack([grad(g[i], v)[0].numpy() for i in range(len(point))])


def main(argv: Sequence[str] | None = None) -> None:
    p = parser("hessian", __doc__)
    p.add_argument("--at", nargs=2, type=float, default=[0.5, -1.2], metavar=("X", "Y"))
    args = p.parse_args(argv)
    point = args.at
    print(heading("The Hessian of f(x, y) = x³y² + exp(xy) − y⁴, from grad of grad"))
    rows, firsts = hessian(point)
    numeric = finite_differences(point)
    print(f"at (x, y) = ({point[0]:g}, {point[1]:g}):")
    print("  " + "   ".join(f"{g.label} = {g.data:.10g}" for g in firsts))
    print("\n  Hessian from autograd.grad        finite differences of the gradient")
    for ours, theirs in zip(rows, numeric):
        left = "  ".join(f"{v:>14.9f}" for v in ours)
        right = "  ".join(f"{v:>14.9f}" for v in theirs)
        print(f"  {left}    {right}")
    gap = max(abs(a - b) for ra, rb in zip(rows, numeric) for a, b in zip(ra, rb))
    print(f"\n  largest difference: {gap:.2e} (finite differences are good to about 1e-8)")
    on_tensor = tensor_hessian(point)
    same = np.allclose(on_tensor, rows, rtol=1e-12, atol=1e-12)
    print(f"  the same Hessian on a Tensor v = (x, y): {'equal' if same else 'DIFFERENT'}")
    print(f"  symmetric, as it must be: ∂²f/∂x∂y = {rows[0][1]:.12f} = {rows[1][0]:.12f}")
    draw_if_asked(firsts[0], args.graph)


if __name__ == "__main__":
    main()
