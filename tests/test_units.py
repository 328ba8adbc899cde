"""Pure functions with rules: dates, periods, search syntax, cursors, preference ranking."""

import dataclasses
import datetime as dt
from typing import Any

import pytest

from app.dates import partial_date_bounds, period_bounds
from app.errors import ProblemError
from app.seeding.trade_preference import rank_claim_group
from app.services.cursors import Cursors, identity
from app.services.events import EventFilters
from app.services.search import SearchQueryError, compile_query, normalise, parse_query
from app.vocab import PeriodType


@pytest.mark.parametrize(
    ("value", "first", "last"),
    [
        ("2021", "2021-01-01", "2021-12-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2021-07-06", "2021-07-06", "2021-07-06"),
    ],
)
def test_partial_date_bounds(value: str, first: str, last: str) -> None:
    assert partial_date_bounds(value) == (dt.date.fromisoformat(first), dt.date.fromisoformat(last))


@pytest.mark.parametrize("value", ["21", "2021-7", "2021-02-30", "2021-00", "x"])
def test_impossible_dates_are_rejected(value: str) -> None:
    with pytest.raises(ValueError):
        partial_date_bounds(value)


def test_sdmx_periods() -> None:
    assert period_bounds("2021-01-01/P10M", PeriodType.ytd) == (
        dt.date(2021, 1, 1),
        dt.date(2021, 10, 31),
    )
    assert period_bounds("2024", PeriodType.annual) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    with pytest.raises(ValueError):
        period_bounds("2024-03", PeriodType.annual)


def test_search_syntax_compiles_for_both_engines() -> None:
    assert normalise("Più CITTÀ, l’Ucraina") == "piu citta l ucraina"
    assert compile_query("sqlite", 'caro "nuovi piani" multi* OR pace') == (
        '(stem_en : "caro" OR stem_it : "car") AND '
        '(stem_en : "nuovi piani" OR stem_it : "nuov pian") AND (body : "multi"*) OR '
        '(stem_en : "pace" OR stem_it : "pac")'
    )
    assert compile_query("postgresql", 'caro "nuovi piani" multi* OR pace') == (
        "(('qqecaro') | ('qqicar')) & (('qqenuovi' <-> 'qqepiani') | ('qqinuov' <-> 'qqipian')) "
        "& ('multi':*) | (('qqepace') | ('qqipac'))"
    )
    assert compile_query("sqlite", "pace NOT guerra") == (
        '(stem_en : "pace" OR stem_it : "pac") NOT (stem_en : "guerra" OR stem_it : "guerr")'
    )
    assert compile_query("postgresql", "pace NOT guerra") == (
        "(('qqepace') | ('qqipac')) & ! (('qqeguerra') | ('qqiguerr'))"
    )
    for bad in ["", "   ", "***", '""']:
        with pytest.raises(SearchQueryError):
            compile_query("sqlite", bad)
    with pytest.raises(SearchQueryError):
        parse_query("x" * 201, max_chars=200)
    with pytest.raises(SearchQueryError):
        parse_query(" ".join(["parola"] * 13), max_words=12)


def test_cursor_round_trip_and_binding() -> None:
    cursors = Cursors(identity="l1", key_shape="date_id", secret="s", max_chars=512)
    token = cursors.token(["2021-07-01", "an-id"])
    assert cursors.after(token) == (dt.date(2021, 7, 1), "an-id")
    assert cursors.after(None) is None
    for bound_to, secret, max_chars in (
        ("l2", "s", 512),
        ("l1", "another secret", 512),
        ("l1", "s", len(token) - 1),
    ):
        other = Cursors(identity=bound_to, key_shape="date_id", secret=secret, max_chars=max_chars)
        with pytest.raises(ProblemError) as refused:
            other.after(token)
        assert refused.value.errors and refused.value.errors[0].parameter == "cursor"
    with pytest.raises(ProblemError):  # a key of another list's shape
        Cursors(identity="l1", key_shape="id", secret="s", max_chars=512).after(token)


def test_the_fingerprint_is_built_from_named_parameters() -> None:
    """Reordering a filter dataclass's fields changes no identity, so no live cursor or export
    ETag; changing a value does."""
    fields = [
        (field.name, field.type, dataclasses.field(default=field.default))
        for field in dataclasses.fields(EventFilters)
    ]
    reordered = dataclasses.make_dataclass("EventFilters", fields[::-1], frozen=True)
    assert [f.name for f in dataclasses.fields(reordered)] != [
        f.name for f in dataclasses.fields(EventFilters)
    ]
    values: dict[str, Any] = {
        "leaders": ("vladimir-putin",),
        "kinds": ("call", "visit"),
        "start": dt.date(2021, 1, 1),
        "q": "gas",
    }
    order = {"descending": True}
    assert identity("events", EventFilters(**values), order) == identity(
        "events", reordered(**values), order
    )
    changed = EventFilters(**{**values, "q": "oil"})
    assert identity("events", changed, order) != identity("events", EventFilters(**values), order)


def _observation(
    obs_id: str,
    qualifier: str,
    decimals: int,
    agency: str | None = None,
    stated_by: str | None = None,
) -> dict[str, object]:
    return {
        "id": obs_id,
        "qualifier": qualifier,
        "value_text": "100",
        "decimals": decimals,
        "agency": agency,
        "stated_by": stated_by,
    }


def test_preference_rule_is_deterministic_and_explained() -> None:
    members = [
        _observation("a", "approximate", 0, stated_by="vladimir-putin"),
        _observation("b", "exact", 1, agency="GACC"),
        _observation("c", "lower_bound", 0),
        _observation("d", "exact", 0),
    ]
    rank_claim_group(members)
    preferred = [m["id"] for m in members if m["preferred"]]
    assert preferred == ["b"]
    reasons = {m["id"]: m["preference_reason"] for m in members}
    assert "exact beats approximate" in str(reasons["a"])
    assert "a statistical agency beats the press" in str(reasons["d"])
    assert "a bound is never preferred; b states the value" in str(reasons["c"])
    reversed_members = [dict(m) for m in reversed(members)]
    rank_claim_group(reversed_members)
    assert [m["id"] for m in reversed_members if m["preferred"]] == ["b"]


def test_a_claim_group_of_bounds_has_no_preferred_figure() -> None:
    members = [_observation("x", "lower_bound", 0), _observation("y", "upper_bound", 1)]
    rank_claim_group(members)
    assert [m["preferred"] for m in members] == [False, False]
    assert "the figure was above 100" in str(members[0]["preference_reason"])
    assert "the figure was below 100" in str(members[1]["preference_reason"])
    assert "no observation of this figure states its value" in str(members[1]["preference_reason"])


def test_a_target_bound_is_explained_as_a_target() -> None:
    target = {**_observation("t", "lower_bound", 0), "kind": "target"}
    rank_claim_group([target])
    reason = str(target["preference_reason"])
    assert "the target is a figure above 100" in reason and "the figure was" not in reason
