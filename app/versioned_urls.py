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

from starlette.requests import Request

from app.errors import ProblemError

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


class VersionMismatchError(Exception):
    """A snapshot holds another dataset version than the one a request or its cursor names."""

    def __init__(self, wanted: str, found: str | None) -> None:
        super().__init__(f"wanted dataset version {wanted}, found {found}")
        self.wanted = wanted
        self.found = found


def version_gone(request: Request, mismatch: VersionMismatchError) -> ProblemError:
    """The 410 for a versioned URL or a cursor of a version no database here serves: never a
    page of another version under its name. The first page is named the way the request was:
    at the current version if it named one, else unversioned."""
    current = mismatch.found or "none"
    path, query = request.url.path, request.url.query
    if requested_version(query) is not None:
        first_page = versioned_url(path, query, current, drop=("cursor",))
    else:
        kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "cursor"]
        first_page = f"{path}?{urlencode(kept)}" if kept else path
    return ProblemError(
        410,
        f"This request names dataset version {mismatch.wanted} (in `version` or in its "
        f"cursor), but version {current} is served now: the data was reseeded. Start again "
        f"from {first_page}.",
        slug="dataset-version-gone",
        title="Dataset version gone",
        members={"current_version": current, "first_page": first_page},
    )
