"""A real browser renders the docs pages offline, and on another origin fetches, caches and
exports from the API, with no proxy.

The API runs as `diplomatic-events start` on a brand-new SQLite file (as in test_deploy.py), with
its default settings; a page served from a second local port (a different origin) drives it with
`fetch`, headless Chromium runs the page and dumps its DOM, and the results the page wrote into
`<pre id="out">` are asserted here. What is proved is what the browser itself enforces: CORS on
simple and preflighted requests, headers readable from JS only when exposed, HTTP-cache
revalidation with a 304, and CSV export and Link pagination across origins.
"""

import functools
import html
import json
import os
import re
import shutil
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import cli_server

CHROMIUM = shutil.which("chromium")


@pytest.fixture(autouse=True)
def _chromium_present() -> None:
    # `make test` installs Chromium (Makefile: test-tools); under CI a missing browser fails.
    if CHROMIUM is None:
        reason = "Chromium is not installed (`apt-get install chromium`, done by make test-tools)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


# Flags for a root user in a container with no network: no sandbox, no GPU, and nothing that
# phones home and could stall start-up or shutdown.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

PAGE = """<!doctype html>
<html>
<head><meta charset="utf-8"><title>running</title></head>
<body>
<pre id="out"></pre>
<script>
const API = "__API__";
const out = {origin: location.origin};

function headers(response, ...names) {
  const found = {};
  for (const name of names) found[name] = response.headers.get(name);
  return found;
}

async function run() {
  const url = API + "/v1/events?limit=2";

  // a) A simple cross-origin GET: status, exposed headers, JSON body.
  const first = await fetch(url);
  const firstBody = await first.json();
  out.first = {
    status: first.status,
    headers: headers(first, "ETag", "Link", "X-Request-ID", "Cache-Control"),
    ids: firstBody.items.map((item) => item.id),
    next_cursor: firstBody.next_cursor,
  };

  // b1) Revalidation by the browser's HTTP cache: it sends If-None-Match itself, the server
  // answers 304 and JS sees the cached 200, with the headers of the 304 merged in.
  const again = await fetch(url, {cache: "no-cache"});
  const againBody = await again.json();
  out.revalidated = {
    status: again.status,
    headers: headers(again, "ETag", "X-Request-ID"),
    ids: againBody.items.map((item) => item.id),
  };

  // b2) A conditional request made by JS: If-None-Match is not CORS-safelisted, so this is
  // preflighted; with the cache bypassed the 304 itself reaches JS.
  const conditional = await fetch(url, {
    cache: "no-store",
    headers: {"If-None-Match": out.first.headers["ETag"]},
  });
  out.conditional = {
    status: conditional.status,
    headers: headers(conditional, "ETag", "X-Request-ID"),
    body: await conditional.text(),
  };

  // c) A CSV export.
  const csv = await fetch(API + "/v1/events?format=csv");
  const text = await csv.text();
  out.csv = {
    status: csv.status,
    headers: headers(csv, "Content-Type", "Content-Disposition", "ETag"),
    first_line: text.split(/\\r?\\n/)[0],
    rows: text.split(/\\r?\\n/).filter((line) => line).length - 1,
  };

  // d) The next page, by the Link header's rel="next" URL: a relative reference, resolved
  // against the URL of the response that carried it (RFC 8288), not the page's origin.
  const next = /<([^>]+)>;\\s*rel="next"/.exec(out.first.headers["Link"] || "");
  out.next_url = next && new URL(next[1], first.url).href;
  const second = await fetch(out.next_url);
  const secondBody = await second.json();
  out.second = {
    status: second.status,
    ids: secondBody.items.map((item) => item.id),
  };
}

run()
  .catch((error) => { out.error = String(error && error.stack || error); })
  .finally(() => {
    document.getElementById("out").textContent = JSON.stringify(out);
    document.title = "done";
  });
</script>
</body>
</html>
"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def api_origin(tmp_path: Path) -> Iterator[str]:
    """`diplomatic-events start` on a new SQLite file, with every setting at its default."""
    workdir = tmp_path / "api"  # no .env here: the defaults are what is tested
    workdir.mkdir()
    database_url = f"sqlite:///{tmp_path / 'browser.db'}"
    with cli_server(workdir, tmp_path / "server.log", DATABASE_URL=database_url) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def page_origin(tmp_path: Path, api_origin: str) -> Iterator[str]:
    """A plain static server on another port (another origin) serving page.html."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "page.html").write_text(PAGE.replace("__API__", api_origin))
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _run_page(url: str, profile: Path) -> dict[str, Any]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    found = re.search(r'<pre id="out">(.*?)</pre>', result.stdout, re.DOTALL)
    assert found and found.group(1), (
        f"no results in the dumped DOM (exit {result.returncode}):\n"
        f"{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    )
    data: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return data


# Every host name but the API's own resolves to nothing: the page works offline or not at all.
OFFLINE_FLAGS = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


def _dump_offline(url: str, profile: Path) -> tuple[str, list[str]]:
    """The DOM after the page's scripts ran, and every console message it logged."""
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        *CHROMIUM_FLAGS,
        *OFFLINE_FLAGS,
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=15000",
        "--dump-dom",
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=90)
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return result.stdout, console


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_render_offline_with_no_console_errors(
    api_origin: str, tmp_path: Path, page: str
) -> None:
    spec = _get_json(f"{api_origin}/openapi.json")
    dom, console = _dump_offline(f"{api_origin}{page}", tmp_path / "profile")
    assert console == []
    operations = [
        (path, operation["operationId"])
        for path, item in spec["paths"].items()
        for operation in item.values()
    ]
    assert len(operations) > 10
    for path, operation_id in operations:
        # Swagger UI renders each operation's path; ReDoc links each operation by its id.
        rendered = f'data-path="{path}"' if page == "/docs" else f"operation/{operation_id}"
        assert rendered in dom, f"{page} did not render {operation_id}"


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_a_page_on_another_origin_fetches_caches_and_exports(
    api_origin: str, page_origin: str, tmp_path: Path
) -> None:
    assert page_origin != api_origin
    out = _run_page(f"{page_origin}/page.html", tmp_path / "profile")
    assert "error" not in out, out["error"]
    assert out["origin"] == page_origin

    # a) The cross-origin GET succeeded and JS could read the exposed headers.
    first = out["first"]
    assert first["status"] == 200
    etag, link, request_id = (first["headers"][name] for name in ("ETag", "Link", "X-Request-ID"))
    assert etag and re.fullmatch(r'(W/)?"[^"]+"', etag), etag
    assert request_id, "X-Request-ID is not exposed to cross-origin JS"
    assert link and 'rel="next"' in link, link
    assert first["headers"]["Cache-Control"], "a safelisted header"
    assert len(first["ids"]) == 2 and first["next_cursor"]

    # b1) The browser revalidated (new request id from the 304) and served its cached 200.
    revalidated = out["revalidated"]
    assert revalidated["status"] == 200
    assert revalidated["ids"] == first["ids"]
    assert revalidated["headers"]["ETag"] == etag
    assert revalidated["headers"]["X-Request-ID"] not in (None, request_id), (
        "the cached response was not revalidated with the server"
    )

    # b2) JS's own If-None-Match passed the preflight and the 304 reached JS.
    conditional = out["conditional"]
    assert conditional["status"] == 304
    assert conditional["body"] == ""
    assert conditional["headers"]["ETag"] == etag
    assert conditional["headers"]["X-Request-ID"] not in (None, request_id)

    # c) The CSV export, with its download name readable from JS.
    csv = out["csv"]
    assert csv["status"] == 200
    assert csv["headers"]["Content-Type"].startswith("text/csv")
    disposition = csv["headers"]["Content-Disposition"]
    assert disposition and disposition.startswith("attachment") and ".csv" in disposition
    assert csv["first_line"].startswith("id,date,date_start,date_end,start_date"), csv["first_line"]
    assert csv["rows"] >= 3

    # d) Page 2 by the Link header: the API's own next page, right after page 1.
    assert out["next_url"].startswith(f"{api_origin}/v1/events?")
    second = out["second"]
    assert second["status"] == 200
    assert second["ids"] and not set(second["ids"]) & set(first["ids"])
    expected = [item["id"] for item in _get_json(f"{api_origin}/v1/events?limit=4")["items"]]
    assert first["ids"] + second["ids"] == expected
