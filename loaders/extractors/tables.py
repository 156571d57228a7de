"""Facts from the tables of a study report: baseline characteristics, outcomes, Cox models, adverse events.

A table is read column by column: each population column ("G3 NETs N = 12", "Atezolizumab + EP
(N = 14)", "NEC OS n = 420 HR") becomes a population label, each row a characteristic, an
outcome, an effect estimate or an adverse event, depending on what its label names (through the
ontology's recogniser) and on the table's headers (through :mod:`ontology.headers`). Each fact's
evidence is the table cell, or the row from its label to the cell when the label carries numbers
of the fact ("3-year OS", "OS PS 0"), so every number of a fact is in its quote.

Trial tables of reviews (rows are studies) are left to :mod:`loaders.extractors.review_tables`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ontology
from loaders import numbers
from loaders.document import Cell, Document, Table, TableRow
from loaders.facts import AdverseEvent, Characteristic, EffectEstimate, Evidence, Fact, Outcome, study_key
from ontology import headers

NAME = "tables"
VERSION = "0.1.0"

_I = re.IGNORECASE
_MARKUP = re.compile(r"<sup>[^<]{0,40}</sup>|\^\{[^}]{0,40}\}|</?[a-z]+>|[⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈᵉ]+|\*+|\$")
_PAREN = re.compile(r"\([^()]*\)")
_BARE_LEVEL = re.compile(r"^\s*(?:[<>≥≤]=?\s*)?\d+(?:[.,]\d+)?\s*%?\s*$")
_TRAILING_LEVEL = re.compile(r"^(?P<name>.*?[^\s\d<>≥≤=])\s+(?P<level>(?:[<>≥≤]=?\s*)?\d+(?:\.\d+)?\s*%?)$")
_PERCENT = re.compile(r"^\s*(?P<v>\d+(?:\.\d+)?)\s*%\s*$")
_PLUS_MINUS = re.compile(r"^\s*(?P<v>\d+(?:\.\d+)?)\s*±\s*(?P<sd>\d+(?:\.\d+)?)")
_BARE_NUMBER = re.compile(r"^\s*(?P<v>\d+(?:\.\d+)?)\s*$")
_TIMEPOINT = re.compile(r"\b(?P<n>\d+(?:\.\d+)?)\s*-?\s*(?P<u>years?|yrs?|months?|mo|weeks?)\b", _I)
_STATISTIC_LABEL = re.compile(r"±|\b(?:mean|median)\b[^,]*\bSD\b", _I)
_TIME_UNITS = {"y": "Year", "m": "Month", "w": "Week"}


def term(name: str) -> str:
    return ontology.term(name)


def local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


@lru_cache(maxsize=1)
def _recogniser() -> Any:
    from loaders import ner

    return ner.recogniser()


@dataclass(frozen=True)
class Found:
    """A vocabulary term found in a string: offsets into that string."""

    iri: str
    name: str
    families: tuple[str, ...]
    start: int
    end: int
    text: str


def find_terms(text: str, family: str | None = None) -> list[Found]:
    """Vocabulary terms in ``text`` (of ``family`` when given), leftmost-longest."""
    found = []
    for m in _recogniser().find(text):
        iri = str(getattr(m, "term", None) or getattr(m, "iri", ""))
        fams = tuple(getattr(m, "families", ()))
        if family is None or family in fams:
            found.append(Found(iri, local(iri), fams, m.start, m.end, m.text))
    return found


def first_term(text: str, family: str) -> Found | None:
    hits = find_terms(text, family)
    return hits[0] if hits else None


def clean(text: str) -> str:
    """Cell text without markup, footnote marks and extra white space."""
    text = re.sub(r"\\geq?\b", "≥", re.sub(r"\\leq?\b", "≤", text))
    return re.sub(r"\s+", " ", _MARKUP.sub(" ", text)).strip()


def strip_statistic(label: str) -> str:
    """A row label without its statistic suffix: "Gender, n (%)" -> "Gender"."""
    out = clean(label)
    for pattern in headers.STATISTIC_SUFFIXES:
        out = re.sub(pattern, "", out, flags=_I)
    return out.strip(" ,;:")


def statistic_of(text: str) -> str | None:
    for pattern, name in headers.STATISTIC_WORDS.items():
        if re.search(pattern, text, _I):
            return name
    return None


def population_of(header: str, context: Any) -> str:
    """The population label of a column header ("EP alone (N = 42)" -> "EP alone")."""
    label = re.sub(headers.POPULATION_SIZE, " ", clean(header))
    label = re.sub(r"\s+", " ", label).strip(" ,;:()")
    resolve = getattr(context, "population_label", None)
    if callable(resolve):
        try:
            resolved = resolve(header)
        except Exception:  # a resolver that cannot read this header leaves the printed label
            resolved = None
        if resolved:
            return str(resolved)
    return label or "overall"


def own_study(document: Document, context: Any) -> str:
    key = getattr(context, "study", None)
    return str(key) if key else study_key(document=document.id)


def section_title(document: Document, offset: int) -> str | None:
    section = document.section_at(offset)
    return section.title if section else None


def evidence(document: Document, table: Table, row: int, column: int, start: int, end: int,
             confidence: float, extractor: str = NAME, version: str = VERSION) -> Evidence:
    """Evidence for a table cell (or a run of cells of one row) at ``[start, end)``."""
    return Evidence(document=document.id, start=start, end=end, quote=document.text[start:end],
                    extractor=extractor, extractor_version=version, confidence=confidence,
                    section=section_title(document, table.start), table=table.label, row=row, column=column)


def column_headers(table: Table) -> tuple[str, ...]:
    if table.column_headers:
        return table.column_headers
    if table.header:
        return tuple(c.text for c in table.header[-1])
    return ()


def table_text(table: Table, document: Document) -> str:
    notes = " ".join(document.text[s.start:s.end] for s in table.footnotes)
    return " ".join([table.caption, " ".join(column_headers(table)), notes])


def is_trial_table(table: Table) -> bool:
    return bool(re.search(headers.TRIAL_TABLE, " ".join(column_headers(table)), _I))


def is_empty(text: str) -> bool:
    return bool(re.match(headers.EMPTY_CELL, clean(text), _I))


def cell(row: TableRow, index: int) -> Cell | None:
    return row.cells[index] if 0 <= index < len(row.cells) else None


def to_float(text: str) -> float:
    return float(text.replace(",", "."))


# --------------------------------------------------------------------------- cell grammar


@dataclass(frozen=True)
class Value:
    """What one cell holds."""

    count: int | None = None
    percent: float | None = None
    value: float | None = None
    lower: float | None = None
    upper: float | None = None
    lower_nr: bool = False
    upper_nr: bool = False
    interval: str | None = None  # "ci" or "range"
    unit: str | None = None  # UnitOfMeasure term name
    statistic: str | None = None


def read_cell(text: str) -> Value | None:
    """Parse a data cell: "25 (67.6)", "14 (12%)", "61 (28–84)", "3.4 m (2.8–3.9 m)", "62.2 ± 13.9", "30%", "3"."""
    body = clean(text)
    if not body or is_empty(body):
        return None
    pm = _PLUS_MINUS.match(body)
    if pm:
        return Value(value=float(pm["v"]), statistic="Mean")
    vi = numbers.parse_value_with_interval(body)
    if vi is not None and "(" in body:
        iv = vi.interval
        unit = "Month" if vi.unit in ("m", "mo", "months", "month") else None
        return Value(value=vi.value, lower=iv.lower, upper=iv.upper, lower_nr=iv.lower_nr, upper_nr=iv.upper_nr,
                     interval=iv.kind, unit=unit)
    cp = numbers.parse_count_percent(body)
    if cp is not None and cp.end - cp.start >= len(body) - 1:
        return Value(count=cp.count, percent=cp.percent)
    pc = _PERCENT.match(body)
    if pc:
        return Value(percent=float(pc["v"]))
    bn = _BARE_NUMBER.match(body)
    if bn:
        return Value(value=float(bn["v"]))
    return None


# --------------------------------------------------------------------------- the extractor


@dataclass(frozen=True)
class Column:
    index: int
    population: str


def population_columns(table: Table, context: Any) -> list[Column]:
    cols = []
    for index, header in enumerate(column_headers(table)):
        if index == 0 or headers.is_non_population_column(header):
            continue
        cols.append(Column(index, population_of(header, context)))
    return cols


def extract(document: Document, context: Any = None) -> Iterator[Fact]:
    """Every fact of every non-trial table of ``document``."""
    for table in document.tables:
        if is_trial_table(table):
            continue
        heads = column_headers(table)
        if any(re.search(headers.EFFECT_COLUMNS["estimate"], h.split(" n = ")[-1] if h else "", _I)
               or re.search(r"\bHR\b", h) for h in heads[1:]):
            yield from effect_table(document, table, context)
        elif re.search(headers.ADVERSE_EVENT_TABLE, table.caption + " " + (heads[0] if heads else ""), _I):
            yield from adverse_table(document, table, context)
        else:
            yield from row_table(document, table, context)


# ---- outcomes and characteristics


def _endpoint(label: str) -> Found | None:
    for hit in find_terms(label):
        if "Endpoint" in hit.families and hit.name not in ("FollowUp", "Safety"):
            return hit
    return None


def _subgroup(label: str, hit: Found) -> str:
    """What a row label says beyond its endpoint: "OS PS 0" -> "PS 0", "mPFS (months), range" -> ""."""
    rest = clean(label[:hit.start] + " " + label[hit.end:])
    rest = _PAREN.sub(" ", rest)
    rest = _TIMEPOINT.sub(" ", rest)
    rest = re.sub(r"\b(?:range|median|mean|months?|no\.?|rate|95%\s*CI|CI|NA)\b|[,;:()%/]", " ", rest, flags=_I)
    return re.sub(r"\s+", " ", rest).strip(" -")


def row_table(document: Document, table: Table, context: Any) -> Iterator[Fact]:
    cols = population_columns(table, context)
    if not cols:
        return
    label_cols = list(range(cols[0].index))
    study = own_study(document, context)
    described = table_text(table, document)
    ci_table = bool(re.search(r"\bCI\b", described))
    previous: str | None = None
    broken: str | None = None
    for ri, row in enumerate(table.rows):
        if row.is_group or not row.cells:
            continue
        labels = [clean(row.cells[i].text) if i < len(row.cells) else "" for i in label_cols]
        if re.match(headers.POPULATION_SIZE_ROW, labels[0] if labels else "") or re.match(
                headers.SKIP_ROW, labels[0] if labels else "", _I):
            continue
        shift = 0
        confidence = 0.9
        group = clean(row.group) if row.group else None
        if len(labels) >= 2:
            first, second = labels[0], labels[1]
            if not first and re.search(r"n\s*\(%\)\s*$", second) and len(row.cells) > len(column_headers(table)) - 1:
                # a row printed one cell to the right: the label sits in the category column
                char, category, shift, confidence = strip_statistic(second), clean(row.cells[2].text), 1, 0.6
            else:
                char = strip_statistic(first) if first else (previous or group or "")
                category = second
            row_label = " ".join(x for x in labels if x)
        else:
            row_label = labels[0] if labels else ""
            char, category = "", None
        hit = _endpoint(row_label) if len(labels) == 1 and not _STATISTIC_LABEL.search(row_label) else None
        if hit is not None:
            yield from _outcome_row(document, table, ri, row, row_label, hit, cols, study, ci_table)
            continue
        if len(labels) == 1:
            label = row_label
            if group and group != broken and starts_characteristic(label):
                broken = group  # the group row above no longer applies
            if group == broken:
                group = None
            if group and not re.match(r"^\s*(?:median|mean)\b", label, _I):
                char, category = strip_statistic(group), strip_statistic(label)
            elif group:
                char, category = strip_statistic(group), None
            elif _BARE_LEVEL.match(label) and previous:
                char, category = previous, label
            else:
                m = _TRAILING_LEVEL.match(strip_statistic(label))
                char, category = (m["name"], m["level"]) if m else (strip_statistic(label), None)
                char = re.sub(r"\s+(?:median|mean)\s*(?:\(range\))?$", "", char, flags=_I)
            previous = char
        else:
            previous = char
        stat_word = statistic_of(row_label)
        for col in cols:
            c = cell(row, col.index + shift)
            if c is None:
                continue
            value = read_cell(c.text)
            if value is None:
                continue
            fact = _characteristic(study, col.population, char, category if category else None, value, stat_word)
            if fact is None:
                continue
            ev = evidence(document, table, ri, col.index, c.start, c.end, confidence)
            yield fact.with_evidence(ev)


_OWN_CHARACTERISTIC_FAMILIES = ("Biomarker", "ClinicalCharacteristic", "PerformanceStatus", "NeoplasmType", "Gene")


def starts_characteristic(label: str) -> bool:
    """Whether a row label under a group row names a characteristic of its own, not a category."""
    if _BARE_LEVEL.match(label):
        return False
    if any(re.search(p, label, _I) for p in headers.STATISTIC_SUFFIXES if "n|no" in p):
        return True
    outside = _PAREN.sub(" ", label)
    if re.search(r"[≥≤<>]", outside) or re.search(headers.CHARACTERISTIC_HEAD_WORDS, outside, _I):
        return True
    return any(f in hit.families for hit in find_terms(outside) for f in _OWN_CHARACTERISTIC_FAMILIES)


def _characteristic(study: str, population: str, char: str, category: str | None, value: Value,
                    stat_word: str | None) -> Fact | None:
    if not char and not category:
        return None
    if category and re.match(r"^\s*(?:median|mean)\b", category, _I):
        stat_word, category = statistic_of(category), None
    term_hit = first_term(char, "Biomarker") or first_term(char, "ClinicalCharacteristic") or first_term(
        char, "PerformanceStatus") or first_term(char, "AnatomicalSite")
    if value.count is not None:
        return Characteristic(study=study, population=population, characteristic=char, category=category,
                              term=term_hit.iri if term_hit else None, count=value.count, percent=value.percent)
    if value.percent is not None and stat_word is None:
        return Characteristic(study=study, population=population, characteristic=char, category=category,
                              term=term_hit.iri if term_hit else None, percent=value.percent)
    stat = value.statistic if value.statistic else (stat_word or ("Median" if value.lower is not None else None))
    number = value.value if value.value is not None else value.percent
    if number is None:
        return None
    if stat is None and value.lower is None:
        # a bare number in a characteristics table is a count of patients
        return Characteristic(study=study, population=population, characteristic=char, category=category,
                              term=term_hit.iri if term_hit else None, count=int(number))
    return Characteristic(study=study, population=population, characteristic=char, category=category,
                          term=term_hit.iri if term_hit else None, statistic=term(stat) if stat else None,
                          value=number, unit=term("Percent") if value.percent is not None else None,
                          range_lower=value.lower, range_upper=value.upper)


_RESPONSE_CATEGORIES = {"CompleteResponse", "PartialResponse", "StableDisease", "ProgressiveDisease", "NotEvaluable"}


def _outcome_row(document: Document, table: Table, ri: int, row: TableRow, label: str, hit: Found,
                 cols: Sequence[Column], study: str, ci_table: bool) -> Iterator[Fact]:
    endpoint = hit.name
    sub = _subgroup(label, hit)
    tp = _TIMEPOINT.search(label)
    timepoint = float(tp["n"]) if tp else None
    tp_unit = term(_TIME_UNITS[tp["u"][0].lower()]) if tp else None
    label_unit = "Month" if re.search(r"\bmonths?\b", label, _I) else None
    as_range = bool(re.search(r"\brange\b", label, _I)) or not ci_table
    label_numbers = bool(re.search(r"\d", label))
    for col in cols:
        c = cell(row, col.index)
        if c is None:
            continue
        value = read_cell(c.text)
        if value is None:
            continue
        population = f"{col.population} {sub}".strip() if sub else col.population
        kwargs: dict[str, Any] = {}
        if value.count is not None:
            stat = "Count" if endpoint in _RESPONSE_CATEGORIES else "Proportion"
            kwargs.update(count=value.count, value=value.percent,
                          unit=term("Percent") if value.percent is not None else None)
        elif value.lower is not None or value.upper_nr:
            stat = "Median"
            unit = value.unit or label_unit or "Month"
            kwargs.update(value=value.value, unit=term(unit))
            if as_range:
                kwargs.update(range_lower=value.lower, range_upper=value.upper)
            else:
                kwargs.update(ci_lower=value.lower, ci_upper=value.upper, ci_lower_not_reached=value.lower_nr,
                              ci_upper_not_reached=value.upper_nr)
        elif value.percent is not None:
            stat = "Rate" if timepoint is not None else "Proportion"
            kwargs.update(value=value.percent, unit=term("Percent"))
        elif value.value is not None:
            stat = "Count"
            kwargs.update(count=int(value.value))
        else:
            continue
        if timepoint is not None:
            kwargs.update(timepoint=timepoint, timepoint_unit=tp_unit)
        fact = Outcome(study=study, population=population, endpoint=hit.iri, statistic=term(stat), **kwargs)
        first = row.cells[0]
        start = first.start if label_numbers else c.start
        yield fact.with_evidence(evidence(document, table, ri, col.index, start, c.end, 0.85))


# ---- effect estimates


@dataclass(frozen=True)
class EffectGroup:
    estimate: int
    interval: int | None
    p: int | None
    population: str
    endpoint: str


def effect_groups(table: Table, context: Any) -> list[EffectGroup]:
    heads = column_headers(table)
    groups = []
    for index, head in enumerate(heads):
        m = re.search(r"\b(?:a?HR|OR|hazard ratio|odds ratio)\s*(?:\((?:9[05]|99)%\s*CI\))?\s*$", head, _I)
        if not m or index == 0:
            continue
        prefix = head[: m.start()].strip()
        interval = p = None
        for j in range(index + 1, min(index + 3, len(heads))):
            if heads[j].startswith(prefix) if prefix else True:
                tail = heads[j][len(prefix):]
                if re.search(headers.EFFECT_COLUMNS["interval"], tail, _I):
                    interval = j
                elif re.search(headers.EFFECT_COLUMNS["p"], tail.strip(), _I):
                    p = j
        hit = _endpoint(prefix)
        endpoint = hit.iri if hit else ""
        pop = clean(prefix[: hit.start] + " " + prefix[hit.end:]) if hit else prefix
        pop = re.sub(headers.POPULATION_SIZE, " ", pop).strip() or "overall"
        if not prefix:
            continue
        groups.append(EffectGroup(index, interval, p, pop, endpoint))
    return groups


def effect_table(document: Document, table: Table, context: Any) -> Iterator[Fact]:
    study = own_study(document, context)
    model = headers.model_type(table_text(table, document))
    measure = "OddsRatio" if re.search(r"\bOR\b|odds ratio", " ".join(column_headers(table))) else "HazardRatio"
    groups = effect_groups(table, context)
    factor: str | None = None
    reference: str | None = None
    for ri, row in enumerate(table.rows):
        if row.is_group or not row.cells:
            continue
        label = clean(row.cells[0].text)
        refs = [g for g in groups if (c := cell(row, g.estimate)) is not None
                and re.match(headers.REFERENCE_CELL, clean(c.text), _I)]
        if refs:
            m = _TRAILING_LEVEL.match(label)
            factor, reference = (m["name"], m["level"]) if m else (label, None)
            continue
        if _BARE_LEVEL.match(label) and factor:
            this_factor, compared, ref = factor, label, reference
        else:
            this_factor, compared, ref = label, None, None
            factor, reference = label, None
        term_hit = (first_term(this_factor, "Biomarker") or first_term(this_factor, "ClinicalCharacteristic")
                    or first_term(this_factor, "PerformanceStatus") or first_term(this_factor, "Agent")
                    or first_term(this_factor, "AnatomicalSite"))
        for g in groups:
            est = cell(row, g.estimate)
            if est is None or not _BARE_NUMBER.match(clean(est.text)):
                continue
            lo = hi = None
            last = est
            if g.interval is not None and (ic := cell(row, g.interval)) is not None and clean(ic.text):
                iv = numbers.parse_interval(clean(ic.text))
                if iv is not None:
                    lo, hi, last = iv.lower, iv.upper, ic
            p_value = p_text = None
            if g.p is not None and (pc := cell(row, g.p)) is not None and clean(pc.text):
                pv = numbers.parse_p_value(clean(pc.text))
                if pv is not None:
                    p_value, p_text, last = pv.value, clean(pc.text), pc
            fact = EffectEstimate(study=study, population=g.population, measure=measure, endpoint=g.endpoint,
                                  factor=this_factor, value=to_float(clean(est.text)),
                                  factor_term=term_hit.iri if term_hit else None, compared=compared,
                                  reference=ref, model=term(model) if model else None,
                                  ci_lower=lo, ci_upper=hi, p_value=p_value, p_value_text=p_text)
            yield fact.with_evidence(evidence(document, table, ri, g.estimate, est.start, last.end, 0.85))


# ---- adverse events


def adverse_table(document: Document, table: Table, context: Any) -> Iterator[Fact]:
    study = own_study(document, context)
    heads = column_headers(table)
    band = headers.grade_band(table.caption) or headers.grade_band(heads[0] if heads else "") or "any"
    cols = population_columns(table, context)
    for ri, row in enumerate(table.rows):
        if row.is_group or not row.cells:
            continue
        label = clean(row.cells[0].text)
        group = clean(row.group) if row.group else ""
        row_band = headers.grade_band(label)
        if row_band and re.match(r"^\s*grades?\b", label, _I) and group:
            event, grade = re.sub(r"\s*(?:≥|>=)\s*\d\s*$", "", group), row_band
        else:
            event, grade = label, row_band or band
        hit = first_term(event, "AdverseEventTerm")
        for col in cols:
            c = cell(row, col.index)
            if c is None:
                continue
            value = read_cell(c.text)
            if value is None or (value.count is None and value.percent is None):
                continue
            fact = AdverseEvent(study=study, population=col.population, event=event, grade=grade,
                                term=hit.iri if hit else None, count=value.count, percent=value.percent)
            yield fact.with_evidence(evidence(document, table, ri, col.index, c.start, c.end, 0.85))


@dataclass(frozen=True)
class TablesExtractor:
    """The registered extractor: ``name``, ``version`` and a call."""

    name: str = NAME
    version: str = VERSION

    def __call__(self, document: Document, context: Any) -> Iterable[Fact]:
        return list(extract(document, context))
