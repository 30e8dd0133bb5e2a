"""What the search page costs a reader: the bytes it downloads (gzip, as
served) and the time to its first results, on localhost and on a mobile
network, and its worker's JS heap after five queries.

Nothing here knows the search index's file names. Each measurement opens the
page in a fresh browser context (an empty cache), attaches to every worker
the page starts (so network emulation and request tracking cover the worker's
own fetches), and counts every response body the local server sent until the
network has been quiet for a while after the first results.

"First results" is the moment a link appears inside the results list
(RESULT_LINK), timed inside the page by a MutationObserver from navigation
start, so the polling here adds nothing to it.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

from bench.cdp import CDPError, Chromium
from bench.serve import Sent, StaticServer

RESULT_LINK = "#search-results li a[href]"
SEARCH_INPUT = "#site-search"
# Lighthouse's mobile profile, as DevTools network emulation.
MOBILE = {"offline": False, "latency": 150, "downloadThroughput": 200_000, "uploadThroughput": 93_750}
QUIET_SECONDS = 1.5      # no request in flight for this long after the first results: done
FIRST_TIMEOUT = 240
GIVE_UP_SECONDS = 20     # no result link and no request for this long: the query found nothing

OBSERVER = """(() => {
  const selector = %s
  const seen = () => {
    if (!window.__benchFirst && document.querySelector(selector)) window.__benchFirst = performance.now()
  }
  new MutationObserver(seen).observe(document, {childList: true, subtree: true})
})()"""

# A later query typed into the box and submitted, as Enter does: the time
# until the first result link is a new element or points elsewhere (the list
# was redrawn for this query). Submitting skips the search page's typing
# debounce (a deliberate wait between keystrokes, not query time); the
# Pagefind page has no form and answers every input event at once.
TYPE_QUERY = """(q) => new Promise(resolve => {
  const input = document.querySelector(%s)
  const link = () => document.querySelector(%s)
  const before = link(), beforeHref = before && before.href
  const start = performance.now()
  const done = new MutationObserver(() => {
    const now = link()
    if (now && (now !== before || now.href !== beforeHref)) { done.disconnect(); resolve(performance.now() - start) }
  })
  done.observe(document.body, {childList: true, subtree: true, attributes: true, characterData: true})
  setTimeout(() => { done.disconnect(); resolve(null) }, 60000)
  input.value = q
  input.dispatchEvent(new Event('input', {bubbles: true}))
  if (input.form) input.form.requestSubmit()
})"""


# For queries asked of the page's search worker directly: keep every worker
# the page starts (the search box holds its worker in a closure).
KEEP_WORKERS = """(() => {
  const Original = window.Worker
  if (!Original) return
  window.__benchWorkers = []
  window.Worker = function (url, options) {
    const worker = new Original(url, options)
    window.__benchWorkers.push(worker)
    return worker
  }
  window.Worker.prototype = Original.prototype
})()"""

# One query posted to the search worker as the search box posts it; the time
# until the worker posts its results (the first page of them), measured on
# the page, so it includes both messages' transit. ``id`` is one the search
# box never uses, so the page ignores the answer.
ASK_WORKER = """([q, id]) => new Promise(resolve => {
  const worker = window.__benchWorkers[0]
  const heard = e => {
    if (!e.data || e.data.type !== 'results' || e.data.id !== id) return
    worker.removeEventListener('message', heard)
    resolve({ms: performance.now() - start, total: e.data.total, error: e.data.error || null})
  }
  worker.addEventListener('message', heard)
  setTimeout(() => resolve(null), 60000)
  const start = performance.now()
  worker.postMessage({type: 'query', id, q, typing: false, offset: 0, limit: 10})
})"""


@dataclass
class Load:
    """One page load: time to first results and what was downloaded for it."""
    first_ms: float | None
    sent: list[Sent]
    worker_paths: set[str] = field(default_factory=set)
    unseen: list[str] = field(default_factory=list)   # served, but DevTools saw no such request

    @property
    def bytes(self) -> int:
        return sum(s.body_bytes for s in self.sent)

    def by_kind(self, search_path: str) -> dict[str, int]:
        kinds: dict[str, int] = {}
        for s in self.sent:
            kind = kind_of(s.path, search_path)
            kinds[kind] = kinds.get(kind, 0) + s.body_bytes
        return kinds


def kind_of(path: str, search_path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    if path.startswith("/episodes/") or name.endswith(".pf_fragment"):
        return "snippets"
    if name.endswith((".js", ".mjs", ".wasm")) or name.startswith("wasm."):
        return "scripts"
    if path.startswith("/pagefind/") or (path.startswith(search_path) and not name.endswith(".html")
                                         and path != search_path):
        return "index"
    return "page"


class Tab:
    """A page in its own browser context (an empty cache), its workers
    attached and paused at start until their requests are tracked."""

    def __init__(self, browser: Chromium, network: dict | None):
        self.browser, self.network = browser, network
        self.context = browser.send("Target.createBrowserContext", {"disposeOnDetach": True})["browserContextId"]
        target = browser.send("Target.createTarget", {"url": "about:blank", "browserContextId": self.context})
        self.session = browser.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})["sessionId"]
        self.workers: dict[str, str] = {}          # session id -> target type
        # request id -> path. A worker script's request starts on the page's
        # session and finishes on the worker's: request ids are browser-wide.
        self.inflight: dict[str, str] = {}
        self.urls_seen: dict[str, str] = {}        # URL path -> "page" or the worker's type
        self.last_activity = time.monotonic()
        self._lock = threading.Lock()
        self._handlers = {"Target.attachedToTarget": self._attached,
                          "Network.requestWillBeSent": self._request,
                          "Network.loadingFinished": self._finished,
                          "Network.loadingFailed": self._finished}
        for method, handler in self._handlers.items():
            browser.on(method, handler)
        self._prepare(self.session)
        browser.send("Page.enable", session=self.session)
        browser.send("Page.addScriptToEvaluateOnNewDocument",
                     {"source": OBSERVER % json.dumps(RESULT_LINK)}, session=self.session)
        browser.send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True,
                                              "flatten": True}, session=self.session)

    def _prepare(self, session: str) -> None:
        self.browser.send("Network.enable", session=session)
        if self.network:
            self.browser.send("Network.emulateNetworkConditions", self.network, session=session)

    def _ours(self, session: str | None) -> bool:
        return session == self.session or session in self.workers

    def _attached(self, params: dict, session: str | None) -> None:
        if not self._ours(session):
            return
        child, kind = params["sessionId"], params["targetInfo"]["type"]
        self.workers[child] = kind
        # On the reader thread: post, in order; the worker stays paused until
        # the last. The page's network emulation already covers a dedicated
        # worker's fetches (emulation_check measures it).
        self.browser.post("Network.enable", session=child)
        self.browser.post("Runtime.runIfWaitingForDebugger", session=child)

    def _request(self, params: dict, session: str | None) -> None:
        url = params["request"]["url"]
        if not self._ours(session) or not url.startswith("http"):
            return
        path = "/" + url.split("/", 3)[-1].split("?")[0].split("#")[0]
        with self._lock:
            self.inflight[params["requestId"]] = path
            who = "page" if session == self.session else self.workers[session]
            if self.urls_seen.get(path) != "worker":
                self.urls_seen[path] = who
            self.last_activity = time.monotonic()

    def _finished(self, params: dict, session: str | None) -> None:
        if not self._ours(session):
            return
        with self._lock:
            self.inflight.pop(params["requestId"], None)
            self.last_activity = time.monotonic()

    def evaluate(self, expression: str, timeout: float = 90):
        reply = self.browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                       "awaitPromise": True}, session=self.session,
                                  timeout=timeout)
        if "exceptionDetails" in reply:
            raise CDPError(reply["exceptionDetails"].get("text", "exception"))
        return reply["result"].get("value")

    def open(self, url: str) -> float | None:
        """Navigate and return the first results' time (ms from navigation
        start); None if no result link appeared before the network had been
        idle for GIVE_UP_SECONDS (a query with no results) or FIRST_TIMEOUT."""
        self.browser.send("Page.navigate", {"url": url}, session=self.session)
        deadline = time.monotonic() + FIRST_TIMEOUT
        while time.monotonic() < deadline:
            try:
                first = self.evaluate("window.__benchFirst || 0", timeout=10)
            except CDPError:
                first = 0   # between documents
            if first:
                return first
            with self._lock:
                if not self.inflight and time.monotonic() - self.last_activity > GIVE_UP_SECONDS:
                    return None
            time.sleep(0.05)
        return None

    def wait_quiet(self, limit: float = 300) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            with self._lock:
                if not self.inflight and time.monotonic() - self.last_activity > QUIET_SECONDS:
                    return
            time.sleep(0.1)

    def type_query(self, q: str) -> float | None:
        return self.evaluate(f"({TYPE_QUERY % (json.dumps(SEARCH_INPUT), json.dumps(RESULT_LINK))})"
                             f"({json.dumps(q)})")

    def ask_worker(self, q: str, id: int) -> dict | None:
        return self.evaluate(f"({ASK_WORKER})({json.dumps([q, id])})")

    def worker_heap(self) -> int | None:
        """The first dedicated worker's used JS heap after a garbage collection, in bytes."""
        for session, kind in self.workers.items():
            if kind == "worker":
                self.browser.send("HeapProfiler.collectGarbage", session=session)
                return int(self.browser.send("Runtime.getHeapUsage", session=session)["usedSize"])
        return None

    def close(self) -> None:
        for method, handler in self._handlers.items():
            self.browser.off(method, handler)
        try:
            self.browser.send("Target.disposeBrowserContext", {"browserContextId": self.context})
        except CDPError:
            pass


def measure_load(browser: Chromium, server: StaticServer, url: str, network: dict | None) -> Load:
    """Open ``url`` in an empty cache; everything served until the page is quiet after its first results."""
    server.take_log()
    tab = Tab(browser, network)
    try:
        first = tab.open(url)
        tab.wait_quiet()
        sent = server.take_log()
        workers = {p for p, who in tab.urls_seen.items() if who == "worker"}
        unseen = sorted({s.path for s in sent} - set(tab.urls_seen))
    finally:
        tab.close()
    return Load(first, sent, workers, unseen)


def query_session(browser: Chromium, server: StaticServer, search_url: str, queries: list[str]) -> dict:
    """Open the page with the first query, type the others one by one, then
    read the worker's heap and time the first query again (its data now loaded)."""
    tab = Tab(browser, None)
    try:
        tab.open(search_url + "?q=" + queries[0])
        tab.wait_quiet()
        later = []
        for q in queries[1:]:
            later.append(tab.type_query(q))
            tab.wait_quiet()
        heap = tab.worker_heap()
        again = tab.type_query(queries[0])
    finally:
        tab.close()
        server.take_log()
    return {"later_ms": later, "heap_bytes": heap, "loaded_ms": again}


def loaded_queries(browser: Chromium, server: StaticServer, search_url: str, warm: str, queries: list[str],
                   repeats: int = 7) -> dict:
    """New queries whose shards are already loaded: open the page with
    ``warm``, ask each query once (loading whatever else it needs), then ask
    each ``repeats`` times more, timing postMessage to the worker's answer.
    The worker keeps recent answers by query text, so each repeat adds a
    space to the query: a new text to that cache, the same query to lunr.
    Returns each query's times (ms, in order asked), hit count and the
    worker's heap after all of them."""
    tab = Tab(browser, None)
    try:
        browser.send("Page.addScriptToEvaluateOnNewDocument", {"source": KEEP_WORKERS}, session=tab.session)
        tab.open(search_url + "?q=" + warm)
        tab.wait_quiet()
        ids = iter(range(10**9, 2 * 10**9))
        found: dict[str, dict] = {}
        for q in queries:
            first = tab.ask_worker(q, next(ids))
            found[q] = {"first_ms": first and first["ms"], "total": first and first["total"],
                        "error": first and first["error"], "ms": []}
        tab.wait_quiet()
        for r in range(1, repeats + 1):
            for q in queries:
                answer = tab.ask_worker(q + " " * r, next(ids))
                found[q]["ms"].append(answer and answer["ms"])
        heap = tab.worker_heap()
    finally:
        tab.close()
        server.take_log()
    return {"warm": warm, "queries": found, "heap_bytes": heap}


def median(values: list[float | None]) -> float | None:
    if not values or None in values:
        return None
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def emulation_check(browser: Chromium, server: StaticServer, page_url: str, path: str, size: int) -> dict:
    """How long a dedicated worker takes to fetch ``path`` (``size`` bytes,
    served as they are) under MOBILE. Dedicated workers' sessions answer
    Network.emulateNetworkConditions with "Not supported" (Chromium 1xx);
    the page's emulation covers their fetches, which this checks: the fetch
    should take about latency + size / throughput, not a few milliseconds."""
    tab = Tab(browser, MOBILE)
    try:
        tab.browser.send("Page.navigate", {"url": page_url}, session=tab.session)
        time.sleep(1)
        ms = tab.evaluate("""new Promise(resolve => {
            const source = `onmessage = async e => {
                try {
                  const t = performance.now(); const r = await fetch(e.data, {cache: 'no-store'})
                  await r.arrayBuffer(); postMessage(performance.now() - t)
                } catch (error) { postMessage(null) } }`
            const w = new Worker(URL.createObjectURL(new Blob([source])))
            w.onmessage = e => resolve(e.data)
            w.postMessage(location.origin + %s)
            setTimeout(() => resolve(null), 30000)
        })""" % json.dumps(path))
    finally:
        tab.close()
        server.take_log()
    return {"bytes": size, "worker_ms": ms,
            "expected_ms": MOBILE["latency"] + size / MOBILE["downloadThroughput"] * 1000}
