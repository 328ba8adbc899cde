"""The interactive docs, /docs (Swagger UI) and /redoc, served whole by the app itself.

The scripts and stylesheet come from the pinned `fastapi-offline` wheel (constraints.txt), so the
pages render with no network and in the container image; nothing is fetched from a CDN or a font
host, and the pages carry no inline script, so their CSP allows only this origin
(app/middleware/security.py). URLs are relative, so the pages also work under a path prefix.
"""

import functools
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from app.errors import not_found

router = APIRouter(include_in_schema=False)

_BUNDLED = Path(fastapi_offline.__file__).parent / "static"
BUNDLED_ASSETS: dict[str, tuple[Path, str]] = {
    "swagger-ui-bundle.js": (_BUNDLED / "swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": (_BUNDLED / "swagger-ui.css", "text/css"),
    "favicon.png": (_BUNDLED / "favicon.png", "image/png"),
}
# ReDoc's sidebar always shows a logo from its CDN, which the CSP (rightly) blocks with a console
# error; the one remote URL in the bundle is pointed at the local favicon instead.
REDOC_REMOTE_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


@functools.cache
def redoc_bundle() -> bytes:
    original = (_BUNDLED / "redoc.standalone.js").read_bytes()
    return original.replace(REDOC_REMOTE_LOGO, b"docs/assets/favicon.png")


# Swagger UI is started by a script file, not an inline one, so that the CSP needs no
# 'unsafe-inline' for scripts. validatorUrl null: no badge fetched from swagger.io.
SWAGGER_INIT = """window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
"""
OWN_ASSETS: dict[str, tuple[str, str]] = {
    "swagger-init.js": (SWAGGER_INIT, "text/javascript"),
    "docs.css": ("body { margin: 0; padding: 0; }\n", "text/css"),
}
# The files change only with the pinned package version: a day is safe, and revalidation
# (ETag from the file) keeps it cheap after that.
ASSET_CACHE_CONTROL = "public, max-age=86400"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" type="image/png" href="docs/assets/favicon.png">
{head}
</head>
<body>
{body}
</body>
</html>
"""


def _page(title: str, head: str, body: str) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=title, head=head, body=body))


def _title(request: Request, what: str) -> str:
    return f"{request.app.title} - {what}"


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    return _page(
        _title(request, "Swagger UI"),
        '<link rel="stylesheet" href="docs/assets/swagger-ui.css">',
        '<div id="swagger-ui"></div>\n'
        '<script src="docs/assets/swagger-ui-bundle.js"></script>\n'
        '<script src="docs/assets/swagger-init.js"></script>',
    )


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    return _page(
        _title(request, "ReDoc"),
        '<link rel="stylesheet" href="docs/assets/docs.css">',
        '<redoc spec-url="openapi.json"></redoc>\n'
        '<script src="docs/assets/redoc.standalone.js"></script>',
    )


@router.get("/docs/assets/{name}")
async def docs_asset(name: str) -> Response:
    headers = {"Cache-Control": ASSET_CACHE_CONTROL}
    if name in BUNDLED_ASSETS:
        path, media_type = BUNDLED_ASSETS[name]
        return FileResponse(path, media_type=media_type, headers=headers)
    if name == "redoc.standalone.js":
        return Response(redoc_bundle(), media_type="text/javascript", headers=headers)
    if name in OWN_ASSETS:
        text, media_type = OWN_ASSETS[name]
        return Response(text, media_type=media_type, headers=headers)
    raise not_found("docs asset", name, listing="/docs")
