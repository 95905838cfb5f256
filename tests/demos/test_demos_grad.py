"""The demos of gradients of gradients: Newton's method, a Hessian, second-derivative curves."""

from __future__ import annotations

import math

import numpy as np
import pytest

from demos import hessian, newton, second_derivatives


def test_newton_converges_quadratically_and_beats_gradient_descent(capsys) -> None:
    xs = newton.newton(4.0, 8)
    errors = [abs(x - newton.MINIMUM) for x in xs]
    assert errors[-1] < 1e-12
    # Close to the minimum each error is about a constant times the square of the last.
    assert errors[5] < 10 * errors[4] ** 2
    descent = newton.gradient_descent(4.0, 8, 0.01)
    assert abs(descent[-1] - newton.MINIMUM) > 1e-3 and descent[-1] < descent[0]
    newton.main(["--steps", "3"])
    out = capsys.readouterr().out
    assert "df/dx = 112, d²f/dx² = 120" in out  # 4x³ − 9x² and 12x² − 18x at x = 4
    assert "df/dx = t1 + (4 · x^3)" in out


def test_newton_refuses_a_flat_point() -> None:
    with pytest.raises(ZeroDivisionError, match="f''"):
        newton.newton(0.0, 1)  # f'' = 12x² − 18x is 0 at 0


def test_hessian_matches_finite_differences_and_the_closed_form(capsys) -> None:
    x, y = 0.5, -1.2
    rows, firsts = hessian.hessian([x, y])
    e = math.exp(x * y)
    exact = [
        [6 * x * y**2 + y * y * e, 6 * x**2 * y + e + x * y * e],
        [6 * x**2 * y + e + x * y * e, 2 * x**3 + x * x * e - 12 * y**2],
    ]
    np.testing.assert_allclose(rows, exact, rtol=1e-12)
    np.testing.assert_allclose(rows, hessian.finite_differences([x, y]), rtol=1e-6)
    np.testing.assert_allclose(hessian.tensor_hessian([x, y]), exact, rtol=1e-12)
    assert [g.label for g in firsts] == ["df/dx", "df/dy"]
    hessian.main([])
    assert "the same Hessian on a Tensor v = (x, y): equal" in capsys.readouterr().out


def test_second_derivatives_match_closed_forms_and_plot(tmp_path, capsys) -> None:
    xs = np.linspace(-4, 4, 41)
    for name in second_derivatives.FUNCTIONS:
        ours = second_derivatives.from_autograd(name, xs)
        exact = second_derivatives.closed_form(name, xs)
        for a, b in zip(ours, exact):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    path = tmp_path / "plots" / "second.png"
    second_derivatives.main(["--plot", str(path)])
    out = capsys.readouterr().out
    assert "largest difference over [-4, 4]" in out
    if "install matplotlib" not in out:  # matplotlib is an optional extra (demos)
        assert path.read_bytes()[:4] == b"\x89PNG"


def test_the_demos_draw_their_gradient_graphs(tmp_path) -> None:
    for demo, name in [(newton, "n"), (hessian, "h"), (second_derivatives, "s")]:
        path = tmp_path / f"{name}.dot"
        args = ["--graph", str(path)]
        if demo is second_derivatives:
            args += ["--no-plot"]
        demo.main(args)
        assert "/d" in path.read_text()
