"""The README's torchrun program runs as written: two processes, gloo, on this machine only."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import needs_torch

import autograd
import nn

ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT = 300  # seconds for the whole run, start-up of both processes included


def _program() -> str:
    blocks = re.findall(r"```python\n(.+?)```", (ROOT / "README.md").read_text(), re.S)
    (program,) = [b for b in blocks if b.startswith("# train_ddp.py")]
    return program


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@needs_torch
@pytest.mark.skipif(os.name != "posix", reason="gloo on the loopback interface, as on Linux CI")
def test_the_readme_torchrun_program_trains_on_two_processes(tmp_path: Path) -> None:
    pytest.importorskip("torch.distributed")
    (tmp_path / "train_ddp.py").write_text(_program())
    # torchrun as the README runs it, with the rendezvous pinned to 127.0.0.1 (instead of
    # --standalone's localhost) and gloo kept on the loopback interface: nothing leaves
    # this machine.
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nnodes=1",
        "--nproc-per-node=2",
        "--master-addr=127.0.0.1",
        f"--master-port={_free_port()}",
        "train_ddp.py",
    ]
    env = dict(os.environ, PYTHONPATH=str(ROOT), GLOO_SOCKET_IFNAME="lo", OMP_NUM_THREADS="1")
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=env,
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
