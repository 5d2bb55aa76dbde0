"""Headless Chromium (Debian's `chromium`, `make chromium`) driven by Playwright.

Playwright never downloads a browser here: it starts the system's, with the flags a
closed, root-run machine needs (no sandbox as root, no GPU, nothing fetched in the
background). The report test and `bench/report.py` load pages with it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = os.environ.get("NEWSFOLD_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium_page(width: int = 1200, height: int = 900) -> Iterator[Any]:
    """A fresh page of a headless Chromium; its JavaScript errors are in `page.errors`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page: Any = browser.new_page(viewport={"width": width, "height": height})
            page.errors = []
            page.on("pageerror", lambda error: page.errors.append(str(error)))
            yield page
        finally:
            browser.close()


def screenshot(page_path: str, png: str, open_first: bool = True) -> None:
    """A PNG of a page (the report: its first story opened), as docs/report.png is made:
    `python -m bench.browser output/demo/report.html docs/report.png`."""
    from pathlib import Path

    with chromium_page(1100, 900) as page:
        page.goto(Path(page_path).resolve().as_uri())
        if open_first and page.locator("details.story summary").count():
            page.click("details.story summary")
        page.screenshot(path=png, full_page=True)


if __name__ == "__main__":
    import sys

    screenshot(sys.argv[1], sys.argv[2])
