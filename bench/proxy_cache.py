"""The caching proxy, measured: one API process (SQLite) behind Debian's nginx on
docs/nginx/api.conf. Replays a frontend session (home, filtered lists walked by cursor, event
pages, exports) three times through the proxy and reports the cache's hit ratio after the first
pass; measures req/s of the session's URLs answered by the origin directly and from the cache
(wrk, side by side); checks correctness through the proxy: answers to different
Accept-Encoding/Accept/Origin are never each other's bytes, 304s work, errors are not cached.

    .venv/bin/python -m bench.proxy_cache [--seconds 8] [--connections 32]

Targets (issue 26): cached >= 10x origin req/s, hit ratio >= 0.9 after the first pass.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from bench.cluster import ROOT, Cluster, ClusterError, get, next_link

LUA = ROOT / "bench" / "wrk.lua"
BROWSER = {"Accept-Encoding": "gzip, deflate, br", "Accept": "application/json"}
ALLOWED_ORIGIN = "https://explorer.example"
# The frontend session: where a reader goes. Lists are walked by cursor to their end.
SESSION = (
    "/",
    "/v1/meta",
    "/v1/vocab",
    "/v1/events?limit=5",
    "/v1/events?limit=5&country=RU",
    "/v1/events?limit=5&leader=vladimir-putin",
    "/v1/timeline?granularity=year",
    "/v1/quotes?limit=10",
    "/v1/leaders?limit=10",
    "/v1/sources?limit=10",
    "/v1/events.csv?country=CN",
    "/v1/events.ndjson?leader=xi-jinping",
)
VARIANTS = (  # header sets that must each get their own bytes
    {"Accept-Encoding": "gzip"},
    {"Accept-Encoding": "identity"},
    {"Accept-Encoding": "br"},
    {"Accept-Encoding": "gzip", "Accept": "text/csv"},
    {"Accept-Encoding": "gzip", "Origin": ALLOWED_ORIGIN},
    {"Accept-Encoding": "gzip", "Origin": "https://elsewhere.example"},
)


def session_urls(port: int) -> list[str]:
    """The session's URLs, lists followed through their `next` links (asked of the origin)."""
    urls = []
    for first in SESSION:
        url: str | None = first
        while url:
            urls.append(url)
            status, headers, body = get(port, url, {**BROWSER, "Accept-Encoding": "identity"})
            if status != 200:
                raise ClusterError(f"the origin answered {status} to {url}")
            if url.startswith("/v1/events?") and (items := json.loads(body).get("items")):
                urls.append(f"/v1/events/{items[0]['id']}")
            url = next_link(headers)
    return urls


def replay(port: int, urls: list[str]) -> dict[str, int]:
    """One pass through the proxy; X-Cache-Status counts."""
    counts: dict[str, int] = {}
    for url in urls:
        status, headers, _ = get(port, url, BROWSER)
        if status != 200:
            raise ClusterError(f"the proxy answered {status} to {url}")
        state = headers.get("x-cache-status", "NONE")
        counts[state] = counts.get(state, 0) + 1
    return counts


def wrk(port: int, urls: list[str], seconds: float, connections: int, work: Path) -> float:
    paths = work / "paths.txt"
    paths.write_text("\n".join(urls) + "\n")
    command = ["wrk", "-t2", f"-c{connections}", f"-d{round(seconds)}s", "--timeout", "30s",
               "-H", f"Accept-Encoding: {BROWSER['Accept-Encoding']}",
               "-H", f"Accept: {BROWSER['Accept']}",
               "-s", str(LUA), f"http://127.0.0.1:{port}", "--", str(paths)]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            raw = json.loads(line[len("BENCH_JSON ") :])
            if raw["errors"]:
                raise ClusterError(f"wrk saw {raw['errors']} errors on :{port}")
            return float(raw["requests"] / (raw["duration_us"] / 1e6))
    raise ClusterError(f"wrk printed no result: {output[-500:]}")


def correctness(origin: int, proxy: int, urls: list[str]) -> list[str]:
    """Every variant of every URL, asked twice through the proxy (the second a HIT), equals the
    origin's own answer to the same headers; 304s; errors never cached."""
    problems = []
    for url in urls[:12]:
        for headers in VARIANTS:
            direct = get(origin, url, headers)
            for attempt in ("first", "second"):
                status, got, body = get(proxy, url, headers)
                same = (status, body, got.get("content-encoding"), got.get("content-type"),
                        got.get("access-control-allow-origin")) == (
                        direct[0], direct[2], direct[1].get("content-encoding"),
                        direct[1].get("content-type"),
                        direct[1].get("access-control-allow-origin"))  # fmt: skip
                if not same:
                    problems.append(f"{url} {headers} ({attempt}, {got.get('x-cache-status')}): "
                                    f"not the origin's answer to the same headers")  # fmt: skip
                if attempt == "second" and status == 200 and got.get("x-cache-status") != "HIT":
                    problems.append(f"{url} {headers}: asked twice, not a HIT the second time")
        status, headers, _ = get(proxy, url, BROWSER)
        etag = headers.get("etag")
        if status == 200 and etag:
            conditional = get(proxy, url, {**BROWSER, "If-None-Match": etag})
            if conditional[0] != 304 or conditional[2]:
                problems.append(f"{url}: If-None-Match of the cached ETag got {conditional[0]}")
            changed = get(proxy, url, {**BROWSER, "If-None-Match": '"other"'})
            if changed[0] != 200:
                problems.append(f"{url}: a stale If-None-Match got {changed[0]}, not 200")
    for url in ("/v1/events?limit=abc", "/v1/events/no-such-event", "/v1/nowhere"):
        statuses = [get(proxy, url, BROWSER) for _ in range(3)]
        if any(s[0] < 400 or s[1].get("x-cache-status") == "HIT" for s in statuses):
            seen = [(s[0], s[1].get("x-cache-status")) for s in statuses]
            problems.append(f"{url}: an error was cached or not an error: {seen}")
    return problems


def run(seconds: float, connections: int) -> int:
    cluster = Cluster("proxy-cache")
    failures: list[str] = []
    try:
        database = cluster.work / "api.db"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "LOG_LEVEL": "WARNING"}
        cluster.app_command(env, "db", "upgrade")
        cluster.app_command(env, "seed")
        origin = cluster.api("origin", {"DATABASE_URL": env["DATABASE_URL"],
                                        "CORS_ORIGINS": ALLOWED_ORIGIN,
                                        "MAX_CONNECTIONS_PER_ADDRESS": "1000",
                                        # wrk's 32 connections all ask for exports too: the
                                        # origin's throughput, not its export cap's 503s
                                        "EXPORT_MAX_CONCURRENT": "64",
                                        "EXPORT_MAX_PER_ADDRESS": "64"})  # fmt: skip
        cluster.wait_ready(origin)
        proxy = cluster.nginx([origin.port], workers=2)
        urls = session_urls(origin.port)
        passes = [replay(proxy, urls) for _ in range(3)]
        later = [p for p in passes[1:]]
        hits = sum(p.get("HIT", 0) for p in later)
        total = sum(sum(p.values()) for p in later)
        ratio = hits / total
        print(f"proxy-cache: session of {len(urls)} requests; X-Cache-Status per pass: {passes}")
        print(f"proxy-cache: hit ratio after the first pass: {ratio:.3f} (target >= 0.9)")
        origin_rps = wrk(origin.port, urls, seconds, connections, cluster.work)
        cached_rps = wrk(proxy, urls, seconds, connections, cluster.work)
        print(
            f"proxy-cache: the session's URLs with wrk, {connections} connections, "
            f"{seconds:.0f} s each: origin (1 process) {origin_rps:.0f} req/s, nginx cache "
            f"{cached_rps:.0f} req/s: {cached_rps / origin_rps:.1f}x (target >= 10x)"
        )
        if ratio < 0.9:
            failures.append(f"hit ratio {ratio:.3f} < 0.9")
        if cached_rps < 10 * origin_rps:
            failures.append(f"cached {cached_rps:.0f} req/s < 10x origin {origin_rps:.0f}")
        problems = correctness(origin.port, proxy, urls)
        failures += problems
        print(f"proxy-cache: correctness through the proxy: {len(problems)} problems "
              f"({len(VARIANTS)} header variants x 12 URLs, 304s, 3 errors)")  # fmt: skip
    except ClusterError as error:
        failures.append(str(error))
    finally:
        alive = cluster.close()
        if alive:
            failures.append(f"still running: {alive}")
    for failure in failures[:30]:
        print(f"proxy-cache: FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    sys.exit(run(args.seconds, args.connections))


if __name__ == "__main__":
    main()
