"""Versioned URLs: the same representation named at the dataset version it was read from.

The data changes only when the seed runs, so a URL that names the dataset version names bytes
that never change: caches may keep them forever (`Cache-Control: immutable`). The version is a
query parameter, `version`, rather than a path prefix: every route (the API's and the
explorer's) takes it without a second copy of the router or of the OpenAPI paths, a relative
`Link` keeps it by keeping the query, and a cache keys on the whole URL anyway.

One spelling per representation: the request's own query with `version` moved to the end, so
a page's `Link: rel="next"` and that page's own `Content-Location` are the same string.
"""

from urllib.parse import parse_qsl, urlencode

VERSION_PARAMETER = "version"
# What `dataset_version` (app/readmodel/write.py) makes: 16 lowercase hex digits.
VERSION_PATTERN = r"^[0-9a-f]{16}$"
# A year: the longest max-age RFC 9111 caches are told to honour; with `immutable` (RFC 8246)
# they do not revalidate while it lasts.
IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"


def versioned_url(
    path: str,
    query: str,
    version: str,
    *,
    replace: dict[str, str] | None = None,
    drop: tuple[str, ...] = (),
) -> str:
    """`path?query` at `version`: `replace` sets parameters (a page's cursor), `drop` removes
    them (the cursor, for a list's first page); `version` always comes last."""
    replace = replace or {}
    removed = {VERSION_PARAMETER, *drop, *replace}
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in removed]
    pairs += list(replace.items())
    pairs.append((VERSION_PARAMETER, version))
    return f"{path}?{urlencode(pairs)}"


def requested_version(query: str) -> str | None:
    """The version a request's query names, if any (its shape is the route's to check)."""
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key == VERSION_PARAMETER:
            return value
    return None
