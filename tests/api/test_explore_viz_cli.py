"""``nenkg viz``: a standalone view file, clear errors, nothing written beside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from graph.store import OxigraphStore
from ontology import ONTOLOGY_GRAPH, TURTLE_PATH

EXCERPT = Path(__file__).resolve().parents[1] / "browser" / "nice_nec_excerpt.trig"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("viz") / "store"
    store = OxigraphStore(path)
    store.load_file(TURTLE_PATH, ONTOLOGY_GRAPH)
    store.load_dataset(EXCERPT, "trig")
    store.close()
    return path


def test_viz_writes_one_self_contained_file(store_path: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "views" / "view.html"
    result = CliRunner().invoke(main, ["viz", "--store", str(store_path), "--focus", "nenkg:Nivolumab",
                                       "--depth", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "13 nodes" in result.output and "around nivolumab (depth 3)" in result.output
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["view.html", "views"]  # no lib/, no temp file
    page = out.read_text(encoding="utf-8")
    assert not re.search(r'src="https?://|<link[^>]+href="https?://', page)  # nothing fetched
    assert "<script src=" not in page and '<link rel="stylesheet"' not in page  # all inline
    assert "median OS 13.9 months" in page  # the evidence travels with the view
    assert "<b>arm</b>" not in page  # a label with markup stays data


@pytest.mark.parametrize(("arguments", "message"), [
    (["--focus", "nice"], "is not one entity; give an IRI"),
    (["--focus", "pembrolizumab"], "no entity is called 'pembrolizumab'"),
    (["--kinds", "drugs"], "unknown kinds ['drugs']"),
    (["--max-nodes", "5"], "more than the limit of 5"),
])
def test_viz_errors_are_one_clear_line(store_path: Path, tmp_path: Path, arguments: list[str],
                                       message: str) -> None:
    out = tmp_path / "view.html"
    result = CliRunner().invoke(main, ["viz", "--store", str(store_path), *arguments, "-o", str(out)])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
