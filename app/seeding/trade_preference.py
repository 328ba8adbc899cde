"""The documented, deterministic rule that picks the preferred figure of each claim group.

A bound ("exceeded 100 billion", "already surpassed by 123 billion") says on which side of a
number the figure lies, not what it was, so it is never preferred: a claim group that holds only
bounds has no preferred observation, and the default series leaves that period out. Among the
stated values, candidates are ranked by, in order: qualifier (exact > approximate), who stands
behind the number (a named statistical agency > a person's speech > the press), precision (more
decimals first), and finally the observation id, so the outcome never depends on load order.
"""

from typing import Any

from app.vocab import QUALIFIER_BOUND

QUALIFIER_RANK = {"exact": 0, "approximate": 1}
AUTHORITY_LABELS = ("a statistical agency", "a speech", "the press")


def is_bound(row: dict[str, Any]) -> bool:
    """Whether the observation states a bound rather than a value."""
    return row["qualifier"] in QUALIFIER_BOUND


def _authority(row: dict[str, Any]) -> int:
    if row["agency"]:
        return 0
    return 1 if row["stated_by"] else 2


def _key(row: dict[str, Any]) -> tuple[int, int, int, str]:
    return (QUALIFIER_RANK[row["qualifier"]], _authority(row), -row["decimals"], row["id"])


def _describe(row: dict[str, Any]) -> str:
    decimals = row["decimals"]
    precision = f"{decimals} decimal{'s' if decimals != 1 else ''}"
    return f"{row['qualifier']} figure from {AUTHORITY_LABELS[_authority(row)]}, {precision}"


def _why_lost(winner: dict[str, Any], loser: dict[str, Any]) -> str:
    if QUALIFIER_RANK[winner["qualifier"]] < QUALIFIER_RANK[loser["qualifier"]]:
        return f"{winner['qualifier']} beats {loser['qualifier']}"
    if _authority(winner) < _authority(loser):
        return f"{AUTHORITY_LABELS[_authority(winner)]} beats {AUTHORITY_LABELS[_authority(loser)]}"
    if winner["decimals"] > loser["decimals"]:
        return "the more precise figure wins"
    return "equal rank; the lower id wins"


def _bound_reason(row: dict[str, Any], winner: dict[str, Any] | None) -> str:
    side = "above" if QUALIFIER_BOUND[row["qualifier"]] == "lower" else "below"
    what = (
        f"the target is a figure {side} {row['value_text']}"
        if row.get("kind") == "target"
        else f"the figure was {side} {row['value_text']}"
    )
    reason = f"not preferred: a bound ({what}), and a bound is never preferred"
    if winner is None:
        return reason + "; no observation of this figure states its value"
    return reason + f"; {winner['id']} states the value"


def rank_claim_group(members: list[dict[str, Any]]) -> None:
    """Set `preferred` and `preference_reason` on every observation of one claim group."""
    values = sorted((row for row in members if not is_bound(row)), key=_key)
    winner = values[0] if values else None
    for row in members:
        if is_bound(row):
            row["preferred"] = False
            row["preference_reason"] = _bound_reason(row, winner)
    if winner is None:
        return
    winner["preferred"] = True
    winner["preference_reason"] = f"preferred: {_describe(winner)}" + (
        f"; ranked first of {len(members)} observations of this figure"
        if len(members) > 1
        else "; the only observation of this figure"
    )
    for loser in values[1:]:
        loser["preferred"] = False
        loser["preference_reason"] = (
            f"not preferred: {_describe(loser)}; {winner['id']} ranks higher "
            f"({_why_lost(winner, loser)})"
        )
