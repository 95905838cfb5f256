"""The README's picture of a lesson page, made the way a learner sees it: in Chromium.

    python -m benchmarks.screenshot_lesson [PATH]     (default: docs/lesson.png)

Builds the chain-rule lesson (x = 2, w = 3, b = 1, target 5), moves to the fourth backward
step, clicks w to show its chain-rule sum, and takes a screenshot with headless Chromium
(Debian's chromium package, driven by playwright).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from autograd import lesson
from demos.chain_rule import build

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def screenshot(path: Path, step: int = 9) -> Path:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        page_path = lesson(build()["loss"]).save(Path(folder) / "chain_rule.html")
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1180, "height": 520}, device_scale_factor=1)
        page.goto(page_path.resolve().as_uri())
        page.locator("#step").fill(str(step))
        page.locator("#v0").click()
        page.locator("h1").click()  # the click's focus ring off the picture
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path))
        browser.close()
    return path


def main(argv: Sequence[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    target = Path(arguments[0]) if arguments else Path("docs/lesson.png")
    print(f"screenshot written to {screenshot(target)}")


if __name__ == "__main__":
    main()
