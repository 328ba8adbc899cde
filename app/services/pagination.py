"""Opaque, signed keyset cursors bound to the query that produced them."""

import base64
import binascii
import hashlib
import hmac
from typing import Any

import orjson

from app.errors import invalid_parameter

_SIGNATURE_BYTES = 12


def query_fingerprint(identity: str) -> str:
    """A digest of a list's validated parameters (defaults applied), so a cursor only works
    for the list it came from, however its query string was spelled."""
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def _sign(payload: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def encode_cursor(*, key: list[Any], fingerprint: str, secret: str) -> str:
    """Wrap the last row's sort key into an opaque token."""
    payload = orjson.dumps({"k": key, "f": fingerprint})
    return base64.urlsafe_b64encode(_sign(payload, secret) + payload).rstrip(b"=").decode()


def decode_cursor(token: str, *, fingerprint: str, secret: str, max_chars: int) -> list[Any]:
    """Unwrap a token from `encode_cursor`, or raise a 400 problem naming `cursor`."""
    bad = invalid_parameter(
        "cursor",
        "is not a cursor this API issued for this query; use the next_cursor value of the "
        "previous page unchanged, with the same filters and sort",
    )
    if len(token) > max_chars:
        raise bad
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as exc:
        raise bad from exc
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != token:
        raise bad  # only the exact spelling this API issued is a cursor
    signature, payload = raw[:_SIGNATURE_BYTES], raw[_SIGNATURE_BYTES:]
    if not hmac.compare_digest(signature, _sign(payload, secret)):
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
