"""The query page in a real headless Chromium, offline: YASGUI from this server, the named queries as
examples, results as a table; any request off 127.0.0.1 is blocked and recorded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def page() -> Iterator[tuple[Any, list[str], list[str]]]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)", pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        blocked: list[str] = []
        errors: list[str] = []

        def route(request_route: Any) -> None:
            if urlparse(request_route.request.url).hostname == "127.0.0.1":
                request_route.continue_()
            else:
                blocked.append(request_route.request.url)
                request_route.abort()

        context.route("**/*", route)
        tab = context.new_page()
        tab.add_init_script("""window.__csp = [];
            document.addEventListener('securitypolicyviolation',
              e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));""")
        tab.on("pageerror", lambda error: errors.append(str(error)))
        yield tab, blocked, errors
        browser.close()


def test_query_page_runs_an_example_offline(server: str, page: tuple[Any, list[str], list[str]]) -> None:
    tab, blocked, errors = page
    tab.goto(f"{server}/query")
    tab.wait_for_selector(".yasqe .CodeMirror", timeout=30_000)
    tab.wait_for_selector("button.example[data-name='outcomes_of_study']", timeout=30_000)
    assert tab.locator("button.example").count() >= 20
    tab.click("button.example[data-name='outcomes_of_study']")
    editor = tab.evaluate("() => window.nenkgYasgui.getTab().getYasqe().getValue()")
    assert "nenkg:ofStudy" in editor
    link = tab.locator("#example-parameters a")
    assert link.get_attribute("href") == "/queries/outcomes_of_study?study=NICE-NEC&format=csv"
    # Highlighting: CodeMirror marks SPARQL keywords with their own token class.
    assert tab.locator(".yasqe .cm-keyword").count() > 0
    tab.evaluate("""() => window.nenkgYasgui.getTab().getYasqe().setValue(
        'PREFIX nenkg: <https://w3id.org/nenkg/ontology#>\\n' +
        'SELECT ?value ?lower WHERE { ?o nenkg:hasEndpoint nenkg:OverallSurvival ; nenkg:value ?value ;' +
        ' nenkg:ciLower ?lower }')""")
    tab.click(".yasqe_queryButton")
    tab.wait_for_selector(".yasr table td:has-text('13.9')", timeout=30_000)
    assert "8.3" in tab.inner_text(".yasr table")
    assert blocked == []
    assert tab.evaluate("window.__csp") == []
    assert errors == []


def test_api_docs_offline(server: str, page: tuple[Any, list[str], list[str]]) -> None:
    tab, blocked, errors = page
    tab.goto(f"{server}/docs")
    tab.wait_for_selector(".swagger-ui .opblock-summary-path[data-path='/sparql']", timeout=30_000)
    assert tab.locator(".swagger-ui .opblock").count() >= 10
    assert blocked == []
    assert tab.evaluate("window.__csp") == []
