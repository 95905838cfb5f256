"""Every demo runs, and prints or returns the numbers its docstring promises."""

from __future__ import annotations

import math

import numpy as np
import pytest

from demos import (
    activations,
    and_gate,
    and_gate_mlp,
    chain_rule,
    loan_approval,
    neuron,
    perceptron,
    xor,
    xor_from_scratch,
)


def test_chain_rule(capsys) -> None:
    result = chain_rule.run()
    assert result == {"y": 7.0, "loss": 4.0, "dloss_dy": 4.0, "dloss_dw": 8.0, "w_new": 2.92}
    chain_rule.main([])
    out = capsys.readouterr().out
    assert "computed 8.0   (tutorial printed 8.0: same)" in out
    assert "computed 2.92   (tutorial printed 2.92: same)" in out
    assert "dloss/dw = dloss/d(w · x) · d(w · x)/dw = 4 · x = 4 · 2 = 8" in out


def test_neuron(capsys) -> None:
    result = neuron.run()
    assert result["output"] == 0.6456563062257954
    assert result["dw2"] == 0.0 and result["dw1"] == pytest.approx(0.6456563 * (1 - 0.6456563))
    neuron.main([])
    assert "Output: 0.6456563062257954" in capsys.readouterr().out


def test_loan_approval(capsys) -> None:
    result = loan_approval.run()
    assert result["z"] == pytest.approx(1.0, abs=1e-15)
    assert round(result["approval"], 2) == 0.73
    assert result["d_salary"] > result["d_credit_score"] > result["d_age"] > 0
    loan_approval.main([])
    assert "approval rounded to 2 places: computed 0.73" in capsys.readouterr().out


def test_perceptron_learns_and_and_or_but_not_xor(capsys) -> None:
    assert perceptron.train("AND").learned and perceptron.train("OR").learned
    xor_run = perceptron.train("XOR", max_epochs=200)
    assert not xor_run.learned and xor_run.epochs == 200
    assert perceptron.step_gradient() == 0.0
    perceptron.main([])
    out = capsys.readouterr().out
    assert "XOR: NOT learned" in out and "AND: learned" in out


def test_and_gate_engine_reproduces_the_tutorials_code_not_its_printout(capsys) -> None:
    result = and_gate.run()
    ours, numpy_run = result["predictions"], result["numpy_predictions"]
    assert ours == pytest.approx(numpy_run, abs=1e-12)
    assert result["bias"] == pytest.approx(result["numpy_bias"], abs=1e-9)
    assert [round(p, 4) for p in ours] == [0.0, 0.0235, 0.0235, 0.9721]
    assert [round(p) for p in ours] == [0, 0, 0, 1]
    assert max(abs(a - b) for a, b in zip(ours, and_gate.TUTORIAL_PREDICTIONS)) > 0.01
    assert result["closest_distance"] > 0.01  # no epoch count reproduces the printout
    and_gate.main([])
    out = capsys.readouterr().out
    assert "the printed numbers do not" in out and "0.9338" in out and "0.9721" in out


def test_and_gate_mlp_rounds_to_and() -> None:
    result = and_gate_mlp.run()
    assert result["rounded"] == [0.0, 0.0, 0.0, 1.0]
    assert result["losses"][-1] < result["losses"][0]


def test_xor_every_prediction_within_005(capsys) -> None:
    result = xor.run()
    assert result["worst"] < 0.05
    assert [epoch for epoch, _ in result["log"]] == [0, 200, 400, 600, 800]
    xor.main([])
    assert "Every prediction is within" in capsys.readouterr().out


def test_xor_from_scratch_stalls_at_one_half_and_shows_why() -> None:
    result = xor_from_scratch.run()
    assert all(abs(p - 0.5) < 1e-3 for p in result["predictions"])
    last_epoch, mse, grad_w1, grad_w2 = result["log"][-1]
    assert last_epoch == 900 and mse == pytest.approx(0.25, abs=1e-6)
    assert grad_w1 < 1e-6 and grad_w2 < 1e-6
    assert result["hidden_spread"] < 0.02


def test_xor_from_scratch_with_larger_weights_learns() -> None:
    result = xor_from_scratch.run(epochs=5000, scale=1.0)
    assert all(abs(p - y) < 0.1 for p, y in zip(result["predictions"], xor_from_scratch.Y))


def test_activations_slopes_match_their_formulas(tmp_path) -> None:
    results = activations.table([-1.0, 0.0, 2.0])
    sig = [1 / (1 + math.exp(1.0)), 0.5, 1 / (1 + math.exp(-2.0))]
    assert [v for v, _ in results["sigmoid"]] == pytest.approx(sig)
    assert [d for _, d in results["sigmoid"]] == pytest.approx([s * (1 - s) for s in sig])
    assert [d for _, d in results["relu"]] == [0.0, 0.0, 1.0]
    assert [d for _, d in results["tanh"]] == pytest.approx(
        [1 - math.tanh(x) ** 2 for x in (-1, 0, 2)]
    )
    assert [d for _, d in results["leaky_relu"]] == [0.01, 0.01, 1.0]
    probabilities, slopes = activations.softmax_table([1.0, 2.0, 3.0])
    assert sum(probabilities) == pytest.approx(1.0)
    assert slopes == pytest.approx([p * (1 - p) for p in probabilities])
    written = activations.plot(str(tmp_path / "act.png"))
    if written is not None:
        assert (tmp_path / "act.png").read_bytes()[:4] == b"\x89PNG"


def test_digits_reaches_the_seeds_accuracy(capsys, tmp_path) -> None:
    from demos import digits

    result = digits.run()
    assert result["accuracy"] >= digits.SEED_ACCURACY
    assert all(digits.run(seed=seed)["reached_at"] is not None for seed in range(6))
    losses = [e.loss for e in result["epochs"]]
    assert losses[-1] < losses[0] / 10
    digits.main(["--epochs", "3", "--png", str(tmp_path / "grid.png")])
    out = capsys.readouterr().out
    assert "Linear(in_features=64, out_features=50, bias=True)" in out
    assert "Sample prediction:" in out and "pred " in out and "@" in out
    assert "The seed's own scikit-learn program, run here: " in out
    assert (tmp_path / "grid.png").read_bytes()[:4] == b"\x89PNG"


def test_ascii_digits_draws_pixels_as_shades() -> None:
    from demos.digits import ascii_digits

    image = np.zeros(64)
    image[0], image[9] = 1.0, 0.5
    lines = ascii_digits(image[None], ["x"]).splitlines()
    assert lines[0].startswith("@@") and lines[1][2:4] == "==" and len(lines) == 9  # 0.5 → "="


def test_simple_nn_xor_port_learns_xor_with_seed_0(capsys) -> None:
    from demos import simple_nn_xor

    result = simple_nn_xor.run(0)
    assert simple_nn_xor.learned(result["predictions"])
    assert result["losses"][-1] < 0.01 < result["losses"][0]
    out = capsys.readouterr().out
    assert "Epoch 0, Loss:" in out and "Epoch 900, Loss:" in out and "Predictions:" in out


def test_and_network_port_rounds_to_and(capsys) -> None:
    from demos import and_network

    assert and_network.run(0)["rounded"].tolist() == [[0.0], [0.0], [0.0], [1.0]]
    and_network.main([])
    assert "tensor([[0.],\n        [0.],\n        [0.],\n        [1.]])" in capsys.readouterr().out


def test_the_tour_narrates_trains_and_writes_its_pictures(capsys, tmp_path) -> None:
    from conftest import HAS_DOT

    from demos.__main__ import main

    main(["--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "1. The chain rule, narrated" in out and "dloss/dw" in out
    assert "sigmoid([1, 0] · [0.5, -0.5] + 0.1) = 0.6456563062257954" in out
    assert "What to try next" in out
    suffix = ".svg" if HAS_DOT else ".dot"
    lesson = {"chain_rule.html"} if HAS_DOT else set()  # the page draws its graph with dot
    assert {p.name for p in tmp_path.iterdir()} == {
        f"{n}{suffix}" for n in ("chain_rule", "neuron", "xor")
    } | lesson
    if HAS_DOT:
        assert f"{tmp_path / 'chain_rule.html'}: open it in a browser" in out


def _svg_grads(path) -> dict[str, str]:
    """Each value box's name and its grad, read from the text of a rendered SVG."""
    import re

    texts = re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text(encoding="utf-8"))
    texts = [t.replace("&#45;", "-") for t in texts]
    return {
        texts[i - 3]: texts[i + 1]
        for i, t in enumerate(texts)
        if t == "grad" and i >= 3 and texts[i - 2] == "data"
    }


def test_chain_rule_graph_shows_the_grads_the_terminal_printed(capsys, tmp_path) -> None:
    from conftest import require_dot

    require_dot()
    path = tmp_path / "chain_rule.svg"
    chain_rule.main(["--graph", str(path)])
    assert "dloss/dw = 8" in capsys.readouterr().out
    grads = _svg_grads(path)
    assert (grads["w"], grads["x"], grads["b"]) == ("8", "12", "4")
    assert {p.name for p in tmp_path.iterdir()} == {"chain_rule.svg"}  # no stray source


def test_the_tours_pictures_are_drawn_after_backward(capsys, tmp_path) -> None:
    from conftest import require_dot

    from demos.__main__ import main

    require_dot()
    main(["--out", str(tmp_path)])
    capsys.readouterr()
    grads = _svg_grads(tmp_path / "chain_rule.svg")
    assert (grads["w"], grads["x"], grads["b"]) == ("8", "12", "4")
    neuron_grads = _svg_grads(tmp_path / "neuron.svg")
    assert neuron_grads and any(g != "0" for g in neuron_grads.values())


def test_chain_rule_steps_take_a_format_and_are_all_one_size(capsys, tmp_path) -> None:
    import struct

    from conftest import require_dot

    require_dot()
    chain_rule.main(["--steps", str(tmp_path), "--steps-format", "png"])
    assert "8 step pictures written" in capsys.readouterr().out  # the start, then 7 steps
    sizes = {struct.unpack(">II", p.read_bytes()[16:24]) for p in tmp_path.glob("step_*.png")}
    assert len(list(tmp_path.iterdir())) == 8 and len(sizes) == 1


def test_without_graphviz_the_tour_says_its_hint_once(capsys, tmp_path, monkeypatch) -> None:
    from autograd.pictures.render import INSTALL_HINT
    from demos.__main__ import main

    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    main(["--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert (captured.out + captured.err).count(INSTALL_HINT) == 1
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        f"{name}.dot" for name in ("chain_rule", "neuron", "xor")
    }
