"""The explorer page: one HTML template, served by ``/explore`` or written standalone by ``nenkg viz``.

Nothing from the graph is pasted into markup: labels, titles and evidence travel as JSON in a
``<script type="application/json">`` block (with ``<``, ``>`` and ``&`` escaped) and the page puts
them into the DOM with ``textContent``. vis-network comes from the vendored copy in
``api/static/vis`` (linked by the server page, inlined in the standalone file), never from a CDN,
and a Content-Security-Policy forbids any other origin.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from pathlib import Path
from string import Template
from typing import Any

HERE = Path(__file__).resolve().parent
STATIC_VIS = HERE / "static" / "vis"
TEMPLATE = HERE / "templates" / "explore.html"

#: Files the server may serve under ``/static/vis/`` and their media types.
ASSETS: dict[str, str] = {
    "vis-network.min.js": "text/javascript; charset=utf-8",
    "vis-network.css": "text/css; charset=utf-8",
    "explore.js": "text/javascript; charset=utf-8",
    "explore.css": "text/css; charset=utf-8",
}
SCRIPTS = ("vis-network.min.js", "explore.js")
STYLES = ("vis-network.css", "explore.css")

#: The policy of the served page: only this origin, no inline script, no framing.
SERVER_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
              "frame-ancestors 'none'")


def json_for_script(value: Any) -> str:
    """JSON safe inside a ``<script type="application/json">`` element: no ``</script>`` can appear.

    >>> json_for_script({"label": "</script><b>x</b> & y"})
    '{"label": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003ex\\\\u003c/b\\\\u003e \\\\u0026 y"}'
    """
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def asset(name: str) -> str:
    """The text of a vendored asset."""
    if name not in ASSETS:
        raise KeyError(name)
    return (STATIC_VIS / name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def server_page(config: dict[str, Any], *, static: str = "/static/vis", home: str = "/") -> str:
    """The ``/explore`` page: assets linked from this server, data fetched from the JSON API."""
    styles = "\n".join(f'<link rel="stylesheet" href="{html.escape(static)}/{name}">' for name in STYLES)
    scripts = "\n".join(f'<script src="{html.escape(static)}/{name}"></script>' for name in SCRIPTS)
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        csp_meta="", title="nenkg explorer", styles=styles, scripts=scripts, home=html.escape(home),
        config=json_for_script({**config, "mode": "server"}), data="")


def standalone_page(data: dict[str, Any], details: dict[str, dict[str, Any]], *, title: str,
                    config: dict[str, Any] | None = None) -> tuple[str, str]:
    """A self-contained page (scripts, styles and data inline) that works from a file, offline.

    Returns the HTML and its Content-Security-Policy (also set in a ``<meta>`` element), which
    allows exactly the inline scripts and styles of the page by their hashes.
    """
    style_texts = [asset(name) for name in STYLES]
    script_texts = [asset(name) for name in SCRIPTS]
    csp = ("default-src 'none'; script-src " + " ".join(_sha256(s) for s in script_texts)
           + "; style-src " + " ".join(_sha256(s) for s in style_texts)
           + "; img-src data:; base-uri 'none'; form-action 'none'")
    # A literal "</" inside an inline element would end it early; the vendored files have none.
    for name, text in zip(STYLES + SCRIPTS, style_texts + script_texts, strict=True):
        if "</style" in text.lower() or "</script" in text.lower():
            raise ValueError(f"{name} cannot be inlined: it contains a closing tag")
    page = Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        csp_meta=f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}">',
        title=html.escape(title),
        styles="\n".join(f"<style>{text}</style>" for text in style_texts),
        scripts="\n".join(f"<script>{text}</script>" for text in script_texts),
        home="https://w3id.org/nenkg/",
        config=json_for_script({**(config or {}), "mode": "standalone"}),
        data=f'<script type="application/json" id="explore-data">'
             f'{json_for_script({"graph": data, "details": details})}</script>')
    return page, csp
