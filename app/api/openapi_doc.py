"""What the OpenAPI document says beyond FastAPI's own output: recorded examples, and the
headers and statuses every operation may answer with."""

import functools
import json
import re._parser
from pathlib import Path
from typing import Any

from app.api.deps import MAX_REPEATS
from app.errors import PROBLEM_MEDIA_TYPE

# Written by docs/record_examples.py from a real server on the seeded dataset (tests/test_docs.py
# fails when it no longer matches): operationId, or "problem-<status>", to a whole JSON body.
EXAMPLES_FILE = Path(__file__).with_name("examples.json")


@functools.cache
def recorded_examples() -> dict[str, Any]:
    examples: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return examples


def add_examples(schema: dict[str, Any]) -> None:
    """Real recorded bodies instead of the placeholders a docs page makes up from the types."""
    examples = recorded_examples()
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            responses = operation.get("responses", {})
            body = examples.get(operation["operationId"])
            content = responses.get("200", {}).get("content", {})
            if body is not None and "application/json" in content:
                content["application/json"]["example"] = body
            for status, response in responses.items():
                problem = examples.get(f"problem-{status}")
                problem_content = response.get("content", {}).get(PROBLEM_MEDIA_TYPE)
                if problem is not None and problem_content is not None:
                    problem_content["example"] = problem
    problem_schema = schema.get("components", {}).get("schemas", {}).get("Problem")
    if problem_schema is not None and "problem-400" in examples:
        problem_schema["example"] = examples["problem-400"]


HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": "Validator of this representation: send it back as If-None-Match to get "
        "a 304 when nothing changed",
        "schema": {"type": "string"},
    },
    "Link": {
        "description": 'RFC 8288 `<...>; rel="next"`: the next page, relative to this request, '
        "at the dataset version of this page (its `version` parameter; cached immutable); "
        "absent on the last page",
        "schema": {"type": "string"},
    },
    "Content-Location": {
        "description": "This same representation at a URL that names its dataset version "
        "(the request's path and query with `version`): those bytes never change, so that URL "
        "is cached `public, max-age=31536000, immutable`",
        "schema": {"type": "string"},
    },
    "X-Dataset-Version": {
        "description": "Version of the dataset that answered; changes when it is reseeded",
        "schema": {"type": "string"},
    },
    "X-Request-ID": {
        "description": "This request's id (the client's own, if it sent a valid one), also in the "
        "server's logs",
        "schema": {"type": "string"},
    },
    "Access-Control-Allow-Origin": {
        "description": "CORS: the requesting Origin, when it is one of CORS_ORIGINS (or `*`)",
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Limit": {
        "description": "Requests allowed per window (only when RATE_LIMIT_PER_MINUTE is set)",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Remaining": {
        "description": "Requests left in this window (only when RATE_LIMIT_PER_MINUTE is set)",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Reset": {
        "description": "Seconds until the window resets (only when RATE_LIMIT_PER_MINUTE is set)",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Policy": {
        "description": "The rate limit policy, e.g. `60;w=60` (only when RATE_LIMIT_PER_MINUTE "
        "is set)",
        "schema": {"type": "string"},
    },
}
RATE_LIMIT_HEADERS = (
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
)
PROBES = ("/healthz", "/readyz")


def _refs(*names: str) -> dict[str, Any]:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def _problem(description: str, *headers: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if headers:
        response["headers"] = _refs(*headers)
    return response


def _is_page(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return str(schema.get("$ref", "")).endswith("Page")


def document_headers(schema: dict[str, Any]) -> None:
    """Headers on every response that carries them, and the 304, 429 and 503 answers, so that a
    generated client knows them (a 304 is not an error, a 429 says when to retry)."""
    schema.setdefault("components", {})["headers"] = dict(HEADERS)
    for path, path_item in schema["paths"].items():
        for operation in path_item.values():
            responses = operation["responses"]
            always = ["X-Request-ID", "Access-Control-Allow-Origin"]
            api = path.startswith("/v1/")
            if api:
                always.append("X-Dataset-Version")
            if path not in PROBES:
                always += RATE_LIMIT_HEADERS
            ok = responses.get("200")
            if ok is not None:
                names = list(always)
                if path not in PROBES:
                    names.insert(0, "ETag")
                if api:
                    names.append("Content-Location")
                if _is_page(ok):
                    names.append("Link")
                ok["headers"] = {**_refs(*names), **ok.get("headers", {})}
            if path not in PROBES:
                responses["304"] = {
                    "description": "Not Modified: the If-None-Match ETag still matches; no body",
                    "headers": _refs("ETag", *always),
                }
                responses["429"] = _problem(
                    "Too many requests from this client (only when RATE_LIMIT_PER_MINUTE is set)",
                    "Retry-After",
                    *always,
                )
            if api:
                responses["410"] = _problem(
                    "Dataset version gone: `version`, or the cursor, names a version that is "
                    "not served now; `current_version` and `first_page` say where to start again",
                    *always,
                )
            responses["500"] = _problem(
                "An unexpected failure; it has been logged (never a stack trace)", *always
            )
            existing = responses.get("503")
            responses["503"] = _problem(
                existing["description"]
                if existing
                else "The database is unreachable or busy, or "
                "this process is at its connection or export limit; retry after Retry-After",
                "Retry-After",
                *always,
            )
            for status, response in responses.items():
                if status.startswith("4") and "headers" not in response:
                    response["headers"] = _refs(*always)


def _pattern_max_length(pattern: str) -> int | None:
    """The longest string a (bounded) regular expression matches, or None if unbounded."""
    longest = int(re._parser.parse(pattern).getwidth()[1])
    return longest if longest < re._parser.MAXREPEAT else None


def _bound_input(schema: dict[str, Any]) -> None:
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "array":
            # Enforced: app/api/deps.py; a parameter may state a lower cap of its own (main.py).
            option["maxItems"] = min(option.get("maxItems", MAX_REPEATS), MAX_REPEATS)
            option = option["items"]
        if option.get("type") == "integer":
            option.setdefault("format", "int32")
        if option.get("type") == "string" and "pattern" in option and "maxLength" not in option:
            longest = _pattern_max_length(option["pattern"])
            if longest is not None:
                option["maxLength"] = longest


def bound_inputs(schema: dict[str, Any]) -> None:
    """State the limits every parameter already has: a pattern's length as maxLength, the
    repetition cap as maxItems, int32 for integers, so that clients and linters see them."""
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                _bound_input(parameter["schema"])


# Text bodies as named schemas: response data, described once (and linted as data, not input).
TEXT_SCHEMAS = {
    "text/csv": ("CsvRows", "A header row, then one row per item (RFC 4180, CRLF)"),
    "application/x-ndjson": ("NdjsonLines", "One JSON item per line"),
    "text/plain": ("PlainText", "UTF-8 text"),
}


def name_text_schemas(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            for response in operation["responses"].values():
                for media_type, content in response.get("content", {}).items():
                    if media_type in TEXT_SCHEMAS and content.get("schema") == {"type": "string"}:
                        name, description = TEXT_SCHEMAS[media_type]
                        components[name] = {"type": "string", "description": description}
                        content["schema"] = {"$ref": f"#/components/schemas/{name}"}
