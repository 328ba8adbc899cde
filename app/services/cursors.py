"""Opaque, signed keyset cursors bound to the list that issued them: the API's and the
explorer's, one format, one check, one error.

A cursor carries the sort key of the last item of a page, a fingerprint of the list's
validated parameters, defaults applied (`identity`), and the dataset version the page was read
from, signed with the app's secret. A key is a position in one version's order only: the next
page is read from that version or not at all (app/database.py, `pinned`). The
fingerprint is built from named parameters with sorted keys, so spelling a default out or
leaving it implicit continues the same list, and reordering a filter dataclass's fields
changes nothing.
"""

import base64
import binascii
import dataclasses
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from app.errors import ProblemError, invalid_parameter

# The sort key a cursor carries: (date, id) for lists in date order, (id,) for the others,
# (date or score, kind, id) for /v1/search's hits (app/services/site_search.py checks it).
KeyShape = Literal["date_id", "id", "search"]
Key = tuple[Any, ...]
_SIGNATURE_BYTES = 12


def _named(parameters: Any) -> Any:
    """A filter dataclass as a dict of its fields by name, anything else as it is."""
    if dataclasses.is_dataclass(parameters) and not isinstance(parameters, type):
        return dataclasses.asdict(parameters)
    return parameters


def identity(name: str, *parameters: Any) -> str:
    """The canonical form of a list's validated parameters, defaults applied (dataclasses by
    field name, every key sorted, dates and tuples as JSON): what cursors are bound to, and
    what export ETags digest."""
    named = [name, *(_named(part) for part in parameters)]
    return orjson.dumps(named, option=orjson.OPT_SORT_KEYS).decode()


def fingerprint(identity: str) -> str:
    """A digest of a list's `identity`, so a cursor only works for the list it came from."""
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def _sign(payload: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def next_key(rows: list[tuple[Any, ...]], limit: int) -> list[str] | None:
    """The cursor key after a page of `rows` (select column first, then the sort key; fetched
    with limit + 1), or None at the end."""
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return [str(part)[:10] if isinstance(part, dt.date) else str(part) for part in last[1:]]


def typed_key(shape: KeyShape, key: list[Any]) -> Key | None:
    """The typed sort key of a decoded cursor (dates as dates), or None if it has not the
    shape of the list's sort key: checked before any SQL sees it."""
    if not all(isinstance(part, str) and 0 < len(part) <= 120 for part in key):
        return None
    if shape == "id":
        return (key[0],) if len(key) == 1 else None
    if shape == "search":
        return tuple(key) if len(key) == 3 else None
    if len(key) != 2:
        return None
    try:
        day = dt.date.fromisoformat(key[0])
    except ValueError:
        return None
    return (day, key[1]) if day.isoformat() == key[0] else None


@dataclass(frozen=True)
class Cursors:
    """The cursors of one list: issued with `token`, read back with `after`."""

    identity: str
    key_shape: KeyShape
    secret: str
    max_chars: int

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.identity)

    def token(self, key: list[str], version: str | None = None) -> str:
        """Wrap the last row's sort key, read from dataset `version`, into an opaque token."""
        fields: dict[str, Any] = {"k": key, "f": self.fingerprint}
        if version is not None:
            fields["v"] = version
        payload = orjson.dumps(fields)
        return base64.urlsafe_b64encode(_sign(payload, self.secret) + payload).rstrip(b"=").decode()

    def after(self, token: str | None) -> Key | None:
        """The sort key to continue after, or None without a cursor; a 400 naming `cursor`
        unless `token` is one this API issued for this list."""
        return self.read(token)[0]

    def read(self, token: str | None) -> tuple[Key | None, str | None]:
        """The sort key to continue after and the dataset version it belongs to (None for a
        cursor issued before cursors named one); a 400 as in `after`."""
        if token is None:
            return None, None
        decoded = self._decode(token)
        if decoded is None:
            raise _not_ours()
        return decoded

    def _decode(self, token: str) -> tuple[Key, str | None] | None:
        if len(token) > self.max_chars:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            return None
        if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != token:
            return None  # only the exact spelling this API issued is a cursor
        signature, payload = raw[:_SIGNATURE_BYTES], raw[_SIGNATURE_BYTES:]
        if not hmac.compare_digest(signature, _sign(payload, self.secret)):
            return None
        try:
            data = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(data, dict) or data.get("f") != self.fingerprint:
            return None
        key, version = data.get("k"), data.get("v")
        typed = typed_key(self.key_shape, key) if isinstance(key, list) else None
        if typed is None or not (version is None or isinstance(version, str)):
            return None
        return typed, version


def _not_ours() -> ProblemError:
    return invalid_parameter(
        "cursor",
        "is not a cursor this API issued for this query; use the next_cursor value of the "
        "previous page unchanged, with the same filters and sort",
    )
