"""The paper's own study (name, registry ids, design, phase, enrolment, centres, dates ...) and the
publication, read from the title and the sentences of the abstract and methods."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from loaders.document import Document
from loaders.facts import Evidence, Fact, Publication, Study, normalise_name, study_key
from ontology.schema import VOCABULARY_CLASSES

from .common import WORD_NUMBER, Clean, Lexicon, Sent, evidence, sentences, to_number
from .scope import OWN_CUE, Scope, is_review, registry_ids, study_names, title_text

NAME = "study"
VERSION = "0.3.0"

_NUMBER = r"(\d+|" + WORD_NUMBER + r")"
_ACTUAL = [
    re.compile(_NUMBER + r"\s+(?:eligible\s+|consecutive\s+|evaluable\s+)?(?:patients|participants|subjects|cases)"
               r"\s+(?:\w+\s+){0,2}(?:were|was|had been)\s+(?:\w+\s+)?(?:enrolled|enroled|included|recruited|"
               r"randomi[sz]ed|registered|treated|evaluated|analy[sz]ed)", re.I),
    re.compile(r"(?:enrolled|enroled|included|recruited|randomi[sz]ed|evaluated|analy[sz]ed)\s+(?:a\s+total\s+of\s+)?"
               + _NUMBER + r"\s+(?:\w+\s+){0,3}?(?:patients|participants|subjects)", re.I),
    re.compile(r"(?:full\s+)?cohort\s+of\s+" + _NUMBER + r"\s+(?:\w+\s+){0,3}?(?:patients|participants|cases)", re.I),
    re.compile(r"(?:a\s+)?total\s+of\s+" + _NUMBER + r"\s+(?:\w+\s+){0,3}?(?:patients|participants)\s+(?:were|was)",
               re.I),
]
_PLANNED = [
    re.compile(r"sample\s+size\s+of\s+" + _NUMBER + r"\s+(?:patients|participants|subjects)", re.I),
    re.compile(r"(?:aims?|plan(?:s|ned)?|expected|intend(?:s|ed)?)\s+to\s+(?:enrol|enroll|recruit|include|accrue)\s+"
               r"(?:a\s+total\s+of\s+|approximately\s+|about\s+|up\s+to\s+)?" + _NUMBER, re.I),
    re.compile(r"(?:planned|target(?:ed)?|anticipated)\s+(?:enrol(?:l)?ment|sample\s+size|accrual)\s+(?:of|was|is)\s+"
               + _NUMBER, re.I),
]
_CENTRES = re.compile(_NUMBER + r"\s+(?:(?!from\b|in\b|at\b|of\b|and\b)[A-Za-z]+\s+){0,3}?"
                      r"(?:centers|centres|hospitals|sites|institutions)\b", re.I)
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_DATE = r"(?:" + _MONTH + r"\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?)?(?:19|20)\d{2}"
_PERIOD = re.compile(r"\b(?:from|between|during|in)\s+(" + _DATE + r")\s*(?:to|and|–|-|until|through)\s*("
                     + _DATE + r")", re.I)
_FIRST_LAST = re.compile(r"first\s+patient\s+was\s+(?:enrolled|included|recruited)\s+on\s+(" + _DATE
                         + r").{0,40}?last\s+patient\s+(?:\w+\s+){0,2}?on\s+(" + _DATE + r")", re.I)
_SPONSOR = re.compile(r"\b(?:sponsored|funded)\s+by\s+(?:the\s+)?([A-Z][^.;()]{3,120}?)(?=\s*\(|[.;]|,\s+(?:and|which))")
_PHASE = re.compile(r"\bphase\s*(?:I{1,3}V?|[1-4])(?:\s*[/-]\s*(?:I{1,3}|[1-4]))?[ab]?\b", re.I)
#: Country names and adjectives a methods sentence uses; a table of language.
_COUNTRIES = {
    "Spain": ("Spain", "Spanish"), "Taiwan": ("Taiwan", "Taiwanese"), "France": ("France", "French"),
    "Germany": ("Germany", "German"), "Italy": ("Italy", "Italian"), "Norway": ("Norway", "Norwegian"),
    "Sweden": ("Sweden", "Swedish"), "Denmark": ("Denmark", "Danish"), "Finland": ("Finland", "Finnish"),
    "Netherlands": ("Netherlands", "Dutch"), "United Kingdom": ("United Kingdom", "UK", "British"),
    "United States": ("United States", "USA", "U.S."), "Japan": ("Japan", "Japanese"),
    "China": ("China", "Chinese"), "Korea": ("Korea", "Korean"), "Canada": ("Canada", "Canadian"),
    "Australia": ("Australia", "Australian"), "Switzerland": ("Switzerland", "Swiss"),
    "Belgium": ("Belgium", "Belgian"), "Austria": ("Austria", "Austrian"), "Portugal": ("Portugal", "Portuguese"),
    "Poland": ("Poland", "Polish"), "Brazil": ("Brazil", "Brazilian"), "India": ("India", "Indian"),
}
_DESIGN_KINDS = frozenset({"title", "abstract", "methods", "body", "introduction", "results", "conclusion"})


@dataclass
class StudyInfo:
    """What the study extractor learnt about the paper's own study; shared through the context."""

    key: str | None
    name: str | None = None
    aliases: tuple[str, ...] = ()
    registry_ids: tuple[str, ...] = ()
    scope: Scope = field(default_factory=Scope)
    fact: Study | None = None


def _title_sent(document: Document) -> Sent | None:
    title = title_text(document)
    if not title:
        return None
    pos = document.text.find(title)
    if pos < 0:
        return None
    return Sent(-1, pos, pos + len(title), Clean.of(document.text, pos, pos + len(title)), "title", "title", -1)


def _arabic(phase: str) -> str:
    """"phase III" as "phase 3", "phase I/II" as "phase 1/2" (one spelling for the vocabulary)."""
    romans = {"IV": "4", "III": "3", "II": "2", "I": "1"}
    return re.sub(r"\b(IV|I{1,3})(?=\b|[ab/-])", lambda m: romans[m.group(1)], phase)


def _is_heading(text: str) -> bool:
    """A heading caught as a sentence ("### Study design and setting")."""
    return text.lstrip().startswith("#") or (len(text) < 60 and not re.search(r"\d|\b(?:was|were|is|are)\b", text)
                                             and not text.rstrip().endswith("."))


def find_study(document: Document, lexicon: Lexicon) -> StudyInfo:
    """Find the paper's own study and the names of the others it mentions."""
    review = is_review(document)
    sents = sentences(document)
    title = _title_sent(document)
    all_names = {normalise_name(n): n for _, _, n in study_names(Clean.of(document.text, 0, len(document.text)).text)}
    # names made only of vocabulary words (HG-NEN, GEP-NEC) are not study names
    for norm, cand in list(all_names.items()):
        hits = lexicon.find(cand)
        if hits and sum(h.end - h.start for h in hits) >= len(cand.replace(" ", "")) - 1:
            del all_names[norm]
    scope = Scope(other_names=set(all_names), is_review=review)
    if review:
        return StudyInfo(key=None, scope=scope)

    name: str | None = None
    aliases: list[str] = []
    if title is not None:
        cands = [n for _, _, n in study_names(title.text) if normalise_name(n) in all_names]
        if cands:
            name = cands[-1]
            after = re.search(re.escape(name) + r"\s+(?:trial|study)?\s*\(([A-Z][\w-]+\d[\w-]*)\)", title.text)
            if after:
                aliases.append(after.group(1))
    if name is None and title is not None and re.search(r"\b(?:trial|study)\b", title.text, re.I):
        paren = re.search(r"\(([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+|[A-Z]{3,}[0-9]*)\)", title.text)
        if paren and not lexicon.find(paren.group(1)):
            name = paren.group(1)
    own_ids: list[str] = []
    for sent in sents:
        ids = registry_ids(sent.text)
        if not ids:
            continue
        text = sent.text
        registered = re.search(r"regist|identifier|ClinicalTrials\.gov", text, re.I)
        named = name and normalise_name(name) in normalise_name(text)
        if sent.section_kind in {"abstract", "title"} or registered or named or OWN_CUE.search(text):
            # a registry id right after another study's name is that study's
            for start, _, reg in ids:
                before = text[max(0, start - 40):start]
                near = [n for _, _, n in study_names(before + reg)]
                if near and name and normalise_name(near[-1]) != normalise_name(name):
                    continue
                if near and not name and not registered:
                    name = near[-1]
                if reg.upper() not in own_ids:
                    own_ids.append(reg.upper())
    if name is None:
        for sent in sents:
            m = re.match(r"(?:The\s+)?(" + r"[A-Z][\w-]*(?:\s+[A-Z0-9][\w-]*){0,3}" + r")\s+(?:trial|study)\s+was\s+a",
                         sent.text)
            if m and normalise_name(m.group(1)) in all_names:
                name = m.group(1)
                break
    own = {normalise_name(n) for n in [name, *aliases] if n}
    scope.own_names = own
    scope.other_names = {n for n in all_names if n not in own}
    scope.own_registry = set(own_ids)
    key = study_key(registry_id=own_ids[0] if own_ids else None, name=name, document=document.id)
    return StudyInfo(key=key, name=name, aliases=tuple(aliases), registry_ids=tuple(own_ids), scope=scope)


def _first(pats: list[re.Pattern[str]], text: str) -> int | None:
    for pat in pats:
        m = pat.search(text)
        if m:
            try:
                return int(to_number(m.group(1)))
            except ValueError:
                continue
    return None


def study_fact(document: Document, info: StudyInfo, lexicon: Lexicon) -> Study | None:
    """The Study fact of the paper's own study, with one evidence per sentence used."""
    if info.key is None:
        return None
    used: dict[int, tuple[Sent, float]] = {}

    def use(sent: Sent, conf: float) -> None:
        if sent.index not in used or used[sent.index][1] < conf:
            used[sent.index] = (sent, conf)

    title = _title_sent(document)
    sents = [s for s in sentences(document) if not info.scope.is_foreign(s, document.text[s.start:s.end])]
    about = [s for s in sents if s.section_kind in _DESIGN_KINDS]
    if title is not None:
        about = [title, *about]
    designs: list[str] = []
    phase = status = line = None
    planned = actual = centres = None
    start_date = end_date = sponsor = None
    countries: list[str] = []
    neoplasms: list[str] = []
    sites: list[str] = []
    own_words = re.compile(r"\b(?:study|trial|cohort|analysis|registry|design)\b", re.I)
    roots = {c.name for c in VOCABULARY_CLASSES}
    for sent in about:
        text = sent.text
        if _is_heading(text):
            continue
        describes = (sent.section_kind in {"title", "abstract", "methods"} or OWN_CUE.search(text)) and (
            own_words.search(text) or sent.section_kind == "title")
        if describes:
            for hit in lexicon.find(text):
                if hit.name in roots:
                    continue
                if "StudyDesign" in hit.families and hit.iri not in designs:
                    designs.append(hit.iri)
                    use(sent, 0.85)
                elif "RecruitmentStatus" in hit.families and status is None and re.search(
                        r"\b(?:trial|study)\s+(?:is|was|has\s+been|remains)\s+(?:currently\s+|now\s+|still\s+)?"
                        + re.escape(hit.text), text, re.I):
                    status = hit.iri
                    use(sent, 0.8)
            ph = _PHASE.search(text)
            if ph and phase is None:
                phase = lexicon.term_for(_arabic(ph.group()), "TrialPhase") or lexicon.term_for(ph.group(), "TrialPhase")
                if phase:
                    use(sent, 0.9)
        if sent.section_kind == "title" or describes:
            for hit in lexicon.find(text):
                later = re.search(r"(?:later|subsequent|further)[\s-]*$", text[:hit.start])
                if "LineOfTherapy" in hit.families and line is None and not later:
                    line = hit.iri
                    use(sent, 0.8)
        if sent.section_kind == "title" or (sent.section_kind == "abstract" and describes):
            for hit in lexicon.find(text):
                if "NeoplasmType" in hit.families and hit.iri not in neoplasms:
                    neoplasms.append(hit.iri)
                    use(sent, 0.8)
                if "AnatomicalSite" in hit.families and hit.iri not in sites and sent.section_kind == "title":
                    sites.append(hit.iri)
                    use(sent, 0.8)
        if actual is None and sent.section_kind != "title":
            actual = _first(_ACTUAL, text)
            if actual is not None:
                use(sent, 0.8)
        if planned is None:
            planned = _first(_PLANNED, text)
            if planned is not None:
                use(sent, 0.8)
        if centres is None and (describes or re.search(r"recruit|enrol|conducted|participat|includ", text, re.I)):
            cm = _CENTRES.search(text)
            if cm:
                centres = int(to_number(cm.group(1)))
                use(sent, 0.8)
        if start_date is None and re.search(r"enrol|recruit|includ|conducted|treated|diagnosed|study", text, re.I):
            pm = _FIRST_LAST.search(text) or _PERIOD.search(text)
            if pm:
                start_date, end_date = pm.group(1), pm.group(2)
                use(sent, 0.8)
        if re.search(r"conducted|centers|centres|hospitals|recruit|enrol", text, re.I) and (
                describes or sent.section_kind == "methods"):
            for country, spellings in _COUNTRIES.items():
                if country not in countries and any(re.search(r"\b" + re.escape(w) + r"\b", text) for w in spellings):
                    countries.append(country)
                    use(sent, 0.75)
    for sent in sentences(document) + _declaration_sentences(document):
        m = _SPONSOR.search(sent.text)
        if m and sponsor is None and "sponsor" in sent.text.lower():
            sponsor = m.group(1).strip()
            use(sent, 0.7)
    for sent in sents:
        if info.registry_ids and any(r in sent.text.upper() for r in info.registry_ids):
            use(sent, 0.95)
            break
    evs: list[Evidence] = []
    if title is not None and title.index in used:
        pass
    for sent, conf in sorted(used.values(), key=lambda sc: sc[0].start):
        evs.append(evidence(document, sent, NAME, VERSION, conf))
    return Study(ref=info.key, name=info.name, aliases=info.aliases, registry_ids=info.registry_ids,
                 designs=tuple(designs), phase=phase, status=status, line=line, enrolment_planned=planned,
                 enrolment_actual=actual, centres=centres, countries=tuple(countries), start_date=start_date,
                 end_date=end_date, sponsor=sponsor, neoplasm_types=tuple(neoplasms), primary_sites=tuple(sites),
                 document=document.id, role="primary", evidence=tuple(evs))


def _declaration_sentences(document: Document) -> list[Sent]:
    """Sentences of acknowledgements and declarations: only the sponsor is read from them."""
    out = []
    for i, section in enumerate(document.sections):
        if section.kind in {"acknowledgements", "declarations"}:
            for m in re.finditer(r"[^.\n]*(?:sponsored|funded) by[^.\n]*\.", document.text[section.start:section.end]):
                s, e = section.start + m.start(), section.start + m.end()
                while document.text[s].isspace():
                    s += 1
                out.append(Sent(-100 - i, s, e, Clean.of(document.text, s, e), section.kind, section.title, -1))
    if not document.sections:
        for m in re.finditer(r"[^.\n]*sponsored by[^.\n]*\.", document.text):
            s, e = m.start(), m.end()
            while document.text[s].isspace():
                s += 1
            out.append(Sent(-1000 - m.start(), s, e, Clean.of(document.text, s, e), "acknowledgements", None, -1))
    return out


def publication_fact(document: Document) -> Publication:
    """The publication whose text ``document`` is: title and DOI from the manifest or the text."""
    title = title_text(document) or None
    doi = document.metadata.get("doi") or None
    if not doi:
        m = re.search(r"(?:doi\.org/|doi:\s*)(10\.\d{4,9}/[^\s>)\]]+)", document.text[:6000], re.I)
        doi = m.group(1).rstrip(".") if m else None
    year_text = document.metadata.get("year")
    year = int(year_text) if year_text and str(year_text).isdigit() else None
    if year is None and document.metadata.get("citation"):
        ym = re.search(r"\b(19|20)\d{2}\b", document.metadata["citation"])
        year = int(ym.group()) if ym else None
    evs: tuple[Evidence, ...] = ()
    ts = _title_sent(document)
    if ts is not None:
        evs = (evidence(document, ts, NAME, VERSION, 0.95),)
    if year is not None:
        # the year is a claim too: quote where the text prints it with the citation, or drop it
        cite = document.metadata.get("citation") or ""
        at = document.text.find(cite) if cite and str(year) in cite else -1
        if at < 0:
            year = None
        else:
            span = Sent(-2, at, at + len(cite), Clean.of(document.text, at, at + len(cite)), "furniture", None, -1)
            evs = evs + (evidence(document, span, NAME, VERSION, 0.9),)
    return Publication(document=document.id, title=title, doi=doi, journal=document.metadata.get("journal"),
                       year=year, citation=document.metadata.get("citation"), evidence=evs)


def extract(document: Document, context: Any) -> Iterable[Fact]:
    """The publication and the paper's own study (``context`` is an ``ExtractionContext``)."""
    info: StudyInfo = context.info
    yield publication_fact(document)
    fact = study_fact(document, info, context.lexicon)
    if fact is not None:
        info.fact = fact
        yield fact
