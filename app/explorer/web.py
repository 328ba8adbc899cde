"""What every explorer page shares: templates, HTML error pages and paging with API cursors."""

import re
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import rights
from app import vocab_labels as labels
from app.config import Settings
from app.database import Read, pinned
from app.errors import PROBLEM_TYPE_BASE, ProblemError, _validation_problem
from app.explorer.charts import period_words
from app.explorer.passages import anchor_id, passage
from app.services.listing import Listing, Page

HERE = Path(__file__).resolve().parent
# Paths that stay the API's: errors there are problem+json whatever the client accepts.
API_PATHS = ("/v1", "/healthz", "/readyz", "/openapi.json", "/problems", "/docs", "/redoc")

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.globals.update(anchor_id=anchor_id, passage=passage, rights=rights)

# The label a person reads for each vocabulary value (app/vocab_labels.py), by vocabulary.
LABELS: dict[str, dict[str, str]] = {
    name: {value.value: label for value, (label, _) in table.items()}
    for name, table in (
        ("kind", labels.EVENT_KIND_LABELS),
        ("status", labels.EVENT_STATUS_LABELS),
        ("precision", labels.DATE_PRECISION_LABELS),
        ("role", labels.PARTICIPANT_ROLE_LABELS),
        ("topic", labels.TOPIC_LABELS),
        ("attribution", labels.ATTRIBUTION_LABELS),
        ("language", labels.LANGUAGE_LABELS),
        ("flow", labels.TRADE_FLOW_LABELS),
        ("trade_kind", labels.TRADE_KIND_LABELS),
        ("period_type", labels.PERIOD_TYPE_LABELS),
        ("qualifier", labels.QUALIFIER_LABELS),
    )
}
# A run of blanked characters in an article served as excerpts (app/readmodel/excerpts.py).
BLANKED = re.compile(r"[^\S\n]{2,}")


def _label(value: str | None, vocabulary: str) -> str:
    """The plain label of a vocabulary value; an unknown value shows as itself."""
    if value is None:
        return ""
    return LABELS[vocabulary].get(value, value)


def _shown(text: str, text_scope: str) -> str:
    """Text of an article as served: with only the excerpts, each blanked run reads " […] "."""
    return BLANKED.sub(" […] ", text) if text_scope == "excerpts" else text


def _unit(unit_mult: int) -> str:
    return {9: "billion", 6: "million", 3: "thousand"}.get(unit_mult, f"ten-to-the-{unit_mult}")


# Units of quantities in words; a currency is shown as its ISO code.
UNIT_WORDS = {unit.value: label for unit, (label, _description) in labels.UNIT_LABELS.items()}


def _amount(value: float, unit_mult: int, measure: str) -> str:
    """ "244.8 billion USD", "10 billion cubic metres": `measure` is a currency or a unit."""
    return f"{value:g} {_unit(unit_mult)} {UNIT_WORDS.get(measure, measure)}"


def _query(pairs: Any) -> str:
    return urlencode(list(pairs))


def event_filter_chips(chosen: Any, country_names: dict[str, str]) -> list[tuple[str, list[str]]]:
    """The events page's filters in words, for the line above its results."""
    single = {name: chosen.get(name) for name in ("date", "from", "to", "status", "source", "q")}
    chips = [
        ("On", [single["date"]]),
        ("From", [single["from"]]),
        ("To", [single["to"]]),
        ("Leaders", chosen.getlist("leader")),
        ("Countries", [country_names.get(c, c) for c in chosen.getlist("country")]),
        ("Kind", [_label(k, "kind") for k in chosen.getlist("kind")]),
        ("Topics", [_label(t, "topic") for t in chosen.getlist("topic")]),
        ("Status", [_label(single["status"], "status")]),
        ("Source", [single["source"]]),
        ("Words", [f"“{single['q']}”" if single["q"] else None]),
    ]
    return [(name, [v for v in values if v]) for name, values in chips]


templates.globals.update(event_filter_chips=event_filter_chips)
templates.filters.update(
    amount=_amount, query=_query, unit=_unit, label=_label, shown=_shown, period=period_words
)


def render(request: Request, template: str, *, status_code: int = 200, **context: Any) -> Response:
    """A page from `template`; `path` lets the navigation mark the current section."""
    body = templates.get_template(template).render(
        path=request.url.path, text_scope=settings_of(request).serve_article_text, **context
    )
    return HTMLResponse(body, status_code=status_code)


def error_page(request: Request, error: ProblemError) -> Response:
    """The API's problem, as a page: the same status, title, detail and parameter errors."""
    page = render(
        request,
        "error.html",
        status_code=error.status,
        title=error.title,
        detail=error.detail,
        errors=[e.model_dump() for e in error.errors or []],
        type_url=PROBLEM_TYPE_BASE + error.slug,
    )
    page.headers.update(error.headers)
    return page


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class ExplorerRoute(APIRoute):
    """A page route: empty form fields are dropped by a redirect (a GET form sends every
    field), and any problem is answered as an HTML page."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            pairs = request.query_params.multi_items()
            if any(value == "" for _, value in pairs):
                kept = urlencode([(k, v) for k, v in pairs if v != ""])
                return RedirectResponse(
                    request.url.path + (f"?{kept}" if kept else ""), status_code=303
                )
            try:
                return await handler(request)
            except ProblemError as exc:
                return error_page(request, exc)
            except RequestValidationError as exc:
                return error_page(request, _validation_problem(exc))

        return page_handler


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(API_PATHS):
        return False
    return "text/html" in request.headers.get("accept", "")


def install_html_errors(app: FastAPI) -> None:
    """Unknown paths outside the API answer a browser with a page: the API's problem (the
    same message) rendered as HTML."""
    problem_handler = app.exception_handlers[StarletteHTTPException]

    async def on_http(request: Request, exc: Exception) -> Response:
        response: Response = await problem_handler(request, exc)  # type: ignore[misc]
        if not _wants_html(request) or response.status_code == 204:
            return response
        problem = orjson.loads(bytes(response.body))
        page = render(
            request,
            "error.html",
            status_code=response.status_code,
            title=problem["title"],
            detail=problem["detail"],
            errors=problem.get("errors") or [],
            type_url=problem["type"],
        )
        if "allow" in response.headers:
            page.headers["Allow"] = response.headers["allow"]
        return page

    app.exception_handlers[StarletteHTTPException] = on_http


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


class Pager:
    """A page of a Listing, as the API pages it: its cursors are the API's, so a page of the
    explorer continues with the API's next_cursor and the other way round. `read` is the
    listing's page read (where it runs is the listing's call); `show` takes what it found."""

    def __init__(self, request: Request, listing: Listing, cursor: str | None, limit: int):
        self.request = request
        self.cursors = listing.cursors(settings_of(request))
        after, version = self.cursors.read(cursor)
        self.read: Read[Page] = pinned(listing.page(after, limit), version)
        self.items: list[dict[str, Any]] = []
        self.next_url: str | None = None

    def show(self, page: Page) -> "Pager":
        self.items = [orjson.loads(doc) for doc in page.documents]
        if page.next_key is not None:
            version = getattr(self.request.state, "dataset_version", None)
            cursor = self.cursors.token(page.next_key, version)
            url = self.request.url.include_query_params(cursor=cursor)
            self.next_url = f"{url.path}?{url.query}"
        return self
