"""The backward pass as a quiz: the questions, the verdicts, and ``tracegrad quiz`` typed at
in a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from pathlib import Path

import pytest

from autograd import Tensor, Value
from autograd.engine.graph import topological_order
from autograd.tools.quiz import questions, run_quiz

ROOT = Path(__file__).resolve().parents[2]


def neuron() -> Value:
    x, w, b = Value(2.0, "x"), Value(3.0, "w"), Value(1.0, "b")
    y = w * x + b
    y.label = "y"
    loss = (y - 5) ** 2
    loss.label = "loss"
    return loss


def test_each_step_is_asked_with_its_contribution() -> None:
    loss = neuron()
    asked = questions(loss)
    assert [q.prompt for q in asked] == [
        "dloss/d(y − 5) = ?",
        "dloss/dy = dloss/d(y − 5) · d(y − 5)/dy = ?",
        "dloss/d(w · x) = dloss/dy · dy/d(w · x) = ?",
        "dloss/db = dloss/dy · dy/db = ?",
        "dloss/dw = dloss/d(w · x) · d(w · x)/dw = ?",
        "dloss/dx = dloss/d(w · x) · d(w · x)/dx = ?",
    ]
    assert [q.answer for q in asked] == [4.0, 4.0, 4.0, 4.0, 8.0, 12.0]
    assert all(node.grad == 0.0 for node in topological_order(loss))  # nothing changed


def test_a_wrong_answer_names_the_wrong_factor() -> None:
    dw = questions(neuron())[4]
    assert dw.judge(8.0).right and dw.judge(8.004).right  # 3 significant digits
    local = dw.judge(12.0)
    assert (local.right, local.wrong_factor) == (False, "local")
    assert local.text == (
        "yours 12, right 8: dloss/d(w · x) · d(w · x)/dw = 4 · 2 = 8; the local factor "
        "d(w · x)/dw = x = 2, and your number means 3"
    )
    upstream = dw.judge(2.0)  # the local derivative alone
    assert upstream.wrong_factor == "upstream"
    assert upstream.text.endswith(
        "the upstream factor dloss/d(w · x) is 4: your number is the local derivative alone"
    )
    assert dw.judge(-8.0).text.endswith("your sign is flipped")
    assert dw.judge(4.0).text.endswith("you passed the upstream on unchanged")


def test_a_gradient_by_several_paths_is_summed_with_the_numbers() -> None:
    x = Value(3.0, "x")
    t = x * x + x
    t.label = "t"
    asked = questions(t)
    into_x = [q for q in asked if q.step.input is x]
    assert [q.path for q in into_x] == [(1, 3), (2, 3), (3, 3)]
    assert into_x[0].prompt == "dt/dx += ?  (path 1 of 3)"
    assert into_x[2].sum_text() == "x is used 3 times: path 3 adds 3, so dt/dx = 1 + 3 + 3 = 7"
    assert into_x[1].sum_text().endswith("dt/dx = 1 + 3 = 4 so far (1 more to come)")
    assert "is the whole dt/dx, all 3 paths added" in into_x[0].judge(7.0).text
    assert "is the sum of the first 2 paths" in into_x[1].judge(4.0).text
    assert "all 2 paths through x · x at once" in into_x[1].judge(6.0).text


def test_array_steps_are_not_asked() -> None:
    W = Tensor([[1.0, 2.0]], requires_grad=True, label="W")
    loss = (W * 3).sum()
    loss.label = "loss"
    assert questions(loss) == []


def test_run_quiz_counts_right_first_time() -> None:
    typed = iter(["4", "5", "4", "?", "4", "8", "oops", "12"])
    shown: list[str] = []
    score = run_quiz(neuron(), lambda prompt: next(typed), shown.append)
    assert score == (4, 6)
    text = "\n".join(shown)
    assert "✗ yours 5, right 4" in text
    assert "shown: dloss/d(w · x) = dloss/dy · dy/d(w · x) = 4 · 1 = 4" in text
    assert "a number, please" in text
    assert text.endswith("Right the first time: 4 of 6.")


def test_run_quiz_stops_at_q_and_at_the_end_of_input() -> None:
    shown: list[str] = []
    assert run_quiz(neuron(), lambda prompt: "q", shown.append) == (0, 6)
    assert shown[-1] == "\nStopped. Right the first time: 0 of 0."

    def no_more(prompt: str) -> str:
        raise EOFError

    assert run_quiz(neuron(), no_more, shown.append) == (0, 6)


# --- the command line in a pseudo-terminal ----------------------------------------------------


class Terminal:
    """A program run on a pseudo-terminal, as a learner's shell runs it."""

    def __init__(self, *argv: str) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the command line itself
            os.chdir(ROOT)
            os.execv(sys.executable, [sys.executable, *argv])
        self.seen = ""

    def expect(self, text: str, timeout: float = 60.0) -> str:
        """Read until ``text`` has appeared; everything read so far is kept in ``seen``."""
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"waited for {text!r}; the terminal shows:\n{self.seen}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # the program ended and the terminal closed
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"ended before {text!r}:\n{self.seen}")
                self.seen += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        return self.seen

    def type(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode("utf-8"))

    def close(self) -> int:
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a pseudo-terminal needs fork (POSIX)")
def test_tracegrad_quiz_in_a_terminal() -> None:
    term = Terminal("-m", "autograd", "quiz", "(w*x + b - 5)**2", "x=2", "w=3", "b=1")
    try:
        term.expect("step 1 of 6: dout/dt1 = ? ")
        assert "t1 = ((w · x) + b) − 5 = 7 − 5 = 2" in term.seen  # the forward pass first
        term.type("4")
        term.expect("✓ dout/dt1 = 2·t1 = 4")
        term.expect("step 2 of 6")
        term.type("8")  # wrong: stays on the question
        term.expect("try again, or ? to show the step")
        assert "✗ yours 8, right 4" in term.seen
        term.expect("step 2 of 6")
        term.type("4")
        for answer in ("4", "4"):
            term.expect("? ")
            term.type(answer)
        term.expect("step 5 of 6: dout/dw = dout/d(w · x) · d(w · x)/dw = ? ")
        term.type("12")  # x and w swapped
        term.expect("the local factor d(w · x)/dw = x = 2, and your number means 3")
        term.type("?")
        term.expect("shown: dout/dw = dout/d(w · x) · d(w · x)/dw = 4 · x = 4 · 2 = 8")
        term.expect("step 6 of 6")
        term.type("12")
        term.expect("Right the first time: 4 of 6.")
    finally:
        status = term.close()
    assert status == 0
