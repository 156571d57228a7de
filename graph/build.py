"""The build pipeline: documents -> facts -> RDF -> store, then conflicts and inferred types.

``build_store`` writes a complete store into a new directory next to the target and swaps it in
only when everything succeeded, so a failed or interrupted build leaves the previous store intact.
``load_documents`` adds documents to an existing store: every file is read and extracted before
the store is touched, and the graphs are written in one transaction.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from graph.conflicts import write_conflicts
from graph.iris import document_graph
from graph.rdf import StudyIndex, facts_to_graphs, folded_key
from graph.store import OxigraphStore, Store, StoreError, swap_in
from loaders.document import Document
from loaders.extract import extract_facts
from loaders.facts import Fact, normalise_name
from loaders.readers import read_document
from ontology import INFERRED_GRAPH, MAPPINGS_GRAPH, NS, ONTOLOGY_GRAPH, TURTLE_PATH

SUFFIXES = (".txt", ".md")


@dataclass
class DocumentReport:
    id: str
    file: str
    facts: Counter[str]
    triples: int


@dataclass
class BuildSummary:
    store: str
    documents: list[DocumentReport] = field(default_factory=list)
    ontology_triples: int = 0
    mapping_triples: int = 0
    inferred_triples: int = 0
    conflicts: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "store": self.store,
            "documents": [{"id": d.id, "file": d.file, "facts": dict(d.facts), "triples": d.triples}
                          for d in self.documents],
            "ontology_triples": self.ontology_triples, "mapping_triples": self.mapping_triples,
            "inferred_triples": self.inferred_triples, "conflicts": self.conflicts,
            "seconds": round(self.seconds, 2),
        }


def corpus_files(corpus: Path) -> list[Path]:
    """The documents of a corpus folder: those its manifest lists (checked against their
    digests), else every .txt and .md file in name order."""
    if not corpus.is_dir():
        raise StoreError(f"{corpus}: not a folder of documents")
    manifest = corpus / "manifest.json"
    if not manifest.exists():
        return sorted(p for p in corpus.iterdir() if p.suffix in SUFFIXES)
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))["documents"]
    except (ValueError, KeyError) as error:
        raise StoreError(f"{manifest}: not a valid manifest ({error})") from error
    return [corpus / entry["file"] for entry in entries]


def read_all(paths: Iterable[Path]) -> list[Document]:
    """Read every file first, so that a bad one fails the whole load before the store is touched."""
    return [read_document(Path(p)) for p in paths]


def extract_all(documents: Sequence[Document], progress: bool = False) -> dict[str, list[Fact]]:
    bar = tqdm(documents, desc="extracting", unit="doc", disable=not progress)
    return {document.id: list(extract_facts(document)) for document in bar}


def known_studies(store: Store) -> StudyIndex:
    """A study index seeded with the studies already in the store, so new documents join them."""
    index = StudyIndex()
    query = f"""PREFIX nenkg: <{NS}>
    SELECT ?s ?rid ?name WHERE {{ ?s a nenkg:Study . OPTIONAL {{ ?s nenkg:registryId ?rid }}
                                   OPTIONAL {{ ?s nenkg:studyName ?name }} }}"""
    keys: dict[str, list[str]] = {}
    for row in store.query(query):  # type: ignore[union-attr]
        study = keys.setdefault(str(row["s"].value), [])
        if row["rid"] is not None:
            study.append("reg:" + normalise_name(str(row["rid"].value)))
        if row["name"] is not None:
            study.append("name:" + normalise_name(str(row["name"].value)))
            study.append(folded_key(str(row["name"].value)))
    for study_keys_ in keys.values():
        if study_keys_:
            index.union(study_keys_)
    return index


def write_documents(store: Store, documents: Sequence[Document], facts: dict[str, list[Fact]],
                    index: StudyIndex) -> list[DocumentReport]:
    all_facts = [fact for doc_facts in facts.values() for fact in doc_facts]
    graphs = facts_to_graphs({d.id: d for d in documents}, all_facts, index)
    store.replace_graphs(graphs)
    return [DocumentReport(d.id, Path(d.path).name, Counter(type(f).__name__ for f in facts[d.id]),
                           len(graphs.get(document_graph(d.id), []))) for d in documents]


def derive(store: Store, summary: BuildSummary, reason: bool) -> None:
    """Recompute what depends on the whole store: conflicts and inferred types."""
    summary.conflicts = write_conflicts(store)
    if reason:
        from graph.reason import materialise

        summary.inferred_triples = materialise(store)
    else:
        store.remove_graph(INFERRED_GRAPH)


def load_vocabulary(store: Store, summary: BuildSummary) -> None:
    summary.ontology_triples = store.load_file(TURTLE_PATH, ONTOLOGY_GRAPH, "turtle")
    from ontology.mappings import mapping_triples

    summary.mapping_triples = store.replace_graph(MAPPINGS_GRAPH, mapping_triples())


def populate(store: Store, paths: Sequence[Path], *, reason: bool = True, progress: bool = False) -> BuildSummary:
    """Fill an empty store (embedded or remote) with the ontology and the documents at ``paths``."""
    started = time.perf_counter()
    summary = BuildSummary(store=store.location)
    documents = read_all(paths)
    facts = extract_all(documents, progress)
    load_vocabulary(store, summary)
    summary.documents = write_documents(store, documents, facts, StudyIndex())
    derive(store, summary, reason)
    summary.seconds = time.perf_counter() - started
    return summary


def build_store(corpus: Path, target: Path, *, reason: bool = True, progress: bool = False) -> BuildSummary:
    """Build the graph of every document of ``corpus`` into a new embedded store at ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f".{target.name}.building-{os.getpid()}")
    if building.exists():
        shutil.rmtree(building)
    try:
        store = OxigraphStore(building)
        try:
            summary = populate(store, corpus_files(Path(corpus)), reason=reason, progress=progress)
        finally:
            store.close()
        swap_in(building, target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    summary.store = str(target)
    return summary


def load_documents(store: Store, paths: Sequence[Path], *, reason: bool = True,
                   progress: bool = False) -> BuildSummary:
    """Add (or replace) documents in an existing store through the same pipeline."""
    started = time.perf_counter()
    if ONTOLOGY_GRAPH not in store.named_graphs():
        raise StoreError(f"{store.location}: no nenkg graph here; run `nenkg build` first")
    summary = BuildSummary(store=store.location)
    documents = read_all(paths)
    facts = extract_all(documents, progress)
    summary.documents = write_documents(store, documents, facts, known_studies(store))
    derive(store, summary, reason)
    summary.seconds = time.perf_counter() - started
    return summary
