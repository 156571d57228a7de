"""The explorer in a real headless Chromium, offline: every request off 127.0.0.1 is blocked.

Needs Debian's ``chromium`` at /usr/bin/chromium (``.ci/run`` installs it); without it the tests
fail with a message saying so, they do not skip.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from fastapi import FastAPI

from api import explore
from api.app import create_app
from api.settings import Settings
from graph.store import OxigraphStore, Store
from ontology import ONTOLOGY_GRAPH, TURTLE_PATH

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
EXCERPT = Path(__file__).with_name("nice_nec_excerpt.trig")
NICE_NEC = "https://w3id.org/nenkg/id/study/nct03980925"
NIVOLUMAB = "https://w3id.org/nenkg/ontology#Nivolumab"


def make_app(store: Store) -> FastAPI:
    """The full application (the explorer is one of its routers) over ``store``."""
    return create_app(Settings.resolve(store=store.location), store)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); "
                    ".ci/run does this", pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def excerpt_server(tmp_path_factory: pytest.TempPathFactory,
                   serve_app: Callable[..., AbstractContextManager[str]]) -> Iterator[str]:
    store = OxigraphStore(tmp_path_factory.mktemp("excerpt") / "store")
    store.load_file(TURTLE_PATH, ONTOLOGY_GRAPH)
    store.load_dataset(EXCERPT, "trig")
    with serve_app(make_app(store)) as url:
        yield url
    store.close()


@pytest.fixture(scope="module")
def corpus_server(corpus_store_path: Path, tmp_path_factory: pytest.TempPathFactory,
                  serve_app: Callable[..., AbstractContextManager[str]]) -> Iterator[str]:
    # A copy: the session's store may be open elsewhere; the server opens its own read-only.
    copy = tmp_path_factory.mktemp("corpus-copy") / "store"
    shutil.copytree(corpus_store_path, copy)
    store = OxigraphStore(copy, read_only=True)
    with serve_app(make_app(store)) as url:
        yield url
    store.close()


class Offline:
    """A browser page whose requests may only go to 127.0.0.1; records what was blocked and any
    Content-Security-Policy violation."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1500, "height": 900})
        self.blocked: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.add_init_script("""window.__csp = [];
            document.addEventListener('securitypolicyviolation',
              e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));""")
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _route(self, route: Any) -> None:
        url = route.request.url
        if urlparse(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def csp_violations(self) -> list[str]:
        violations: list[str] = self.page.evaluate("window.__csp")
        return violations

    def close(self) -> None:
        self.context.close()


def wait_drawn(page: Any, minimum: int = 1) -> None:
    page.wait_for_function(
        f"""() => window.nenkgExplorer && window.nenkgExplorer.network()
                 && window.nenkgExplorer.network().body.nodeIndices.length >= {minimum}""", timeout=60_000)


def settle(page: Any) -> None:
    """Wait for the layout to settle, as a user waits for the nodes to stop moving."""
    page.wait_for_function("() => window.nenkgExplorer.stable", timeout=60_000)


def click_node(page: Any, iri: str, *, double: bool = False) -> None:
    """Zoom in on a node, as a user would in a dense view, and click it (a real mouse click)."""
    settle(page)
    page.evaluate("""iri => window.nenkgExplorer.network().focus(iri, {scale: 1.5, animation: false})""", iri)
    point = page.evaluate("""iri => { const n = window.nenkgExplorer.network();
        const p = n.canvasToDOM(n.getPositions([iri])[iri]);
        return {x: p.x, y: p.y, hit: n.getNodeAt(p)}; }""", iri)
    assert point["hit"] == iri, f"another node is drawn over {iri} at {point}"
    box = page.locator("#network canvas").bounding_box()
    x, y = box["x"] + point["x"], box["y"] + point["y"]
    if double:
        page.mouse.dblclick(x, y)
    else:
        page.mouse.click(x, y)


def node_ids(page: Any, kind: str) -> list[str]:
    ids: list[str] = page.evaluate(
        "kind => window.nenkgExplorer.view.getIds({filter: n => n.kind === kind})", kind)
    return ids


def test_explore_offline_on_the_excerpt(chromium: Any, excerpt_server: str, tmp_path: Path) -> None:
    browser = Offline(chromium)
    page = browser.page
    try:
        page.goto(excerpt_server + "/explore", wait_until="domcontentloaded")
        wait_drawn(page, 10)
        assert page.locator("#legend input[type=checkbox]").count() >= 10
        # Search, pick the drug: its ego network is drawn.
        page.fill("#search", "nivolumab")
        page.locator("#search-results button.result", has_text="nivolumab").first.click()
        page.wait_for_function("() => document.getElementById('stats').textContent.includes('around nivolumab')")
        wait_drawn(page)
        assert NIVOLUMAB in page.evaluate("window.nenkgExplorer.view.getIds()")
        # Filter by kind: untick agents, the drugs leave the view; tick again, they return.
        agents = len(node_ids(page, "agent"))
        assert agents >= 1
        page.locator("#legend input[data-kind=agent]").uncheck()
        assert node_ids(page, "agent") == []
        page.locator("#legend input[data-kind=agent]").check()
        assert len(node_ids(page, "agent")) == agents
        # Walk: expand the arm (double-click), click the outcome, read its quote.
        arm = node_ids(page, "arm")[0]
        click_node(page, arm, double=True)
        page.wait_for_function("() => window.nenkgExplorer.view.getIds({filter: n => n.kind === 'outcome'}).length >= 3")
        click_node(page, "https://w3id.org/nenkg/id/outcome/nice-nec-os")
        page.wait_for_function("() => document.getElementById('d-label').textContent.includes('overall survival')")
        assert "median OS 13.9 months (95%CI: 8.3\u2013Not reached)" in page.inner_text("#d-evidence")
        assert page.get_attribute("#d-page", "href") == "/id/outcome/nice-nec-os"
        # A label holding markup is shown as text: no <b> element appears anywhere.
        click_node(page, arm)
        page.wait_for_function("() => document.getElementById('d-label').textContent.includes('<b>arm</b>')")
        assert page.locator("b").count() == 0
        page.screenshot(path=str(tmp_path / "explore-excerpt.png"))
        assert browser.errors == []
        assert browser.csp_violations() == []
        assert browser.blocked == []
    finally:
        browser.close()


def test_standalone_view_works_from_a_file_offline(chromium: Any, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from api.viz_cli import viz

    store_path = tmp_path / "store"
    store = OxigraphStore(store_path)
    store.load_file(TURTLE_PATH, ONTOLOGY_GRAPH)
    store.load_dataset(EXCERPT, "trig")
    store.close()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = CliRunner().invoke(viz, ["--store", str(store_path), "--focus", "nivolumab", "--depth", "3",
                                      "-o", str(tmp_path / "view.html")])
    assert result.exit_code == 0, result.output
    assert list(work.iterdir()) == []  # nothing written into the working directory (no lib/)

    context = chromium.new_context(viewport={"width": 1400, "height": 850})
    requests: list[str] = []

    def only_files(route: Any) -> None:
        requests.append(route.request.url)
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_files)
    page = context.new_page()
    page.add_init_script("""window.__csp = [];
        document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective));""")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto((tmp_path / "view.html").as_uri())
        wait_drawn(page, 10)
        page.fill("#search", "median overall")
        page.locator("#search-results button.result", has_text="median overall survival").first.click()
        page.wait_for_function("() => document.getElementById('d-label').textContent.includes('overall survival')")
        assert "median OS 13.9 months" in page.inner_text("#d-evidence")
        click_node(page, NICE_NEC)
        page.wait_for_function("() => document.getElementById('d-label').textContent === 'NICE-NEC'")
        assert "https://clinicaltrials.gov/study/NCT03980925" in page.inner_text("#d-links")
        page.screenshot(path=str(tmp_path / "standalone.png"))
        assert errors == []
        assert page.evaluate("window.__csp") == []
        assert [r for r in requests if not r.startswith("file:")] == []
    finally:
        context.close()


def test_walk_from_nivolumab_to_the_sentence_on_the_corpus(chromium: Any, corpus_server: str,
                                                           tmp_path: Path) -> None:
    """The new user's walk on the built corpus: type "nivolumab", reach NICE-NEC, its outcomes and
    the sentence that reports median OS."""
    browser = Offline(chromium)
    page = browser.page
    try:
        started = time.perf_counter()
        page.goto(corpus_server + "/explore", wait_until="domcontentloaded")
        wait_drawn(page, 50)
        page.wait_for_function("() => window.nenkgExplorer.stable", timeout=120_000)
        whole = page.evaluate("window.nenkgExplorer.nodes.length")
        print(f"\nwhole corpus view: {whole} nodes drawn and settled in {time.perf_counter() - started:.2f} s")
        page.screenshot(path=str(tmp_path / "explore-corpus.png"))

        page.fill("#search", "nivolumab")
        page.locator("#search-results button.result", has_text="agent").filter(has_text="nivolumab").first.click()
        page.wait_for_function("() => document.getElementById('stats').textContent.includes('around nivolumab')")
        page.select_option("#depth", "3")
        page.wait_for_function("() => document.getElementById('stats').textContent.includes('(depth 3)')")
        wait_drawn(page)
        assert NICE_NEC in page.evaluate("window.nenkgExplorer.view.getIds()"), \
            "the NICE-NEC study is not within 3 steps of nivolumab"
        click_node(page, NICE_NEC)
        page.wait_for_function("() => document.getElementById('d-label').textContent === 'NICE-NEC'")
        assert "NCT03980925" in page.inner_text("#details")
        click_node(page, NICE_NEC, double=True)  # expand: its outcomes join the view
        page.wait_for_function("() => document.getElementById('stats').textContent.includes('expanded')")
        page.wait_for_function("""() => window.nenkgExplorer.view.get({filter: n => n.kind === 'outcome'
            && n.fullLabel.includes('median overall survival 13.9')}).length > 0""")
        # The NICE-NEC paper's own figure, with its interval (the review cites it without one).
        [median_os] = page.evaluate("""() => window.nenkgExplorer.view.get({filter: n => n.kind === 'outcome'
            && n.title.includes('median overall survival: 13.9 month (95% CI 8.3\u2013NR)')}).map(n => n.id)""")
        click_node(page, median_os)
        page.wait_for_function("() => document.getElementById('d-label').textContent.includes('13.9')")
        evidence = page.inner_text("#d-evidence")
        assert "13.9 months" in evidence and "Nivolumab plus platinum-doublet" in evidence
        page.screenshot(path=str(tmp_path / "explore-walk.png"))
        assert browser.errors == []
        assert browser.csp_violations() == []
        assert browser.blocked == []
    finally:
        browser.close()


def test_paths_and_the_size_limit_message(chromium: Any, excerpt_server: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    browser = Offline(chromium)
    page = browser.page
    try:
        page.goto(excerpt_server + "/explore", wait_until="domcontentloaded")
        wait_drawn(page, 10)
        page.fill("#path-from", "nivolumab")
        page.fill("#path-to", "NICE-NEC median overall survival")
        page.click("#path-form button[type=submit]")
        page.wait_for_selector("#path-result li")
        steps = page.locator("#path-result li").first.locator("button").all_inner_texts()
        assert steps[0] == "nivolumab" and steps[-1] == "NICE-NEC median overall survival"
        assert len(steps) == 4
        assert "components" in page.inner_text("#components")

        # A view over the limit: a message, not a frozen tab; the search still works.
        monkeypatch.setattr(explore.render, "MAX_NODES", 5)
        page.goto(excerpt_server + "/explore", wait_until="domcontentloaded")
        page.wait_for_selector("#message:not([hidden])")
        assert "more than the limit of 5" in page.inner_text("#message")
        assert page.evaluate("window.nenkgExplorer.nodes.length") == 0
        page.fill("#search", "nivolumab")
        page.locator("#search-results button.result", has_text="agent").first.click()
        wait_drawn(page, 2)
        assert browser.errors == [] and browser.csp_violations() == [] and browser.blocked == []
    finally:
        browser.close()
