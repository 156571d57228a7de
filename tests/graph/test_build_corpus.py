"""The corpus build end to end: named graphs, evidence that matches its documents, atomicity,
and export/import round trips that give back an isomorphic graph."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.build import BuildSummary, build_store, load_documents
from graph.iris import document_graph
from graph.store import OxigraphStore
from loaders.readers import DocumentError
from ontology import INFERRED_GRAPH, MAPPINGS_GRAPH, NS, ONTOLOGY_GRAPH

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
DOCUMENT_IDS = sorted(p.stem for p in CORPUS.glob("*.txt"))
OA = "http://www.w3.org/ns/oa#"


def quads(store: OxigraphStore) -> set[ox.Quad]:
    return set(store.quads())


def canonical(quads_: set[ox.Quad] | list[ox.Quad]) -> ox.Dataset:
    dataset = ox.Dataset(quads_)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def test_the_build_has_the_ontology_a_graph_per_paper_and_inferences(corpus_build: tuple[Path, BuildSummary]) -> None:
    path, summary = corpus_build
    with OxigraphStore(path, read_only=True) as store:
        graphs = set(store.named_graphs())
        assert {ONTOLOGY_GRAPH, INFERRED_GRAPH, MAPPINGS_GRAPH} <= graphs
        assert {document_graph(d) for d in DOCUMENT_IDS} <= graphs
        assert store.graph_size(INFERRED_GRAPH) == summary.inferred_triples > 0
    assert [d.id for d in summary.documents] == sorted(DOCUMENT_IDS)
    for report in summary.documents:
        assert report.facts["Publication"] == 1, report
        assert report.triples > 100, report


def test_every_quote_is_the_exact_text_of_its_document_at_its_offsets(corpus_build: tuple[Path, BuildSummary]) -> None:
    texts = {d: (CORPUS / f"{d}.txt").read_text(encoding="utf-8") for d in DOCUMENT_IDS}
    query = f"""PREFIX oa: <{OA}> PREFIX nenkg: <{NS}>
        SELECT DISTINCT ?ev ?file ?exact ?start ?end ?prefix WHERE {{
          ?ev a nenkg:Evidence ; oa:hasSource ?doc ;
              oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact ?exact ],
                             [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] .
          ?doc nenkg:fileName ?file . OPTIONAL {{ ?ev oa:hasSelector [ oa:prefix ?prefix ] }} }}"""
    with OxigraphStore(corpus_build[0], read_only=True) as store:
        rows = list(store.query(query))
        evidence_nodes = {r["ev"] for r in store.query(f"SELECT DISTINCT ?ev WHERE {{ ?ev a <{NS}Evidence> }}")}
    assert len(rows) > 200
    assert {r["ev"] for r in rows} == evidence_nodes  # every evidence node has both selectors
    for row in rows:
        text = texts[Path(row["file"].value).stem]
        start, end = int(row["start"].value), int(row["end"].value)
        assert text[start:end] == row["exact"].value
        if row["prefix"] is not None:
            assert text[:start].endswith(row["prefix"].value)


def test_a_failed_build_leaves_the_previous_store_intact(corpus_build: tuple[Path, BuildSummary],
                                                         tmp_path: Path) -> None:
    target = tmp_path / "store"
    shutil.copytree(corpus_build[0], target)
    with OxigraphStore(target, read_only=True) as store:
        before = quads(store)
    bad_corpus = tmp_path / "bad"
    bad_corpus.mkdir()
    shutil.copy(CORPUS / f"{DOCUMENT_IDS[0]}.txt", bad_corpus)
    (bad_corpus / "broken.txt").write_bytes(b"Median OS \xff\xfe was 3 months")
    with pytest.raises(DocumentError, match="broken.txt"):
        build_store(bad_corpus, target, reason=False)
    with OxigraphStore(target, read_only=True) as store:
        assert quads(store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "store"]  # no half-built store left


def test_a_failed_load_changes_nothing(corpus_build: tuple[Path, BuildSummary], tmp_path: Path) -> None:
    target = tmp_path / "store"
    shutil.copytree(corpus_build[0], target)
    good = tmp_path / "good.txt"
    good.write_text("A phase II trial (NCT01234567) of cisplatin and etoposide.\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    store = OxigraphStore(target)
    try:
        before = quads(store)
        with pytest.raises(DocumentError, match="empty.txt"):
            load_documents(store, [good, empty], reason=False)
        assert quads(store) == before
    finally:
        store.close()


def test_export_then_import_gives_an_isomorphic_dataset(corpus_build: tuple[Path, BuildSummary],
                                                        tmp_path: Path) -> None:
    dump = tmp_path / "graph.nq"
    with OxigraphStore(corpus_build[0], read_only=True) as store:
        store.dump(dump, "nquads")
        original = canonical(quads(store))
    copy = OxigraphStore(tmp_path / "copy")
    try:
        copy.load_dataset(dump, "nquads")
        assert canonical(quads(copy)) == original
    finally:
        copy.close()
