"""PyTorch's "Learning PyTorch with Examples" polynomial programs run on tracegrad with only
their imports changed (tests/interop/programs/, see tests/programs.py): Tensors and autograd,
a custom autograd Function (LegendrePolynomial3), nn, optim, a custom Module and the dynamic
net. Each fits a polynomial to sin(x) on [−π, π] and prints its loss every 100 steps.

With torch installed, each also runs as PyTorch's program, and the two agree: exactly (to float32
rounding) for the custom Function, whose starting values are fixed; for the programs that start
from random numbers, once both sides draw PyTorch's numbers (tests/programs.py,
``torchs_random_numbers``); the nn programs' layers start from their own initialisations, so
there the fits agree where the problem has one answer.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import HAS_TORCH
from programs import IMPORTS, printed_numbers, run, torchs_random_numbers

import autograd

needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="torch is an optional peer")

#: The least-squares cubic for sin on [−π, π] that the programs approach: y = a + bx + cx² + dx³.
LEAST_SQUARES = {"b": 0.857, "d": -0.0933}


def losses(printed: str) -> list[float]:
    return [float(line.split()[1]) for line in printed.splitlines() if line[:1].isdigit()]


def decreasing(values: list[float]) -> bool:
    return all(later <= earlier * 1.0001 for earlier, later in zip(values, values[1:]))


def test_custom_function_program_matches_pytorch_exactly(tmp_path: Path) -> None:
    printed, ours = run("polynomial_custom_function", tmp_path)
    curve = losses(printed)
    assert len(curve) == 20 and decreasing(curve) and curve[-1] < 9.0
    assert printed.splitlines()[-1].startswith("Result: y = ")
    y_pred = ours["y_pred"]
    assert y_pred.op.name == "add" and y_pred.parents[1].parents[1].op.name == "LegendrePolynomial3"
    if HAS_TORCH:
        theirs_printed, theirs = run("polynomial_custom_function", tmp_path, library="torch")
        np.testing.assert_allclose(curve, losses(theirs_printed), rtol=2e-6)
        for name in "bd":
            assert ours[name].item() == pytest.approx(theirs[name].item(), rel=1e-6)
        for name in "ac":  # both essentially 0: only rounding left
            assert abs(ours[name].item()) < 1e-7 and abs(theirs[name].item()) < 1e-7


@pytest.mark.parametrize("program", ["polynomial_autograd", "polynomial_module"])
def test_programs_from_random_starting_values_fit_the_same_cubic(
    program: str, tmp_path: Path
) -> None:
    autograd.manual_seed(0)
    printed, ours = run(program, tmp_path)
    curve = losses(printed)
    assert len(curve) == 20 and decreasing(curve[5:])
    if HAS_TORCH:
        with torchs_random_numbers(seed=0):
            printed, ours = run(program, tmp_path)
        theirs_printed, _ = run(program, tmp_path, library="torch")
        np.testing.assert_allclose(losses(printed), losses(theirs_printed), rtol=1e-5)


@pytest.mark.parametrize("program", ["polynomial_nn", "polynomial_optim"])
def test_nn_and_optim_programs_fit_the_cubic(program: str, tmp_path: Path) -> None:
    printed, ours = run(program, tmp_path)
    weight = ours["linear_layer"].weight
    assert weight.shape == (1, 3) and ours["xx"].shape == (2000, 3)
    b, d = weight[:, 0].item(), weight[:, 2].item()
    assert d == pytest.approx(LEAST_SQUARES["d"], abs=0.01)
    assert b == pytest.approx(LEAST_SQUARES["b"], abs=0.05)
    if HAS_TORCH:
        theirs_printed, theirs = run(program, tmp_path, library="torch")
        their_weight = theirs["linear_layer"].weight.detach().numpy()
        assert their_weight[0, 2] == pytest.approx(d, abs=0.01)
        assert losses(printed)[-1] == pytest.approx(losses(theirs_printed)[-1], rel=0.3)


def test_dynamic_net_program_runs_and_its_loss_falls(tmp_path: Path) -> None:
    import random

    random.seed(0)
    shorter = {"range(30000)": "range(4000)"}
    printed, ours = run("dynamic_net", tmp_path, replace=shorter)
    curve = losses(printed)
    assert len(curve) == 2 and curve[-1] < curve[0]
    assert set(dict(ours["model"].named_parameters())) == set("abcde")
    if HAS_TORCH:
        random.seed(0)
        with torchs_random_numbers(seed=0):
            printed, _ = run("dynamic_net", tmp_path, replace=shorter)
        random.seed(0)
        theirs_printed, _ = run("dynamic_net", tmp_path, library="torch", replace=shorter)
        np.testing.assert_allclose(losses(printed), losses(theirs_printed), rtol=1e-4)


@needs_torch
def test_the_printed_results_read_the_same(tmp_path: Path) -> None:
    printed, _ = run("polynomial_custom_function", tmp_path)
    theirs, _ = run("polynomial_custom_function", tmp_path, library="torch")
    assert [line.split()[0] for line in printed.splitlines()] == [
        line.split()[0] for line in theirs.splitlines()
    ]
    assert printed_numbers(printed)[:-1] == pytest.approx(printed_numbers(theirs)[:-1], rel=2e-6)


def _import_forms(cell: str) -> list[str]:
    """The imports one cell of the README's table stands for: forms split by " / ", and
    ``from m import A`` (`B`, `C`) for the same import of A, B and C."""
    forms = []
    for form in cell.split(" / "):
        written, _, others = form.partition(" (")
        written = written.strip("`")
        forms.append(written)
        module = written.rsplit(" ", 1)[0]
        forms += [f"{module} {name.strip(' `)')}" for name in others.split(",") if others]
    return forms


def test_the_readmes_import_table_is_the_one_the_programs_are_transcribed_with() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    rows: dict[str, str] = {}
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`") and "import" in cells[0]:
            theirs, ours = _import_forms(cells[0]), _import_forms(cells[1])
            for index, form in enumerate(theirs):
                rows[form] = ours[min(index, len(ours) - 1)] if len(ours) > 1 else ours[0]
    assert {theirs: rows.get(theirs) for theirs, _ in IMPORTS} == dict(IMPORTS)
