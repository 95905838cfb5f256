"""makemore parts 1-4 (Karpathy's lectures) run on tracegrad with only their imports changed
(tests/interop/programs/, see tests/programs.py), on a names.txt the tests write.

With torch installed each also runs as PyTorch's program. The bigram counts agree exactly;
once both sides draw PyTorch's random numbers (``torchs_random_numbers``), the losses agree
to float32 rounding, the sampled names are the same, and the backprop ninja's ``cmp`` finds
every hand-derived gradient "approximate: True" within 1e-6, as it does on PyTorch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import HAS_TORCH
from programs import run, torchs_random_numbers, write_names

import autograd


def counted_bigrams(names: list[str]) -> np.ndarray:
    letters = sorted(set("".join(names)))
    stoi = {s: i + 1 for i, s in enumerate(letters)} | {".": 0}
    counts = np.zeros((27, 27), dtype=np.int64)
    for name in names:
        chars = [".", *name, "."]
        for a, b in zip(chars, chars[1:]):
            counts[stoi[a], stoi[b]] += 1
    return counts


def sampled_names(printed: str) -> list[str]:
    return [line for line in printed.splitlines() if line.endswith(".") and " " not in line]


def test_part1_bigrams_counts_and_loss(tmp_path: Path) -> None:
    names = write_names(tmp_path)
    printed, ours = run("makemore_part1_bigrams", tmp_path)
    N = ours["N"]
    assert N.dtype == autograd.int32 and (N.numpy() == counted_bigrams(names)).all()
    counts = counted_bigrams(names)
    seen = counts > 0
    nll = -np.log(ours["P"].numpy()[seen]) @ counts[seen]
    assert -ours["log_likelihood"].item() == pytest.approx(nll, rel=1e-5)
    lines = printed.splitlines()
    average = next(i for i, line in enumerate(lines) if line.startswith("nll=")) + 1
    assert float(lines[average]) == pytest.approx(nll / counts.sum(), rel=1e-5)  # f"{nll/n}"
    assert len(sampled_names(printed)) == 10  # the counts' samples and the network's
    if HAS_TORCH:
        with torchs_random_numbers(seed=0):
            printed, ours = run("makemore_part1_bigrams", tmp_path)
        theirs_printed, theirs = run("makemore_part1_bigrams", tmp_path, library="torch")
        assert (ours["N"].numpy() == theirs["N"].numpy()).all()
        assert sampled_names(printed) == sampled_names(theirs_printed)
        for name in ("log_likelihood", "loss"):
            assert ours[name].item() == pytest.approx(theirs[name].item(), rel=1e-6)
        np.testing.assert_allclose(ours["W"].detach().numpy(), theirs["W"].detach().numpy(),
                                   rtol=1e-5, atol=1e-6)  # fmt: skip


def test_part2_mlp_trains_as_pytorchs(tmp_path: Path) -> None:
    write_names(tmp_path)
    shorter = {"range(200000)": "range(300)"}
    printed, ours = run("makemore_part2_mlp", tmp_path, replace=shorter)
    curve = ours["lossi"]
    assert len(curve) == 300 and np.mean(curve[-50:]) < np.mean(curve[:50])
    if HAS_TORCH:
        with torchs_random_numbers(seed=0):
            printed, ours = run("makemore_part2_mlp", tmp_path, replace=shorter)
        _, theirs = run("makemore_part2_mlp", tmp_path, library="torch", replace=shorter)
        # the same start and batches: float32 rounding only, growing slowly with the steps
        np.testing.assert_allclose(ours["lossi"][:20], theirs["lossi"][:20], rtol=1e-5)
        np.testing.assert_allclose(ours["lossi"], theirs["lossi"], atol=5e-3)
        assert ours["loss"].item() == pytest.approx(theirs["loss"].item(), rel=1e-3)


def test_part2_mlp_up_to_training(tmp_path: Path) -> None:
    """The cells before the training loop: the hand-built loss on words[:5]'s 32 examples."""
    write_names(tmp_path)
    no_training = {"range(200000)": "range(0)"}
    _, ours = run("makemore_part2_mlp", tmp_path, replace=no_training)
    assert ours["X"].shape == (32, 3) and ours["prob"].shape == (32, 27)
    if HAS_TORCH:
        with torchs_random_numbers(seed=0):
            _, ours = run("makemore_part2_mlp", tmp_path, replace=no_training)
        _, theirs = run("makemore_part2_mlp", tmp_path, library="torch", replace=no_training)
        assert ours["loss"].item() == pytest.approx(theirs["loss"].item(), rel=1e-5)


def test_part3_batchnorm_trains(tmp_path: Path) -> None:
    write_names(tmp_path)
    shorter = {"max_steps = 200000": "max_steps = 200"}
    printed, ours = run("makemore_part3_bn", tmp_path, replace=shorter)
    assert np.isfinite(ours["lossi"]).all()
    if HAS_TORCH:
        with torchs_random_numbers(seed=0):
            printed, ours = run("makemore_part3_bn", tmp_path, replace=shorter)
        _, theirs = run("makemore_part3_bn", tmp_path, library="torch", replace=shorter)
        np.testing.assert_allclose(ours["lossi"][:10], theirs["lossi"][:10], rtol=1e-4)


def cmp_lines(printed: str) -> list[tuple[str, bool, float]]:
    found = []
    for line in printed.splitlines():
        if "| approximate:" in line:
            name, _, approximate, maxdiff = (part.strip() for part in line.split("|"))
            found.append((name, approximate.split()[-1] == "True", float(maxdiff.split()[-1])))
    return found


def test_part4_backprop_ninja_gradients_match_autograd(tmp_path: Path) -> None:
    """Exercises 1-3: every gradient derived by hand against the one backward() found."""
    write_names(tmp_path)
    no_training = {"max_steps = 200000": "max_steps = 0"}
    printed, ours = run("makemore_part4_backprop", tmp_path, replace=no_training)
    compared = cmp_lines(printed)
    assert len(compared) == 28
    assert all(approximate and maxdiff < 1e-6 for _, approximate, maxdiff in compared), compared
    assert "diff:" in printed and abs(float(printed.split("diff:")[1].split()[0])) < 1e-6
    if HAS_TORCH:
        _, theirs = run("makemore_part4_backprop", tmp_path, library="torch", replace=no_training)
        with torchs_random_numbers(seed=0):
            _, ours = run("makemore_part4_backprop", tmp_path, replace=no_training)
        _, theirs = run("makemore_part4_backprop", tmp_path, library="torch", replace=no_training)
        assert ours["loss"].item() == pytest.approx(theirs["loss"].item(), rel=1e-6)
        np.testing.assert_allclose(
            ours["dC"].detach().numpy(), theirs["dC"].detach().numpy(), atol=1e-7
        )


def test_part4_trains_with_its_own_backward(tmp_path: Path) -> None:
    write_names(tmp_path)
    shorter = {"max_steps = 200000": "max_steps = 200"}
    printed, ours = run("makemore_part4_backprop", tmp_path, replace=shorter)
    assert len(ours["lossi"]) == 200 and np.isfinite(ours["lossi"]).all()
    if HAS_TORCH:
        with torchs_random_numbers(seed=0):
            _, ours = run("makemore_part4_backprop", tmp_path, replace=shorter)
        _, theirs = run("makemore_part4_backprop", tmp_path, library="torch", replace=shorter)
        np.testing.assert_allclose(ours["lossi"][:10], theirs["lossi"][:10], rtol=1e-4)


def test_the_benchmarks_numpy_floor_is_the_same_step_as_tracegrads() -> None:
    # benchmarks/makemore_step.py prints the step done by hand in numpy as the floor under
    # tracegrad's time: it must compute the same losses and updates, or the floor is not one
    from benchmarks.makemore_step import make_problem, numpy_step, tracegrad_step

    X, Y, arrays, batches = make_problem(steps=5)
    ours, by_hand = tracegrad_step(X, Y, arrays, batches), numpy_step(X, Y, arrays, batches)
    for _ in range(5):  # each loss after the first depends on every earlier update
        np.testing.assert_allclose(by_hand(), ours(), rtol=1e-5)
