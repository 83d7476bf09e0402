"""A minimal headless-chromium driver for the report tests, over the DevTools protocol.

Chromium is started with ``--remote-debugging-pipe``: it reads protocol commands from file
descriptor 3 and writes replies and events to descriptor 4, each message JSON terminated by a
NUL byte. No port, no websocket library, nothing listening on the network. The driver opens a
page, records every console error, uncaught exception, failed load and every request that is
not ``file:`` or ``data:``, evaluates an expression in the page and takes a full-page
screenshot.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Lines for the end of the pytest output (screenshot path, or why the browser test skipped).
SUMMARY: list[str] = []

CANDIDATES = ("chromium", "chromium-browser")
# bash, not sh: dash cannot redirect descriptors above 9.
BASH = shutil.which("bash") or "/bin/bash"

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
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


class BrowserError(RuntimeError):
    pass


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
    """One headless chromium process with a fresh profile, driven over the DevTools pipe."""

    def __init__(self, executable: str, *, timeout: float = 60.0, width: int = 1280) -> None:
        self.timeout = timeout
        self.width = width
        self.profile = tempfile.mkdtemp(prefix="communis-chromium-")
        self.stderr_path = Path(self.profile) / "chromium-stderr.log"
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # Chromium expects the pipe on descriptors 3 (commands in) and 4 (replies out). Rather
        # than a preexec_fn (unsafe with threads), move the child's ends above 9 and let the
        # shell (bash) redirect them onto 3 and 4 as it execs chromium.
        child_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
        child_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
        for fd in (to_browser_r, from_browser_w):
            os.close(fd)
        args = [executable, *FLAGS, f"--user-data-dir={self.profile}", f"--window-size={width},900"]
        script = f'exec "$@" 3<&{child_r} 4>&{child_w} {child_r}<&- {child_w}>&-'
        self._stderr = open(self.stderr_path, "wb")  # noqa: SIM115 - closed in close()
        try:
            self.proc = subprocess.Popen(
                [BASH, "-c", script, "chromium", *args, "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=self._stderr,
                stderr=self._stderr,
                pass_fds=(child_r, child_w),
            )
        finally:
            os.close(child_r)
            os.close(child_w)
        self._buf = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    # Transport ------------------------------------------------------------------------------

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"timed out waiting for chromium; stderr: {self.stderr_tail()}")
            ready, _, _ = select.select([self._from_browser], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise BrowserError(f"chromium closed the pipe; stderr: {self.stderr_tail()}")
                self._buf += chunk
            elif self.proc.poll() is not None:
                raise BrowserError(
                    f"chromium exited with {self.proc.returncode}; stderr: {self.stderr_tail()}"
                )
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and return its result (events seen meanwhile are queued)."""
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def wait_for(self, method: str, timeout: float | None = None) -> dict:
        """Wait for an event named ``method`` (already queued or still to come)."""
        for ev in self._events:
            if ev["method"] == method:
                return ev
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            ev = self._read_message(deadline)
            if "method" in ev:
                self._events.append(ev)
                if ev["method"] == method:
                    return ev

    def drain(self, seconds: float) -> None:
        """Collect events for ``seconds`` (late errors, e.g. from timers)."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                ev = self._read_message(deadline)
                if "method" in ev:
                    self._events.append(ev)
        except BrowserError:
            if self.proc.poll() is not None:
                raise

    def stderr_tail(self, n: int = 2000) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    # Page ------------------------------------------------------------------------------------

    def load(
        self, url: str, *, expression: str | None = None, screenshot: Path | None = None
    ) -> PageResult:
        """Open ``url`` in the page target, wait for its load event and a short settle time,
        evaluate ``expression`` (its JSON value goes into ``value``) and optionally write a
        full-page PNG screenshot."""
        targets = self.send("Target.getTargets")["targetInfos"]
        page = next((t for t in targets if t["type"] == "page"), None)
        target_id = (
            page["targetId"]
            if page
            else self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        )
        session = self.send("Target.attachToTarget", {"targetId": target_id, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Runtime", "Log", "Page", "Network"):
            self.send(f"{domain}.enable", session=session)
        self._events.clear()
        nav = self.send("Page.navigate", {"url": url}, session=session)
        if nav.get("errorText"):
            raise BrowserError(f"navigation to {url} failed: {nav['errorText']}")
        self.wait_for("Page.loadEventFired")
        self.drain(0.5)
        result = PageResult(url=url)
        if expression is not None:
            ev = self.send(
                "Runtime.evaluate",
                {"expression": expression, "returnByValue": True, "awaitPromise": True},
                session=session,
            )
            if "exceptionDetails" in ev:
                raise BrowserError(f"evaluating the probe failed: {ev['exceptionDetails']}")
            result.value = ev["result"].get("value")
        if screenshot is not None:
            metrics = self.send("Page.getLayoutMetrics", session=session)
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            height = min(int(size["height"]) + 1, 16000)
            self.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": self.width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                session=session,
            )
            shot = self.send(
                "Page.captureScreenshot", {"format": "png", "fromSurface": True}, session=session
            )
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
            result.screenshot = screenshot
        self.drain(0.2)
        for ev in self._events:
            m, p = ev["method"], ev.get("params", {})
            if m == "Runtime.exceptionThrown":
                d = p["exceptionDetails"]
                desc = d.get("exception", {}).get("description") or d.get("text")
                result.errors.append(f"uncaught exception: {desc}")
            elif m == "Runtime.consoleAPICalled":
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"])
                result.console.append(f"{p['type']}: {text}")
                if p["type"] in ("error", "assert"):
                    result.errors.append(f"console.{p['type']}: {text}")
            elif m == "Log.entryAdded":
                e = p["entry"]
                result.console.append(f"{e['level']}: {e['text']}")
                if e["level"] == "error":
                    result.errors.append(f"log ({e.get('source')}): {e['text']} {e.get('url', '')}")
            elif m == "Network.requestWillBeSent":
                result.requests.append(p["request"]["url"])
            elif m == "Network.loadingFailed":
                result.errors.append(f"load failed: {p.get('errorText')} ({p.get('type')})")
        return result

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                with contextlib.suppress(BrowserError):
                    self.send("Browser.close")
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
        finally:
            for fd in (self._to_browser, self._from_browser):
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._stderr.close()
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Evaluated in the page: one entry per <img>, plus the page's own verdict on its charts.
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
