"""lesson(root, quiz=True) in Chromium: each backward step asked before it is shown, wrong and
right answers typed, the wrong factor marked, the score at the end; and the leaves' gradients
from an earlier backward shown on the page."""

from __future__ import annotations

from typing import Any

import pytest
import test_lesson_browser as browsing
from test_lesson_browser import Visit, chain_rule

from autograd import Tensor, Value, backward_steps, lesson

# The lesson page's own fixtures: one Chromium for the module, a page per lesson.
browser = browsing.browser
visit = browsing.visit


def answer(page: Visit, typed: str) -> None:
    box = page.page.get_by_label("answer", exact=True)
    box.fill(typed)
    box.press("Enter")


def feedback(page: Visit) -> str:
    return page.page.locator("#tg-feedback").inner_text()


def test_the_quiz_asks_each_step_and_judges_typed_answers(visit) -> None:
    v = chain_rule()
    steps = [str(s) for s in backward_steps(chain_rule()["loss"])]
    page = visit(v["loss"], quiz=True)
    box = page.page.get_by_label("answer", exact=True)
    assert not box.is_visible()  # the forward pass plays as before
    for _ in range(5):  # four values forward, then the seed
        page.button("Next").click()
    assert page.text("#narration") == "dloss/dloss = 1"
    page.button("Next").click()

    # Step 1: asked, its number hidden in the picture and the table, the box focused.
    assert page.text("#narration") == "dloss/d(y − target) = ?"
    assert box.is_visible() and box.evaluate("el => el === document.activeElement")
    assert page.page.locator("#tg-formula").text_content() == ""
    t = page.page.locator("#v6 text").all_text_contents()
    assert t[-1] == "?"  # y − target's grad not shown yet
    page.button("Next").click()  # cannot go past an open question
    page.page.keyboard.press("End")
    assert page.text("#narration") == "dloss/d(y − target) = ?"

    answer(page, "2")  # wrong: the local derivative 2·(y − target) is 4
    said = feedback(page)
    assert "✗ yours 2, right 4" in said
    assert page.page.locator(".tg-term.tg-wrong").all_text_contents() == ["4"]
    assert page.text("#narration") == "dloss/d(y − target) = ?"  # stays on the question
    answer(page, "4")  # right: the step is shown and the lesson moves on
    assert f"✓ {steps[0]}" in feedback(page)
    assert page.text("#narration") == "dloss/dy = dloss/d(y − target) · d(y − target)/dy = ?"

    answer(page, "4")
    assert page.text("#narration") == (
        "dloss/dtarget = dloss/d(y − target) · d(y − target)/dtarget = ?"
    )
    answer(page, "4")  # the sign: d(y − target)/dtarget = −1
    assert "your sign is flipped" in feedback(page)
    assert page.page.locator(".tg-term.tg-wrong").all_text_contents() == ["(−1)"]
    page.button("Reveal").click()  # shown, not counted
    assert f"shown: {steps[2]}" in feedback(page)
    answer(page, "4")  # d(w · x)
    answer(page, "4")  # b

    answer(page, "12")  # dloss/dw: x and w swapped
    assert "your number means 3" in feedback(page)
    answer(page, "8")
    answer(page, "1.2e1")  # dloss/dx = 12, typed another way
    score = page.page.locator("#tg-score")
    assert score.is_visible()
    assert score.text_content() == "Score: 4 of 7 steps right the first time."
    assert page.text("#narration") == steps[-1]
    page.page.keyboard.press("Home")  # every step can be read again
    page.page.keyboard.press("End")
    assert page.text("#narration") == steps[-1]


def test_a_gradient_by_several_paths_is_added_up_on_the_page(visit) -> None:
    x = Value(3.0, "x")
    t = x * x + x
    t.label = "t"
    page = visit(t, quiz=True)
    page.page.keyboard.press("End")  # stops at the first question
    assert page.text("#narration") == "dt/d(x · x) = ?"
    answer(page, "1")
    assert page.text("#narration") == "dt/dx += ?  (path 1 of 3)"
    answer(page, "7")
    assert "yours is the whole dt/dx, all 3 paths added" in feedback(page)
    answer(page, "1")
    assert "x is used 3 times: path 1 adds 1" in feedback(page)
    answer(page, "6")
    assert "all 2 paths through x · x at once" in feedback(page)
    answer(page, "3")
    answer(page, "3")
    assert "x is used 3 times: path 3 adds 3, so dt/dx = 1 + 3 + 3 = 7" in feedback(page)
    assert page.page.locator("#tg-score").text_content() == (
        "Score: 2 of 4 steps right the first time."
    )


def test_the_page_shows_what_the_leaves_held_before(visit) -> None:
    v = chain_rule()
    v["loss"].backward()
    v["loss"].backward()
    page = visit(v["loss"])
    held = page.page.locator("#tg-held")
    assert held.is_visible()
    text = held.inner_text()
    assert "already held" in text
    assert "w.grad holds 16: 2 backward passes of 8;" in text
    assert "one more backward() would make it 16 + 8 = 24" in text
    assert v["w"].grad == 16.0


def test_a_quiz_needs_numbers() -> None:
    W = Tensor([[1.0, 2.0]], requires_grad=True, label="W")
    loss = (W * 3).sum()
    with pytest.raises(ValueError, match="the quiz asks for one number a step"):
        lesson(loss, quiz=True)


def test_a_page_without_the_quiz_has_no_box(visit: Any) -> None:
    page = visit(chain_rule()["loss"])
    page.page.keyboard.press("End")
    assert not page.page.get_by_label("answer", exact=True).is_visible()
    assert page.page.locator("#tg-score").is_hidden()
