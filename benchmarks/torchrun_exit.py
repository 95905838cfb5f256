"""How often the README's torchrun program aborts at exit, with and without its last line.

    python -m benchmarks.torchrun_exit [RUNS]

Not a timing: it counts. PyTorch 2.13 with gloo can abort a process after its work is done,
while Python shuts down and a gloo worker thread still frees the last backward's job
(pytorch/pytorch#117762); the README program ends with ``os._exit(0)`` to leave without that
shutdown. This script runs the program as the README has it and the same program without that
line, taking turns, RUNS times each (default 40), with two busy processes beside them (the race
shows on a loaded machine, as in CI), and prints how many runs of each failed. Every run works
in its own temporary folder. Needs torch.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXIT_LINE = "os._exit(0)"


def readme_program() -> str:
    """The README's ``train_ddp.py``, as written there.

    >>> readme_program().startswith("# train_ddp.py")
    True
    """
    blocks = re.findall(r"```python\n(.+?)```", (ROOT / "README.md").read_text(), re.S)
    (program,) = [block for block in blocks if block.startswith("# train_ddp.py")]
    return program


def without_exit_line(program: str) -> str:
    """``program`` ending as Python programs usually do: no ``os._exit(0)`` line.

    >>> without_exit_line("a\\nos._exit(0)  # why\\n")
    'a\\n'
    """
    lines = program.splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(EXIT_LINE)]
    if len(kept) != len(lines) - 1:
        raise ValueError(f"expected exactly one line starting with {EXIT_LINE!r}")
    return "".join(kept)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def torchrun_command(script: str) -> list[str]:
    """torchrun as the README runs it, with the rendezvous pinned to 127.0.0.1.

    (Instead of ``--standalone``'s localhost, so that nothing leaves this machine.)
    """
    return [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nnodes=1",
        "--nproc-per-node=2",
        "--master-addr=127.0.0.1",
        f"--master-port={_free_port()}",
        script,
    ]


def torchrun_environment() -> dict[str, str]:
    """The environment for the workers: tracegrad importable, gloo on the loopback interface."""
    return dict(os.environ, PYTHONPATH=str(ROOT), GLOO_SOCKET_IFNAME="lo", OMP_NUM_THREADS="1")


def _run_once(program: str, timeout: float) -> tuple[bool, str]:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "train_ddp.py").write_text(program)
        try:
            done = subprocess.run(
                torchrun_command("train_ddp.py"),
                cwd=folder,
                env=torchrun_environment(),
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return False, "timed out"
        aborted = "terminate called" in done.stderr
        return done.returncode == 0, "aborted at exit" if aborted else done.stderr[-300:]


def _busy() -> None:
    while True:
        pass


def main(runs: int = 40) -> None:
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        print("torch is not installed: pip install torch==2.13.0")
        return
    programs = {"as in the README": readme_program()}
    programs["without os._exit(0)"] = without_exit_line(programs["as in the README"])
    failures: dict[str, list[str]] = {name: [] for name in programs}
    loaders = [multiprocessing.Process(target=_busy, daemon=True) for _ in range(2)]
    for loader in loaders:
        loader.start()
    try:
        for run in range(runs):
            for name, program in programs.items():
                ok, why = _run_once(program, timeout=300)
                if not ok:
                    failures[name].append(why)
            print(f"\r{run + 1}/{runs} runs each", end="", flush=True)
    finally:
        for loader in loaders:
            loader.terminate()
    print()
    for name, whys in failures.items():
        reasons = sorted(set(whys))
        print(f"{name:>22}: {len(whys)} of {runs} runs failed" + (f" ({reasons})" if whys else ""))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
