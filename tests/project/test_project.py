"""The project's promises about itself: README commands and CI agree."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme_commands() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", (ROOT / "README.md").read_text())


def test_ci_runs_exactly_the_readme_test_command() -> None:
    commands = _readme_commands()
    test_command = next(c for c in commands if "pytest" in c)
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines


def test_readme_demo_command_runs_the_demos_package() -> None:
    demo_command = _readme_commands()[0]
    assert demo_command.endswith("-m demos")


def test_readme_examples_are_true() -> None:
    import doctest

    text = (ROOT / "README.md").read_text()
    blocks = [b for b in re.findall(r"```python\n(.+?)```", text, re.S) if b.startswith(">>>")]
    assert len(blocks) >= 3
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for number, block in enumerate(blocks):
        runner.run(parser.get_doctest(block, {}, f"README block {number}", "README.md", 0))
    assert runner.summarize(verbose=False).failed == 0


def test_no_merge_conflict_is_left_in_a_tracked_file() -> None:
    import subprocess

    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    left = []
    for name in tracked:
        path = ROOT / name
        if path.suffix not in {".py", ".md", ".toml", ".js", ".html", ".css", ".txt", ""}:
            continue
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        left += [f"{name}:{i}" for i, line in enumerate(lines, 1) if line.startswith("<<<<<<< ")]
    assert left == []
