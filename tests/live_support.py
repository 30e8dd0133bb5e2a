"""Helpers for the serve and watch tests: a throw-away project folder, the
rebuild loop running in a thread, raw HTTP requests and an SSE reader."""
from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from generator.config import load_config
from generator.serve import serve
from generator.watch import Rebuilder, watch
from tests.site_support import REPO

FAST = {"debounce_ms": 300, "step_ms": 50, "tick_ms": 100}
OLD = time.time() - 3600   # an mtime long settled


def make_project(root: Path, base_url: str = "http://localhost:8000/") -> Path:
    """A project folder like a user's: site.yaml, templates/, transcripts/
    holding the seeds. Returns the site.yaml path."""
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "transcripts").mkdir()
    for path in sorted((REPO / "seeds").glob("*.txt")):
        copy = root / "transcripts" / path.name
        shutil.copyfile(path, copy)
        os.utime(copy, (OLD, OLD))
    config = root / "site.yaml"
    config.write_text("title: Live Test Archive\n"
                      f"base_url: {base_url}\n"
                      "source_dir: transcripts\ncontent_dir: content\noutput_dir: _site\n"
                      "templates_dir: templates\n", encoding="utf-8")
    return config


def wait_for(predicate, timeout: float = 10, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


@dataclass
class Running:
    rebuilder: Rebuilder
    log: io.StringIO      # the rebuild lines
    errors: io.StringIO   # what the build reported
    url: str = ""         # serve only: the root URL printed

    @property
    def host(self) -> tuple[str, int]:
        parts = urlsplit(self.url)
        return parts.hostname, parts.port

    def attempts(self) -> int:
        return self.rebuilder.state.attempt

    def wait_rebuilt(self, after: int, timeout: float = 10) -> None:
        wait_for(lambda: self.attempts() > after, timeout, f"a rebuild after #{after}:\n{self.log.getvalue()}")


@contextlib.contextmanager
def running(config_file: Path, command: str = "serve", settle_seconds: float = 0.3):
    """``serve`` (on a free loopback port) or ``watch`` in a thread, until the block ends."""
    log, errors = io.StringIO(), io.StringIO()
    config = load_config(config_file)
    rebuilder = Rebuilder(config, lambda: load_config(config_file), config_file,
                          settle_seconds=settle_seconds, out=log, err=errors)
    stop = threading.Event()
    if command == "serve":
        target = lambda: serve(rebuilder, "127.0.0.1", 0, stop_event=stop, **FAST)  # noqa: E731
    else:
        target = lambda: watch(rebuilder, stop_event=stop, **FAST)  # noqa: E731
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    handle = Running(rebuilder, log, errors)
    try:
        ready = "serving: " if command == "serve" else "watching for changes"
        line = wait_for(lambda: next((l for l in log.getvalue().splitlines() if l.startswith(ready)), None),
                        15, f"'{ready}' in:\n{log.getvalue()}{errors.getvalue()}")
        if command == "serve":
            handle.url = line.split()[1]
        yield handle
    finally:
        stop.set()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the loop did not stop"


def get(running: Running, path: str, method: str = "GET") -> tuple[int, dict, bytes]:
    """A request with ``path`` sent exactly as written (no client-side '..' clean-up)."""
    conn = http.client.HTTPConnection(*running.host, timeout=10)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


class EventStream:
    """A client of the server's Server-Sent Events endpoint."""

    def __init__(self, running: Running, path: str = "/__live/events"):
        self.conn = http.client.HTTPConnection(*running.host, timeout=10)
        self.conn.request("GET", path)
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type").startswith("text/event-stream")

    def next(self) -> tuple[str, dict]:
        """The next event's name and data (keep-alive comments skipped)."""
        name, data = "message", None
        while True:
            line = self.response.fp.readline().decode("utf-8")
            if not line:
                raise AssertionError("event stream closed")
            line = line.rstrip("\n")
            if line == "" and data is not None:
                return name, json.loads(data)
            if line.startswith("event: "):
                name = line[len("event: "):]
            elif line.startswith("data: "):
                data = line[len("data: "):]

    def close(self) -> None:
        self.conn.close()


class Command:
    """``python -m generator ARGS`` running in the background, its output read line by line."""

    def __init__(self, *args: str, cwd: Path):
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.proc = subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stdout: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_line(self, predicate, timeout: float = 15) -> str:
        """The first line from now on that ``predicate`` accepts."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"timed out; output so far: {self.stdout}") from None
            if line is None:
                raise AssertionError(f"exited early: {self.stdout} {self.proc.stderr.read()}")
            self.stdout.append(line)
            if predicate(line):
                return line

    def interrupt(self, timeout: float = 15) -> tuple[int, str, str]:
        """Ctrl-C; returns (exit status, the rest of stdout, stderr)."""
        self.proc.send_signal(signal.SIGINT)
        try:
            stderr = self.proc.stderr.read()
            self.proc.wait(timeout)
        finally:
            self.proc.kill()
        rest = []
        while (line := self.lines.get(timeout=5)) is not None:
            rest.append(line)
        return self.proc.returncode, "".join(rest), stderr
