"""The alignments of the vocabulary to external ontologies, read from the SSSOM table.

``mappings.sssom.tsv`` beside this module is the ONE source of alignments: :mod:`ontology.source`
reads it to put ``skos:exactMatch``/``closeMatch``/``broadMatch`` (and ICD-O-3 codes as
``skos:notation``) on the vocabulary terms, and :func:`mapping_triples` gives the same alignments
as triples for the store's mappings graph.

Every CURIE is checked with bioregistry (known prefix, local id matching the prefix's pattern);
the IRI it stands for comes from the table's own ``curie_map``.

>>> mset = load_mappings()
>>> any(m.subject_id == "nenkg:Cisplatin" and m.object_id == "CHEBI:27899" for m in mset.mappings)
True
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import bioregistry
import pyoxigraph as ox
import yaml

from ontology import MAPPINGS_PATH, NS

SKOS = "http://www.w3.org/2004/02/skos/core#"
#: The SSSOM predicates we publish, and their IRIs.
PREDICATES = {
    "skos:exactMatch": SKOS + "exactMatch",
    "skos:closeMatch": SKOS + "closeMatch",
    "skos:broadMatch": SKOS + "broadMatch",
    "skos:narrowMatch": SKOS + "narrowMatch",
    "skos:relatedMatch": SKOS + "relatedMatch",
}
JUSTIFICATIONS = {"semapv:ManualMappingCuration", "semapv:MappingChaining", "semapv:LexicalMatching"}
#: Prefixes whose codes are published as ``skos:notation`` rather than as IRIs.
NOTATION_PREFIXES = {"ICDO"}
REQUIRED_METADATA = ("curie_map", "mapping_set_id", "license")
COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id", "object_label",
           "mapping_justification", "comment")


class MappingError(ValueError):
    """The SSSOM table is malformed; the message names the line and what is wrong."""


@dataclass(frozen=True)
class Mapping:
    """One row of the SSSOM table."""

    subject_id: str
    subject_label: str
    predicate_id: str
    object_id: str
    object_label: str
    mapping_justification: str
    comment: str
    line: int = 0

    @property
    def prefix(self) -> str:
        return self.object_id.split(":", 1)[0]

    @property
    def local_id(self) -> str:
        return self.object_id.split(":", 1)[1]


@dataclass
class MappingSet:
    """The metadata block and the rows of an SSSOM table."""

    metadata: dict[str, object]
    mappings: list[Mapping] = field(default_factory=list)

    @property
    def curie_map(self) -> dict[str, str]:
        value = self.metadata.get("curie_map", {})
        return dict(value) if isinstance(value, dict) else {}

    def expand(self, curie: str) -> str:
        """The IRI of ``curie`` by the table's curie_map."""
        prefix, _, local = curie.partition(":")
        try:
            return self.curie_map[prefix] + local
        except KeyError:
            raise MappingError(f"prefix {prefix!r} of {curie!r} is not in the curie_map") from None


def _parse_metadata(lines: list[str]) -> dict[str, object]:
    """Parse the ``#``-prefixed YAML block of an SSSOM file."""
    text = "".join(line[1:] for line in lines)
    try:
        metadata = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise MappingError(f"the SSSOM metadata block is not valid YAML: {error}") from error
    if not isinstance(metadata, dict):
        raise MappingError("the SSSOM metadata block must be a YAML mapping")
    return {str(k): v for k, v in metadata.items()}


def parse_sssom(text: str) -> MappingSet:
    """Parse an SSSOM TSV text (metadata block then rows) without validating identifiers."""
    lines = text.splitlines(keepends=True)
    header_lines = [line for line in lines if line.startswith("#")]
    body = "".join(line for line in lines if not line.startswith("#"))
    mset = MappingSet(_parse_metadata(header_lines))
    reader = csv.DictReader(io.StringIO(body), delimiter="\t")
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise MappingError(f"the SSSOM table lacks the columns {missing}")
    offset = len(header_lines) + 1
    for number, row in enumerate(reader, offset + 1):
        mset.mappings.append(Mapping(**{c: (row.get(c) or "").strip() for c in COLUMNS}, line=number))
    return mset


def validate_curie(curie: str) -> bool:
    """True when ``curie``'s prefix is known to bioregistry and its local id matches the pattern.

    >>> validate_curie("CHEBI:27899"), validate_curie("HGNC:11998"), validate_curie("CHEBI:ab")
    (True, True, False)
    """
    prefix, sep, local = curie.partition(":")
    if not sep or not local:
        return False
    norm = bioregistry.normalize_prefix(prefix)
    if norm is None:
        return False
    pattern = bioregistry.get_pattern(norm)
    return pattern is None or re.fullmatch(pattern, local) is not None


def assert_valid(mset: MappingSet) -> None:
    """Raise :class:`MappingError` naming the first bad metadata key or row."""
    for key in REQUIRED_METADATA:
        if not mset.metadata.get(key):
            raise MappingError(f"the SSSOM metadata lacks {key}")
    seen: set[tuple[str, str]] = set()
    for m in mset.mappings:
        where = f"mappings.sssom.tsv line {m.line} ({m.subject_id} -> {m.object_id})"
        if not m.subject_id.startswith("nenkg:"):
            raise MappingError(f"{where}: the subject is not a nenkg term")
        if m.predicate_id not in PREDICATES:
            raise MappingError(f"{where}: unknown predicate {m.predicate_id!r}")
        if m.mapping_justification not in JUSTIFICATIONS:
            raise MappingError(f"{where}: unknown mapping_justification {m.mapping_justification!r}")
        if not m.comment:
            raise MappingError(f"{where}: the comment must name the source that verifies the identifier")
        if not validate_curie(m.object_id):
            raise MappingError(f"{where}: {m.object_id!r} is not a valid CURIE for bioregistry")
        mset.expand(m.object_id)
        if (m.subject_id, m.object_id) in seen:
            raise MappingError(f"{where}: duplicate row")
        seen.add((m.subject_id, m.object_id))


def load_mappings(path: Path = MAPPINGS_PATH) -> MappingSet:
    """Read and validate the SSSOM table."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise MappingError(f"cannot read the SSSOM table {path}: {error}") from error
    mset = parse_sssom(text)
    assert_valid(mset)
    return mset


def subject_iri(curie: str) -> str:
    """The ontology IRI of a ``nenkg:`` subject."""
    return NS + curie.split(":", 1)[1]


def mapping_iri_triples(path: Path = MAPPINGS_PATH) -> list[tuple[str, str, str]]:
    """The alignments as ``(subject IRI, SKOS predicate IRI, object IRI)``.

    ICD-O-3 rows are left out here: they are ``skos:notation`` literals in the ontology itself.
    """
    mset = load_mappings(path)
    return [(subject_iri(m.subject_id), PREDICATES[m.predicate_id], mset.expand(m.object_id))
            for m in mset.mappings if m.prefix not in NOTATION_PREFIXES]


def mapping_triples(path: Path = MAPPINGS_PATH) -> list[ox.Triple]:
    """The alignments as pyoxigraph triples, ready for the store's mappings graph."""
    return [ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)) for s, p, o in mapping_iri_triples(path)]


def notations(path: Path = MAPPINGS_PATH) -> list[tuple[str, str]]:
    """``(subject local name, code)`` for the exact ICD-O-3 morphology codes of the table."""
    return [(m.subject_id.split(":", 1)[1], m.local_id) for m in load_mappings(path).mappings
            if m.prefix in NOTATION_PREFIXES and m.predicate_id == "skos:exactMatch"]


def export_sssom(target: Path, source: Path = MAPPINGS_PATH) -> int:
    """Validate the SSSOM table and copy it to ``target``; return the number of rows."""
    count = len(load_mappings(source).mappings)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return count
