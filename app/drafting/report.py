"""The draft's short report: what it found, and what a curator must decide."""

from app.drafting.run import Result

LOW = 0.6  # below this confidence a record is listed as undecided


def report(result: Result, text: str, written: list[str]) -> str:
    records = result.draft.records
    lines = [
        f"Draft of an article published {result.published}"
        + (" (guessed: give --published)" if result.published_guessed else ""),
        "",
        "Found: " + ", ".join(f"{len(items)} {name}" for name, items in records.items()),
        f"  quotations: {len(result.quotes)} ({sum(1 for q in result.quotes if q.exclusion)}"
        f" excluded), "
        f"figures: {len(result.figures)}, numbers rejected: {len(result.rejected)}, events"
        f": {len(result.events)}",
    ]
    if result.events:
        main = result.events[0]
        lines.append(
            f"  main event: {main.kind} on {main.date.start} "
            f"({main.date.precision}, {main.date.evidence}): {main.date.basis}"
        )
    undecided = [
        (name, item.get("id") or item.get("text", "")[:50], item["draft"])
        for name, items in records.items()
        for item in items
        if item["draft"]["confidence"] < LOW
    ]
    lines += ["", f"Could not decide ({len(undecided)}; confidence below {LOW}):"]
    lines += [f"  {name}: {label!r}: {draft['clue']}" for name, label, draft in undecided] or [
        "  nothing"
    ]
    if result.unbalanced:
        lines += ["", "Unbalanced quotation marks (check the file against the article):"]
        lines += [
            f"  {u.mark!r} at character {u.position}: …{_around(text, u.position)}…"
            for u in result.unbalanced
        ]
    lines += [
        "",
        "Every record carries `draft: {confidence, clue}`: `seed --check` refuses it unti"
        "l you check it",
        "against the article, fix it, write what says TO WRITE, and delete the `draft` field.",
        "Written: " + ", ".join(written),
    ]
    return "\n".join(lines)


def _around(text: str, position: int) -> str:
    return text[max(0, position - 30) : position + 30].replace("\n", " ")
