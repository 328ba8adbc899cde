"""The documented, deterministic rule that picks one preferred figure per claim group.

Candidates are ranked by, in order: qualifier (exact > approximate > bounds), who stands behind
the number (a named statistical agency > a person's speech > the press), precision (more
decimals first), and finally the observation id, so the outcome never depends on load order.
"""

from typing import Any

QUALIFIER_RANK = {"exact": 0, "approximate": 1, "lower_bound": 2, "upper_bound": 2}
AUTHORITY_LABELS = ("a statistical agency", "a speech", "the press")


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


def rank_claim_group(members: list[dict[str, Any]]) -> None:
    """Set `preferred` and `preference_reason` on every observation of one claim group."""
    ordered = sorted(members, key=_key)
    winner = ordered[0]
    others = len(ordered) - 1
    winner["preferred"] = True
    winner["preference_reason"] = f"preferred: {_describe(winner)}" + (
        f"; ranked first of {len(ordered)} observations of this figure"
        if others
        else "; the only observation of this figure"
    )
    for loser in ordered[1:]:
        loser["preferred"] = False
        loser["preference_reason"] = (
            f"not preferred: {_describe(loser)}; {winner['id']} ranks higher "
            f"({_why_lost(winner, loser)})"
        )
