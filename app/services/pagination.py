"""Opaque, signed keyset cursors bound to the query that produced them."""

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import Select
from sqlmodel import Session

from app.config import get_settings
from app.errors import invalid_parameter

_SIGNATURE_BYTES = 12


def query_fingerprint(items: Iterable[tuple[str, str]]) -> str:
    """A digest of the filters and sort, so a cursor only works for the query it came from."""
    canonical = sorted((key, value) for key, value in items)
    return hashlib.sha256(orjson.dumps(canonical)).hexdigest()[:16]


def _sign(payload: bytes) -> bytes:
    key = get_settings().cursor_secret.encode()
    return hmac.new(key, payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def encode_cursor(*, key: list[Any], fingerprint: str) -> str:
    """Wrap the last row's sort key into an opaque token."""
    payload = orjson.dumps({"k": key, "f": fingerprint})
    return base64.urlsafe_b64encode(_sign(payload) + payload).rstrip(b"=").decode()


def decode_cursor(token: str, *, fingerprint: str) -> list[Any]:
    """Unwrap a token from `encode_cursor`, or raise a 400 problem naming `cursor`."""
    bad = invalid_parameter(
        "cursor",
        "is not a cursor this API issued for this query; use the next_cursor value of the "
        "previous page unchanged, with the same filters and sort",
    )
    if len(token) > get_settings().cursor_max_chars:
        raise bad
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as exc:
        raise bad from exc
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != token:
        raise bad  # only the exact spelling this API issued is a cursor
    signature, payload = raw[:_SIGNATURE_BYTES], raw[_SIGNATURE_BYTES:]
    if not hmac.compare_digest(signature, _sign(payload)):
        raise bad
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise bad from exc
    if not isinstance(data, dict) or data.get("f") != fingerprint:
        raise bad
    key = data.get("k")
    if not isinstance(key, list):
        raise bad
    return key


def page_by_id(
    session: Session, *, query: Select[Any], id_column: Any, limit: int, after: list[Any] | None
) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """One keyset page of `query` in `id_column` order: rows, and the key to continue after."""
    if after is not None:
        query = query.where(id_column > str(after[0]))
    statement = query.order_by(id_column).limit(limit + 1)
    rows = [dict(row) for row in session.connection().execute(statement).mappings()]
    next_key = [rows[limit - 1][id_column.name]] if len(rows) > limit else None
    return rows[:limit], next_key
