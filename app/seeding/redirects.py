"""Public ids that changed (seeds/data/redirects.yaml): each old id answers with a 301 to the
id its record has now."""

from typing import Any

from app.seeding.problems import SeedProblem
from app.seeding.records import RedirectRecord

FILE = "seeds/data/redirects.yaml"


def redirect_rows(
    redirects: list[RedirectRecord], *, current: dict[str, set[str]]
) -> tuple[list[dict[str, Any]], list[SeedProblem]]:
    """The rows of `public_id_redirect`, and the problems: an old id redirected twice or still
    in use, or a new id that nothing has (`current`: the ids in use, per kind)."""
    rows: list[dict[str, Any]] = []
    problems: list[SeedProblem] = []
    seen: set[tuple[str, str]] = set()
    for r in redirects:
        label = f"{r.kind}:{r.old_id}"
        if (r.kind, r.old_id) in seen:
            problems.append(SeedProblem(FILE, label, "old_id", "is redirected twice: keep one"))
        seen.add((r.kind, r.old_id))
        if r.old_id in current[r.kind]:
            problems.append(
                SeedProblem(
                    FILE,
                    label,
                    "old_id",
                    f"is the id of a current {r.kind}: an id in use cannot redirect elsewhere",
                )
            )
        if r.new_id not in current[r.kind]:
            problems.append(
                SeedProblem(
                    FILE,
                    label,
                    "new_id",
                    f"no {r.kind} has the id '{r.new_id}': point the redirect at the current "
                    "id (when an id changes again, update every redirect to it)",
                )
            )
        rows.append({"kind": r.kind, "old_id": r.old_id, "new_id": r.new_id})
    return rows, problems
