"""The lesson page in a real browser: headless Chromium (Debian's chromium package) driven by
playwright. Without Chromium or playwright these tests skip on a developer's machine; in CI
their absence is a failure (.ci/run installs both).

Screenshots go to the folder named by TRACEGRAD_ARTIFACTS, else to the test's tmp_path.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import IN_CI, require_dot

import nn
from autograd import Tensor, Value, arange, backward_steps, lesson, tensor
from autograd.engine.graph import topological_order
from autograd.engine.notation import fmt

CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium") or "") if p and Path(p).exists()),
    None,
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def _require_browser() -> Any:
    """playwright's sync API, or a skip (a failure in CI) saying what is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "the playwright package (pip install playwright)"
    else:
        if CHROMIUM is not None:
            return sync_playwright
        missing = "Chromium (apt-get install chromium)"
    if IN_CI:
        pytest.fail(f"{missing} is missing in CI: .ci/run must install it")
    pytest.skip(f"the browser tests need {missing}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = _require_browser()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Visit:
    """One page opened from disk, with everything it asked for or complained about."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.expected: list[str] = []  # errors a test provokes on purpose
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

        def dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", dialog)
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)

    def text(self, selector: str) -> str:
        return self.page.locator(selector).first.text_content() or ""

    def current(self) -> list[str]:
        return self.page.eval_on_selector_all(".tg-current", "els => els.map(e => e.id)")

    def position(self) -> int:
        return int(self.page.locator("#step").input_value())

    def button(self, name: str) -> Any:
        return self.page.get_by_role("button", name=name, exact=True)

    def grads(self) -> dict[str, tuple[str, str]]:
        """Each row of #grads: the leaf's name (first cell) -> (grad shown, exact title)."""
        rows = self.page.locator("#grads tbody tr")
        found = {}
        for k in range(rows.count()):
            cells = rows.nth(k).locator("td")
            cell = cells.nth(2)
            found[cells.nth(0).text_content() or ""] = (
                cell.text_content() or "",
                cell.get_attribute("title") or "",
            )
        return found

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Any, tmp_path: Path) -> Iterator[Any]:
    require_dot()
    opened: list[Visit] = []

    def open_lesson(root: Any, name: str = "lesson", **options: Any) -> Visit:
        path = lesson(root, **options).save(tmp_path / f"{name}.html")
        opened.append(Visit(browser, path))
        return opened[-1]

    yield open_lesson
    for one in opened:
        # Every page, whatever a test did with it: nothing from the network, nothing broken.
        assert one.requests == [one.url], one.requests
        assert [e for e in one.errors if not any(x in e for x in one.expected)] == []
        assert one.dialogs == []
        one.close()


def chain_rule() -> dict[str, Value]:
    x, w, b = Value(2.0, "x"), Value(3.0, "w", param=True), Value(1.0, "b", param=True)
    target = Value(5.0, "target")
    y = w * x + b
    y.label = "y"
    loss = (y - target) ** 2
    loss.label = "loss"
    return {"x": x, "w": w, "b": b, "target": target, "y": y, "loss": loss}


# --- stepping ---------------------------------------------------------------------------------


def test_buttons_and_keys_step_the_narration_and_the_highlight(visit) -> None:
    v = chain_rule()
    page = visit(v["loss"])
    steps = [str(s) for s in backward_steps(chain_rule()["loss"])]
    seen = [(page.text("#narration"), tuple(page.current()))]
    assert page.text("#narration").startswith("The inputs are given: w = 3, x = 2")
    assert page.position() == 0
    page.button("Next").click()
    assert page.text("#narration") == "w · x = 3 · 2 = 6"
    assert set(page.current()) == {"v2", "o2", "e2", "e2_0", "e2_1"}
    page.page.keyboard.press("ArrowRight")
    assert page.text("#narration") == "y = (w · x) + b = 6 + 1 = 7"
    page.page.keyboard.press("ArrowLeft")
    assert page.text("#narration") == "w · x = 3 · 2 = 6"
    page.page.keyboard.press("End")
    assert page.text("#narration") == steps[-1]
    # The last step: x's gradient through w · x, edge v1 -> o2 of the op that made v2.
    assert set(page.current()) >= {"e2_1", "o2", "v2", "v1"}
    page.page.keyboard.press("Home")
    assert page.position() == 0
    # Step through everything by button: forward values, the seed, then each backward step.
    last = int(page.page.locator("#step").get_attribute("max") or 0)
    assert last == 4 + 1 + len(steps)
    for _ in range(last):
        page.button("Next").click()
        seen.append((page.text("#narration"), tuple(page.current())))
    narrations = [n for n, _ in seen]
    assert narrations[5] == "dloss/dloss = 1"
    assert narrations[6:] == steps
    assert len({h for _, h in seen}) == len(seen)  # every step highlights something new
    page.button("Next").click()  # at the end: stays there
    assert page.position() == last
    page.button("Previous").click()
    assert page.text("#narration") == steps[-2]
    page.button("Reset").click()
    assert page.position() == 0 and page.current() == []


def test_the_slider_jumps_and_the_picture_shows_values_and_grads_so_far(visit) -> None:
    page = visit(chain_rule()["loss"])
    steps = [str(s) for s in backward_steps(chain_rule()["loss"])]
    product = page.page.locator("#v2 text")  # w · x: name, "data", data, "grad", grad

    assert product.all_text_contents()[-3:] == ["?", "grad", "?"]  # not computed yet
    page.page.locator("#step").fill("1")
    assert product.all_text_contents()[-3:] == ["6", "grad", "?"]
    page.page.locator("#step").fill("9")  # the fourth backward step reaches w · x
    assert page.text("#narration") == steps[3]
    assert page.page.locator("#v2 text.tg-fresh").all_text_contents() == ["4"]
    page.page.locator("#step").fill("11")  # the sixth reaches w, a leaf
    assert page.text("#narration") == steps[5]
    assert page.page.locator("#v0 text.tg-fresh").all_text_contents() == ["8"]
    assert page.page.locator("#v2 text.tg-fresh").count() == 0
    assert page.grads()["w"] == ("8", "8.0") and page.grads()["x"] == ("?", "")


def test_play_advances_and_space_pauses(visit) -> None:
    page = visit(chain_rule()["loss"])
    play = page.button("Play")
    play.click()
    assert play.get_attribute("aria-pressed") == "true"
    # (wait_for_function would evaluate a string, which the page's policy rightly forbids)
    expect(page.page.locator("#step")).to_have_value(re.compile(r"^(?:[2-9]|1\d)$"))
    page.page.locator("h1").click()  # focus on the page, not on a button
    page.page.keyboard.press(" ")
    assert play.get_attribute("aria-pressed") == "false"
    paused = page.position()
    page.page.wait_for_timeout(1200)  # longer than one step of play
    assert page.position() == paused
    page.page.keyboard.press(" ")
    assert play.get_attribute("aria-pressed") == "true"
    play.click()
    assert play.get_attribute("aria-pressed") == "false"


def test_the_end_state_grads_equal_backwards(visit) -> None:
    # A neuron whose input is used twice, so one leaf collects two paths.
    x = Value(0.5, "x")
    w1, w2, b = Value(-1.5, "w1"), Value(2.0, "w2"), Value(0.1, "b")
    out = (w1 * x + w2 * x * x + b).tanh() * 3
    out.label = "out"
    page = visit(out)
    page.page.keyboard.press("End")
    out.backward()
    leaves = {leaf.label: leaf for leaf in (x, w1, w2, b)}
    shown = page.grads()
    assert set(shown) == set(leaves)
    for name, (text, exact) in shown.items():
        assert float(exact) == leaves[name].grad
        assert text == fmt(leaves[name].grad)
    rows = page.page.locator("#grads tbody tr")
    assert rows.count() == 4
    estimate = rows.nth(0).locator("td").nth(3).text_content() or ""
    assert float(estimate) == pytest.approx(
        leaves[rows.nth(0).locator("td").first.text_content()].grad, rel=1e-5
    )


def test_a_collapsed_network_steps_through_its_boxes(visit) -> None:
    model = nn.MLP(2, [3, 1], activation="relu", output_activation="sigmoid", seed=1)
    data = [(0.0, 1.0), (1.0, 0.0)]
    loss = nn.binary_cross_entropy([model(x, squeeze=True) for x in data], [1.0, 0.0])
    page = visit(loss, collapse="neuron")
    assert page.page.locator("g.node.group").count() == 4
    page.page.locator("#step").fill("3")
    assert any(i.startswith("g") for i in page.current())
    page.page.keyboard.press("End")
    loss.backward()
    shown = page.grads()
    for p in model.parameters():
        assert float(shown[p.label][1]) == p.grad


def test_tensor_graphs_show_shapes(visit) -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 3)), label="x")
    W = Tensor(rng.standard_normal((3, 5)), requires_grad=True, label="W")
    loss = -(x @ W).log_softmax(1)[arange(4), tensor([0, 1, 2, 3])].mean()
    loss.label = "loss"
    page = visit(loss)
    assert "[3×5] float32" in page.page.locator("#grads").inner_text()
    page.page.keyboard.press("End")
    loss.backward()
    shown = page.grads()
    assert shown["x"][0] == "none"
    assert shown["W"][0] == ", ".join(fmt(float(g)) for g in W.grad.reshape(-1)[:3]) + ", …"
    svg_x = page.page.locator(f"#v{_index(loss, x)} text").all_text_contents()
    assert svg_x[-3:] == ["[4×3] float32", "grad", "none"]  # x needs no gradient


def _index(root: Any, node: Any) -> int:
    return [id(n) for n in topological_order(root)].index(id(node))


# --- clicking a node --------------------------------------------------------------------------


def test_clicking_a_node_shows_its_chain_rule_sum_path_by_path(visit) -> None:
    v = chain_rule()
    page = visit(v["loss"])
    page.page.keyboard.press("End")  # backward done: every path has been taken
    page.page.locator("#v0").click()  # w
    text = page.page.locator("#tg-expansion").inner_text()
    assert "dloss/dw" in text and "1 path from loss to w" in text
    assert (
        "dloss/d(y − target) · d(y − target)/dy · dy/d(w · x) · d(w · x)/dw = 4 · 1 · 1 · 2 = 8"
        in text
    )
    assert "backward computed dloss/dw = 8" in text
    # A value used twice: two paths, summed.
    a = Value(1.5, "a")
    t = (a * a).tanh()
    t.label = "t"
    twice = visit(t, "twice")
    twice.page.keyboard.press("End")
    twice.page.locator("#v0").focus()
    twice.page.keyboard.press("Enter")
    text = twice.page.locator("#tg-expansion").inner_text()
    t.backward()
    local = 1 - t.data**2
    assert "2 paths from t to a" in text
    assert f"dt/d(a · a) · d(a · a)/da = {fmt(local)} · 1.5 = {fmt(local * 1.5)}" in text
    assert f"Sum over the paths: {fmt(local * 1.5)} + {fmt(local * 1.5)}" in text
    assert f"backward computed dt/da = {fmt(a.grad)}" in text


def test_too_many_paths_are_summed_per_consumer_instead(visit) -> None:
    x = Value(0.5, "x")
    node = x
    for _ in range(5):  # 2⁵ = 32 paths from the top down to x
        node = node * 1.0 + node
    node.label = "top"
    page = visit(node)
    page.page.keyboard.press("End")
    page.page.locator("#v0").click()
    text = page.page.locator("#tg-expansion").inner_text()
    assert "More than 24 paths lead here" in text
    node.backward()
    assert f"backward computed dtop/dx = {fmt(x.grad)}" in text
    assert text.count("dtop/d") >= 3  # the title, one line per use of x, the total


# --- safety, isolation, and a picture of it all ------------------------------------------------


def test_hostile_labels_run_nothing_and_show_as_text(visit) -> None:
    labels = [
        "<img src=x onerror=alert(1)>",
        "</script><script>alert(2)</script>",
        '"><svg onload=alert(3)>',
        "javascript:alert(4)",
    ]
    leaves = [Value(float(i + 1), label) for i, label in enumerate(labels)]
    root = Value.sum([leaf.tanh() for leaf in leaves])
    root.label = "<b>sum</b>"
    page = visit(root, title="<script>alert(5)</script>")
    assert page.text("h1") == "<script>alert(5)</script>"
    names = [name for name in page.grads()]
    assert names == labels
    for k in range(len(labels)):  # click every leaf and step through every event
        page.page.locator(f"#v{k * 2}").click()
        assert labels[k] in page.page.locator("#tg-expansion").inner_text()
    page.page.keyboard.press("End")
    last = list(backward_steps(root))[-1]
    assert page.text("#narration") == str(last) and labels[0] in str(last)
    assert page.page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    # (the fixture then checks that no dialog opened and nothing failed)


def test_the_policy_blocks_every_request_the_page_might_try(visit) -> None:
    page = visit(chain_rule()["loss"])
    violated = page.page.evaluate(
        """() => new Promise((resolve) => {
            const refused = (e) => resolve(e.effectiveDirective);
            document.addEventListener('securitypolicyviolation', refused);
            fetch('http://127.0.0.1:9/never').catch(() => {});
        })"""
    )
    assert violated == "connect-src"
    page.expected.append("Content Security Policy")  # the refusal is logged, as it should be


def test_two_lessons_in_one_notebook_do_not_interfere(browser, tmp_path: Path) -> None:
    require_dot()
    first, second = chain_rule()["loss"], chain_rule()["y"]
    notebook = tmp_path / "notebook.html"
    cells = "".join(
        f"<div class='cell'>{lesson(root)._repr_html_()}</div>" for root in (first, second)
    )
    notebook.write_text(f"<!DOCTYPE html><html><body>{cells}</body></html>", encoding="utf-8")
    opened = Visit(browser, notebook)
    try:
        frames = [f for f in opened.page.frames if f != opened.page.main_frame]
        assert len(frames) == 2
        for frame in frames:
            frame.wait_for_selector("#narration")
        start = [f.locator("#narration").text_content() for f in frames]
        frames[0].get_by_role("button", name="Next", exact=True).click()
        frames[0].locator("#step").focus()
        frames[0].locator("body").press("End")
        assert frames[0].locator("#narration").text_content() != start[0]
        assert frames[1].locator("#narration").text_content() == start[1]
        assert frames[1].locator("#step").input_value() == "0"
        assert opened.errors == [] and opened.dialogs == []
    finally:
        opened.close()


def test_a_screenshot_of_a_lesson_is_written_as_an_artifact(visit, tmp_path: Path) -> None:
    folder = Path(os.environ.get("TRACEGRAD_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page = visit(chain_rule()["loss"])
    page.page.locator("#step").fill("9")
    page.page.locator("#v0").click()
    shot = folder / "lesson_chain_rule.png"
    page.page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    assert html.escape("dloss/dw") in html.escape(page.page.locator("#tg-expansion").inner_text())


# --- big graphs: steps by group, finding a node, what backward has reached ---------------------


def test_next_goes_by_node_neuron_or_layer_and_a_group_opens_to_its_steps(visit) -> None:
    from big_graphs import demo_loss

    loss = demo_loss(3)
    page = visit(loss, collapse="neuron")
    by = page.page.locator("#tg-by")
    options = page.page.eval_on_selector_all("#tg-by option", "os => os.map(o => o.value)")
    assert options == ["step", "node", "neuron", "layer"]
    assert by.input_value() == "layer"  # a long lesson starts by its biggest groups
    by.select_option("step")
    page.button("Next").click()
    assert page.position() == 1
    by.select_option("layer")
    page.button("Next").click()
    first_layer = page.position()
    assert first_layer > 2  # the whole of layer L1's forward pass at once
    assert "L1" in page.text("#tg-groups li.tg-group-current summary")
    by.select_option("neuron")
    page.button("Next").click()
    neuron_end = page.position()
    assert neuron_end > first_layer + 1
    page.button("Previous").click()
    assert page.position() == first_layer
    # A run opens to list its steps; clicking one goes there.
    page.page.locator("#tg-groups li.tg-group-current summary").click()
    page.page.wait_for_selector("#tg-groups li.tg-group-current ol button")  # on toggle
    steps = page.page.locator("#tg-groups li.tg-group-current ol button")
    assert steps.count() >= 1
    steps.first.click()
    assert page.position() <= first_layer


def test_the_search_box_finds_a_node_by_name_and_jumps_to_its_steps(visit) -> None:
    x, w = Value(2.0, "x"), Value(-3.0, "weight")
    y = (x * w).tanh()
    y.label = "y"
    page = visit(y)
    search = page.page.locator("#tg-search")
    search.fill("WEI")
    assert page.page.locator("#tg-found button").all_text_contents() == ["weight", "x · weight"]
    search.press("Enter")
    e = [s for s in backward_steps(y) if s.input is w][0]
    assert page.position() == 1 + 2 + e.index  # the start, two forward values, the seed
    assert str(e) in page.text("#narration")
    text = page.page.locator("#tg-expansion").inner_text()
    assert "dy/dweight" in text and "backward computed dy/dweight" in text
    search.fill("zzz")
    assert "no node named like" in page.text("#tg-found")


def test_a_clicked_node_shows_only_what_backward_has_reached(visit) -> None:
    v = chain_rule()
    page = visit(v["loss"])
    page.page.locator("#v0").click()  # w, before backward
    assert "Backward has not started" in page.page.locator("#tg-expansion").inner_text()
    while "Backward pass · the start" not in page.text("#tg-phase"):
        page.button("Next").click()
    text = page.page.locator("#tg-expansion").inner_text()
    assert "Backward has not reached w yet" in text and "backward computed" not in text
    page.page.keyboard.press("End")
    assert "backward computed dloss/dw = 8" in page.page.locator("#tg-expansion").inner_text()


def test_a_weight_used_by_every_data_point_is_shown_collapsed(visit) -> None:
    w = Value(0.5, "w")
    terms = [(w * float(k)).relu() for k in range(1, 31)]  # 30 paths: more than 24 to list
    total = Value.sum(terms)
    total.label = "total"
    page = visit(total)
    page.page.keyboard.press("End")
    page.page.locator("#tg-search").fill("w")
    page.page.locator("#tg-search").press("Enter")
    page.page.locator("#tg-search").blur()
    page.page.keyboard.press("End")
    text = page.page.locator("#tg-expansion").inner_text()
    total.backward()
    assert "… 24 more uses of w adding up to" in text
    assert f"backward computed dtotal/dw = {fmt(w.grad)}" in text


def test_the_leaves_table_keeps_every_number_on_one_line(visit) -> None:
    values = [Value(-0.000123456789 * (k + 1), f"a_rather_long_leaf_name_{k}") for k in range(4)]
    out = Value.sum([v * 1.23456789e-7 for v in values])
    out.label = "out"
    page = visit(out)
    page.page.keyboard.press("End")
    lines = page.page.eval_on_selector_all(
        "#grads tbody td:not(:first-child)",
        "cells => cells.map(c => { const r = document.createRange(); r.selectNodeContents(c);"
        " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; })",
    )
    assert lines and all(count <= 1 for count in lines)


def test_the_page_of_micrograds_demo_loss_opens(visit) -> None:
    from big_graphs import demo_loss

    page = visit(demo_loss(10), collapse="neuron")
    assert page.page.locator("#tg-groups li").count() > 3
    page.page.keyboard.press("End")
    assert "Backward pass" in page.text("#tg-phase")


def test_a_big_lesson_says_what_it_folded_and_a_second_backward(visit) -> None:
    from big_graphs import demo_loss

    loss = demo_loss(3)
    loss.backward()
    loss.backward()
    page = visit(loss)
    said = page.text("#tg-notes")
    assert said.startswith("A summary of ") and "Every node: lesson(loss, whole=True)" in said
    assert "2 backward passes of" in page.text("#tg-held")
    page.page.keyboard.press("End")
    grads = page.grads()
    assert any(shown not in ("0", "?") for shown, _ in grads.values())


# --- a convolution's window -------------------------------------------------------------------


def test_a_convolution_step_shows_its_window_forward_and_the_way_back(visit) -> None:
    import numpy as np

    from autograd.tensors.spatial import conv2d, max_pool2d

    rng = np.random.default_rng(0)
    x = Tensor(rng.integers(0, 9, (1, 1, 6, 6)).astype(float), label="x")
    W = Tensor(rng.integers(-2, 3, (2, 1, 3, 3)).astype(float), requires_grad=True, label="W")
    y = conv2d(x, W, stride=2, padding=1)
    y.label = "y"
    z = max_pool2d(y, 2)
    z.label = "z"
    loss = z.sum()
    loss.label = "loss"
    page = visit(loss)
    window = page.page.locator("#tg-window")
    expect(window).to_be_hidden()  # the start: nothing computed yet
    page.page.keyboard.press("ArrowRight")  # y = conv2d(...)
    expect(window).to_be_visible()
    loss.backward()
    index = tuple(int(i) for i in np.unravel_index(np.abs(y.grad.numpy()).argmax(), y.shape))
    assert page.text("#tg-window h2") == f"One output entry: y[{','.join(map(str, index))}]"
    _, o, p, q = index
    outlined = page.page.locator("#tg-window table").first.locator("td.tg-win")
    window_cells = [(p * 2 - 1 + i, q * 2 - 1 + j) for i in range(3) for j in range(3)]
    assert outlined.all_text_contents() == [
        fmt(float(x.data[0, 0, r, c])) if 0 <= r < 6 and 0 <= c < 6 else "0"
        for r, c in window_cells
    ]
    kernel = page.page.locator("#tg-window table").nth(1).locator("td").all_text_contents()
    assert kernel == [fmt(float(w)) for w in W.data[o, 0].reshape(-1)]
    assert page.text("#tg-window .tg-window-text p").startswith(f"y[{','.join(map(str, index))}]")
    page.page.keyboard.press("ArrowRight")  # z = max_pool2d(y): its own window
    expect(window).to_be_visible()
    assert page.text("#tg-window h2").startswith("One output entry: z[")
    page.page.keyboard.press("ArrowRight")  # loss = sum(z): no window
    expect(window).to_be_hidden()
    page.page.keyboard.press("End")  # dloss/dW: the way back through the window
    expect(window).to_be_visible()
    assert page.text("#tg-window .tg-window-text p").startswith("Its gradient, g = dloss/dy[")
    received = page.page.locator("#tg-window table").nth(1).locator("td").all_text_contents()
    assert all(t == "" or t.startswith("g·") for t in received) and any(received)
