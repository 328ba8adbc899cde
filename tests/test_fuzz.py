"""Schemathesis fuzzes every operation of the OpenAPI schema against the live app, in-process.

Each operation gets a fixed number of derandomized examples generated from its schema (positive
data, and negative data where some parameter has constraints to break), sent through the ASGI
transport to an app that reads the seeded test database of each backend. Every check
Schemathesis has runs on every response (`CHECKS`): no server error, documented status codes,
content types and headers, the documented response schema, 405 with `Allow` for other methods,
negative data rejected, and a request the schema allows never refused with a 400, except for
the few kinds of invalidity OpenAPI cannot state (see `_unstateable`; a `q` is not among them:
its pattern states its rules). The number of requests sent is printed per backend.
"""

import calendar
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, CheckContext, GenerationMode, Response
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.checks import CheckFunction, load_all_checks
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import Engine, select

from app.config import Settings
from app.main import create_app
from app.models import tables as t

MAX_EXAMPLES = 50
SPEC: dict[str, Any] = create_app().openapi()
_CONSTRAINTS = ("pattern", "enum", "$ref", "minimum", "maximum", "minLength", "maxLength")


def _can_be_invalid(parameter: dict[str, Any]) -> bool:
    """Whether some value of the parameter breaks its schema (a bare string has none)."""
    schema = parameter["schema"]
    return any(key in str(schema) for key in _CONSTRAINTS) or schema.get("type") != "string"


OPERATIONS = [
    (f"{method.upper()} {path}", any(_can_be_invalid(p) for p in op.get("parameters", [])))
    for path, item in SPEC["paths"].items()
    for method, op in item.items()
]
CASES = [
    pytest.param(label, mode, id=f"{label}-{mode.value}")
    for label, can_be_invalid in OPERATIONS
    for mode in (GenerationMode.POSITIVE, *([GenerationMode.NEGATIVE] if can_be_invalid else []))
]
EXPORT_MEDIA_TYPES = {"text/csv", "application/x-ndjson"}
REQUESTS: Counter[str] = Counter()
KNOWN_IDS: dict[str, set[str]] = {}


def _known_ids(engine: Engine) -> dict[str, set[str]]:
    """Every id a query parameter may refer to, read from the seeded database."""
    with engine.connect() as connection:

        def column(*columns: Any) -> set[str]:
            return {str(v) for c in columns for v in connection.execute(select(c)).scalars() if v}

        return {
            "leader": column(t.person.c.id, t.person.c.wikidata_qid),
            "country": column(t.country.c.code),
            "source": column(t.source.c.id),
            "event": column(t.event.c.id),
        }


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _day_bounds(value: str) -> tuple[tuple[int, int, int], tuple[int, int, int]] | None:
    """(first, last) day of a YYYY[-MM[-DD]] value as tuples, or None if no such date exists.

    Written independently of app/dates.py so that it can judge the app's answers.
    """
    match = _PARTIAL_DATE.match(value)
    if match is None:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if year < 1 or (month is not None and not 1 <= month <= 12):
        return None
    if month is None:
        return (year, 1, 1), (year, 12, 31)
    length = calendar.monthrange(year, month)[1]
    if day is None:
        return (year, month, 1), (year, month, length)
    if not 1 <= day <= length:
        return None
    return (year, month, day), (year, month, day)


def _unstateable(parameter: str, sent: dict[str, list[str]], known: dict[str, set[str]]) -> bool:
    """Whether a 400 naming `parameter` is for a kind of invalidity OpenAPI cannot state.

    Exempt, each narrowly: an opaque cursor not issued by the API; `from` after `to`; a date
    that matches the pattern but does not exist (2021-02-30, year 0000); a reference to a leader,
    country, source or event that does not exist; and trade `partner` equal to `country`.
    """
    values = sent.get(parameter, [])
    if parameter == "cursor":
        return True
    if parameter in ("date", "from", "to") and any(_day_bounds(v) is None for v in values):
        return True
    if parameter == "from" and "to" in sent:
        low, high = _day_bounds(sent["from"][0]), _day_bounds(sent["to"][0])
        return low is not None and high is not None and low[0] > high[1]
    if parameter == "partner":
        return sent.get("partner", ["RU"]) == sent.get("country", ["CN"])
    if parameter in known:
        # The trade series names `country` for an unknown country or partner.
        referenced = values + (sent.get("partner", []) if parameter == "country" else [])
        return any(value not in known[parameter] for value in referenced)
    return False


def _sent_query(response: Response) -> dict[str, list[str]]:
    url = response.request.url or ""
    text = url.decode() if isinstance(url, bytes) else url
    return parse_qs(urlsplit(text).query, keep_blank_values=True)


def _outside_its_schema(case: Case, parameter: str, sent: dict[str, list[str]]) -> bool:
    """Whether a value sent for `parameter` breaks the parameter's own schema, as the validator
    Schemathesis uses judges it: its generator approximates `\\p{L}` by Latin letters, so a
    "positive" `q` can hold more words than its pattern allows. Such a case is not positive data.
    """
    schema = _parameter_schema(case.operation.path, "query", parameter)
    if schema.get("type") != "string":  # sent as text, so only a string schema can judge it
        return False
    valid = jsonschema_rs.validator_for(schema).is_valid
    return any(not valid(value) for value in sent.get(parameter, []))


def positive_data_acceptance_but_unstateable(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    """positive_data_acceptance, except a 400 whose every error is exempt by `_unstateable`
    or names a value outside its own schema, and a 410 for a `version` that is not the
    dataset served (a versioned URL of another dataset: no schema can state which is current)."""
    if response.status_code == 410:
        body, sent = _json(response), _sent_query(response)
        if (
            body.get("type") == "/problems/dataset-version-gone"
            and sent.get("version")
            and sent["version"][0] != body.get("current_version")
        ):
            return None
    if response.status_code == 400:
        body = _json(response)
        errors = body.get("errors") or []
        sent = _sent_query(response)
        if errors and all(
            _unstateable(e["parameter"], sent, KNOWN_IDS)
            or _outside_its_schema(case, e["parameter"], sent)
            for e in errors
        ):
            return None
    return positive_data_acceptance(ctx, response, case)


def _parameter_schema(path: str, location: str, name: str) -> dict[str, Any]:
    """The non-null schema option (array items for a repeatable one) of one parameter."""
    for parameter in SPEC["paths"][path]["get"].get("parameters", []):
        if parameter["in"] == location and parameter["name"] == name:
            schema = parameter["schema"]
            for option in schema.get("anyOf", [schema]):
                if option.get("type") != "null":
                    return dict(option.get("items", option))
    return {}


def _json(response: Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


load_all_checks()
# Every check Schemathesis registers, positive_data_acceptance narrowed as above.
# (The registry's type admits check classes too; every registered check is a function.)
CHECKS = cast(
    list[CheckFunction],
    [
        positive_data_acceptance_but_unstateable if check is positive_data_acceptance else check
        for check in REGISTERED_CHECKS.get_all()
    ],
)
assert positive_data_acceptance_but_unstateable in CHECKS and len(CHECKS) >= 14


@pytest.fixture(scope="module")
def api_schema(
    backend: str, engine: Engine, request: pytest.FixtureRequest
) -> Iterator[schemathesis.BaseSchema]:
    """The app's schema, loaded from the app itself, whose requests read the seeded `engine`."""
    app = create_app(Settings(database_url=engine.url.render_as_string(hide_password=False)))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    KNOWN_IDS.update(_known_ids(engine))  # the same seed on every backend

    @schema.hook
    def after_call(context: Any, case: Case, response: Response) -> None:
        REQUESTS[backend] += 1

    yield schema
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nschemathesis: {REQUESTS[backend]} requests on {backend} "
                f"({len(CASES)} operation/mode runs, up to {MAX_EXAMPLES} examples each)"
            )


@pytest.mark.parametrize(("label", "mode"), CASES)
def test_operation_conforms(
    api_schema: schemathesis.BaseSchema, label: str, mode: GenerationMode
) -> None:
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, label

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Case) -> None:
        case.call_and_validate(checks=CHECKS)

    run()


EXPORT_OPERATIONS = [
    (path, op["operationId"])
    for path, item in SPEC["paths"].items()
    for op in item.values()
    if op["operationId"].startswith("export_")
]


@pytest.mark.parametrize(("path", "operation_id"), EXPORT_OPERATIONS)
def test_export_media_types_are_documented(path: str, operation_id: str) -> None:
    content = SPEC["paths"][path]["get"]["responses"]["200"]["content"]
    media_type = "text/csv" if path.endswith(".csv") else "application/x-ndjson"
    assert list(content) == [media_type], (operation_id, sorted(content))
    assert media_type in EXPORT_MEDIA_TYPES


def _string_parameters(prefix: str = "/") -> list[Any]:
    """(operation, location, name) of every non-enum string parameter under `prefix`."""
    found = []
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            for parameter in op.get("parameters", []):
                option = _parameter_schema(path, parameter["in"], parameter["name"])
                if (
                    path.startswith(prefix)
                    and option.get("type") == "string"
                    and "enum" not in option
                ):
                    where = (f"{method.upper()} {path}", parameter["in"], parameter["name"])
                    found.append(pytest.param(*where, id="-".join(where)))
    return found


SPEC_PARAMETER_IS_ARRAY = {
    (f"{method.upper()} {path}", p["in"], p["name"]): any(
        option.get("type") == "array" for option in p["schema"].get("anyOf", [p["schema"]])
    )
    for path, item in SPEC["paths"].items()
    for method, op in item.items()
    for p in op.get("parameters", [])
}


@pytest.mark.parametrize(("label", "location", "name"), _string_parameters())
def test_a_nul_byte_in_any_string_parameter_is_a_client_error(
    api_schema: schemathesis.BaseSchema, label: str, location: str, name: str
) -> None:
    """On PostgreSQL a NUL once reached the database (text cannot hold it) and answered 503
    where SQLite answered 400/404: every backend must answer it as a client error."""
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, label
    # Other path ids are a real leader, so that the probed parameter is what is judged.
    path_parameters = {p: "vladimir-putin" for p in re.findall(r"{(\w+)}", operation.path)}
    value = "a\x00b"
    repeatable = SPEC_PARAMETER_IS_ARRAY.get((label, location, name), False)
    if location == "path":
        case = operation.Case(path_parameters={**path_parameters, name: value})
    else:
        case = operation.Case(
            path_parameters=path_parameters, query={name: [value] if repeatable else value}
        )
    response = case.call_and_validate(checks=CHECKS)
    assert 400 <= response.status_code < 500, response.status_code


CONTROL_CHARACTERS = "\x00\x01\x08\x0b\x0c\x1f\x7f"


@pytest.mark.parametrize(("label", "location", "name"), _string_parameters("/v1/"))
def test_string_parameters_state_the_control_character_ban(
    label: str, location: str, name: str
) -> None:
    """/v1 answers 400 to a control character in any parameter; the schema must say so, or
    positive data (and generated clients) would send what the API refuses."""
    pattern = _parameter_schema(label.split(" ", 1)[1], location, name).get("pattern")
    assert pattern is not None, f"{label}: {location} parameter {name!r} states no pattern"
    # Judged as Schemathesis and JSON Schema validators read it (ECMA-262, `\p{L}` included).
    matches = jsonschema_rs.validator_for({"type": "string", "pattern": pattern}).is_valid
    for character in CONTROL_CHARACTERS:
        assert not matches(f"abc{character}def"), (pattern, character)
