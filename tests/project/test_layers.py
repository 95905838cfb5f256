"""The package's folders are its layers: every import runs down, none runs in a circle.

Read from the code itself, every ``import`` and ``from ... import`` of autograd/ and nn/ counts:
at module level, inside functions and under ``TYPE_CHECKING`` alike, so no circle can hide
behind a deferred import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: autograd's layers, bottom up: a module may import its own layer and the ones below.
LAYERS = [
    ("autograd.engine",),
    ("autograd.narration",),
    ("autograd.scalar",),
    ("autograd.tensors",),
    ("autograd.gradients",),
    ("autograd.tools",),
    ("autograd.pictures",),
    # The package's front doors: the command line and the public names (and the old paths
    # autograd.ops and autograd.tensor_ops, kept as re-exports).
    # autograd.autograd is torch.autograd's names (grad, backward, Function).
    (
        "autograd.cli",
        "autograd.__main__",
        "autograd",
        "autograd.autograd",
        "autograd.ops",
        "autograd.tensor_ops",
    ),
]


def lazy_imports_of_nn() -> list[int]:
    """The lines of ``import nn`` inside ``autograd.__getattr__``: the one import from autograd
    up to nn that is allowed. ``import autograd as torch`` must reach ``torch.nn``,
    ``torch.optim`` and ``torch.utils.data``, which are nn's; nn imports autograd, so autograd
    may only import nn lazily, on first use of one of those names, when both packages have
    loaded. Every other import of nn from autograd, deferred or not, is still refused."""
    tree = ast.parse((ROOT / "autograd" / "__init__.py").read_text(encoding="utf-8"))
    lines = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import) and [a.name for a in inner.names] == ["nn"]:
                    lines.append(inner.lineno)
    return lines


LAZY = {("autograd", "nn", line) for line in lazy_imports_of_nn()}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in ("autograd", "nn"):
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


MODULES = modules()


def imports(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """Every import of a project module in ``path``: (module, names taken from it, line)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in MODULES:  # from package import module
                    found.append((submodule, [], node.lineno))
                else:
                    found.append((base, [alias.name], node.lineno))
    return [(m, names, line) for m, names, line in found if m.split(".")[0] in ("autograd", "nn")]


EDGES = {
    name: [
        (t, names, line) for t, names, line in imports(name, path) if (name, t, line) not in LAZY
    ]
    for name, path in MODULES.items()
}


def test_the_one_lazy_import_of_nn_is_in_autograds_getattr() -> None:
    assert len(LAZY) == 1
    every_import_of_nn = [
        (name, line)
        for name, path in MODULES.items()
        if name.startswith("autograd")
        for target, _, line in imports(name, path)
        if target.split(".")[0] == "nn"
    ]
    assert every_import_of_nn == [(name, line) for name, _, line in LAZY]


def layer(name: str) -> int | None:
    for index, members in enumerate(LAYERS):
        if any(name == m or (name.startswith(m + ".") and m != "autograd") for m in members):
            return index
    return None


def test_every_autograd_module_has_a_layer() -> None:
    unplaced = [name for name in MODULES if name.startswith("autograd") and layer(name) is None]
    assert unplaced == []


def test_no_import_runs_up_a_layer() -> None:
    upward = []
    for name, edges in EDGES.items():
        if not name.startswith("autograd"):
            continue
        for target, _, line in edges:
            if target.startswith("nn"):
                upward.append(f"{name}:{line} imports {target} (nn sits on autograd)")
            elif layer(target) is not None and layer(target) > layer(name):  # type: ignore[operator]
                upward.append(f"{name}:{line} imports {target}, a layer above it")
    assert upward == []


def test_no_circle_of_imports() -> None:
    graph = {name: {t for t, _, _ in edges if t in MODULES} for name, edges in EDGES.items()}
    # Tarjan's strongly connected components, iteratively.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    circles = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph[node]:
                        circles.append(sorted(component))
    assert circles == []


def test_nothing_private_crosses_a_folder() -> None:
    crossing = []
    for name, edges in EDGES.items():
        folder = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
        for target, names, line in edges:
            target_folder = (
                target
                if MODULES.get(target, Path()).name == "__init__.py"
                else target.rpartition(".")[0]
            )
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private and target_folder != folder:
                crossing.append(f"{name}:{line} takes {private} from {target}")
    assert crossing == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_800_lines(name: str) -> None:
    assert len(MODULES[name].read_text(encoding="utf-8").splitlines()) <= 800


def test_the_one_sitting_read_is_at_most_2000_lines() -> None:
    core = [p for n, p in MODULES.items() if n.startswith(("autograd.engine", "autograd.scalar"))]
    assert sum(len(p.read_text(encoding="utf-8").splitlines()) for p in core) <= 2000
