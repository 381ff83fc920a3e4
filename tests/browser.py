"""A real headless Chromium driven over the Chrome DevTools protocol (websocket-client), for the
report's browser tests. No browser is downloaded: it uses Debian's chromium (scripts/setup.sh
installs it where apt can), and ``chromium_or_skip`` skips with the reason where none is found."""

from __future__ import annotations

import base64
import itertools
import json
import os
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from curvehouse.report.pdf import CHROMIUM_FLAGS, find_chromium

FLAGS = [*CHROMIUM_FLAGS, "--remote-debugging-port=0", "--remote-allow-origins=*"]
CHART_PROBE = """
Array.from(document.querySelectorAll('figure.chart')).map(f => {
  const s = f.querySelector('svg'); const r = s ? s.getBoundingClientRect() : {width: 0, height: 0};
  return {name: f.dataset.chart, width: r.width, height: r.height, alt: s ? s.getAttribute('aria-label') : null,
          marks: s ? s.querySelectorAll('path, rect, line, use, text, polyline').length : 0};
})
"""
NARROWEST_CELL = """
Array.from(document.querySelectorAll('td, th')).map(c => [c.innerText.slice(0, 60), c.getBoundingClientRect().width])
  .sort((a, b) => a[1] - b[1]).slice(0, 1)
"""


def chromium_or_skip() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip(
            "no chromium on this machine (scripts/setup.sh installs Debian's chromium where apt-get is "
            "available; set CURVEHOUSE_CHROMIUM to another binary)"
        )
    return path


@dataclass
class PageVisit:
    """What a page load produced: console errors, requests made, chart geometry, the screenshot."""

    url: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    narrowest_cell: list = field(default_factory=list)  # [text, width in px] of the narrowest table cell
    title: str = ""
    text: str = ""
    screenshot: Path | None = None


class Chromium:
    """One headless Chromium with a fresh profile; ``visit`` loads a page and screenshots it."""

    def __init__(self, binary: str, profile_dir: Path) -> None:
        import websocket

        profile_dir.mkdir(parents=True, exist_ok=True)
        # Its own process group: close() ends the browser with every helper process it started.
        self._proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile_dir}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        port_file = profile_dir / "DevToolsActivePort"
        deadline = time.time() + 60
        while not port_file.exists() or not port_file.read_text().strip():
            if time.time() > deadline or self._proc.poll() is not None:
                self.close()
                raise RuntimeError(f"chromium did not start ({binary})")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
        page = next(t for t in targets if t["type"] == "page")
        self._ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self._ids = itertools.count(1)
        self._events: list[dict] = []
        for method in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
            self.call(method)
        self.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)

    def call(self, method: str, **params) -> dict:
        ident = next(self._ids)
        self._ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._events.append(message)

    def _wait_for(self, method: str, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(e.get("method") == method for e in self._events):
                return
            self._events.append(json.loads(self._ws.recv()))
        raise TimeoutError(method)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def visit(self, path: Path, screenshot: Path) -> PageVisit:
        self._events.clear()
        url = path.resolve().as_uri()
        self.call("Page.navigate", url=url)
        self._wait_for("Page.loadEventFired")
        time.sleep(0.2)
        visit = PageVisit(url)
        self.collect(visit)
        visit.charts = self.evaluate(CHART_PROBE)
        visit.narrowest_cell = (self.evaluate(NARROWEST_CELL) or [[]])[0]
        visit.title = self.evaluate("document.title")
        visit.text = self.evaluate("document.body.innerText")
        visit.screenshot = self.screenshot(screenshot)
        return visit

    def screenshot(self, path: Path, width: int = 1280) -> Path:
        """The whole page (up to 16,000 px tall) at ``width`` px as a PNG at ``path``."""
        height = int(self.evaluate("Math.ceil(document.documentElement.scrollHeight)"))
        shot = self.call(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": width, "height": min(height, 16000), "scale": 1},
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def collect(self, visit: PageVisit) -> None:
        """Move the console errors and requests seen since the last collect into ``visit``."""
        self.call("Runtime.evaluate", expression="1")  # drain events that arrived meanwhile
        for event in self._events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                visit.errors.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                visit.errors.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                visit.errors.append(params["entry"]["text"])
            elif method == "Network.requestWillBeSent":
                visit.requests.append(params["request"]["url"])
        self._events.clear()

    def fill(self, selector: str, value: float | str) -> None:
        """Type ``value`` into the input matching ``selector`` as a user would: set it, dispatch input."""
        found = self.evaluate(
            f"(() => {{ const node = document.querySelector({json.dumps(selector)}); if (!node) return false;"
            f" node.value = {json.dumps(str(value))};"
            " node.dispatchEvent(new Event('input', {bubbles: true})); return true; })()"
        )
        if not found:
            raise LookupError(f"no element matches {selector}")

    def print_view(self, path: Path, screenshot: Path) -> None:
        """Screenshot the page as its print stylesheet lays it out, at A4's printable width (188 mm at
        96 dpi: 210 mm less the stylesheet's 11 mm margins)."""
        self.call("Emulation.setEmulatedMedia", media="print")
        self.call("Emulation.setDeviceMetricsOverride", width=711, height=1085, deviceScaleFactor=1, mobile=False)
        try:
            self._events.clear()
            self.call("Page.navigate", url=path.resolve().as_uri())
            self._wait_for("Page.loadEventFired")
            self.screenshot(screenshot, 711)
        finally:
            self.call("Emulation.setEmulatedMedia", media="")
            self.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)

    def close(self) -> None:
        try:
            self._ws.close()
        except AttributeError:
            pass
        try:
            os.killpg(self._proc.pid, signal.SIGTERM)
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self._proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
