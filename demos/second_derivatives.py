"""The second derivatives of tanh and sigmoid, from autograd, beside their closed forms.

Each curve is taken by differentiating the gradient: ``grad(grad(f(x), x, create_graph=True)
[0], x)``, on one Tensor holding every x at once. The closed forms are
tanh'' = −2·tanh·(1 − tanh²) and σ'' = σ·(1 − σ)·(1 − 2σ).

    python -m demos.second_derivatives [--plot out/second_derivatives.png] [--no-plot]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from autograd import Tensor, grad
from demos._common import draw_if_asked, heading, parser, pyplot, save_figure

Curves = tuple[np.ndarray, np.ndarray, np.ndarray]


def _tanh_forms(x: np.ndarray) -> Curves:
    t = np.tanh(x)
    return t, 1 - t * t, -2 * t * (1 - t * t)


def _sigmoid_forms(x: np.ndarray) -> Curves:
    s = 1 / (1 + np.exp(-x))
    return s, s * (1 - s), s * (1 - s) * (1 - 2 * s)


FUNCTIONS: dict[str, tuple[Callable[[Tensor], Tensor], Callable[[np.ndarray], Curves]]] = {
    "tanh": (Tensor.tanh, _tanh_forms),
    "sigmoid": (Tensor.sigmoid, _sigmoid_forms),
}


def from_autograd(name: str, xs: np.ndarray) -> Curves:
    """f, f' and f'' at every x, the derivatives by grad of grad."""
    x = Tensor(xs, requires_grad=True, dtype=np.float64, label="x")
    y = FUNCTIONS[name][0](x)
    # Σ f(xᵢ) has ∂/∂xᵢ = f'(xᵢ): one grad call gives the whole curve.
    (first,) = grad(y.sum(), x, create_graph=True)
    (second,) = grad(first.sum(), x)
    return y.detach().numpy(), first.detach().numpy(), second.numpy()


def closed_form(name: str, xs: np.ndarray) -> Curves:
    """f, f' and f'' from their formulas."""
    return FUNCTIONS[name][1](xs)


def largest_gap(name: str, xs: np.ndarray) -> float:
    """How far autograd's f'' is from the closed form, at worst."""
    return float(np.max(np.abs(from_autograd(name, xs)[2] - closed_form(name, xs)[2])))


def plot(path: str, xs: np.ndarray) -> str | None:
    """Both functions with f' and f'' (autograd as dots, closed forms as lines); None
    without matplotlib."""
    plt = pyplot()
    if plt is None:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    dots = xs[::8]
    for ax, name in zip(axes, FUNCTIONS):
        exact = closed_form(name, xs)
        ours = from_autograd(name, dots)
        for curve, label, style in zip(exact, ["f", "f′", "f″"], ["-", "--", ":"]):
            ax.plot(xs, curve, style, label=f"{label} closed form")
        for curve, label in zip(ours[1:], ["f′", "f″"]):
            ax.plot(dots, curve, "o", markersize=4, label=f"{label} from autograd.grad")
        ax.set_title(f"{name} and its derivatives")
        ax.grid(True)
        ax.legend(fontsize=8)
    return save_figure(fig, path)


def main(argv: Sequence[str] | None = None) -> None:
    p = parser("second_derivatives", __doc__)
    p.add_argument("--plot", metavar="PATH", default="out/second_derivatives.png")
    p.add_argument("--no-plot", action="store_true", help="do not draw the plot")
    args = p.parse_args(argv)
    print(heading("Second derivatives of tanh and sigmoid: autograd beside the closed forms"))
    xs = np.linspace(-4.0, 4.0, 161)
    table = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0])
    for name in FUNCTIONS:
        ours, exact = from_autograd(name, table)[2], closed_form(name, table)[2]
        print(f"\n{name}''(x):   x      autograd        closed form")
        for x, a, b in zip(table, ours, exact):
            print(f"          {x:>5.1f}  {a:>14.10f}  {b:>14.10f}")
        print(f"  largest difference over [-4, 4]: {largest_gap(name, xs):.1e}")
    if not args.no_plot:
        written = plot(args.plot, xs)
        print(f"\nplot written to {written}" if written else "\n(install matplotlib for a plot)")
    x = Tensor([0.5], requires_grad=True, dtype=np.float64, label="x")
    y = x.tanh().sum()
    y.label = "y"
    draw_if_asked(grad(y, x, create_graph=True)[0], args.graph)


if __name__ == "__main__":
    main()
