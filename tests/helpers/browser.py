"""The report tests' browser: Debian's headless chromium driven by Playwright.

Playwright does not download a browser here: it launches the system chromium through
``executable_path``. :meth:`Chromium.load` opens a page with no network (every request that is not
``file:`` or ``data:`` is recorded and aborted), records every console error, uncaught exception
and failed load, evaluates an expression in the page and can take a full-page screenshot;
:meth:`Chromium.open` hands a test such a recorded page to drive.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
from playwright.sync_api import (
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    Request,
    Route,
    sync_playwright,
)

# Lines for the end of the pytest output (screenshot path, or why the browser test skipped).
SUMMARY: list[str] = []

CANDIDATES = ("chromium", "chromium-browser")
# Flags for a headless run as root in a container, with nothing phoning home.
FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--hide-scrollbars",
)


def find_chromium() -> str | None:
    """Path of Debian's chromium (or ``$CHROMIUM``), or ``None`` when none is installed."""
    env = os.environ.get("CHROMIUM")
    if env:
        return shutil.which(env)
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_or_skip(untested: str) -> str:
    """Path of the chromium to run; without one, skip the calling test saying what was
    ``untested`` (and list the skip in :data:`SUMMARY`), or fail it with
    ``COMMUNIS_REQUIRE_BROWSER=1`` (for CI)."""
    path = find_chromium()
    if path is None:
        reason = f"chromium is not installed (apt-get install -y chromium): {untested}"
        if os.environ.get("COMMUNIS_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " and COMMUNIS_REQUIRE_BROWSER=1")
        SUMMARY.append(f"SKIPPED browser test: {reason}")
        pytest.skip(reason)
    return path


@dataclass
class PageResult:
    """What loading a page produced."""

    url: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    value: Any = None
    screenshot: Path | None = None
    console: list[str] = field(default_factory=list)

    @property
    def external_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "data:"))]


class Chromium:
    """A headless chromium for the length of a ``with`` block."""

    def __init__(self, executable: str, *, timeout: float = 60.0, width: int = 1280) -> None:
        self._executable = executable
        self._timeout_ms = timeout * 1000
        self._width = width
        self._playwright: Playwright | None = None

    def __enter__(self) -> Chromium:
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=self._executable, headless=True, args=list(FLAGS)
        )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._browser.close()
        assert self._playwright is not None
        self._playwright.stop()

    def load(self, url: str, *, expression: str, screenshot: Path | None = None) -> PageResult:
        """Open ``url``, wait for its load event, evaluate ``expression`` (a promise is awaited)."""
        result = PageResult(url=url)
        page = self._browser.new_page(viewport={"width": self._width, "height": 800})
        page.set_default_timeout(self._timeout_ms)
        self._record(page, result)
        page.goto(url, wait_until="load")
        result.value = page.evaluate(expression)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=screenshot, full_page=True)
            result.screenshot = screenshot
        page.close()
        return result

    def open(self, url: str, *, init_script: str | None = None) -> tuple[Page, PageResult]:
        """Open ``url`` in a recorded page for a test to drive (close it with ``page.close()``);
        ``init_script`` runs before the page's own scripts (e.g. an injected wallet)."""
        result = PageResult(url=url)
        page = self._browser.new_page(viewport={"width": self._width, "height": 800})
        page.set_default_timeout(self._timeout_ms)
        self._record(page, result)
        if init_script is not None:
            page.add_init_script(init_script)
        return page, result

    @staticmethod
    def _record(page: Page, result: PageResult) -> None:
        def on_console(message: ConsoleMessage) -> None:
            result.console.append(f"{message.type}: {message.text}")
            if message.type == "error":
                result.errors.append(f"console.error: {message.text}")

        def on_page_error(error: Error) -> None:
            result.errors.append(f"uncaught exception: {error.message}")

        def on_request_failed(request: Request) -> None:
            result.errors.append(f"failed load: {request.url}: {request.failure}")

        def on_route(route: Route) -> None:
            request = route.request
            result.requests.append(request.url)
            if request.url.startswith(("file:", "data:")):
                route.continue_()
            else:
                route.abort("blockedbyclient")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        page.on("requestfailed", on_request_failed)
        page.route("**/*", on_route)


IMAGES_PROBE = """
(async () => {
  const imgs = Array.from(document.images);
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  return {
    title: document.title,
    scripts: document.scripts.length,
    images: imgs.map(i => ({
      chart: i.dataset.chart || null,
      complete: i.complete,
      naturalWidth: i.naturalWidth,
      naturalHeight: i.naturalHeight,
      shownWidth: i.getBoundingClientRect().width,
      isData: i.src.startsWith('data:image/png;base64,'),
    })),
    sections: Array.from(document.querySelectorAll('section')).map(s => s.id),
  };
})()
"""
