"""The report: issue-12 targets met or not, printed tables, a chart and the JSON results."""

import json
from pathlib import Path
from typing import Any

from bench.servers import SERVERS

# Scenarios whose ratios to the floor and to Datasette are targets (issue 12).
RATIO_SCENARIOS = (
    "event_by_id",
    "events_first_page",
    "events_deep_cursor",
    "quotes_by_leader",
    "trade_series",
)
LIST_SCENARIOS = (
    "events_by_date",
    "events_first_page",
    "events_deep_cursor",
    "quotes_by_leader",
    "quote_fts",
)
Check = tuple[str, float | None, str, float, str]


def _worst(entries: dict[str, Any], server: str, metric: str) -> tuple[float | None, str]:
    found = [(e[server][metric], name) for name, e in entries.items() if server in e]
    if not found:
        return None, ""
    value, name = max(found)
    return value, name


def _matrix_checks(label: str, matrix: dict[str, Any], server: str) -> list[Check]:
    lists = {k: v for k, v in matrix.items() if not k.startswith("timeline:")}
    timelines = {k: v for k, v in matrix.items() if k.startswith("timeline:")}
    p50, p50_at = _worst(lists, server, "p50_ms")
    p99, p99_at = _worst(lists, server, "p99_ms")
    timeline, timeline_at = _worst(timelines, server, "p50_ms")
    n, t = len(lists), len(timelines)
    return [
        (f"{label}: filter matrix, worst one-client p50 ms of {n}", p50, "<=", 50.0, p50_at),
        (f"{label}: filter matrix, worst one-client p99 ms of {n}", p99, "<=", 200.0, p99_at),
        (f"{label}: timeline, worst one-client p50 ms of {t}", timeline, "<=", 100.0, timeline_at),
    ]


def _export_checks(label: str, export: dict[str, Any]) -> list[Check]:
    csv, ndjson = export.get("csv", {}).get("ours", {}), export.get("ndjson", {}).get("ours", {})
    return [
        (f"{label}: CSV export rows/s", csv.get("rows_per_s"), ">=", 100_000.0, ""),
        (f"{label}: CSV export peak RSS MB", csv.get("peak_rss_mb"), "<", 200.0, ""),
        (f"{label}: NDJSON export rows/s", ndjson.get("rows_per_s"), ">=", 150_000.0, ""),
        (f"{label}: NDJSON export peak RSS MB", ndjson.get("peak_rss_mb"), "<", 200.0, ""),
    ]


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each issue-12 target (and the earlier ones still kept) with its value: met or not."""
    s, one = results["scenarios"], results.get("one_client", {})
    checks: list[Check] = []
    for name in RATIO_SCENARIOS:
        checks.append((f"{name}: ours/floor", s[name].get("ours_over_floor"), ">=", 0.6, ""))
        checks.append(
            (f"{name}: ours/datasette", s[name].get("ours_over_datasette"), ">=", 3.0, "")
        )
    checks.append(
        ("events_by_date: ours/floor", s["events_by_date"].get("ours_over_floor"), ">=", 0.9, "")
    )
    ratios = {
        name: round(s[name]["ours"]["p99_ms"] / s[name]["ours"]["p50_ms"], 2)
        for name in LIST_SCENARIOS
        if s[name]["ours"]["p50_ms"]
    }
    worst = max(ratios.items(), key=lambda item: item[1], default=(None, None))
    checks.append(
        (
            f"{results['scenarios'][LIST_SCENARIOS[0]]['connections']} connections: worst p99/p50 "
            "of the list scenarios",
            worst[1],
            "<=",
            5.0,
            worst[0] or "",
        )
    )
    checks += _matrix_checks("SQLite", results.get("matrix", {}), "ours")
    page, page_at = _worst(results.get("explorer", {}), "ours", "p50_ms")
    checks.append(("explorer: worst one-client p50 ms of a page type", page, "<=", 150.0, page_at))
    checks += _export_checks("SQLite", results.get("export", {}))
    postgres = results.get("postgres", {})
    if postgres.get("scenarios"):
        shares = {
            name: round(entry["rps"] / s[name]["ours"]["rps"], 3)
            for name, entry in postgres["scenarios"].items()
            if "rps" in entry and s.get(name, {}).get("ours", {}).get("rps")
        }
        low = min(shares.items(), key=lambda item: item[1], default=(None, None))
        checks.append(("PostgreSQL req/s / SQLite req/s, worst", low[1], ">=", 0.5, low[0] or ""))
        fts = postgres.get("one_client", {}).get("quote_fts", {}).get("ours", {}).get("p50_ms")
        checks.append(("PostgreSQL: quote search one-client p50 ms", fts, "<=", 30.0, ""))
        checks += _matrix_checks("PostgreSQL", postgres.get("matrix", {}), "ours")
        checks += _export_checks("PostgreSQL", postgres.get("export", {}))
    first = one.get("events_first_page", {}).get("ours", {}).get("p50_ms")
    deep = one.get("events_deep_cursor", {}).get("ours", {}).get("p50_ms")
    checks.append(
        (
            "deep cursor p50 / first page p50 (one client)",
            round(deep / first, 3) if first and deep else None,
            "<=",
            1.2,
            "",
        )
    )
    fts = one.get("quote_fts", {}).get("ours", {}).get("p50_ms")
    checks.append(("SQLite: quote search one-client p50 ms", fts, "<=", 20.0, ""))
    workers = results.get("workers", {}).get("events_by_date", {})
    checks.append(("two workers / one worker", workers.get("ratio"), ">=", 1.7, ""))
    out = []
    for label, value, op, goal, where in checks:
        met = None
        if value is not None:
            met = value >= goal if op == ">=" else value <= goal if op == "<=" else value < goal
        entry = {"target": f"{label} {op} {goal:g}", "value": value, "met": met}
        if where:
            entry["where"] = where
        out.append(entry)
    return out


def _cell(entry: dict[str, Any], name: str) -> str:
    if name not in entry:
        return "–"
    return f"{entry[name]['p50_ms']:.1f} / {entry[name]['p99_ms']:.1f}"


def _matrix_table(results: dict[str, Any]) -> list[str]:
    matrix = results.get("matrix", {})
    postgres = results.get("postgres", {}).get("matrix", {})
    lines = [
        "",
        "| filter matrix, one client | matches | ours p50 / p99 ms | floor p50 / p99 ms "
        "| PostgreSQL p50 / p99 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, e in matrix.items():
        matches = f"{e['matches']:,}" if "matches" in e else ""
        lines.append(
            f"| {name} | {matches} | {_cell(e, 'ours')} | {_cell(e, 'floor')} "
            f"| {_cell(postgres.get(name, {}), 'ours')} |"
        )
    return lines


def table(results: dict[str, Any]) -> str:
    lines = [
        "| scenario | conns | ours req/s | floor req/s | datasette req/s | ours p50 / p99 ms "
        "| ours non-2xx | ours/floor | ours/datasette |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def rps(entry: dict[str, Any], name: str) -> str:
        return f"{entry[name]['rps']:,.1f}" if name in entry else "–"

    for name, e in results["scenarios"].items():
        lines.append(
            f"| {name} | {e['connections']} | {rps(e, 'ours')} | {rps(e, 'floor')} | "
            f"{rps(e, 'datasette')} | "
            f"{e['ours']['p50_ms']:,.1f} / {e['ours']['p99_ms']:,.1f} | {e['ours']['errors']} | "
            f"{e.get('ours_over_floor', '–')} | {e.get('ours_over_datasette', '–')} |"
        )
    if results.get("one_client"):
        lines += [
            "",
            "| one client, p50 / p99 ms | ours | floor | datasette |",
            "|---|---:|---:|---:|",
        ]
        for name, e in results["one_client"].items():
            cells = " | ".join(_cell(e, n) for n in ("ours", "floor", "datasette"))
            lines.append(f"| {name} | {cells} |")
    lines += _matrix_table(results)
    for label, export in (
        ("SQLite", results.get("export", {})),
        ("PostgreSQL", results.get("postgres", {}).get("export", {})),
    ):
        if export:
            lines += [
                "",
                f"| export of every event ({label}) | rows | rows/s | peak RSS MB |",
                "|---|---:|---:|---:|",
            ]
            for fmt, servers in export.items():
                for name, e in servers.items():
                    partial = "" if e["complete"] else " (time limit)"
                    lines.append(
                        f"| {fmt} {name}{partial} | {e['rows']:,} | {e['rows_per_s']:,.0f} "
                        f"| {e['peak_rss_mb']} |"
                    )
    if results.get("workers"):
        lines += ["", "| two workers vs one (ours) | 1 worker req/s | 2 workers req/s | ratio |"]
        lines.append("|---|---:|---:|---:|")
        for name, e in results["workers"].items():
            lines.append(
                f"| {name} | {e['one_worker']['rps']:,.1f} | {e['two_workers']['rps']:,.1f} "
                f"| {e['ratio']} |"
            )
    if results.get("postgres"):
        lines += _postgres_table(results["postgres"], results.get("scenarios", {}))
    lines += _cost_table(results["meta"].get("read_model_cost", {}))
    if results.get("targets"):
        lines += ["", "| target | value | met | where |", "|---|---:|---|---|"]
        for t in results["targets"]:
            met = {True: "yes", False: "NO", None: "n/a"}[t["met"]]
            lines.append(f"| {t['target']} | {t['value']} | {met} | {t.get('where', '')} |")
    return "\n".join(lines)


def _postgres_table(postgres: dict[str, Any], sqlite: dict[str, Any]) -> list[str]:
    """Ours on PostgreSQL beside ours on SQLite, scenario by scenario, from the same run."""
    lines = [
        "",
        "| scenario (ours) | SQLite req/s | PostgreSQL req/s | PostgreSQL / SQLite "
        "| PostgreSQL p50 / p99 ms | PostgreSQL one-client p50 ms | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    if "error" in postgres:
        lines.append(f"| failed: {postgres['error'][:120]} | | | | | | |")
    for name, e in postgres.get("scenarios", {}).items():
        if "error" in e:
            lines.append(f"| {name} | failed: {e['error'][:90]} | | | | | |")
            continue
        one = postgres.get("one_client", {}).get(name, {}).get("ours", {}).get("p50_ms")
        base = sqlite.get(name, {}).get("ours", {}).get("rps")
        ratio = f"{e['rps'] / base:.2f}" if base else "–"
        lines.append(
            f"| {name} | {f'{base:,.1f}' if base else '–'} | {e['rps']:,.1f} | {ratio} "
            f"| {e['p50_ms']:,.1f} / {e['p99_ms']:,.1f} | {one if one is not None else '–'} "
            f"| {e['errors']} |"
        )
    return lines


def _cost_table(cost: dict[str, Any]) -> list[str]:
    if not cost:
        return []
    lines = ["", "| what the read model costs (SQLite) | value |", "|---|---:|"]
    for name, value in cost.items():
        lines.append(
            f"| {name} | {value:,} |" if isinstance(value, int | float) else f"| {name} | {value} |"
        )
    return lines


def chart(results: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    scenarios = list(results["scenarios"])
    names = [n for n in SERVERS if any(n in results["scenarios"][s] for s in scenarios)]
    fig, axes = plt.subplots(1, 2, figsize=(13, 5))
    width = 0.8 / max(1, len(names))
    for index, name in enumerate(names):
        xs = [i + index * width for i in range(len(scenarios))]
        rps = [results["scenarios"][s].get(name, {}).get("rps", 0) for s in scenarios]
        p50 = [results["scenarios"][s].get(name, {}).get("p50_ms", 0) for s in scenarios]
        axes[0].bar(xs, rps, width, label=name)
        axes[1].bar(xs, p50, width, label=name)
    for axis, label in (
        (axes[0], "requests/s (log)"),
        (axes[1], "p50 latency, ms (log)"),
    ):
        axis.set_xticks([i + width * (len(names) - 1) / 2 for i in range(len(scenarios))])
        axis.set_xticklabels(
            [f"{s} ({results['scenarios'][s]['connections']}c)" for s in scenarios],
            rotation=30,
            ha="right",
            fontsize=8,
        )
        axis.set_yscale("log")
        axis.set_ylabel(label)
        axis.legend()
    meta = results["meta"]
    fig.suptitle(
        f"Diplomatic Events API benchmark: {meta['counts'].get('events', 0):,} events, "
        f"{meta['load']}, {meta['started'][:16]}"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def write_results(results: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    stamp = results["meta"]["started"][:19].replace(":", "").replace("-", "")
    prefix = "smoke-" if results["meta"]["smoke"] else ""
    path = out / f"{prefix}{stamp}.json"
    text = json.dumps(results, indent=2, sort_keys=False)
    path.write_text(text)
    (out / f"{prefix}latest.json").write_text(text)
    if chart(results, out / f"{prefix}latest.png"):
        print(f"chart: {out / f'{prefix}latest.png'}")
    return path
