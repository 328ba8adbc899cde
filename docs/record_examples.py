"""Record one real request and response per endpoint into docs/api.md.

    .venv/bin/python docs/record_examples.py                   # every example
    .venv/bin/python docs/record_examples.py /v1/events/ID ...  # only these, by path

Starts `python -m app serve` on a temporary, freshly seeded SQLite database with the default
settings (the developer's `.env` and environment are ignored), requests each example, and
rewrites the part of docs/api.md between the examples markers. The JSON bodies of the examples
that name an operation are also written, whole, to app/api/examples.json: the OpenAPI document
shows them as that operation's response examples (app/api/openapi_doc.py). Needs only the
standard library and the app, so it runs right after `make serve`; tests/test_docs.py runs it on
a copy of the repository and fails if docs/api.md or the examples would change.
"""

import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import migrations  # noqa: E402
from app.config import ENV_FILE_VARIABLE, Settings  # noqa: E402
from app.engines import create_db_engine  # noqa: E402
from app.seeding.build import build_dataset  # noqa: E402
from app.seeding.load import load_dataset  # noqa: E402

API_MD = ROOT / "docs" / "api.md"
EXAMPLES_JSON = ROOT / "app" / "api" / "examples.json"
START, END = "<!-- examples:start -->", "<!-- examples:end -->"
# Links are absolute; show them as `make serve` on the default port would send them.
SHOWN_BASE = "http://127.0.0.1:8000"


class Example(NamedTuple):
    title: str
    path: str
    max_lines: int = 45
    # Lists under these keys show their first item only.
    first_item_of: tuple[str, ...] = ()
    # The operationId (or "problem-<status>") whose OpenAPI example this body is.
    operation: str = ""


EXAMPLES = [
    Example(
        "List events on a day (month-precision events overlap it)",
        "/v1/events?date=2022-06-15&limit=2",
        operation="list_events",
    ),
    Example(
        "One event with excerpts, quotes and trade figures",
        "/v1/events/2021-12-15-putin-xi-video-call",
        max_lines=130,
        first_item_of=("quotes", "trade_observations"),
        operation="get_event",
    ),
    Example(
        "Events per month in 2021",
        "/v1/timeline?granularity=month&date=2021",
        operation="get_timeline",
    ),
    Example(
        "Events per year from 2019 to 2023, years without events listed (fill=zero)",
        "/v1/timeline?from=2019&to=2023&fill=zero",
    ),
    Example(
        "Events per kind and country among the phone calls involving China (facets)",
        "/v1/events/facets?country=CN&kind=phone_call&facet=kind&facet=country&facet_size=3",
        operation="get_event_facets",
    ),
    Example(
        "Quotes per speaker and language about energy (facets)",
        "/v1/quotes/facets?topic=energy&facet=leader&facet=lang",
        operation="get_quote_facets",
    ),
    Example("Leaders", "/v1/leaders?limit=2", operation="list_leaders"),
    Example("One leader by Wikidata QID", "/v1/leaders/Q7747", operation="get_leader"),
    Example(
        "What Putin said about a multipolar order",
        "/v1/leaders/Q7747/quotes?q=multi*&limit=1",
        operation="list_leader_quotes",
    ),
    Example(
        "Events, quotes and article passages mentioning Taiwan",
        "/v1/search?q=taiwan&kind=passage&kind=quote&limit=2",
        operation="search",
    ),
    Example(
        "Quotes matching a phrase",
        "/v1/quotes?q=%22caro%20amico%22&limit=2",
        operation="list_quotes",
    ),
    Example("One quote", "/v1/quotes/q-2022-12-30-putin-la-aspettiamo", operation="get_quote"),
    Example(
        "China–Russia trade, preferred figure per year (years known only as bounds left out)",
        "/v1/trade/series?from=2018",
        operation="get_trade_series",
    ),
    Example(
        "Years known only as bounds, marked for drawing as bounds",
        "/v1/trade/series?from=2018&to=2020&select=all",
    ),
    Example(
        "Every observation of the 2024 figure, with the reason each won or lost",
        "/v1/trade/series?from=2024&select=all",
    ),
    Example(
        "Every China–Russia figure in one call: annual, year-to-date, bounds and targets",
        "/v1/trade/series?kind=all",
        max_lines=60,
    ),
    Example(
        "Trade observations that are targets",
        "/v1/trade/observations?kind=target",
        operation="list_trade_observations",
    ),
    Example(
        "One trade observation",
        "/v1/trade/observations/t-004-2018-total-100-first-time",
        operation="get_trade_observation",
    ),
    Example("Sources", "/v1/sources?limit=1", operation="list_sources"),
    Example(
        "One source (full text cut here)",
        "/v1/sources/anon-2022-12-putin-xi-cooperazione-militare",
        operation="get_source",
    ),
    Example("A source's text", "/v1/sources/anon-2022-12-putin-xi-cooperazione-militare/text"),
    Example("Vocabularies (cut)", "/v1/vocab", operation="get_vocabularies"),
    Example(
        "Licences, citation and dataset version", "/v1/meta", max_lines=60, operation="get_meta"
    ),
    Example("CSV export", "/v1/events.csv?kind=exercise"),
    Example("NDJSON export", "/v1/quotes.ndjson?lang=en"),
    Example("An error", "/v1/events?leader=vladimir-putn", operation="problem-400"),
    Example("A date in another form", "/v1/events?from=2021-7"),
    Example("An unknown id", "/v1/quotes/q-no-such-quote", operation="problem-404"),
    Example("A problem type", "/problems/invalid-parameter", operation="get_problem_type"),
    Example("Readiness", "/readyz", operation="get_readiness"),
]
SHOWN_HEADERS = (
    "content-type",
    "etag",
    "link",
    "cache-control",
    "x-dataset-version",
    "content-disposition",
    "retry-after",
)
_CUT = "@@cut:"


class Recorded(NamedTuple):
    status: int
    reason: str
    headers: Message
    body: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> Recorded:
    # gzip, as browsers and most clients ask: the ETags shown are those of the gzip bytes.
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    response: Any
    try:
        response = urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as error:
        response = error  # a 4xx or 5xx: recorded like any other answer
    with response:
        raw = response.read()
        headers = response.headers
        status, reason = response.status, response.reason
    if headers.get("content-encoding") == "gzip":
        raw = gzip.decompress(raw)
    return Recorded(int(status or 0), str(reason), headers, raw.decode("utf-8"))


def _first_items(value: object, keys: tuple[str, ...], *, mark: bool = True) -> object:
    if isinstance(value, list):
        return [_first_items(item, keys, mark=mark) for item in value]
    if not isinstance(value, dict):
        return value
    shown: dict[str, object] = {}
    for key, item in value.items():
        item = _first_items(item, keys, mark=mark)
        if key in keys and isinstance(item, list) and len(item) > 1:
            item = [item[0], f"{_CUT}{len(item) - 1}"] if mark else [item[0]]
        shown[key] = item
    return shown


def _openapi_example(example: Example, recorded: Recorded) -> object | None:
    """The whole JSON body (nested lists cut as in docs/api.md, validly), or None."""
    content_type = recorded.headers.get("content-type", "")
    if not example.operation or not content_type.startswith(
        ("application/json", "application/problem+json")
    ):
        return None
    return _first_items(json.loads(recorded.body), example.first_item_of, mark=False)


def _render(example: Example, recorded: Recorded, base: str) -> str:
    headers = "\n".join(
        f"{name}: {recorded.headers[name].replace(base, SHOWN_BASE)}"
        for name in SHOWN_HEADERS
        if name in recorded.headers
    )
    body = recorded.body
    if recorded.headers.get("content-type", "").startswith(
        ("application/json", "application/problem+json")
    ):
        data = json.loads(body)
        data = _first_items(data, example.first_item_of)
        body = json.dumps(data, indent=2, ensure_ascii=False)
        body = re.sub(rf'"{_CUT}(\d+)"', lambda m: f"... ({m.group(1)} more cut here)", body)
    lines = body.splitlines()
    if len(lines) > example.max_lines:
        lines = [
            *lines[: example.max_lines],
            f"... ({len(lines) - example.max_lines} more lines cut here)",
        ]
    lines = [line if len(line) <= 300 else line[:300] + " ...(cut)" for line in lines]
    return (
        f"### {example.title}\n\n```http\nGET {example.path}\n\nHTTP/1.1 {recorded.status} "
        f"{recorded.reason}\n{headers}\n```\n\n```\n" + "\n".join(lines) + "\n```\n"
    )


def _server_environment(workdir: Path) -> dict[str, str]:
    """Default settings: no variable of Settings from this shell, an empty `.env`."""
    settings = {name.upper() for name in Settings.model_fields} | {ENV_FILE_VARIABLE}
    env = {key: value for key, value in os.environ.items() if key.upper() not in settings}
    empty_env_file = workdir / "empty.env"
    empty_env_file.write_text("", encoding="utf-8")
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'examples.db'}",
        LOG_LEVEL="WARNING",
        ENV_FILE=str(empty_env_file),
    )
    return env


def _wait_until_up(server: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited with status {server.returncode} before answering")
        try:
            _get(base + "/healthz")
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("the server did not answer /healthz within 60 seconds")


def _record(examples: list[Example]) -> dict[str, tuple[str, object | None]]:
    workdir = Path(tempfile.mkdtemp(prefix="record-examples-"))
    env = _server_environment(workdir)
    url = env["DATABASE_URL"]
    migrations.upgrade(database_url=url)
    engine = create_db_engine(url)
    try:
        load_dataset(engine=engine, dataset=build_dataset(seeds_dir=ROOT / "seeds"))
    finally:
        engine.dispose()
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
        _wait_until_up(server, base)
        recorded = {example.title: _get(base + example.path) for example in examples}
        return {
            example.title: (
                _render(example, recorded[example.title], base),
                _openapi_example(example, recorded[example.title]),
            )
            for example in examples
        }
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _recorded_sections(section_text: str) -> dict[str, str]:
    sections = {}
    for chunk in ("\n" + section_text.strip("\n")).split("\n### ")[1:]:
        title = chunk.split("\n", 1)[0]
        sections[title] = "### " + chunk.rstrip("\n") + "\n"
    return sections


def main(paths: list[str]) -> None:
    unknown = set(paths) - {example.path for example in EXAMPLES}
    if unknown:
        sys.exit(f"no example requests {sorted(unknown)}; the examples are in EXAMPLES")
    text = API_MD.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    current, tail = rest.split(END, 1)
    kept = _recorded_sections(current)
    wanted = [e for e in EXAMPLES if not paths or e.path in paths or e.title not in kept]
    fresh = _record(wanted)
    sections = [
        fresh[example.title][0] if example.title in fresh else kept[example.title]
        for example in EXAMPLES
    ]
    API_MD.write_text(
        head + START + "\n\n" + "\n".join(sections) + "\n" + END + tail, encoding="utf-8"
    )
    bodies = json.loads(EXAMPLES_JSON.read_text(encoding="utf-8")) if EXAMPLES_JSON.exists() else {}
    for example in EXAMPLES:
        if example.title in fresh and fresh[example.title][1] is not None:
            bodies[example.operation] = fresh[example.title][1]
    bodies = {e.operation: bodies[e.operation] for e in EXAMPLES if e.operation in bodies}
    EXAMPLES_JSON.write_text(
        json.dumps(bodies, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"recorded {len(fresh)} of {len(EXAMPLES)} examples into {API_MD.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
