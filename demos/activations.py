"""Activation functions and their derivatives, both taken by the engine (seeds 001 and 004).

sigmoid, relu, tanh and leaky_relu on the inputs −3 … 3, each with its slope from backward,
and softmax over the same inputs. Draws a plot when matplotlib is installed.

    python -m demos.activations [--plot out/activations.png] [--graph out/activations.svg]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import nn
from autograd import Value
from demos._common import draw_if_asked, heading, parser, pyplot, save_figure

INPUTS = [-3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0]
FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "tanh": Value.tanh,
    "leaky_relu": Value.leaky_relu,
}


def value_and_slope(name: str, x: float) -> tuple[float, float]:
    """f(x) and f'(x), the slope from backward."""
    leaf = Value(x, "x")
    out = FUNCTIONS[name](leaf)
    out.backward()
    return out.data, leaf.grad


def table(inputs: Sequence[float] = INPUTS) -> dict[str, list[tuple[float, float]]]:
    """For every function, (value, slope) at every input."""
    return {name: [value_and_slope(name, x) for x in inputs] for name in FUNCTIONS}


def softmax_table(inputs: Sequence[float] = INPUTS) -> tuple[list[float], list[float]]:
    """softmax over the inputs, and ∂pᵢ/∂xᵢ = pᵢ(1 − pᵢ) from backward for each i."""
    probabilities, slopes = [], []
    for i in range(len(inputs)):
        leaves = [Value(x, f"x{j + 1}") for j, x in enumerate(inputs)]
        p = nn.softmax(leaves)[i]
        p.backward()
        probabilities.append(p.data)
        slopes.append(leaves[i].grad)
    return probabilities, slopes


def plot(path: str) -> str | None:
    """Draw the four functions and their slopes to ``path``; None without matplotlib."""
    plt = pyplot()
    if plt is None:
        return None
    xs = [i / 20 for i in range(-100, 101)]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    for ax, name in zip(axes.flat, FUNCTIONS):
        values = [value_and_slope(name, x) for x in xs]
        ax.plot(xs, [v for v, _ in values], label=name)
        ax.plot(xs, [s for _, s in values], "--", label="slope (from backward)")
        ax.set_title(name)
        ax.grid(True)
        ax.legend()
    return save_figure(fig, path)


def main(argv: Sequence[str] | None = None) -> None:
    p = parser("activations", __doc__)
    p.add_argument("--plot", metavar="PATH", default="out/activations.png", help="where to plot")
    p.add_argument("--no-plot", action="store_true", help="do not draw the plot")
    args = p.parse_args(argv)
    print(heading("Activation functions and their slopes, from backward"))
    print("x      " + "".join(f"{name:>22}" for name in FUNCTIONS))
    results = table()
    for i, x in enumerate(INPUTS):
        cells = "".join(
            f"{results[n][i][0]:>10.4f} (d {results[n][i][1]:>7.4f})" for n in FUNCTIONS
        )
        print(f"{x:>5}  {cells}")
    probabilities, slopes = softmax_table()
    print("\nsoftmax over all nine inputs (they sum to 1), with ∂pᵢ/∂xᵢ from backward:")
    for x, prob, slope in zip(INPUTS, probabilities, slopes):
        print(f"  x = {x:>5}: p = {prob:.4f}   ∂p/∂x = {slope:.4f}")
    print(f"  sum of p = {sum(probabilities):.6f}")
    print(
        "\nsigmoid's slope is at most 0.25 and vanishes for large |x|; tanh's at most 1; relu's"
        "\nis 0 or 1 (0 at x = 0 here, as in PyTorch); leaky_relu keeps 0.01 below zero."
    )
    if not args.no_plot:
        written = plot(args.plot)
        print(f"\nplot written to {written}" if written else "\n(install matplotlib for a plot)")
    x = Value(0.5, "x")
    together = Value.sum([f(x) for f in FUNCTIONS.values()])
    together.label = "sum"
    draw_if_asked(together, args.graph)


if __name__ == "__main__":
    main()
