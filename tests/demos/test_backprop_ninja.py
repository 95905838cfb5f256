"""demos.backprop_ninja: makemore part 4's backward by hand on Tensors, checked in one call."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import needs_torch

from autograd import check
from demos import backprop_ninja


def test_the_hand_written_backward_is_right_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    report = backprop_ninja.main([])
    assert report.ok and len(report.answers) == len(backprop_ninja.CHECKED) == 26
    out = capsys.readouterr().out
    assert "48 words, " in out and "check: all 26 right" in out
    assert "✓ dloss/dbnvar_inv [1×64]: every entry right" in out  # the learner's names


@pytest.mark.parametrize(
    ("mistake", "first", "cause"),
    [
        ("path", "counts", "the path through counts_sum is left out"),
        ("bessel", "bndiff2", "the local derivative is wrong"),
        ("broadcast", "bnmeani", "yours has shape [32×64], but bnmeani is [1×64]"),
    ],
)
def test_each_classic_mistake_is_found_where_it_was_made(
    mistake: str, first: str, cause: str, capsys: pytest.CaptureFixture[str]
) -> None:
    report = backprop_ninja.main(["--mistake", mistake])
    assert not report.ok
    assert report.wrong[0].name == first
    assert cause in report.wrong[0].cause
    # every later wrong answer points up to a wrong one above it, the first at the top
    pointed = {answer.derivative for answer in report.wrong[:-1]}
    for answer in report.wrong[1:]:
        above = answer.cause.split(" above was already wrong")[0].removeprefix("your ")
        assert set(above.split(" and ")) <= pointed
    out = capsys.readouterr().out
    assert f"the first wrong one, in backward order, is dloss/d{first}" in out


def test_a_names_file_the_user_gives(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    words = tmp_path / "names.txt"
    words.write_text("anna\nbob\n\nZOE\nmaximilian\n", encoding="utf-8")
    assert backprop_ninja.main(["--names", str(words), "--seed", "3"]).ok
    # anna. bob. zoe. maximilian.: 24 examples of 11 characters ('.' and a b e i l m n o x z)
    assert "4 words, 24 examples, 11 characters" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="holds no words"):
        empty = tmp_path / "empty.txt"
        empty.write_text("\n", encoding="utf-8")
        backprop_ninja.main(["--names", str(empty)])
    with pytest.raises(SystemExit, match="cannot read"):
        backprop_ninja.main(["--names", str(tmp_path / "missing.txt")])


@needs_torch
def test_torchs_own_gradients_pass_the_same_check() -> None:
    import torch

    words = backprop_ninja.read_words(None)
    X, Y, alphabet = backprop_ninja.dataset(words)
    f = backprop_ninja.forward(X, Y, len(alphabet), seed=42)
    # The same forward pass in PyTorch, from the same numbers, every step kept for its grad.
    t = {
        name: torch.tensor(f[name].detach().numpy(), requires_grad=True)
        for name in ("C", "W1", "b1", "W2", "b2", "bngain", "bnbias")
    }
    Xb, Yb = torch.tensor(f["Xb"].numpy()), torch.tensor(f["Yb"].numpy())
    n = Xb.shape[0]
    steps = {}
    steps["emb"] = t["C"][Xb]
    steps["embcat"] = steps["emb"].view(n, -1)
    steps["hprebn"] = steps["embcat"] @ t["W1"] + t["b1"]
    steps["bnmeani"] = 1 / n * steps["hprebn"].sum(0, keepdim=True)
    steps["bndiff"] = steps["hprebn"] - steps["bnmeani"]
    steps["bndiff2"] = steps["bndiff"] ** 2
    steps["bnvar"] = 1 / (n - 1) * steps["bndiff2"].sum(0, keepdim=True)
    steps["bnvar_inv"] = (steps["bnvar"] + 1e-5) ** -0.5
    steps["bnraw"] = steps["bndiff"] * steps["bnvar_inv"]
    steps["hpreact"] = t["bngain"] * steps["bnraw"] + t["bnbias"]
    steps["h"] = torch.tanh(steps["hpreact"])
    steps["logits"] = steps["h"] @ t["W2"] + t["b2"]
    steps["logit_maxes"] = steps["logits"].max(1, keepdim=True).values
    steps["norm_logits"] = steps["logits"] - steps["logit_maxes"]
    steps["counts"] = steps["norm_logits"].exp()
    steps["counts_sum"] = steps["counts"].sum(1, keepdim=True)
    steps["counts_sum_inv"] = steps["counts_sum"] ** -1
    steps["probs"] = steps["counts"] * steps["counts_sum_inv"]
    steps["logprobs"] = steps["probs"].log()
    for step in steps.values():
        step.retain_grad()
    loss = -steps["logprobs"][range(n), Yb].mean()
    loss.backward()
    assert loss.item() == pytest.approx(f["loss"].item(), rel=1e-5)
    theirs = {**steps, **t}
    answers = {name: theirs[name].grad.numpy() for name in backprop_ninja.CHECKED}
    report = check(f["loss"], answers, names=f)
    assert report.ok, str(report)
    assert all(np.all(np.isfinite(a.right)) for a in report.answers)
