"""The OpenAPI document is valid and complete enough to generate clients from."""

from typing import Any

from openapi_spec_validator import validate

from app.main import create_app

SPEC: dict[str, Any] = create_app().openapi()
OPERATIONS = [
    (path, method, operation)
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
]


def test_the_document_validates() -> None:
    validate(SPEC)


def test_every_operation_is_documented_for_generated_clients() -> None:
    operation_ids = [operation["operationId"] for _, _, operation in OPERATIONS]
    assert len(operation_ids) == len(set(operation_ids))
    for path, method, operation in OPERATIONS:
        where = f"{method.upper()} {path}"
        assert operation["operationId"].replace("_", "").isalnum(), where
        assert operation.get("summary"), where
        assert operation.get("description"), where
        assert operation.get("tags"), where
        for parameter in operation.get("parameters", []):
            assert parameter.get("description") or parameter["in"] == "path", (where, parameter)
        if path.startswith("/v1/"):
            assert "400" in operation["responses"], where


def _query_parameter(path: str, name: str) -> dict[str, Any]:
    operation = SPEC["paths"][path]["get"]
    return next(p for p in operation["parameters"] if p["name"] == name)


def _schema_of(parameter: dict[str, Any]) -> dict[str, Any]:
    schema = parameter["schema"]
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "array":
            option = option["items"]
        if "$ref" in option:
            name = option["$ref"].rsplit("/", 1)[-1]
            return dict(SPEC["components"]["schemas"][name])
        if option.get("type") != "null":
            return dict(option)
    return schema


def test_vocabularies_are_enums_and_dates_have_patterns() -> None:
    assert "phone_call" in _schema_of(_query_parameter("/v1/events", "kind"))["enum"]
    assert "taiwan" in _schema_of(_query_parameter("/v1/events", "topic"))["enum"]
    assert _schema_of(_query_parameter("/v1/quotes", "attribution"))["enum"] == [
        "direct",
        "readout",
        "agency",
        "press",
        "indirect",
    ]
    for name in ("date", "from", "to"):
        assert "pattern" in _schema_of(_query_parameter("/v1/events", name)), name
    assert _schema_of(_query_parameter("/v1/events", "limit"))["maximum"] == 200
    event = SPEC["components"]["schemas"]["EventPublic"]["properties"]
    assert "$ref" in event["kind"] or "enum" in event["kind"]


def test_errors_are_documented_as_problem_json() -> None:
    responses = SPEC["paths"]["/v1/events/{event_id}"]["get"]["responses"]
    assert "application/problem+json" in responses["404"]["content"]


def test_responses_show_real_recorded_examples() -> None:
    events = SPEC["paths"]["/v1/events"]["get"]["responses"]
    example = events["200"]["content"]["application/json"]["example"]
    assert example["items"] and all(item["id"] for item in example["items"])
    detail = SPEC["paths"]["/v1/events/{event_id}"]["get"]["responses"]
    assert detail["200"]["content"]["application/json"]["example"]["id"].startswith("20")
    problem = detail["404"]["content"]["application/problem+json"]["example"]
    assert problem["status"] == 404 and problem["type"].endswith("/not-found")
    invalid = events["400"]["content"]["application/problem+json"]["example"]
    assert invalid["status"] == 400 and invalid["errors"][0]["parameter"] == "leader"
    assert SPEC["components"]["schemas"]["Problem"]["example"]["status"] == 400
