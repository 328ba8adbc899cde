"""The scale check's clients: each walks lists by cursor through nginx from its own loopback
address (127.0.1.N, so the API's per-client limits see 16 clients) and reads the events it
meets; every answer is recorded by (dataset version, URL) for the comparison with baselines."""

import hashlib
import http.client
import json
import threading
import time
from collections import defaultdict
from urllib.parse import quote

from bench.cluster import next_link, problem

# The lists a frontend walks page by page; small pages, so a walk spans several.
WALKS = (
    "/v1/events?limit=3",
    "/v1/events?limit=2&country=RU",
    "/v1/events?limit=4&leader=xi-jinping",
    "/v1/quotes?limit=5",
    "/v1/leaders?limit=2",
    "/v1/sources?limit=2",
    "/v1/trade/observations?limit=3",
)
HEADERS = {"Accept-Encoding": "identity", "Accept": "application/json"}
# A cursor or versioned URL of a replaced dataset version (issue-26-app): a problem naming the
# current version and the first page, which the client starts again from.
MISMATCH_STATUSES = (409, 410)


def quantile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


class Record:
    """What every client saw; shared, behind a lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.bodies: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.walks = 0
        self.mismatches = 0
        self.crossed = 0
        self.reconnects = 0
        self.slowest: tuple[float, float, str] = (0.0, 0.0, "")  # seconds, when, URL

    @staticmethod
    def digest(body: bytes) -> str:
        return hashlib.sha256(body).hexdigest()


def first_page_named(body: bytes) -> str | None:
    """The first page a version-mismatch problem names (its `first_page` member)."""
    value = problem(body).get("first_page")
    return value if isinstance(value, str) and value.startswith("/v1/") else None


class Client:
    def __init__(self, index: int, port: int, record: Record, stop: threading.Event) -> None:
        self.index = index
        self.port = port
        self.record = record
        self.stop = stop
        self.source = f"127.0.1.{index + 1}"
        # One client in four reads slowly and sends an Origin of its own per walk, so its pages
        # miss nginx's cache (the key names Origin) and its walks span the reseed: those are
        # the walks whose old cursor gets the version-mismatch problem.
        self.slow = index % 4 == 0
        self.headers = HEADERS
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.source, 0)
        )

    def fetch(self, url: str) -> tuple[int, dict[str, str], bytes]:
        started = time.monotonic()
        for attempt in (1, 2):
            try:
                self.conn.request("GET", url, headers=self.headers)
                response = self.conn.getresponse()
                body = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # nginx closed an idle kept-alive connection (keepalive_timeout/requests):
                # a client reconnects once, as browsers do; a second failure is a failure.
                self.conn.close()
                self.conn = self._connect()
                if attempt == 2:
                    raise
                with self.record.lock:
                    self.record.reconnects += 1
        headers = {k.lower(): v for k, v in response.getheaders()}
        elapsed = time.monotonic() - started
        with self.record.lock:
            self.record.latencies.append(elapsed)
            if elapsed > self.record.slowest[0]:
                self.record.slowest = (elapsed, started, url)
        return response.status, headers, body

    def _ok(self, url: str, headers: dict[str, str], body: bytes) -> str | None:
        version = headers.get("x-dataset-version")
        if not version:
            self._fail(url, 200, "no X-Dataset-Version")
            return None
        location = headers.get("content-location")
        if location and version not in location:
            self._fail(url, 200, f"Content-Location {location} does not name {version}")
        with self.record.lock:
            self.record.bodies[(version, url)].add(Record.digest(body))
        return version

    def _fail(self, url: str, status: int, why: str) -> None:
        with self.record.lock:
            self.record.failures.append(f"client {self.index}: {url}: {status} {why}")

    def walk(self, first: str) -> None:
        url: str | None = first
        walk_version = None
        restarts = 0
        with self.record.lock:
            self.record.walks += 1
            if self.slow:
                walk = self.record.walks
                self.headers = {**HEADERS, "Origin": f"https://reader-{self.index}-{walk}.example"}
        while url and not self.stop.is_set():
            if self.slow and url != first:
                time.sleep(0.3)
            try:
                status, headers, body = self.fetch(url)
            except (OSError, http.client.HTTPException) as error:
                self._fail(url, 0, repr(error))
                return
            if status == 200:
                version = self._ok(url, headers, body)
                if walk_version is not None and version != walk_version:
                    with self.record.lock:
                        self.record.crossed += 1
                walk_version = version
                if url.startswith("/v1/events?"):
                    self.read_events(body)
                url = next_link(headers)
            elif status in MISMATCH_STATUSES and restarts < 3:
                restarts += 1
                with self.record.lock:
                    self.record.mismatches += 1
                url, walk_version = first_page_named(body) or first, None
            else:
                self._fail(url, status, body[:200].decode(errors="replace"))
                return

    def read_events(self, body: bytes) -> None:
        """Open the first event of a page, as a reader clicking through would."""
        items = json.loads(body).get("items") or []
        if items and not self.stop.is_set():
            url = "/v1/events/" + quote(items[0]["id"])
            try:
                status, headers, page = self.fetch(url)
            except (OSError, http.client.HTTPException) as error:
                self._fail(url, 0, repr(error))
                return
            if status == 200:
                self._ok(url, headers, page)
            else:
                self._fail(url, status, page[:200].decode(errors="replace"))

    def run(self) -> None:
        turn = self.index
        try:
            while not self.stop.is_set():
                self.walk(WALKS[turn % len(WALKS)])
                turn += 1
        finally:
            self.conn.close()
