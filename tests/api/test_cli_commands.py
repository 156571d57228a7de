"""The installed ``nenkg`` command, run as a user would: build, stats, export, import, validate, and
clear one-line errors for user mistakes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import rdflib
from rdflib.compare import isomorphic

from graph.build import BuildSummary

ROOT = Path(__file__).resolve().parents[2]
NENKG = str(Path(sys.executable).parent / "nenkg")


def nenkg(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NENKG, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_build_a_small_corpus_and_count_its_facts(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(ROOT / "corpus" / "000_d94e49e236f24c41.txt", corpus)
    result = nenkg("build", "--store", str(tmp_path / "store"), "--corpus", str(corpus), "--no-reason", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    [document] = summary["documents"]
    assert document["file"] == "000_d94e49e236f24c41.txt"
    assert document["facts"]["Outcome"] >= 5
    stats = nenkg("stats", "--store", str(tmp_path / "store"), "--json")
    assert stats.returncode == 0, stats.stderr
    counts = json.loads(stats.stdout)
    graph = "https://w3id.org/nenkg/id/graph/document/000_d94e49e236f24c41"
    assert counts[graph]["Outcome"] >= 5 and counts[graph]["Evidence"] >= 5


def test_turtle_export_imports_back_as_the_same_graph(corpus_store_path: Path, tmp_path: Path) -> None:
    exported = tmp_path / "graph.ttl"
    result = nenkg("export", "--store", str(corpus_store_path), "--format", "turtle", "-o", str(exported))
    assert result.returncode == 0, result.stderr
    copy = tmp_path / "copy"
    result = nenkg("import", "--store", str(copy), str(exported), "--graph", "https://example.org/imported")
    assert result.returncode == 0, result.stderr
    again = tmp_path / "again.ttl"
    assert nenkg("export", "--store", str(copy), "--format", "turtle", "-o", str(again)).returncode == 0
    first, second = rdflib.Graph().parse(exported), rdflib.Graph().parse(again)
    assert len(first) > 10_000
    assert isomorphic(first, second)


def test_validate_passes_on_the_corpus_graph(corpus_store_path: Path) -> None:
    result = nenkg("validate", "--store", str(corpus_store_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "consistent" in result.stdout and "conforms" in result.stdout


def test_user_mistakes_get_one_line_errors_without_tracebacks(corpus_build: tuple[Path, BuildSummary],
                                                              tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(corpus_build[0], store)
    binary = tmp_path / "figure.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    cases = [
        (("load", "--store", str(store), str(binary)), "figure.txt"),
        (("load", "--store", str(store), str(tmp_path / "missing.txt")), "missing.txt"),
        (("import", "--store", str(store), str(binary)), "figure.txt"),
        (("build", "--store", str(tmp_path / "new"), "--corpus", str(tmp_path / "nowhere")), "nowhere"),
    ]
    for args, named in cases:
        result = nenkg(*args)
        assert result.returncode != 0, args
        assert "Traceback" not in result.stderr, result.stderr
        assert named in result.stderr, (args, result.stderr)
