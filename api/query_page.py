"""The query page (YASGUI vendored from the npm registry, no CDN) and the home page."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.sparql import error

router = APIRouter(tags=["pages"])
HERE = Path(__file__).resolve().parent
YASGUI = HERE / "static" / "yasgui"
#: The files served under /static/yasgui/ and their media types (nothing else is served).
STATIC_FILES = {"yasgui.min.js": "text/javascript", "yasgui.min.css": "text/css",
                "query-page.js": "text/javascript"}


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
