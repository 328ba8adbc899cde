"""The schema states every rule the server enforces on `q`: its pattern, read as JSON Schema
validators (and Schemathesis) read it, accepts exactly the `q` values the server accepts."""

from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.api.deps import checked_q
from app.config import Settings
from app.errors import ProblemError
from app.main import create_app
from tests.helpers import assert_problem

SETTINGS = Settings()
SPEC: dict[str, Any] = create_app(SETTINGS).openapi()


def _q_schemas() -> list[dict[str, Any]]:
    found = []
    for item in SPEC["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "q":
                    schema = parameter["schema"]
                    found += [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    # The rules only: a required `q` (/v1/search) carries its title and description inline.
    return [{key: s[key] for key in ("type", "minLength", "maxLength", "pattern")} for s in found]


Q_SCHEMAS = _q_schemas()
STATED = jsonschema_rs.validator_for(Q_SCHEMAS[0]).is_valid


def _server_accepts(q: str) -> bool:
    try:
        checked_q(q, SETTINGS)
    except ProblemError as error:
        assert error.status == 400
        return False
    return True


def test_every_q_states_the_same_rules() -> None:
    assert len(Q_SCHEMAS) >= 4 and all(schema == Q_SCHEMAS[0] for schema in Q_SCHEMAS)
    assert Q_SCHEMAS[0]["maxLength"] == SETTINGS.search_max_chars


# Letters of several scripts, digits, the syntax's characters, punctuation and symbols that are
# not words, controls, combining marks: what a `q` is made of, and what it must not be.
ALPHABET = st.sampled_from(
    [*"abcxyzAOR0123 \t\"*-_.,;!?'«»…—", "é", "Ж", "习", "½", "™", "\u0301", "\x00", "\x7f"]
) | st.characters(codec="utf-8")


@settings(max_examples=600, deadline=None, derandomize=True)
@given(q=st.text(ALPHABET, min_size=1, max_size=40) | st.text(min_size=1, max_size=40))
@example(q="\u008c\u008a")  # the `q` Schemathesis found: it passed the schema, then got a 400
@example(q="OR")
@example(q="OR OR")
@example(q="ab*")
@example(q="abc*")
@example(q='"ab*"')
@example(q="*abc")
@example(q="™")
@example(q="½")
@example(q="_")
@example(q=" ".join("abcdefghijkl"))
@example(q=" ".join("abcdefghijklm"))
@example(q="putin OR xi")
@example(q="Città")
def test_the_schema_accepts_exactly_what_the_server_accepts(q: str) -> None:
    assert STATED(q) == _server_accepts(q), q


@pytest.mark.parametrize("q", ["\u008c\u008a", "...", "ab*", "a b c d e f g h i j k l m"])
def test_a_q_the_schema_refuses_is_a_400_naming_q(client: TestClient, q: str) -> None:
    assert not STATED(q)
    assert_problem(client.get("/v1/quotes.ndjson", params={"q": q}), 400, parameter="q")


@pytest.mark.parametrize("q", ["OR", "Città*", "putin OR xi", "½"])
def test_a_q_the_schema_allows_is_answered(client: TestClient, q: str) -> None:
    assert STATED(q)
    assert client.get("/v1/quotes.ndjson", params={"q": q}).status_code == 200
