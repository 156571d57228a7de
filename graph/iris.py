"""Data IRIs: ``https://w3id.org/nenkg/id/<kind>/<slug>``, stable across rebuilds.

A slug is derived from what is claimed (a readable part plus a digest of the claim), never from
load order, so the same claim read twice gets the same IRI.

>>> data_iri("study", "nct03980925")
'https://w3id.org/nenkg/id/study/nct03980925'
>>> claim_slug("os", ("Outcome", "reg:x", 13.9)) == claim_slug("os", ("Outcome", "reg:x", 13.9))
True
"""

from __future__ import annotations

import hashlib
import re

from ontology import DATA_NS

KINDS = ("publication", "document", "study", "population", "regimen", "component", "outcome", "effect",
         "characteristic", "adverse-event", "evidence", "conflict", "activity", "graph")
_UNSAFE = re.compile(r"[^a-z0-9]+")


def data_iri(kind: str, slug: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown data IRI kind {kind!r}")
    return f"{DATA_NS}{kind}/{slug}"


def readable(text: str, limit: int = 40) -> str:
    """A lower-case, hyphenated, bounded rendering of ``text`` for a slug."""
    return _UNSAFE.sub("-", text.lower()).strip("-")[:limit].strip("-") or "x"


def digest(value: object, length: int = 12) -> str:
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()[:length]


def claim_slug(readable_part: str, key: object) -> str:
    return f"{readable(readable_part)}-{digest(key)}"


def document_graph(document_id: str) -> str:
    return f"{DATA_NS}graph/document/{document_id}"


def document_id_of_graph(graph: str) -> str | None:
    prefix = f"{DATA_NS}graph/document/"
    return graph[len(prefix):] if graph.startswith(prefix) else None


CONFLICTS_GRAPH = f"{DATA_NS}graph/conflicts"
