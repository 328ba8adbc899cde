"""/v1/search: events, quotes and source passages found by one `q`."""

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.api.deps import CursorParam, RequiredQParam, SettingsDep, checked_q
from app.api.responses import QUERY_RESPONSES
from app.database import DatabaseDep, read_of
from app.errors import invalid_parameter
from app.schemas.search import HitKind, SearchPage, SearchSort
from app.services import site_search as service

router = APIRouter(tags=["search"])


@router.get(
    "/search",
    operation_id="search",
    summary="Search events, quotes and source passages",
    response_model=SearchPage,
    responses=QUERY_RESPONSES,
)
async def search(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    q: RequiredQParam,
    kind: Annotated[
        list[HitKind] | None,
        Query(description="Only these kinds of hit (repeatable); all three by default"),
    ] = None,
    sort: Annotated[
        SearchSort,
        Query(
            description="`-date` newest first, `date` oldest first, or `relevance`: the best "
            "matches among the newest SEARCH_RELEVANCE_WINDOW of each kind"
        ),
    ] = SearchSort.newest,
    limit: Annotated[
        int | None, Query(ge=1, description="Hits per page (at most the maximum stated here)")
    ] = None,
    cursor: CursorParam = None,
) -> Response:
    """Events (title, summary, excerpts), quotes (words and translation) and passages of the
    source articles (what this deployment serves of them: SERVE_ARTICLE_TEXT) matching `q`,
    each a typed hit with a snippet, its matching words marked, and a link."""
    checked_q(q, settings)  # a 400 naming q unless it parses within the search bounds
    if limit is None:
        limit = min(settings.default_page_size, settings.max_page_size)
    elif limit > settings.max_page_size:
        raise invalid_parameter(
            "limit", f"must be at most {settings.max_page_size} (got {limit}); follow next_cursor"
        )
    kinds = tuple(k.value for k in HitKind if k in kind) if kind else service.KINDS
    query = service.SearchQuery(
        q=q, kinds=kinds, sort=sort.value, scope=settings.serve_article_text
    )
    tokens = service.search_cursors(query, settings)
    hits, next_key = await db.run(
        read_of(
            service.search_page,
            query=query,
            after=tokens.after(cursor),
            limit=limit,
            window=settings.search_relevance_window,
        )
    )
    body: dict[str, Any] = {"items": hits, "next_cursor": None}
    headers: dict[str, str] = {}
    if next_key is not None:
        body["next_cursor"] = tokens.token(next_key)
        url = request.url.include_query_params(cursor=body["next_cursor"])
        headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
    return Response(orjson.dumps(body), media_type="application/json", headers=headers)
