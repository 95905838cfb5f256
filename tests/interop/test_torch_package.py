"""nn.torch as a package: PyTorch stays optional, and every public path keeps working.

Without torch, tracegrad imports and trains, and each entry point that needs torch says how to
install it. These tests simulate its absence, so they run with torch installed or not.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import nn
import nn.bridge
import nn.torch
from autograd import Tensor

ROOT = Path(__file__).resolve().parents[2]


# --- without torch ------------------------------------------------------------------------


def test_without_torch_each_entry_point_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # what an environment without torch sees
    calls: list[Callable[[], Any]] = [
        lambda: nn.to_torch(nn.Linear(2, 2)),
        lambda: nn.from_torch(object()),
        lambda: Tensor([1.0]).to_torch(),
        lambda: Tensor.from_torch(object()),
        lambda: nn.to_torch_optimizer(nn.optim.SGD([Tensor([1.0])]), nn.Linear(1, 1), object()),
        lambda: nn.from_torch_optimizer(object(), object(), nn.Linear(1, 1)),
    ]
    for call in calls:
        with pytest.raises(
            ImportError, match=r"needs PyTorch, which is not installed: pip install"
        ):
            call()


def test_everything_else_works_without_torch(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["torch"] = None  # import torch now fails, as where it is not installed
        import autograd, nn
        import nn.torch.kinds, nn.torch.translate, nn.torch.convert, nn.torch.optimizers, nn.bridge
        import demos.simple_nn_xor, demos.modern_network
        model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        optimizer = nn.optim.Adam(model.parameters(), lr=0.01)
        loss = nn.MSELoss()(model(autograd.ones(4, 2)), autograd.zeros(4, 1))
        loss.backward()
        optimizer.step()
        for name in ("m.npz", "m.safetensors"):
            nn.save(model.state_dict(), sys.argv[1] + "/" + name)
            model.load_state_dict(nn.load(sys.argv[1] + "/" + name))
        mlp = nn.MLP(2, [2, 1], seed=0)
        mlp([1.0, 2.0]).backward()
        print("ok", sys.modules["torch"])
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok None"


# --- the public names ---------------------------------------------------------------------

PUBLIC = ["to_torch", "from_torch", "to_torch_optimizer", "from_torch_optimizer", "ConversionError"]


@pytest.mark.parametrize("name", PUBLIC)
def test_nn_and_the_old_path_nn_bridge_give_nn_torchs_names(name: str) -> None:
    assert name in nn.__all__
    assert getattr(nn, name) is getattr(nn.torch, name) is getattr(nn.bridge, name)
    assert set(nn.bridge.__all__) == set(nn.torch.__all__)
    assert nn.bridge.parameter_map is nn.torch.parameter_map
