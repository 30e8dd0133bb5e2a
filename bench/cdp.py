"""A small Chrome DevTools Protocol client over --remote-debugging-pipe.

The benchmark needs what Playwright does not expose: CDP sessions on a page's
dedicated Web Worker (to throttle the worker's own fetches, see every request
it makes and read its JS heap). Flattened sessions over the pipe give that
with no extra dependency: messages are JSON, each ended by a NUL byte, on
file descriptors 3 (to Chromium) and 4 (from Chromium).
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import threading

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


class CDPError(RuntimeError):
    pass


class Chromium:
    """One headless Chromium; ``send`` waits for a command's answer, ``post``
    does not (for use inside event handlers, which run on the reader thread)."""

    def __init__(self, executable: str = CHROMIUM):
        self.profile = tempfile.mkdtemp(prefix="bench-chromium-")
        to_child, self._to_browser = os.pipe()
        self._from_browser, from_child = os.pipe()

        def place_pipes():
            # Out of the way first, so that neither dup2 closes the other pipe.
            a = fcntl.fcntl(to_child, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_child, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [executable, "--headless", "--remote-debugging-pipe", f"--user-data-dir={self.profile}",
             *ARGS, "about:blank"],
            # Not pass_fds: it would close 3 and 4 after place_pipes. Python's
            # own descriptors are close-on-exec, so only 0 to 4 reach Chromium.
            close_fds=False, preexec_fn=place_pipes,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child)
        os.close(from_child)
        self._lock = threading.Lock()
        self._next_id = 0
        self._waiting: dict[int, tuple[threading.Event, list]] = {}
        self._handlers: dict[str, list] = {}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def on(self, method: str, handler) -> None:
        """handler(params, session_id) for each event ``method``."""
        self._handlers.setdefault(method, []).append(handler)

    def off(self, method: str, handler) -> None:
        self._handlers[method].remove(handler)

    def post(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        with self._lock:
            self._next_id += 1
            msg_id = self._next_id
            self._waiting[msg_id] = (threading.Event(), [])
            message = {"id": msg_id, "method": method, "params": params or {}}
            if session:
                message["sessionId"] = session
            os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        return msg_id

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 60) -> dict:
        msg_id = self.post(method, params, session)
        done, answer = self._waiting[msg_id]
        if not done.wait(timeout):
            raise CDPError(f"{method}: no answer in {timeout} s")
        del self._waiting[msg_id]
        reply = answer[0]
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def _read(self) -> None:
        buffer = b""
        while True:
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                return
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message:
                    waiting = self._waiting.get(message["id"])
                    if waiting:
                        waiting[1].append(message)
                        waiting[0].set()
                else:
                    for handler in list(self._handlers.get(message.get("method"), ())):
                        handler(message.get("params", {}), message.get("sessionId"))

    def close(self) -> None:
        try:
            self.post("Browser.close")
            self.proc.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> "Chromium":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
