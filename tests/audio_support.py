"""Real audio for the browser tests: a generated WAV, answered (with Range
support, as a podcast host would) wherever a page asks for an enclosure.
Nothing leaves the machine: Playwright intercepts the request."""
from __future__ import annotations

import io
import re
import wave

RATE = 4000   # Hz; mono, 8 bits: 4 kB a second keeps a 25-minute file small


def wav(seconds: int) -> bytes:
    """``seconds`` of a quiet tone as a WAV file."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(RATE)
        period = bytes([128, 136, 128, 120]) * (RATE // 4)   # one second of a 1 kHz tone
        w.writeframes(period * seconds)
    return out.getvalue()


class AudioHost:
    """Answers every request the page routes to it with ``data`` and keeps a list of them."""

    def __init__(self, data: bytes):
        self.data = data
        self.requests: list[dict] = []

    def __call__(self, route) -> None:
        request = route.request
        self.requests.append({"url": request.url, "range": request.headers.get("range", "")})
        size = len(self.data)
        m = re.fullmatch(r"bytes=(\d+)-(\d*)", request.headers.get("range", ""))
        if not m:
            route.fulfill(status=200, body=self.data, headers={"Content-Type": "audio/wav", "Accept-Ranges": "bytes"})
            return
        start = int(m[1])
        end = min(int(m[2]) if m[2] else size - 1, size - 1)
        if start >= size:
            route.fulfill(status=416, headers={"Content-Range": f"bytes */{size}"})
            return
        route.fulfill(status=206, body=self.data[start:end + 1], headers={
            "Content-Type": "audio/wav", "Accept-Ranges": "bytes", "Content-Range": f"bytes {start}-{end}/{size}"})
