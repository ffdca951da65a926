"""A headless Chromium driven over the DevTools protocol through a pipe: open a page at a
phone's size, run a script in it, take a screenshot. Needs only the browser (no driver, no
extra Python package): the protocol's JSON messages go over file descriptors 3 and 4.

Why the protocol rather than ``chromium --headless --window-size=390,... --dump-dom``: a
headless window is at least 500 px wide, so pages laid out that way are never phone-sized;
the protocol's device emulation gives the page a 390 px viewport as on a phone.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
EXECUTABLE = os.environ.get("CHROMIUM") or next((found for name in NAMES if (found := shutil.which(name))), None)


class Chromium:
    """``with Chromium(390) as browser: browser.open(url); browser.evaluate("1 + 1")``."""

    def __init__(self, width: int, height: int = 844, timeout: float = 60.0):
        self.width, self.height, self.timeout = width, height, timeout
        self._buffer = b""
        self._next_id = 0

    def __enter__(self) -> "Chromium":
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
        to_browser, self._commands = os.pipe()
        self._replies, from_browser = os.pipe()

        def as_fds_3_and_4():   # the protocol pipe's fixed places in the browser
            reads, writes = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser, from_browser))
            os.dup2(reads, 3)
            os.dup2(writes, 4)

        self._process = subprocess.Popen(
            [EXECUTABLE, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--hide-scrollbars", "--remote-debugging-pipe", f"--user-data-dir={self._profile.name}",
             "about:blank"],
            preexec_fn=as_fds_3_and_4, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser)
        os.close(from_browser)
        target = self._call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self._call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self._call("Emulation.setDeviceMetricsOverride", session=True, width=self.width, height=self.height,
                   deviceScaleFactor=2, mobile=self.width < 600)
        self._call("Page.enable", session=True)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._send("Browser.close")
            self._process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()
        finally:
            os.close(self._commands)
            os.close(self._replies)
            self._profile.cleanup()

    def open(self, url: str) -> None:
        """Load ``url`` and wait for its load event."""
        self._call("Page.navigate", session=True, url=url)
        self._wait_for("Page.loadEventFired")

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the open page (JSON-like values)."""
        result = self._call("Runtime.evaluate", session=True, expression=expression, returnByValue=True,
                            awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, target: Path) -> Path:
        """The whole page (not only the screen) as a PNG."""
        size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        data = self._call("Page.captureScreenshot", session=True, format="png", captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": max(size[0], self.width), "height": size[1], "scale": 1})
        target.write_bytes(base64.b64decode(data["data"]))
        return target

    # --------------------------------------------------------------------------- the protocol

    def _send(self, method: str, session: bool = False, **params) -> int:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _call(self, method: str, session: bool = False, **params) -> dict:
        sent = self._send(method, session, **params)
        while True:
            message = self._receive()
            if message.get("id") == sent:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def _wait_for(self, event: str) -> dict:
        while True:
            message = self._receive()
            if message.get("method") == event:
                return message.get("params", {})

    def _receive(self) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._replies], [], [], self.timeout)
            if not ready:
                raise TimeoutError(f"Chromium said nothing for {self.timeout:.0f}s")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise RuntimeError(f"Chromium closed its pipe (exit code {self._process.poll()})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)
