"""The command line, ``python -m autograd explain`` (and ``tracegrad``), and the expression
reader behind it: a small grammar read in one pass, never evaluated."""

from __future__ import annotations

import math
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import IN_CI, require_dot
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, explain
from autograd.cli import main
from autograd.tools.expression import ExpressionError, parse_expression

ROOT = Path(__file__).resolve().parents[2]


def run(*arguments: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    # Run from anywhere with this checkout importable (tracegrad need not be installed).
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "autograd", *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        encoding="utf-8",
        env={**os.environ, "PYTHONPATH": path},
    )


def test_explain_prints_the_narrated_lesson_of_a_typed_expression() -> None:
    done = run("explain", "(w*x + b - 5)**2", "x=2", "w=3", "b=1")
    assert done.returncode == 0, done.stderr
    root = parse_expression("(w*x + b - 5)**2", {"x": 2, "w": 3, "b": 1})
    assert done.stdout == explain(root) + "\n"
    assert "dout/dw = dout/d(w · x) · d(w · x)/dw = 4 · x = 4 · 2 = 8" in done.stdout


def test_an_expression_or_a_value_may_start_with_a_minus_sign(capsys) -> None:
    assert main(["explain", "-x*2 + relu(-y)", "x=-1.5", "y=-2"]) == 0
    out = capsys.readouterr().out
    assert "x = −1.5" in out and "dout/dx = −2" in out and "dout/dy = −1" in out


@pytest.mark.parametrize(
    ("expression", "values", "column", "message"),
    [
        ("(w*x + b - 5)**2 + z", ["x=2", "w=3", "b=1"], 19, "z has no value"),
        ("x +", ["x=1"], 3, "not a valid expression"),
        ("x $ 2", ["x=1"], 2, "not a valid expression"),
        ("__import__('os').system('echo hacked')", [], 0, "is not allowed"),
        ("x.data", ["x=1"], 0, "attribute access is not allowed"),
        ("(lambda: 1)()", [], 1, "a lambda is not allowed"),
        ("x if x else 1", ["x=1"], 0, "if/else is not allowed"),
        ("x // 2", ["x=1"], 0, "the operator // is not allowed"),
        ("2 * [x][0]", ["x=1"], 4, "indexing is not allowed"),
        ("x < 1", ["x=1"], 0, "a comparison is not allowed"),
        ("exec('1')", [], 0, "exec is not a function here"),
        ("'a' * x", ["x=1"], 0, "'a' is not a number"),
        ("1j * x", ["x=1"], 0, "1j is not a number"),
        ("x / (x - 1)", ["x=1"], 2, "division by zero"),
        ("tanh(x) + log(x - 3)", ["x=1"], 10, "log is only defined for x > 0"),
        ("leaky_relu(x, w)", ["x=1", "w=2"], 14, "must be plain numbers"),
        ("clip(x, 0)", ["x=1"], 0, "clip takes a value and 2 numbers"),
        ("exp(x, 2)", ["x=1"], 0, "exp takes one value"),
        ("θ ÷ 2", ["θ=1"], 2, "not a valid expression"),
        ("θ * y", ["θ=1"], 4, "y has no value"),
        ("x * 2", ["x=1", "xx=3"], None, "xx is not in the expression"),
        ("x * 2", ["x=two"], None, "'two' is not a number"),
        ("x * 2", ["x"], None, "is not NAME=VALUE"),
    ],
)
def test_bad_input_shows_the_expression_with_a_caret_and_exits_2(
    expression: str, values: list[str], column: int | None, message: str, capsys
) -> None:
    assert main(["explain", expression, *values]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert message in lines[0]
    assert lines[1] == f"  {expression}"
    if column is None:
        assert len(lines) == 2
    else:
        assert lines[2] == "  " + " " * column + "^"


def test_nothing_in_an_expression_is_ever_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    for attempt in (
        f"__import__('os').system('touch {marker}')",
        f"open('{marker}', 'w')",
        "[c for c in ().__class__.__base__.__subclasses__()]",
        f"exp(__import__('pathlib').Path('{marker}').touch())",
    ):
        done = run("explain", attempt, cwd=tmp_path)
        assert done.returncode == 2 and "^" in done.stderr
    assert not marker.exists()


def test_the_functions_of_values_and_their_settings() -> None:
    values = {"x": 0.5}
    for text, expected in [
        ("exp(x)", math.exp(0.5)),
        ("log(x)", math.log(0.5)),
        ("tanh(x)", math.tanh(0.5)),
        ("sigmoid(x)", 1 / (1 + math.exp(-0.5))),
        ("relu(-x)", 0.0),
        ("softplus(x)", math.log1p(math.exp(0.5))),
        ("step(x)", 1.0),
        ("leaky_relu(-x)", -0.005),
        ("leaky_relu(-x, 0.2)", -0.1),
        ("clip(x * 4, -1, 1)", 1.0),
        ("2 ** x", 2**0.5),
        ("x ** 2 / +x", 0.5),
        ("x * (1 - 3) ** 2", 2.0),  # plain numbers are computed by the same op records
    ]:
        assert parse_expression(text, values).data == pytest.approx(expected, rel=1e-15), text


def test_every_name_is_one_leaf_so_paths_add_up() -> None:
    root = parse_expression("x * x + x", {"x": 3.0})
    root.backward()
    (x,) = {p for p in _leaves(root)}
    assert x.label == "x" and x.grad == 7.0


def _leaves(root: Value) -> list[Value]:
    from autograd import topological_order

    return [n for n in topological_order(root) if not n.parents and n.label]


# Random expressions: the text, and the same expression built directly from Values.
NAMES = ("x", "y", "z")
UNARY = ("tanh", "sigmoid", "relu", "softplus")


@st.composite
def formulas(draw: Any, depth: int = 3) -> tuple[str, Any]:
    """(text, build) where build(leaves) makes the same graph with Python operators."""
    if depth == 0 or draw(st.booleans()):
        if draw(st.booleans()):
            name = draw(st.sampled_from(NAMES))
            return name, lambda leaves: leaves[name]
        number = draw(st.sampled_from([0.5, 1.0, 2.0, 3.0, 0.25]))
        return repr(number), lambda leaves: number
    kind = draw(st.sampled_from(["+", "-", "*", "/", "**", "neg", "call"]))
    left_text, left = draw(formulas(depth - 1))
    if kind == "neg":
        return f"-({left_text})", lambda leaves: -left(leaves)
    if kind == "call":
        name = draw(st.sampled_from(UNARY))
        return f"{name}({left_text})", lambda leaves: _call(name, left(leaves))
    if kind == "**":
        exponent = draw(st.sampled_from([2, 3]))
        return f"({left_text}) ** {exponent}", lambda leaves: left(leaves) ** exponent
    right_text, right = draw(formulas(depth - 1))
    if kind == "/":  # a denominator away from zero, as the property tests' registry does
        return (
            f"({left_text}) / (({right_text}) ** 2 + 1)",
            lambda leaves: left(leaves) / (right(leaves) ** 2 + 1),
        )
    operators = {
        "+": lambda a, b: a + b,
        "-": lambda a, b: a - b,
        "*": lambda a, b: a * b,
    }
    combine = operators[kind]
    return f"({left_text}) {kind} ({right_text})", lambda leaves: combine(
        left(leaves), right(leaves)
    )


def _call(name: str, operand: Any) -> Any:
    if isinstance(operand, Value):
        return getattr(operand, name)()
    return getattr(Value(operand), name)().data


@given(formulas(), st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_a_typed_expression_is_the_graph_the_same_python_builds(formula, numbers) -> None:
    text, build = formula
    values = dict(zip(NAMES, numbers))
    used = {name: value for name, value in values.items() if name in text}
    if not used:
        with pytest.raises(ExpressionError, match="no names"):
            parse_expression(text, used)
        return
    parsed = parse_expression(text, used)
    leaves = {name: Value(value, name) for name, value in used.items()}
    built = build(leaves)
    assert parsed.data == built.data or (math.isnan(parsed.data) and math.isnan(built.data))
    parsed.backward()
    built.backward()
    by_name = {leaf.label: leaf.grad for leaf in _leaves(parsed)}
    assert by_name == pytest.approx({n: leaf.grad for n, leaf in leaves.items()}, nan_ok=True)


# --- writing pictures and pages --------------------------------------------------------------


def test_html_graph_and_steps_are_written(tmp_path: Path, capsys) -> None:
    require_dot()
    page, graph, steps = tmp_path / "lesson.html", tmp_path / "g.svg", tmp_path / "slides"
    arguments = ["explain", "tanh(w*x)", "x=0.5", "w=-2", "--html", str(page)]
    arguments += [f"--graph={graph}", "--steps", str(steps)]
    assert main(arguments) == 0
    out = capsys.readouterr().out
    assert f"lesson written to {page}: open it in a browser" in out
    assert "<title>tanh(w*x)</title>" in page.read_text(encoding="utf-8")
    assert graph.read_text().lstrip().startswith("<?xml")
    assert sorted(p.name for p in steps.iterdir()) == [f"step_0{k}.svg" for k in range(4)]
    assert main(["explain", "x", "x=1", "--graph", str(tmp_path / "g.gif")]) == 2
    assert "must end in .svg, .png, .pdf, .dot" in capsys.readouterr().err


def test_the_graph_shows_the_gradients_the_lesson_printed(tmp_path: Path, capsys) -> None:
    # explain runs backward from zero and puts the grads back: the picture drew every one as 0.
    graph = tmp_path / "n.dot"
    numbers = ["x1=2", "x2=0", "w1=-3", "w2=1", "b=6.8813735870195432"]
    assert main(["explain", "tanh(x1*w1 + x2*w2 + b)", *numbers, "--graph", str(graph)]) == 0
    out = capsys.readouterr().out.replace("\u2212", "-")  # the lesson writes a true minus
    printed = {n: float(g) for n, g in re.findall(r"^  dout/d(\w+) = (\S+)$", out, re.MULTILINE)}
    assert (printed["x1"], printed["w1"], printed["x2"]) == pytest.approx((-1.5, 1, 0.5))
    rows = re.findall(r"<B>(\w+)</B>.*?grad</FONT></TD><TD[^>]*>([^<]+)<", graph.read_text())
    drawn = {name: float(grad) for name, grad in rows}
    assert {name: drawn[name] for name in printed} == pytest.approx(printed)


def test_step_pictures_take_a_format(tmp_path: Path, capsys) -> None:
    require_dot()
    arguments = ["explain", "-x*w", "x=0.5", "w=-2", "--steps", str(tmp_path)]
    assert main([*arguments, "--steps-format", "png"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"step_0{k}.png" for k in range(4)]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in tmp_path.iterdir())


def test_without_dot_the_page_needs_gives_the_one_line_hint(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert main(["explain", "x*2", "x=1", "--html", str(tmp_path / "l.html")]) == 1
    err = capsys.readouterr().err
    assert "Graphviz's `dot` program was not found" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "l.html").exists()


def test_usage_errors_exit_2() -> None:
    assert run().returncode == 2
    assert run("explain").returncode == 2
    done = run("explain", "--help")
    assert done.returncode == 0 and "tanh" in done.stdout and "--html" in done.stdout


def test_tracegrad_is_a_console_script() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert '[project.scripts]\ntracegrad = "autograd.cli:main"' in text
    script = Path(sys.executable).with_name("tracegrad")
    if not script.exists():
        if IN_CI:
            pytest.fail("tracegrad is not installed beside python: pip install -e . installs it")
        pytest.skip("tracegrad is installed by pip install -e . (not in this environment)")
    done = subprocess.run(
        [str(script), "explain", "x*3", "x=2"], capture_output=True, text=True, encoding="utf-8"
    )
    assert done.returncode == 0 and "dout/dx = 3" in done.stdout


def test_the_readme_shows_what_the_command_line_really_prints(capsys) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```\n\$ tracegrad (explain .+?)\n(.+?)```", text, re.S)
    assert found is not None
    assert main(shlex.split(found.group(1))) == 2
    assert capsys.readouterr().err == found.group(2)


# --- long, deep and hostile input: read without recursion, refused with one line --------------


def test_a_sum_or_product_of_100000_terms_reads_and_differentiates() -> None:
    total = parse_expression("x+" * 99_999 + "x", {"x": 1.0})
    total.backward()
    assert total.data == 100_000.0 and _leaves(total)[0].grad == 100_000.0
    product = parse_expression("x*" * 99_999 + "x", {"x": 1.0})
    product.backward()
    assert product.data == 1.0 and _leaves(product)[0].grad == 100_000.0


@pytest.mark.parametrize("signs", [1_000, 100_000, 100_001])
def test_any_number_of_minus_signs_reads(signs: int) -> None:
    root = parse_expression("-" * signs + "x", {"x": 2.0})
    root.backward()
    sign = -1.0 if signs % 2 else 1.0
    assert root.data == 2.0 * sign and _leaves(root)[0].grad == sign


def test_deep_parentheses_and_powers_read() -> None:
    assert parse_expression("(" * 5_000 + "x" + ")" * 5_000, {"x": 3.0}).data == 3.0
    assert parse_expression("x**" * 3_000 + "1", {"x": 1.0}).data == 1.0


def test_a_10000_term_sum_is_narrated_from_the_command_line(capsys) -> None:
    assert main(["explain", "x+" * 9_999 + "x", "x=0.5"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "  dout/dx = 10000"


@pytest.mark.parametrize(
    ("expression", "column", "message"),
    [
        ("0x" + "f" * 300 + " * x", 0, "more than a float holds"),
        ("1e400 * x", 0, "1e400 is too large for a float"),
        ("x * 1" + "0" * 400, 4, "more than a float holds"),
        ("x+" * 50_000 + "$", 100_000, "not a valid expression"),
        ("x * 1__0", 5, "invalid decimal literal"),
        ("(" * 100_000 + "x", None, "too many nested parentheses"),
        ("x + exp(x", 7, "never closed"),
    ],
)
def test_what_cannot_be_read_is_one_line_and_exit_2(
    expression: str, column: int | None, message: str, capsys
) -> None:
    assert main(["explain", expression, "x=1"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert message in lines[0] and lines[1] == f"  {expression}"
    if column is not None:
        assert lines[2] == "  " + " " * column + "^"


# Expressions as people type them, without parentheses everywhere: the reader groups them as
# Python does (precedence, ** from the right and above unary minus).
_PIECES = ["x", "y", "2", "0.5", "3"]


@st.composite
def flat_expressions(draw: Any) -> str:
    parts = [draw(st.sampled_from(["", "-", "+", "--"])) + draw(st.sampled_from(_PIECES))]
    for _ in range(draw(st.integers(0, 6))):
        operator = draw(st.sampled_from(["+", "-", "*", "/", "**"]))
        sign = draw(st.sampled_from(["", "-"])) if operator == "**" else ""
        piece = draw(st.sampled_from(["2", "3"] if operator == "**" else _PIECES))
        parts.append(f"{operator}{sign}{piece}")
    return " ".join(parts)


@given(flat_expressions(), st.floats(-3, 3), st.floats(-3, 3))
def test_the_reader_groups_as_python_does(text: str, x: float, y: float) -> None:
    values = {name: value for name, value in (("x", x), ("y", y)) if name in text}
    try:
        expected = eval(text, {"__builtins__": {}}, dict(values))  # our own text: numbers only
    except (ZeroDivisionError, OverflowError):
        expected = None
    if not values:
        return
    if expected is None or isinstance(expected, complex) or not math.isfinite(expected):
        with pytest.raises((ExpressionError, OverflowError)):
            parse_expression(text, values)
        return
    assert parse_expression(text, values).data == pytest.approx(expected, rel=1e-12, abs=1e-300)


_HOSTILE = list("xy0123456789.+-*/(),eE_ jJ$[]'\"=<>%@!~^&|:;`\\") + [
    "**",
    "exp(",
    "log(",
    "lambda",
]


@given(st.lists(st.sampled_from(_HOSTILE), max_size=40))
def test_any_typed_text_is_read_or_refused_in_one_line(pieces: list[str]) -> None:
    text = "".join(pieces)
    try:
        root = parse_expression(text, {"x": 0.5, "y": -1.5})
    except ExpressionError as error:
        lines = error.pointed().splitlines()
        assert lines[0] and "Traceback" not in error.pointed()
        if error.column is not None:
            assert 0 <= error.column <= len(error.expression)
    else:
        assert isinstance(root, Value)
