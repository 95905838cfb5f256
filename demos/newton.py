"""Newton's method with gradients of gradients, beside gradient descent.

f(x) = x⁴ − 3x³ + 2 has its minimum at x = 9/4 (f'(x) = x²(4x − 9)). Newton's method steps
x ← x − f'(x)/f''(x), with both derivatives from ``autograd.grad`` (the second is the grad
of the first, built with ``create_graph=True``); gradient descent steps x ← x − lr·f'(x).

    python -m demos.newton [--start 4] [--steps 8] [--lr 0.01] [--graph out/newton_dfdx.svg]
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd import Value, grad
from demos._common import draw_if_asked, heading, parser

MINIMUM = 9 / 4


def f(x: Value) -> Value:
    """The function to minimise: x⁴ − 3x³ + 2."""
    y = x**4 - 3 * x**3 + 2
    y.label = "f"
    return y


def derivatives(x0: float) -> tuple[Value, Value, Value]:
    """f'(x0) and f''(x0) from grad twice, and x itself (so the graphs can be drawn)."""
    x = Value(x0, "x")
    (slope,) = grad(f(x), x, create_graph=True)  # a Value with its own graph: df/dx
    (curvature,) = grad(slope, x)
    return slope, curvature, x


def newton(start: float, steps: int) -> list[float]:
    """The Newton iterates x₀, x₁, …, x_steps."""
    xs = [start]
    for _ in range(steps):
        slope, curvature, _ = derivatives(xs[-1])
        if curvature.data == 0:
            raise ZeroDivisionError(f"f''({xs[-1]:g}) = 0: Newton's step is undefined there")
        xs.append(xs[-1] - slope.data / curvature.data)
    return xs


def gradient_descent(start: float, steps: int, lr: float) -> list[float]:
    """The gradient-descent iterates, with the slope from the same ``grad``."""
    xs = [start]
    for _ in range(steps):
        x = Value(xs[-1], "x")
        (slope,) = grad(f(x), x)
        xs.append(xs[-1] - lr * slope.data)
    return xs


def main(argv: Sequence[str] | None = None) -> None:
    p = parser("newton", __doc__)
    p.add_argument("--start", type=float, default=4.0, help="the first x (default 4)")
    p.add_argument("--steps", type=int, default=8, help="how many steps (default 8)")
    p.add_argument("--lr", type=float, default=0.01, help="gradient descent's learning rate")
    args = p.parse_args(argv)
    print(heading("Newton's method (grad of grad) beside gradient descent"))
    print(f"f(x) = x⁴ − 3x³ + 2, minimum at x = 9/4 = {MINIMUM}")
    slope, curvature, _ = derivatives(args.start)
    print(f"at x = {args.start:g}: {slope.label} = {slope.data:g}, d²f/dx² = {curvature.data:g}")
    forward = slope.explain().split("\n\n")[0].splitlines()[1:]
    print(f"{slope.label} is a Value with a graph of its own, built by backward:")
    print("\n".join(forward) + "\n")
    rows = zip(newton(args.start, args.steps), gradient_descent(args.start, args.steps, args.lr))
    print(f"{'step':>4}  {'Newton':>20}  {f'gradient descent (lr {args.lr:g})':>30}")
    for step, (x_newton, x_descent) in enumerate(rows):
        print(f"{step:>4}  {x_newton:>20.15f}  {x_descent:>30.15f}")
    print(
        "\nNewton's error roughly squares at each step once it is close; gradient descent's"
        "\nshrinks by a constant factor, and a larger lr would overshoot where f is steep."
    )
    draw_if_asked(slope, args.graph)


if __name__ == "__main__":
    main()
