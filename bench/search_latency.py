"""Search latency on a generated dataset: /v1/search (events, quotes and passages) and the
quote search of /v1/quotes, for a common and a rare word, through the app in-process (one
client, no network), printing p50 and p90 per request; and, side by side in the same run, the
full-text lookup of the stemmed query beside the plain-word query of before stemming.

    nice .venv/bin/python -m bench.search_latency --database-url sqlite:////tmp/search-200k.db
"""

import argparse
import statistics
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.config import Settings
from app.engines import create_db_engine
from app.main import create_app
from app.services.search import compile_query

COMMON, RARE = "presidente", "gasdotto"
URLS = [
    *(f"/v1/search?q={word}&limit=20" for word in (COMMON, RARE)),
    *(f"/v1/search?q={word}&limit=20&sort=relevance" for word in (COMMON, RARE)),
    *(f"/v1/search?q={word}&kind=passage&limit=20" for word in (COMMON, RARE)),
    f"/v1/quotes?q={RARE}&limit=50",
    f"/v1/events?q={COMMON}&limit=50",
]


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return f"p50 {statistics.median(ordered):7.1f} ms  p90 {p90:7.1f} ms"


def _timed(call: Any, runs: int) -> list[float]:
    call()  # warm: plans, page cache
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    app = create_app(Settings(database_url=args.database_url, rate_limit_per_minute=0))
    with TestClient(app) as client:
        for url in URLS:
            response = client.get(url)
            assert response.status_code == 200, (url, response.text[:300])
            hits = len(response.json()["items"])
            samples = _timed(lambda url=url: client.get(url), args.runs)
            print(f"{url:55} {hits:3} hits  {_percentiles(samples)}")
    engine = create_db_engine(args.database_url)
    dialect = engine.dialect.name
    if dialect == "sqlite":
        statement = text("SELECT count(*) FROM quote_search WHERE quote_search MATCH :q")
    else:
        statement = text(
            "SELECT count(*) FROM quote_search WHERE document @@ to_tsquery('simple', :q)"
        )
    with engine.connect() as connection:

        def count(query: str) -> Any:
            return connection.execute(statement, {"q": query}).scalar()

        for word in (RARE, COMMON):
            before = f'body : "{word}"' if dialect == "sqlite" else f"'{word}'"
            stemmed = compile_query(dialect, word)
            for label, query in (("plain word (before)", before), ("stems (now)", stemmed)):
                matches = count(query)
                samples = _timed(lambda query=query: count(query), max(5, args.runs // 3))
                print(
                    f"quote_search {word!r} {label:20} {matches:7} matches  {_percentiles(samples)}"
                )
    engine.dispose()


if __name__ == "__main__":
    main()
