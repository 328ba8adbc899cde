"""`make scale-check`: three API processes behind nginx over a PostgreSQL primary and a streaming
standby, 16 clients walking lists by cursor through the proxy while one API process is killed,
then the standby, both are restarted and the primary is reseeded with a changed dataset
(docs/scaling.md, "The scale check"). Prints its figures; exits 1 on any failed assertion.

    .venv/bin/python -m bench.scale_check [--seconds 30] [--clients 16]
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.cluster import ROOT, Api, Cluster, ClusterError, free_port, get
from bench.scale_clients import Client, Record, first_page_named, quantile

# Every process must answer with the new dataset version within this many seconds of the
# reseed's commit (measured and printed; the bound is generous for a loaded 2-core machine).
CONVERGE_WITHIN = 15.0
# The API's max-age for the run: how long nginx may keep an unversioned answer after a reseed.
CACHE_MAX_AGE = 2


def changed_seeds(work: Path) -> Path:
    """A copy of seeds/ whose dataset differs from the shipped one (one event's title)."""
    target = work / "seeds-b"
    shutil.copytree(ROOT / "seeds", target)
    events = target / "data" / "events.yaml"
    text = events.read_text()
    marker = '  title: "'
    if marker not in text:
        raise ClusterError("seeds/data/events.yaml has no title line to change")
    events.write_text(text.replace(marker, marker + "[scale check] ", 1))
    return target


def supports_read_replicas() -> bool:
    from app.config import Settings

    return "read_database_urls" in Settings.model_fields


class Timeline:
    def __init__(self) -> None:
        self.started = time.monotonic()
        self.events: list[tuple[float, str]] = []
        self.figures: dict[str, float] = {}

    def note(self, what: str) -> None:
        self.events.append((time.monotonic() - self.started, what))

    def at(self, second: float, stop: threading.Event) -> bool:
        """Sleep until `second` into the run; False if the run is stopping."""
        return not stop.wait(max(0.0, self.started + second - time.monotonic()))


def converge(apis: list[Api], version: str, within: float) -> dict[str, float]:
    """Seconds until each process answers `version` five times in a row (reads may go to the
    standby or the primary), polled directly, not through the proxy."""
    started = time.monotonic()
    pending = {api.name: 0 for api in apis}
    seconds: dict[str, float] = {}
    while pending and time.monotonic() - started < within:
        for api in apis:
            if api.name not in pending:
                continue
            try:
                status, headers, _ = get(api.port, "/v1/events?limit=1", timeout=2)
            except OSError:
                status, headers = 0, {}
            new = status == 200 and headers.get("x-dataset-version") == version
            pending[api.name] = pending[api.name] + 1 if new else 0
            if pending[api.name] >= 5:
                seconds[api.name] = time.monotonic() - started
                del pending[api.name]
        time.sleep(0.05)
    return seconds


def faults(cluster: Cluster, setup: dict, timeline: Timeline, stop: threading.Event) -> None:
    try:
        inject(cluster, setup, timeline, stop)
    except (ClusterError, OSError, subprocess.SubprocessError) as error:
        timeline.note(f"FAILED: {error}")
        setup["fault_error"] = str(error)


def inject(cluster: Cluster, setup: dict, timeline: Timeline, stop: threading.Event) -> None:
    apis: list[Api] = setup["apis"]
    victim = apis[0]
    if not timeline.at(3, stop):
        return
    assert victim.process is not None
    cluster.kill(victim.process)
    timeline.note(f"killed {victim.name} (SIGKILL)")
    if not timeline.at(6, stop):
        return
    cluster.pg_stop(setup["standby"], "immediate")
    timeline.note("stopped the standby (immediate)")
    if not timeline.at(9, stop):
        return
    cluster.start_api(victim)
    timeline.note(f"restarted {victim.name}")

    def ready() -> None:  # on main it reads the standby, which is still down: not blocking
        timeline.figures["api restart to /readyz 200 (s)"] = cluster.wait_ready(victim)
        timeline.note(f"{victim.name} ready")

    threading.Thread(target=ready, daemon=True).start()
    if not timeline.at(11, stop):
        return
    started = time.monotonic()
    cluster.pg_start(setup["standby"], setup["standby_port"])
    timeline.note("restarted the standby")
    primary_lsn = cluster.psql(setup["primary_port"], "SELECT pg_current_wal_lsn()")
    while time.monotonic() - started < 30:
        caught_up = cluster.psql(
            setup["standby_port"],
            f"SELECT pg_last_wal_replay_lsn() >= '{primary_lsn}'::pg_lsn",
        )
        if caught_up == "t":
            break
        time.sleep(0.1)
    timeline.figures["standby restart to replay caught up (s)"] = time.monotonic() - started
    if not timeline.at(14, stop):
        return
    timeline.note("reseeding the primary with the changed dataset")
    started = time.monotonic()
    cluster.app_command(setup["seed_env_b"], "seed")
    timeline.figures["reseed (s)"] = time.monotonic() - started
    timeline.note("reseed committed")
    seconds = converge(apis, setup["version_b"], CONVERGE_WITHIN)
    setup["converged"] = seconds
    setup["converged_at"] = time.monotonic()
    for name, value in sorted(seconds.items()):
        timeline.figures[f"{name} serves the new version after (s)"] = value
    timeline.note("every process converged" if len(seconds) == len(apis) else "NOT converged")


def prepare(cluster: Cluster) -> dict:
    """Primary, standby, the served database and two baseline databases (one per version)."""
    primary_port, standby_port = free_port(), free_port()
    cluster.primary(primary_port)
    seeds_b = changed_seeds(cluster.work)
    url = f"postgresql+psycopg://postgres@127.0.0.1:{primary_port}/"
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    # One migration and two seeds: the baselines are copies (CREATE DATABASE ... TEMPLATE) of the
    # served database, the second one reseeded with the changed dataset.
    cluster.psql(primary_port, "CREATE DATABASE api")
    served = {**env, "DATABASE_URL": url + "api"}
    cluster.app_command(served, "db", "upgrade")
    versions = {"baseline_a": cluster.app_command(served, "seed").split()[1]}
    for database in ("baseline_a", "baseline_b"):
        cluster.psql(primary_port, f"CREATE DATABASE {database} TEMPLATE api")
    changed = {**env, "DATABASE_URL": url + "baseline_b", "SEEDS_DIR": str(seeds_b)}
    versions["baseline_b"] = cluster.app_command(changed, "seed").split()[1]
    if versions["baseline_a"] == versions["baseline_b"]:
        raise ClusterError("the changed dataset has the same version as the shipped one")
    standby = cluster.standby(primary_port, standby_port)
    return {
        "primary_port": primary_port,
        "standby_port": standby_port,
        "standby": standby,
        "url": url,
        "version_a": versions["baseline_a"],
        "version_b": versions["baseline_b"],
        "seed_env_b": {**env, "DATABASE_URL": url + "api", "SEEDS_DIR": str(seeds_b)},
    }


def start_apis(cluster: Cluster, setup: dict, replicas: bool) -> list[Api]:
    primary = setup["url"] + "api"
    standby = f"postgresql+psycopg://postgres@127.0.0.1:{setup['standby_port']}/api"
    common = {
        "LOG_LEVEL": "INFO",
        "CACHE_MAX_AGE": str(CACHE_MAX_AGE),
        "DB_POOL_SIZE": "4",
        "MAX_CONNECTIONS_PER_ADDRESS": "1000",  # every connection comes from nginx
    }
    apis = []
    for index in range(3):
        if replicas:  # reads on the standby, the primary as the fallback (issue-26-app)
            where = {"DATABASE_URL": primary, "READ_DATABASE_URLS": standby}
        else:  # main: the first process reads the standby itself, the others the primary
            where = {"DATABASE_URL": standby if index == 0 else primary}
        apis.append(cluster.api(f"api-{index + 1}", {**common, **where}))
    for api in apis:
        cluster.wait_ready(api)
    return apis


def compare_with_baselines(cluster: Cluster, setup: dict, record: Record) -> list[str]:
    """Every (version, URL) body seen through the proxy against one process serving only that
    version; the list of differences."""
    baselines = {}
    for key in ("a", "b"):
        api = cluster.api(f"baseline-{key}", {"DATABASE_URL": setup["url"] + f"baseline_{key}"})
        cluster.wait_ready(api)
        baselines[setup[f"version_{key}"]] = api
    problems = []
    for (version, url), digests in sorted(record.bodies.items()):
        if version not in baselines:
            problems.append(f"{url}: version {version} is neither of the run's")
            continue
        if len(digests) > 1:
            problems.append(f"{url} at {version}: {len(digests)} different bodies")
        status, headers, body = get(baselines[version].port, url, {"Accept-Encoding": "identity"})
        if status != 200 or headers.get("x-dataset-version") != version:
            problems.append(f"{url}: the baseline of {version} answered {status}")
        elif Record.digest(body) not in digests:
            problems.append(f"{url}: the body at {version} differs from the baseline's")
    return problems


def old_version_checks(setup: dict, record: Record, apis: list[Api], proxy: int) -> list[str]:
    """After the reseed: a URL naming the old version (a `next` link of a page read before) is
    never answered as the current version. Straight from a process it is the documented problem
    (issue-26-app: 410 naming the first page); through nginx either that problem, never cached,
    or the old page kept under its own immutable URL, labelled with the old version."""
    old = setup["version_a"]
    named = sorted(url for version, url in record.bodies if version == old and old in url)
    if not named:
        return []  # an app without versioned URLs: nothing names a version
    problems = []
    url = named[0]
    status, headers, body = get(apis[1].port, url, {"Accept-Encoding": "identity"})
    first = first_page_named(body)
    if status != 410 or not first or headers.get("cache-control") != "no-store":
        problems.append(f"{url} straight from a process: {status} {body[:120]!r}")
    for _ in range(2):
        status, headers, body = get(proxy, url, {"Accept-Encoding": "identity"})
        kept = status == 200 and headers.get("x-dataset-version") == old
        if not kept and (status != 410 or headers.get("x-cache-status") == "HIT"):
            problems.append(f"{url} through nginx: {status} {headers.get('x-cache-status')}")
    print(f"scale-check: an old-version URL after the reseed: 410 from a process (first page "
          f"{first}); through nginx {status} {headers.get('x-cache-status')}")  # fmt: skip
    return problems


def forwarded_address_checks(cluster: Cluster, apis: list[Api], proxy: int) -> list[str]:
    """X-Forwarded-For is believed from nginx only: a client's forged header is replaced by
    nginx, and one sent straight to a process by another address is ignored."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", proxy, source_address=("127.0.1.99", 0))
    conn.request("GET", "/v1/meta?via=proxy", headers={"X-Forwarded-For": "203.0.113.9"})
    conn.getresponse().read()
    conn.close()
    get(apis[1].port, "/v1/meta?via=direct", {"X-Forwarded-For": "203.0.113.7"})
    time.sleep(0.5)
    logs = "".join(api.log.read_text(errors="replace") for api in apis)
    lines = {tag: [line for line in logs.splitlines() if f"via={tag}" in line]
             for tag in ("proxy", "direct")}  # fmt: skip
    problems = []
    if not lines["proxy"] or not all('"127.0.1.99"' in line for line in lines["proxy"]):
        problems.append(f"through nginx the client is not 127.0.1.99: {lines['proxy']}")
    if not lines["direct"] or any("203.0.113.7" in line for line in lines["direct"]):
        problems.append(f"a forged X-Forwarded-For was believed: {lines['direct']}")
    return problems


def run(seconds: float, clients: int) -> int:
    cluster = Cluster()
    failures: list[str] = []
    try:
        replicas = supports_read_replicas()
        began = time.monotonic()
        setup = prepare(cluster)
        print(
            f"scale-check: primary, standby and three databases in {time.monotonic() - began:.1f} s"
        )
        began = time.monotonic()
        apis = start_apis(cluster, setup, replicas)
        print(f"scale-check: three API processes ready in {time.monotonic() - began:.1f} s")
        setup["apis"] = apis
        proxy = cluster.nginx([api.port for api in apis])
        reads = "used" if replicas else "not in this app: api-1 reads the standby"
        print(
            f"scale-check: primary :{setup['primary_port']}, standby :{setup['standby_port']}, "
            f"APIs {[api.port for api in apis]}, nginx :{proxy}; dataset {setup['version_a']} "
            f"-> {setup['version_b']}; READ_DATABASE_URLS {reads}"
        )
        record = Record()
        stop = threading.Event()
        timeline = Timeline()
        workers = [Client(index, proxy, record, stop) for index in range(clients)]
        threads = [threading.Thread(target=c.run, daemon=True) for c in workers]
        chaos = threading.Thread(target=faults, args=(cluster, setup, timeline, stop))
        for thread in [*threads, chaos]:
            thread.start()
        stop.wait(seconds)
        # The clients go on until the faults are over and every process has served the new
        # version for a few seconds, however slow the reseed was on a loaded machine.
        chaos.join(timeout=120)
        time.sleep(max(0.0, setup.get("converged_at", 0.0) + 3 - time.monotonic()))
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        elapsed = time.monotonic() - timeline.started
        for moment, what in timeline.events:
            print(f"scale-check: t={moment:5.1f} s  {what}")
        latencies = sorted(record.latencies)
        p50, p99 = (quantile(latencies, q) * 1000 for q in (0.5, 0.99))
        print(
            f"scale-check: {len(latencies)} requests by {clients} clients in {elapsed:.1f} s "
            f"({len(latencies) / elapsed:.0f} req/s through nginx), latency p50 {p50:.1f} ms, "
            f"p99 {p99:.1f} ms, max {latencies[-1] * 1000:.0f} ms; {record.walks} walks, "
            f"{record.mismatches} version-mismatch restarts, {record.crossed} walks that "
            f"crossed versions without one, {record.reconnects} keep-alive reconnects"
        )
        slowest, when, url = record.slowest
        print(
            f"scale-check: the slowest request took {slowest * 1000:.0f} ms, at "
            f"t={when - timeline.started:.1f} s: {url[:80]}"
        )
        for name, value in timeline.figures.items():
            print(f"scale-check: {name}: {value:.2f}")
        failures += [f"failed request: {failure}" for failure in record.failures[:20]]
        if "fault_error" in setup:
            failures.append(f"the faults did not run: {setup['fault_error']}")
        if len(setup.get("converged", {})) != len(apis):
            failures.append(f"not every process served {setup['version_b']} within "
                            f"{CONVERGE_WITHIN} s: {setup.get('converged')}")  # fmt: skip
        versions = {version for version, _ in record.bodies}
        if versions != {setup["version_a"], setup["version_b"]}:
            failures.append(f"the clients saw versions {sorted(versions)}, not both of the run's")
        failures += forwarded_address_checks(cluster, apis, proxy)
        failures += old_version_checks(setup, record, apis, proxy)
        began = time.monotonic()
        failures += compare_with_baselines(cluster, setup, record)
        print(f"scale-check: baselines compared in {time.monotonic() - began:.1f} s")
        print(
            f"scale-check: {len(record.bodies)} (version, URL) bodies compared with the "
            "single-process baselines"
        )
    except ClusterError as error:
        failures.append(str(error))
    finally:
        alive = cluster.close()
        if alive:
            failures.append(f"still running after the check: {alive}")
        else:
            print("scale-check: stopped everything it started and removed its directory")
    for failure in failures:
        print(f"scale-check: FAILED: {failure}", file=sys.stderr)
    if not failures:
        print("scale-check: ok (0 failed requests, every body equal to its version's baseline)")
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    # SIGTERM (a CI timeout, make's interrupt) unwinds like ^C: run()'s `finally` stops everything.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(run(args.seconds, args.clients))


if __name__ == "__main__":
    main()
