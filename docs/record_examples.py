"""Record one real request and response per endpoint into docs/api.md.

    python docs/record_examples.py

Starts `python -m app serve` on a temporary, freshly seeded SQLite database, requests each
example, and rewrites the part of docs/api.md between the examples markers.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent
API_MD = ROOT / "docs" / "api.md"
MAX_LINES = 45
EXAMPLES = [
    (
        "List events on a day (coarser-precision events overlap it)",
        "/v1/events?date=2022-06-15&limit=2",
    ),
    (
        "One event with excerpts, quotes and trade figures",
        "/v1/events/2021-07-xi-condolence-message-plane-crash",
    ),
    ("Events per month in 2021", "/v1/timeline?granularity=month&date=2021"),
    ("Leaders", "/v1/leaders?limit=2"),
    ("One leader by Wikidata QID", "/v1/leaders/Q7747"),
    ("What Putin said about a multipolar order", "/v1/leaders/Q7747/quotes?q=multi*&limit=1"),
    ("Quotes matching a phrase", '/v1/quotes?q="caro amico"&limit=2'),
    ("One quote", "/v1/quotes/q-2022-12-30-putin-la-aspettiamo"),
    (
        "China–Russia trade, preferred figure per year (years known only as bounds left out)",
        "/v1/trade/series?from=2018",
    ),
    (
        "Years known only as bounds, marked for drawing as bounds",
        "/v1/trade/series?from=2018&to=2020&select=all",
    ),
    (
        "Every observation of the 2024 figure, with the reason each won or lost",
        "/v1/trade/series?from=2024&select=all",
    ),
    ("Trade observations that are targets", "/v1/trade/observations?kind=target"),
    ("One trade observation", "/v1/trade/observations/t-004-2018-total-100-first-time"),
    ("Sources", "/v1/sources?limit=1"),
    ("One source (full text cut here)", "/v1/sources/anon-2022-12-putin-xi-cooperazione-militare"),
    ("A source's text", "/v1/sources/anon-2022-12-putin-xi-cooperazione-militare/text"),
    ("Vocabularies (cut)", "/v1/vocab"),
    ("CSV export", "/v1/events?kind=exercise&format=csv"),
    ("NDJSON export", "/v1/quotes?lang=en&format=ndjson"),
    ("An error", "/v1/events?leader=vladimir-putn"),
    ("A problem type", "/problems/invalid-parameter"),
    ("Readiness", "/readyz"),
]
SHOWN_HEADERS = (
    "content-type",
    "etag",
    "link",
    "cache-control",
    "x-dataset-version",
    "content-disposition",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _render(title: str, path: str, response: httpx.Response) -> str:
    headers = "\n".join(
        f"{name}: {response.headers[name]}" for name in SHOWN_HEADERS if name in response.headers
    )
    body = response.text
    if response.headers.get("content-type", "").startswith(
        ("application/json", "application/problem+json")
    ):
        body = json.dumps(response.json(), indent=2, ensure_ascii=False)
    lines = body.splitlines()
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], f"... ({len(lines) - MAX_LINES} more lines cut here)"]
    lines = [line if len(line) <= 300 else line[:300] + " ...(cut)" for line in lines]
    return (
        f"### {title}\n\n```http\nGET {path}\n\nHTTP/1.1 {response.status_code} "
        f"{response.reason_phrase}\n{headers}\n```\n\n```\n" + "\n".join(lines) + "\n```\n"
    )


def main() -> None:
    database = Path(tempfile.mkdtemp()) / "examples.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "LOG_LEVEL": "WARNING"}
    for command in (["db", "upgrade"], ["seed"]):
        subprocess.run(
            [sys.executable, "-m", "app", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(base + "/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        sections = [
            _render(title, path, httpx.get(base + path, timeout=10)) for title, path in EXAMPLES
        ]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    text = API_MD.read_text(encoding="utf-8")
    start, end = "<!-- examples:start -->", "<!-- examples:end -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    API_MD.write_text(
        head + start + "\n\n" + "\n".join(sections) + "\n" + end + tail, encoding="utf-8"
    )
    print(f"recorded {len(sections)} examples into {API_MD.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
