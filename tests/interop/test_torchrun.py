"""The README's torchrun program runs as written: two processes, gloo, on this machine only."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import needs_torch

import autograd
import nn
from benchmarks.torchrun_exit import (
    readme_program,
    torchrun_command,
    torchrun_environment,
    without_exit_line,
)

TIME_LIMIT = 300  # seconds for the whole run, start-up of both processes included


@needs_torch
@pytest.mark.skipif(os.name != "posix", reason="gloo on the loopback interface, as on Linux CI")
def test_the_readme_torchrun_program_trains_on_two_processes(tmp_path: Path) -> None:
    pytest.importorskip("torch.distributed")
    (tmp_path / "train_ddp.py").write_text(readme_program())
    process = subprocess.Popen(
        torchrun_command("train_ddp.py"),  # nothing leaves this machine (see there)
        cwd=tmp_path,
        env=torchrun_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # so a hung run is stopped with all its workers
    )
    try:
        out, err = process.communicate(timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"torchrun did not finish within {TIME_LIMIT} s")
    assert process.returncode == 0, err
    losses = dict(re.findall(r"rank (\d): loss (\d+\.\d+)", out))
    assert sorted(losses) == ["0", "1"], out
    # Back in tracegrad: the weights the two processes trained together.
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    model.load_state_dict(nn.load(tmp_path / "trained.safetensors"))
    x = np.random.default_rng(0).standard_normal((1000, 2)).astype(np.float32)
    predictions = model(autograd.Tensor(x)).detach().numpy()[:, 0] > 0
    accuracy = float(np.mean(predictions == (x.sum(1) > 0)))
    assert accuracy > 0.95, (accuracy, out)


def test_the_readme_program_leaves_without_pythons_shutdown() -> None:
    # The program's last line sidesteps PyTorch's abort at exit (README, "Why os._exit(0)");
    # benchmarks/torchrun_exit.py counts the aborts with and without it.
    program = readme_program()
    assert program.rstrip().splitlines()[-1].startswith("os._exit(0)")
    assert "flush=True" in program  # os._exit would drop output still in a buffer
    assert "os._exit" not in without_exit_line(program)
