"""Content negotiation: pick a result format from an ``Accept`` header, honouring q-values.

>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", SOLUTION_TYPES)
'xml'
>>> negotiate("text/*", GRAPH_TYPES)
'turtle'
>>> negotiate("image/png", SOLUTION_TYPES) is None
True
>>> negotiate("", SOLUTION_TYPES)
'json'
"""

from __future__ import annotations

from dataclasses import dataclass

#: Media types by format short name; the first of each list is the one we answer with.
#: The order of the dict is our preference when the client does not mind.
SOLUTION_TYPES: dict[str, list[str]] = {
    "json": ["application/sparql-results+json", "application/json"],
    "xml": ["application/sparql-results+xml", "application/xml", "text/xml"],
    "csv": ["text/csv"],
    "tsv": ["text/tab-separated-values"],
}
GRAPH_TYPES: dict[str, list[str]] = {
    "turtle": ["text/turtle", "application/x-turtle"],
    "ntriples": ["application/n-triples", "text/plain"],
    "jsonld": ["application/ld+json", "application/json"],
    "rdfxml": ["application/rdf+xml", "application/xml", "text/xml"],
    "nquads": ["application/n-quads"],
    "trig": ["application/trig"],
}
#: Short names accepted in a ``format`` (or ``output``) parameter, as SPARQL endpoints often do.
FORMAT_ALIASES: dict[str, str] = {
    "json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
    "turtle": "turtle", "ttl": "turtle", "ntriples": "ntriples", "nt": "ntriples", "n-triples": "ntriples",
    "jsonld": "jsonld", "json-ld": "jsonld", "rdfxml": "rdfxml", "rdf": "rdfxml", "rdf/xml": "rdfxml",
    "nquads": "nquads", "nq": "nquads", "trig": "trig", "html": "html", "rdf+xml": "rdfxml", "n3": "turtle",
    "application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
}
#: The same short name for results and for graphs ("xml" asked of a CONSTRUCT means RDF/XML).
SAME_FORMAT: dict[str, str] = {"xml": "rdfxml", "json": "jsonld", "rdfxml": "xml", "jsonld": "json"}


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float
    order: int

    def specificity(self, media_type: str) -> int:
        """How precisely this range matches ``media_type``: 3 exact, 2 type/*, 1 */*, 0 not."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == kind and self.subtype == "*":
            return 2
        return 3 if (self.type, self.subtype) == (kind, sub) else 0


def parse_accept(header: str) -> list[MediaRange]:
    """Parse an Accept header; malformed entries are skipped."""
    ranges = []
    for order, item in enumerate(header.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(kind, sub, q, order))
    return ranges


def negotiate(accept: str | None, offers: dict[str, list[str]]) -> str | None:
    """The best format name of ``offers`` for ``accept``; the first offer when the header is empty;
    ``None`` when nothing acceptable is offered (answer 406)."""
    ranges = parse_accept(accept or "")
    if not ranges:
        return next(iter(offers))
    best: tuple[float, int, int] | None = None
    chosen = None
    for rank, (name, types) in enumerate(offers.items()):
        for index, media_type in enumerate(types):
            # Wildcards stand for a format's own type only; an alias (application/json) must be named,
            # so "application/sparql-results+json;q=0, */*" excludes JSON.
            matches = [(r.specificity(media_type), r) for r in ranges
                       if r.specificity(media_type) == 3 or (index == 0 and r.specificity(media_type))]
            if not matches:
                continue
            specificity, match = max(matches, key=lambda m: m[0])  # the most specific range decides q
            key = (match.q, specificity, -rank)
            if match.q > 0 and (best is None or key > best):
                best, chosen = key, name
    return chosen


def media_type(name: str, offers: dict[str, list[str]]) -> str:
    """The Content-Type we send for format ``name``."""
    base = offers[name][0]
    return f"{base}; charset=utf-8" if base.startswith("text/") or name in ("json", "jsonld") else base


def all_types(offers: dict[str, list[str]]) -> str:
    """The offered media types, for a 406 message."""
    return ", ".join(t for types in offers.values() for t in types)
