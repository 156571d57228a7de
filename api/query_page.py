"""The query page (YASGUI vendored from the npm registry, no CDN), the API docs (Swagger UI, vendored
too) and the home page."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.sparql import error
from api.sparql_middleware import DEFAULT_CSP

router = APIRouter(tags=["pages"])
HERE = Path(__file__).resolve().parent
YASGUI = HERE / "static" / "yasgui"
#: The files served under /static/yasgui/ and their media types (nothing else is served).
STATIC_FILES = {"yasgui.min.js": "text/javascript", "yasgui.min.css": "text/css",
                "query-page.js": "text/javascript"}
SWAGGER = HERE / "static" / "swagger"
SWAGGER_FILES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
                 "favicon-32x32.png": "image/png"}
#: Swagger UI starts itself with an inline script; everything else still comes from this server.
DOCS_CSP = DEFAULT_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


def _render(name: str, **context: object) -> str:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    return env.get_template(name).render(**context)


@router.get("/", response_class=HTMLResponse, summary="Home page", include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    queries = request.app.state.queries
    return HTMLResponse(_render("home.html", queries=queries.values()))


@router.get("/query", response_class=HTMLResponse, summary="SPARQL query editor (works offline)")
def query_page() -> HTMLResponse:
    return HTMLResponse(_render("query.html"))


@router.get("/static/yasgui/{name}", include_in_schema=False)
def static_file(name: str) -> Response:
    if name not in STATIC_FILES:
        return error(f"no static file {name!r}", 404)
    return FileResponse(YASGUI / name, media_type=STATIC_FILES[name],
                        headers={"Cache-Control": "public, max-age=3600"})


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    """The OpenAPI documentation, with Swagger UI served from this server."""
    page = get_swagger_ui_html(openapi_url=request.app.openapi_url or "/openapi.json", title="nenkg API",
                               swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                               swagger_css_url="/static/swagger/swagger-ui.css",
                               swagger_favicon_url="/static/swagger/favicon-32x32.png")
    return HTMLResponse(bytes(page.body), headers={"Content-Security-Policy": DOCS_CSP})


@router.get("/static/swagger/{name}", include_in_schema=False)
def swagger_file(name: str) -> Response:
    if name not in SWAGGER_FILES:
        return error(f"no static file {name!r}", 404)
    return FileResponse(SWAGGER / name, media_type=SWAGGER_FILES[name],
                        headers={"Cache-Control": "public, max-age=3600"})
