"""Trial tables of a review: one study per row, with its arms and the results its cells state.

A review's "selected studies" table (compound, trial name, design, site of origin, line, registry
id, status, enrolment, location, results) gives, per row: a :class:`~loaders.facts.Study` with
``role="reviewed"`` keyed by its registry id when printed, else its name; an
:class:`~loaders.facts.Arm` per regimen of the "Investigational compound" cell ("A versus B",
"A or B + C"); and an :class:`~loaders.facts.Outcome` per value of the results cell, each with
evidence at the cell (the clause that states it). Which column is which comes from the header
meanings in :mod:`ontology.headers`; what the words of a cell mean from the ontology's recogniser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from loaders.document import Cell, Document, Table, TableRow
from loaders.extractors.review_results import Cleaned, Result, labelled, parse, population_note
from loaders.extractors.tables import clean, column_headers, evidence, find_terms, is_trial_table, local, term
from loaders.facts import Arm, Fact, Outcome, Regimen, RegimenComponent, Study, study_key
from ontology import headers

NAME = "review_tables"
VERSION = "0.1.0"

_I = re.IGNORECASE
_NAME_PART_CODE = re.compile(r"^[A-Z][A-Za-z]*-?\d+[A-Za-z0-9-]*$")  # "GCO-001", "S2101"
_NAME_PART_WORD = re.compile(r"^[A-Z][A-Za-z-]{3,}$")  # "NIPINEC"


@lru_cache(maxsize=1)
def _regimen_agents() -> dict[str, tuple[str, ...]]:
    """Standard agents of each named regimen of the vocabulary (EP -> etoposide, cisplatin, carboplatin)."""
    from ontology import vocabulary

    out: dict[str, tuple[str, ...]] = {}
    for tdef in getattr(vocabulary, "NAMED_REGIMENS", ()):
        agents = tuple(term(target) for rel, target in getattr(tdef, "relations", ()) if rel == "standardAgent")
        out[term(tdef.name)] = agents
    return out


def registry_ids(text: str) -> tuple[str, ...]:
    """Registry identifiers printed in ``text``, in order, without repeats."""
    found: list[str] = []
    for m in re.finditer(headers.REGISTRY_ID, text):
        value = re.sub(r"^EudraCT\s*(?:No\.?\s*)?", "", m.group())
        if value not in found:
            found.append(value)
    return tuple(found)


def name_aliases(name: str) -> tuple[str, ...]:
    """Parts of a two-part trial name that are names of their own: "GCO-001 NIPINEC" -> both parts."""
    parts = name.split()
    if len(parts) == 2:
        codes = [p for p in parts if _NAME_PART_CODE.match(p)]
        words = [p for p in parts if _NAME_PART_WORD.match(p) and not _NAME_PART_CODE.match(p)]
        if len(codes) == 1 and len(words) == 1:
            return (codes[0], words[0])
    return ()


_PRIOR_THERAPY = re.compile(r"\s+(?:after|following)\s+(?:partial|complete|response|progression|failure|prior|previous|"
                            r"first|1st|\d)[^,;]*", _I)


def agent_classes(text: str) -> list[tuple[str, str]]:
    """(agent IRI, most specific class) of each agent a text names, named regimens expanded."""
    from loaders.extractors.tables import _recogniser

    terms = getattr(_recogniser(), "terms", {})
    out = []
    for iri in agents_of(text):
        known = terms.get(iri)
        families = tuple(getattr(known, "families", ()))
        out.append((iri, families[0] if families else ""))
    return out


def agents_of(text: str) -> tuple[str, ...]:
    """Agent IRIs a regimen text names, named regimens expanded to their standard agents; the prior
    therapy a regimen follows ("everolimus after response to cisplatin + etoposide") is not its own."""
    text = _PRIOR_THERAPY.sub(" ", text)
    out: list[str] = []
    for hit in find_terms(text):
        if "Agent" in hit.families:
            iris: tuple[str, ...] = (hit.iri,)
        elif "NamedRegimen" in hit.families:
            iris = _regimen_agents().get(hit.iri, ())
        else:
            continue
        for iri in iris:
            if iri not in out:
                out.append(iri)
    return tuple(out)


@dataclass(frozen=True)
class Part:
    """A piece of a cell: its clean text and source offsets."""

    text: str
    start: int
    end: int


def split_arms(cell: Cell, source: str) -> list[Part]:
    """The regimens of an "Investigational compound" cell: split on "versus", else on a single " or "."""
    cleaned = Cleaned.of(source, cell.start, cell.end)
    text = cleaned.text
    pieces = re.split(r"\s+(?:versus|vs\.?)\s+", text)
    if len(pieces) == 1 and re.search(r"\s+or\s+", text):
        candidate = _alternatives_joined(re.split(r"(\s+or\s+)", text))
        if len(candidate) > 1 and all(agents_of(p) for p in candidate):
            pieces = candidate
    parts: list[Part] = []
    pos = 0
    for piece in pieces:
        at = text.index(piece, pos)
        stripped = piece.strip()
        lead = len(piece) - len(piece.lstrip())
        s, e = at + lead, at + lead + len(stripped)
        if stripped:
            src = cleaned.span(s, e)
            parts.append(Part(re.sub(r"\s+", " ", stripped), src[0], src[1]))
        pos = at + len(piece)
    return parts


def _alternatives_joined(parts: list[str]) -> list[str]:
    """Arms of "A or B" texts: "cisplatin or carboplatin + etoposide" is one arm (a single agent of the
    class that opens the next part, and not in it), "nivolumab or nivolumab + ipilimumab" two.

    ``parts`` alternates texts and the " or " separators, as :func:`re.split` with a group gives them.
    """
    texts, seps = parts[0::2], parts[1::2]
    out: list[str] = []
    carry = ""
    for i, piece in enumerate(texts):
        piece = carry + piece
        carry = ""
        mine = agent_classes(piece)
        if i + 1 < len(texts) and len(mine) == 1:
            theirs = agent_classes(texts[i + 1])
            if mine[0][1] in {c for _, c in theirs} and mine[0][0] not in {a for a, _ in theirs}:
                carry = piece + seps[i]
                continue
        out.append(piece)
    return out


def _column(roles: dict[str, int], row: TableRow, role: str) -> Cell | None:
    index = roles.get(role)
    if index is None or index >= len(row.cells):
        return None
    return row.cells[index]


def _text(c: Cell | None) -> str:
    return clean(c.text) if c is not None else ""


def _first(text: str, family: str) -> str | None:
    hits = find_terms(text, family)
    return hits[0].iri if hits else None


def _sites(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Neoplasm types and primary sites of a "Site of origin" cell ("NEC (excluding prostate)" has no prostate)."""
    text = re.sub(r"\((?:excluding|except|not)\b[^)]*\)", " ", text, flags=_I)
    types: list[str] = []
    sites: list[str] = []
    for hit in find_terms(text):
        if "NeoplasmType" in hit.families and hit.iri not in types:
            types.append(hit.iri)
        elif "AnatomicalSite" in hit.families and hit.iri not in sites:
            sites.append(hit.iri)
    return tuple(types), tuple(sites)


def extract(document: Document, context: Any = None) -> Iterator[Fact]:
    """Studies, arms and outcomes of every trial table of ``document``."""
    for table in document.tables:
        if not is_trial_table(table):
            continue
        roles: dict[str, int] = {}
        for index, header in enumerate(column_headers(table)):
            role = headers.column_role(header)
            if role and role not in roles:
                roles[role] = index
        for ri, row in enumerate(table.rows):
            if row.is_group or not row.cells or not any(c.text.strip() for c in row.cells):
                continue
            yield from _row(document, table, ri, row, roles)


def _row(document: Document, table: Table, ri: int, row: TableRow, roles: dict[str, int]) -> Iterator[Fact]:
    name = _text(_column(roles, row, "name")) or None
    registry_cell = _column(roles, row, "registry")
    ids = registry_ids(registry_cell.text) if registry_cell is not None else ()
    if not ids and not name:
        return
    key = study_key(registry_id=ids[0] if ids else None, name=name)
    design_text = _text(_column(roles, row, "design"))
    designs = tuple(dict.fromkeys(h.iri for h in find_terms(design_text, "StudyDesign")))
    phase = _first(design_text, "TrialPhase")
    status = _first(_text(_column(roles, row, "status")), "RecruitmentStatus")
    line = _first(_text(_column(roles, row, "line")), "LineOfTherapy")
    enrol_text = _text(_column(roles, row, "enrolment"))
    enrol_match = re.search(r"\d+", enrol_text)
    enrolment = int(enrol_match.group()) if enrol_match else None
    actual = status is not None and local(status) in headers.ACTUAL_ENROLMENT_STATUSES
    location = _text(_column(roles, row, "location"))
    countries = tuple(headers.country_name(c) for c in location.split(",") if c.strip())
    types, sites = _sites(_text(_column(roles, row, "site")))
    aliases = tuple(a for a in (name_aliases(name) if name else ()) if a != name) + tuple(ids[1:])
    # the row's evidence runs from its first cell to the last cell before the results
    results_index = roles.get("results", len(row.cells))
    last = max((c for c in row.cells[:results_index] if c.text.strip()), key=lambda c: c.end, default=row.cells[0])
    study = Study(ref=key, name=name, aliases=aliases, registry_ids=ids, designs=designs, phase=phase,
                  status=status, line=line,
                  enrolment_planned=None if actual else enrolment, enrolment_actual=enrolment if actual else None,
                  countries=countries, neoplasm_types=types, primary_sites=sites, document=document.id,
                  role="reviewed")
    yield study.with_evidence(evidence(document, table, ri, 0, row.cells[0].start, last.end, 0.9,
                                       NAME, VERSION))
    arms: list[str] = []
    compound = _column(roles, row, "compound")
    if compound is not None and compound.text.strip():
        parts = split_arms(compound, document.text)
        for part in parts:
            components = tuple(RegimenComponent(agent=a) for a in agents_of(part.text))
            regimen = Regimen(label=part.text, components=components, line=line)
            arm = Arm(study=key, label=part.text, regimens=(regimen,), neoplasm_types=types, primary_sites=sites)
            confidence = 0.85 if len(parts) > 1 or " or " not in part.text else 0.6
            yield arm.with_evidence(evidence(document, table, ri, roles["compound"], part.start, part.end,
                                             confidence, NAME, VERSION))
            arms.append(part.text)
    results = _column(roles, row, "results")
    if results is not None and results.text.strip():
        yield from _results(document, table, ri, roles["results"], results, key, arms)


def arm_of(label: str, arms: list[str]) -> str | None:
    """The arm a printed group label stands for, by the agents both name ("IP" is irinotecan + cisplatin)."""
    agents = set(agents_of(label))
    if not agents or not arms:
        return None
    scored = []
    for arm in arms:
        theirs = set(agents_of(arm))
        if theirs:
            scored.append((len(agents & theirs) / len(agents | theirs), arm))
    scored.sort(reverse=True)
    if scored and scored[0][0] >= 0.5 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        return scored[0][1]
    return None


def _population(r: Result, arms: list[str], note: str | None, chain: int) -> tuple[str, float]:
    if r.label:
        arm = arm_of(r.label, arms)
        return (arm, 0.8) if arm else (r.label, 0.85)
    if r.chained and len(arms) == chain:
        return arms[r.position], 0.7
    if r.chained:
        return f"group {r.position + 1}", 0.5
    return note or "overall", 0.85


def _results(document: Document, table: Table, ri: int, column: int, c: Cell, key: str,
             arms: list[str]) -> Iterator[Fact]:
    cleaned = Cleaned.of(document.text, c.start, c.end)
    note, _ = population_note(cleaned.text)
    found = labelled(parse(cleaned.text))
    for r in found:
        chain = 1 + max((x.position for x in found if x.chained and x.start == r.start), default=0)
        population, confidence = _population(r, arms, note, chain)
        start, end = cleaned.span(r.start, r.end)
        quote = document.text[start:end]
        outcome = Outcome(study=key, population=population, endpoint=term(r.endpoint), statistic=term(r.statistic),
                          value=r.value, unit=term(r.unit) if r.unit else None,
                          ci_level=0.95 if r.ci_lower is not None and "95%" in quote else None,
                          ci_lower=r.ci_lower, ci_upper=r.ci_upper, count=r.count, timepoint=r.timepoint,
                          timepoint_unit=term(r.timepoint_unit) if r.timepoint_unit else None)
        yield outcome.with_evidence(evidence(document, table, ri, column, start, end, confidence, NAME, VERSION))
