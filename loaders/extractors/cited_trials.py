"""Trials cited in running text, as studies of their own, with the results the citing sentence states.

"The CASPIAN trial demonstrated ... a median OS of 13.0 months in the durvalumab plus
platinum-etoposide group versus 10.3 months in the control group" gives a Study (``role="cited"``,
the citing paper as evidence) and two Outcomes. Trial names are recognised generically: a run
of acronym-like tokens (capitals, digits, hyphens: "IMpower133", "TOPIC-NEC", "DART SWOG 1609",
"S2101") standing next to a trial word ("trial", "study", "phase II ... trial") or a registry
id ("NCT05058651"); a name made only of vocabulary terms ("GEP-NEC") or of the generic acronyms
listed in :mod:`ontology.headers` ("WHO", "ESMO") is not a trial, and nor is the paper's own study
(its name is in the title or in the study facts found before).

Results in the sentences that follow a trial's sentence are the trial's too, while nothing
says otherwise: the same paragraph (or a sentence broken by a page), no other study named, no
first person ("our study") and no citation mark that the trial's sentence does not carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from loaders.document import Document
from loaders.extractors.review_results import Cleaned, Result, labelled, parse
from loaders.extractors.review_tables import registry_ids
from loaders.extractors.tables import find_terms, section_title, term
from loaders.facts import Evidence, Fact, Outcome, Study, normalise_name, study_key
from ontology import headers

NAME = "cited_trials"
VERSION = "0.1.0"

_I = re.IGNORECASE
_SKIP_SECTIONS = {"references", "affiliations", "acknowledgements", "declarations", "furniture", "title", "table",
                  "figure_legend"}
_TOKEN = (r"(?:[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9]*|[0-9]+[A-Za-z]*[A-Z][A-Za-z0-9]*|[0-9]+(?=-[A-Za-z]*[A-Z]))"
          r"(?:-[A-Za-z0-9]+)*")
_NAME = re.compile(rf"(?<![\w-])(?P<name>{_TOKEN}(?:[ ](?:{_TOKEN}|\d{{1,4}}(?![\w.%])))*)(?![\w-])")
_TRIAL_WORD = r"(?:trials?|study|studies|cohort)"
_AFTER = re.compile(
    rf"^\s*(?:\([^()]{{0,40}}\)\s*)?(?:(?:randomi[sz]ed|non-?randomi[sz]ed|phase\s*(?:[0-9]|I{{1,3}}V?)[ab]?(?:/(?:[0-9]|I{{1,3}}))?"
    rf"|prospective|retrospective|open-label|multicent(?:er|re)|non-comparative|single-arm|basket|clinical|"
    rf"pivotal|registration|[,\s])\s*)*{_TRIAL_WORD}\b|^\s+is\s+an?\b[^.]{{0,60}}\b{_TRIAL_WORD}\b", _I)
_BEFORE = re.compile(rf"\b{_TRIAL_WORD}\s*(?:[,;:]?\s*(?:the|a)?\s*|\((?:[^()]*(?:,|\band)\s*)?)$|"
                     rf"\b{_TRIAL_WORD}\b[^.()]{{0,50}}\($", _I)
_FIRST_PERSON = re.compile(r"\b(?:our|we|us)\b", _I)
_OTHER_STUDY = re.compile(r"\b(?:an?|another|one|two|three)\s+(?:[\w-]+\s+){0,3}?"
                          r"(?:trial|study|analysis|investigation|cohort|series)\b|\bstudy of\b", _I)
_ANAPHORA = re.compile(r"\b(?:the|both|these|this)\s+(?:two\s+)?(?:trial|study|investigation|interventions|arms|regimens)\b|"
                       r"\bboth (?:trial )?arms\b", _I)
_REGISTERED = re.compile(r"\bregistered\b", _I)
_MARK = re.compile(r"\^\{([^}]*)\}|<sup>([^<]*)</sup>|([⁰¹²³⁴⁵⁶⁷⁸⁹]+(?:[,–-][⁰¹²³⁴⁵⁶⁷⁸⁹]+)*)")
_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_ENROL = re.compile(r"\b(?P<verb>enrolled|included|involving|involved|recruited|aims? to enrol+|"
                    r"(?<=trial )with|(?<=study )with|(?:trial|study)\b[^.;]{0,90}?\bin)\s+(?P<n>\d{2,4})\s+"
                    r"(?:chemotherapy-na[iï]ve\s+)?(?:patients|participants|subjects)\b", _I)
_COHORT = re.compile(r"\bin (?:a|the) (?:cohort|subgroup|population) of (?:\d+\s+)?(?:patients with\s+)?"
                     r"(?P<label>[A-Z][\w\- ]{2,30}?)(?=\s+(?:progressed|who|with|treated|and)\b|[,.;)])|"
                     r"\bin \d+ (?:patients|participants) with (?P<label2>[A-Z][\w\- ]{2,30}?)(?=[,.;)]|\s+(?:who|and)\b)|"
                     r"\bincluding (?P<label3>[A-Z][\w\- ]{1,20}?), where\b")
_EITHER = re.compile(r"\beither (?P<a>[^,;]{3,80}?) or (?P<b>[\w/+\- ]{3,40}?)(?=\s+as\b|[,.;]|\s+in\b)", _I)
_VERSUS_ARMS = re.compile(r"(?P<a>[\w/+\-]+(?:\s+(?:combination|alone|monotherapy))?)\s+(?:compared with|versus|vs\.?)\s+"
                          r"(?P<b>[\w/+\-]+(?:\s+(?:alone|monotherapy|combination))?)(?=\s*\(|\s+in terms of|\s*,)", _I)


@dataclass
class Mention:
    """A trial named in a sentence: its name and/or registry ids, and where."""

    name: str | None
    ids: tuple[str, ...]
    start: int  # source offsets
    end: int
    aliases: list[str] = field(default_factory=list)
    cohort: str | None = None  # "in a cohort of G3 GEP NENs": the population its results are about
    arms: tuple[str, ...] = ()  # "randomised to receive either A or B": its arms, in order

    @property
    def key(self) -> str:
        return study_key(registry_id=self.ids[0] if self.ids else None, name=self.name)


def _marks(text: str) -> set[str]:
    out: set[str] = set()
    for m in _MARK.finditer(text):
        raw = (m.group(1) or m.group(2) or m.group(3) or "").translate(_SUPER)
        for piece in re.split(r"[,\s]+", raw):
            rng = re.match(r"^(\d+)[–-](\d+)$", piece)
            if rng and int(rng[2]) - int(rng[1]) < 50:
                out.update(str(i) for i in range(int(rng[1]), int(rng[2]) + 1))
            elif piece.isdigit():
                out.add(piece)
    return out


def _is_vocabulary(token: str) -> bool:
    hits = find_terms(token)
    return bool(hits) and hits[0].start == 0 and hits[0].end == len(token)


def _plausible(name: str) -> bool:
    """A name with at least one token that is neither vocabulary nor a generic acronym."""
    tokens = name.split()
    generic = {t.upper() for t in headers.NOT_TRIAL_NAMES}
    if re.match(headers.REGISTRY_ID, name):
        return False
    for token in tokens:
        if token.isdigit() or token.upper() in generic or re.fullmatch(r"[IVX]+(?:[-/][IVX]+)*[ab]?", token):
            continue
        if _is_vocabulary(token):
            continue
        parts = [p for p in token.split("-") if p]
        if re.search(r"\d", token) or any(
                not p.isdigit() and p.upper() not in generic and not _is_vocabulary(p) for p in parts):
            return True
    return False


def own_names(document: Document, context: Any) -> set[str]:
    """Folded names and ids of the paper's own study: its title's trial names and the study facts found before."""
    names: set[str] = set()
    # the title section, not metadata guessed from a first paragraph, names the paper's own study
    title = " ".join(document.text[s.start:s.end] for s in document.sections if s.kind == "title")
    for m in _NAME.finditer(title):
        if _plausible(m["name"]):
            names.add(normalise_name(m["name"]))
    for rid in registry_ids(title):
        names.add(normalise_name(rid))
    for fact in getattr(context, "facts", ()) or ():
        if isinstance(fact, Study) and fact.role == "primary":
            for n in (fact.name, *fact.aliases, *fact.registry_ids):
                if n:
                    names.add(normalise_name(n))
    own = getattr(context, "study_name", None)
    if own:
        names.add(normalise_name(str(own)))
    return names


def mentions(cleaned: Cleaned, source: str) -> list[Mention]:
    """Trials named in a sentence (clean text, source offsets)."""
    text = cleaned.text
    found: list[Mention] = []
    ids_at = [(m.start(), m.end(), m.group()) for m in re.finditer(headers.REGISTRY_ID, text)]
    for m in _NAME.finditer(text):
        name = m["name"]
        if not _plausible(name):
            continue
        before, after = text[max(0, m.start() - 80):m.start()], text[m.end():m.end() + 80]
        near_id = re.match(r"^\s*\(\s*" + headers.REGISTRY_ID, after)
        if not (_AFTER.search(after) or _BEFORE.search(before) or near_id):
            continue
        s, e = cleaned.span(m.start(), m.end())
        ids: tuple[str, ...] = ()
        if near_id:
            ids = registry_ids(near_id.group())
        mention = Mention(name, ids, s, e)
        # "NIPINEC study (GCO-001)": a name in parentheses right after a name is an alias
        alias = re.match(rf"^\s*(?:{_TRIAL_WORD}\s*)?\(\s*(?P<alias>{_TOKEN}(?:[ ]{_TOKEN})*)\s*\)", after)
        if alias and _plausible(alias["alias"]):
            mention.aliases.append(alias["alias"])
        if found and found[-1].aliases and normalise_name(found[-1].aliases[-1]) == normalise_name(name):
            continue
        found.append(mention)
    for start, end, rid in ids_at:
        if any(rid in f.ids for f in found):
            continue
        s, e = cleaned.span(start, end)
        found.append(Mention(None, registry_ids(rid), s, e))
    # one name and one registry id in a sentence are the same trial ("the SENECA trial ... (NCT03387592)")
    named = [f for f in found if f.name and not f.ids]
    bare = [f for f in found if not f.name]
    if len(named) == 1 and len(bare) == 1 and len(found) == 2:
        named[0].ids = bare[0].ids
        found = [named[0]]
    return found


def _ends_sentence(text: str) -> bool:
    stripped = _MARK.sub("", text).rstrip()
    return bool(re.search(r"[.!?:]\)?$", stripped))


def extract(document: Document, context: Any = None) -> Iterator[Fact]:
    """Cited trials and the results their sentences state."""
    own = own_names(document, context)
    current: Mention | None = None
    current_marks: set[str] = set()
    current_end = -1
    current_closed = True
    waited = 0
    for sentence in document.sentences:
        section = document.sections[sentence.section] if 0 <= sentence.section < len(document.sections) else None
        if section is not None and section.kind in _SKIP_SECTIONS:
            continue
        raw = document.text[sentence.start:sentence.end]
        cleaned = Cleaned.of(document.text, sentence.start, sentence.end)
        if not cleaned.text.strip():
            continue
        every = mentions(cleaned, document.text)
        for m in every:
            if normalise_name(m.name or "") in own or _REGISTERED.search(cleaned.text):
                own.update(normalise_name(i) for i in m.ids)
        found = [m for m in every
                 if normalise_name(m.name or "") not in own and not any(normalise_name(i) in own for i in m.ids)
                 and not any(normalise_name(a) in own for a in m.aliases)]
        for m in found:
            yield _study(document, sentence.start, sentence.end, cleaned, m)
        marks = _marks(raw)
        if every:
            current = found[0] if len(found) == 1 and len(every) == 1 else None
            if current is not None:
                cohort = _COHORT.search(cleaned.text)
                either = _EITHER.search(cleaned.text)
                current.cohort = next((x.strip() for x in cohort.groups() if x), None) if cohort else None
                current.arms = (either["a"].strip(), either["b"].strip()) if either else ()
            if current is not None:
                yield from _outcomes(document, cleaned, current, 0.8, own_sentence=True)
            current_marks, current_end, current_closed, waited = marks, sentence.end, _ends_sentence(raw), 0
            continue
        if current is None:
            continue
        if not current_closed:
            # a sentence cut by a page or a figure goes on in the next sentence that opens in lower case
            if raw.lstrip()[:1].islower():
                yield from _outcomes(document, cleaned, current, 0.6)
                current_end, current_closed = sentence.end, _ends_sentence(raw)
            else:
                waited += 1
                if waited > 8:
                    current = None
            continue
        if _carries(document.text, current_end, sentence.start, cleaned.text, marks, current_marks):
            yield from _outcomes(document, cleaned, current, 0.6)
            current_end, current_closed = sentence.end, _ends_sentence(raw)
            current_marks |= marks
        else:
            current = None


def _others_before(text: str, end: int) -> bool:
    """Whether a sentence naming a trial speaks of another, unnamed study or of the paper's own before ``end``
    (what comes after its results, "... we were prompted to initiate a study", does not take them)."""
    return any(m.start() < end for rx in (_FIRST_PERSON, _OTHER_STUDY) for m in rx.finditer(text))


def _carries(text: str, previous_end: int, start: int, clean_text: str, marks: set[str],
             current_marks: set[str]) -> bool:
    """Whether a sentence without a trial name still reports the trial named just before."""
    if "\n\n" in text[previous_end:start] or "\n" in text[previous_end:start].strip(" \t"):
        return False
    if _FIRST_PERSON.search(clean_text) or _OTHER_STUDY.search(clean_text):
        return False
    if marks and current_marks and not marks & current_marks:
        return bool(_ANAPHORA.search(clean_text))  # another source, unless it points back at the trial
    return True


def _study(document: Document, start: int, end: int, cleaned: Cleaned, m: Mention) -> Fact:
    text = cleaned.text
    phase = None
    designs: list[str] = []
    at = next((i for i, src in enumerate(cleaned.index) if src >= m.start), 0)
    lo, hi = max(0, at - 60), min(len(text), at + (m.end - m.start) + 60)
    line = None
    for hit in find_terms(text[lo:hi]):
        if "LineOfTherapy" in hit.families and line is None:
            line = hit.iri
        if "TrialPhase" in hit.families and phase is None:
            phase = hit.iri
        elif "StudyDesign" in hit.families and hit.iri not in designs:
            designs.append(hit.iri)
    enrol = _ENROL.search(text)
    planned = actual = None
    if enrol:
        n = int(enrol["n"])
        if re.match(r"aims?", enrol["verb"], _I):
            planned = n
        else:
            actual = n
    study = Study(ref=m.key, name=m.name, aliases=tuple(m.aliases), registry_ids=m.ids, designs=tuple(designs),
                  phase=phase, line=line, enrolment_planned=planned, enrolment_actual=actual, document=document.id,
                  role="cited")
    s, e = (start, end) if (enrol or phase or designs or line) else (m.start, m.end)
    return study.with_evidence(_evidence(document, s, e, 0.8 if m.name else 0.7))


def _evidence(document: Document, start: int, end: int, confidence: float) -> Evidence:
    return Evidence(document=document.id, start=start, end=end, quote=document.text[start:end], extractor=NAME,
                    extractor_version=VERSION, confidence=confidence, section=section_title(document, start))


def _outcomes(document: Document, cleaned: Cleaned, m: Mention, confidence: float,
              own_sentence: bool = False) -> Iterator[Fact]:
    results = labelled(parse(cleaned.text))
    if own_sentence and results and _others_before(cleaned.text, max(r.end for r in results)):
        return
    arms = _VERSUS_ARMS.search(cleaned.text)
    cohort = _COHORT.search(cleaned.text)
    cohort_label = next((x.strip() for x in cohort.groups() if x), None) if cohort else m.cohort
    for r in results:
        population = _population(r, arms, cohort_label, m.arms, cleaned.text)
        start, end = cleaned.span(r.start, r.end)
        quote = document.text[start:end]
        outcome = Outcome(study=m.key, population=population, endpoint=term(r.endpoint), statistic=term(r.statistic),
                          value=r.value, unit=term(r.unit) if r.unit else None,
                          ci_level=0.95 if r.ci_lower is not None and "95%" in quote else None,
                          ci_lower=r.ci_lower, ci_upper=r.ci_upper, count=r.count, timepoint=r.timepoint,
                          timepoint_unit=term(r.timepoint_unit) if r.timepoint_unit else None)
        sure = r.label or not r.chained or population != f"group {r.position + 1}"
        yield outcome.with_evidence(_evidence(document, start, end, confidence if sure else 0.5))


def _population(r: Result, arms: re.Match[str] | None, cohort: str | None, trial_arms: tuple[str, ...],
                text: str) -> str:
    if r.label:
        return r.label
    if r.chained and arms is not None and arms.start() < r.start and r.position < 2:
        return arms["a"] if r.position == 0 else arms["b"]
    if r.chained and len(trial_arms) == 2 and r.position < 2:
        return trial_arms[r.position]
    if r.chained and r.position < 2:
        # "X is associated with improved ORR (a versus b) ... compared with Y"
        before = list(_ASSOCIATED.finditer(text, 0, r.start))
        after = _COMPARED_AFTER.search(text, r.end)
        if before and after:
            return before[-1]["label"] if r.position == 0 else after["label"]
    if r.chained and r.position == 0:
        found = list(_COMBINATION_SHOWED.finditer(text, 0, r.start))
        if found:
            return found[-1]["label"]
    if r.chained:
        return f"group {r.position + 1}"
    return cohort or "overall"


_ASSOCIATED = re.compile(r"(?:^|[,;]\s*|\bthat\s+)(?P<label>[\w/+\- ]{3,60}?) (?:is|was|were) associated with\b", _I)
_COMPARED_AFTER = re.compile(r"\bcompared (?:with|to) (?P<label>[\w/+\- ]{3,40}?)(?=[.,;]|$)", _I)
_COMBINATION_SHOWED = re.compile(r"\bcombination of (?P<label>[\w/+\- ]{3,50}?) (?:showed|achieved|yielded|"
                                 r"demonstrated|reached|induced)\b", _I)
