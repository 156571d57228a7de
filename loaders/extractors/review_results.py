"""The grammar of reported trial results, shared by trial-table cells and sentences citing trials.

"Median OS = 12.5 months (EP) versus 10.9 months (IP)", "ORR: 14.3%, DCR: 42.9%", "6 mo PFS rate:
31% versus 14.8%", "Median PFS and OS were 2.0 and 9.5 months, respectively", "a median OS of 12.3
months in the atezolizumab group compared with 10.3 months in the chemotherapy-alone group":
an endpoint named by the ontology's vocabulary, then one value or a chain of values joined by
"versus", each with an optional unit, interval and group label. :func:`parse` returns
:class:`Result` records with offsets into the text it was given; :class:`Cleaned` removes markup
(``<i>``, ``$``, superscript citation marks) while keeping a map back to the source offsets.

>>> [(r.endpoint, r.value, r.label) for r in parse("Median OS = 12.5 months (EP) versus 10.9 months (IP)")]
[('OverallSurvival', 12.5, 'EP'), ('OverallSurvival', 10.9, 'IP')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.extractors.tables import find_terms
from ontology import headers

_I = re.IGNORECASE

_MARKUP = re.compile(r"</?[a-z]+>|<sup>[^<]{0,40}</sup>|\^\{[^}]{0,40}\}|[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\$|\*")


@dataclass(frozen=True)
class Cleaned:
    """Text without markup and a map from each of its characters to the source offset."""

    text: str
    index: tuple[int, ...]

    @classmethod
    def of(cls, source: str, start: int = 0, end: int | None = None) -> Cleaned:
        end = len(source) if end is None else end
        chars: list[str] = []
        index: list[int] = []
        pos = start
        for m in _MARKUP.finditer(source, start, end):
            for i in range(pos, m.start()):
                chars.append(source[i])
                index.append(i)
            pos = m.end()
        for i in range(pos, end):
            chars.append(source[i])
            index.append(i)
        return cls("".join(chars), tuple(index))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Source offsets of the clean span ``[start, end)``, without white space at either end."""
        while start < end - 1 and self.text[start].isspace():
            start += 1
        while end - 1 > start and self.text[end - 1].isspace():
            end -= 1
        return self.index[start], self.index[end - 1] + 1


@dataclass(frozen=True)
class Result:
    """One reported value of one endpoint, with offsets into the parsed text."""

    endpoint: str  # Endpoint term local name
    statistic: str  # "Median", "Rate", "Proportion", "Count"
    value: float
    start: int  # the clause: from the endpoint (or the value before it) to the value's end
    end: int
    unit: str | None = None  # UnitOfMeasure term local name
    timepoint: float | None = None
    timepoint_unit: str | None = None
    ci_lower: float | None = None
    ci_upper: float | None = None
    count: int | None = None
    label: str | None = None  # group label printed with the value ("EP", "FOLFIRI alone")
    position: int = 0  # 0 for the first value of a "versus" chain, 1 for the second ...
    chained: bool = False  # part of a chain of several values


_TIME_UNIT = {"m": "Month", "mo": "Month", "mos": "Month", "month": "Month", "months": "Month", "week": "Week",
              "weeks": "Week", "wk": "Week", "wks": "Week", "day": "Day", "days": "Day", "year": "Year",
              "years": "Year", "yr": "Year"}
_UNIT = r"(?:months?|mos?|m|weeks?|wks?|days?|years?)\b"
_NUM = r"\d+(?:\.\d+)?"
_VALUE = re.compile(
    rf"(?P<v>{_NUM})\s*(?P<pct>%)?\s*(?P<unit>{_UNIT})?"
    rf"(?:\s*\((?P<paren>[^()]{{1,60}})\))?", _I)
_GLUE = re.compile(r"^(?:\s*(?:[=:(),]|(?:was|were|is|of|at|reached|to|improved|only|approximately|about|"
                   r"which was|that was|achieved in|remained modest at|modest at|comparable|similar|observed in|seen in|"
                   r"reported in)(?![\w-])))*\s*", _I)
_BY = re.compile(r"^\s*(?:was|were)?\s*(?:shorter|longer|higher|lower|improved|increased|decreased|reduced|"
                 r"better|worse)\s+by\b", _I)
_JOIN = re.compile(r"\s*(?:,\s*)?(?:versus|vs\.?|compared (?:with|to)|and|than)\s+(?:in\s+)?", _I)
_LABEL_AFTER = re.compile(
    r"\s*(?:with|for|in(?: the)?|on)\s+(?P<label>[A-Za-z0-9][\w/+\-]*(?:[ ][\w/+\-]+){0,5}?)"
    r"(?=\s*(?:group|arm|cohort)\b|\s*(?:,|\.|;|\)|versus|vs\b|compared|and\b|respectively|$))"
    r"(?:\s*(?:group|arm|cohort))?", _I)
_IN_LABEL = re.compile(rf"\s*(?:(?:than|versus|vs\.?|and|compared with)\s+)?in\s+(?P<label>[A-Za-z][\w\- ]{{1,30}}?)\s*"
                       rf"\((?P<v>{_NUM})\s*%\)", _I)
_LABEL_NAMED = re.compile(
    r"\s*(?:with|for|in)\s+(?:the\s+)?(?P<label>[\w/+\-]+(?:\s+(?:and|plus|\+)\s+[\w/+\-]+)*)\s+"
    r"(?:combination|group|arm|cohort|regimen)\b", _I)
_GROUPS_THEN_VALUES = re.compile(
    r"\bin the (?P<a>[\w/+\- ]{2,40}?) (?:arm|group|cohort) (?:versus|vs\.?|compared with) (?P<b>[\w/+\- ]{2,40}?)\s*\(", _I)
_GROUPS_AFTER = re.compile(r"\s*(?:in|for)\s+(?:[\w-]+\s+){0,3}?with\s+(?P<labels>[^;)]{3,80})")
_CI = re.compile(rf"^(?:95%\s*CI[:,]?\s*)?(?P<lo>{_NUM})\s*(?:[-–—]|to)\s*(?P<hi>{_NUM})\s*%?$", _I)
_TIMEPOINT_BEFORE = re.compile(r"(?P<n>\d+)\s*-?\s*(?P<u>months?|mo|years?|weeks?)\s*$", _I)
_TIMEPOINT_AT = re.compile(r"\s*at\s+(?P<n>\d+)\s*(?P<u>months?|years?|weeks?)\b\s*[:=]?\s*", _I)
_N_POP = re.compile(r"\b[nN]\s*=\s*(?P<n>\d+)\s*\((?P<label>[A-Za-z][^()]{0,30})\)")
_PERCENT_OF = re.compile(rf"(?P<v>{_NUM})%\s*of\s*(?:the\s*)?(?:patients|participants|cases)"
                         rf"(?:\s*\(\s*[nN]\s*=\s*(?P<n>\d+)\s*\))?\s*(?:had|with|showed|experienced|were|achieved)\s*$", _I)
_COUNT_PCT_BEFORE = re.compile(rf"(?P<n>\d+)?\s*(?:patients|participants)\s*\((?P<v>{_NUM})%\)\s*"
                               rf"(?:had|with|showed|experienced)\s*$", _I)
_PERCENT_RIGHT_BEFORE = re.compile(rf"\b(?:an?|the)\s+(?P<v>{_NUM})\s*%\s*$", _I)
_RESPONSE_CATEGORIES = {"CompleteResponse", "PartialResponse", "StableDisease", "ProgressiveDisease"}
_SKIP_ENDPOINTS = {"FollowUp", "Safety", "BestOverallResponse"}
_RATE_ENDPOINTS = {"ObjectiveResponseRate", "DiseaseControlRate", "ClinicalBenefitRate"}


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    name: str
    rate: bool = False  # the mention itself says "rate" ("survival rate", "alive at")


def _mentions(text: str) -> list[_Mention]:
    found: list[_Mention] = []
    taken: list[tuple[int, int]] = []
    for pattern, (name, is_rate) in headers.RESULT_PHRASES.items():
        for m in re.finditer(pattern, text, _I):
            found.append(_Mention(m.start(), m.end(), name, rate=is_rate))
            taken.append((m.start(), m.end()))
    for hit in find_terms(text):
        if "Endpoint" not in hit.families or hit.name in _SKIP_ENDPOINTS:
            continue
        if any(s <= hit.start < e for s, e in taken):
            continue
        if text[hit.end:hit.end + 1].isalnum() or (hit.start and text[hit.start - 1].isalnum()):
            continue  # "PD1" is not progressive disease
        found.append(_Mention(hit.start, hit.end, hit.name))
    return sorted(found, key=lambda m: m.start)


def _unit(printed: str | None, pct: bool, endpoint: str) -> str | None:
    if pct:
        return "Percent"
    if printed:
        return _TIME_UNIT.get(printed.lower())
    return None


def _statistic(endpoint: str, timepoint: float | None, unit: str | None) -> str:
    if timepoint is not None:
        return "Rate"
    if endpoint in _RESPONSE_CATEGORIES:
        return "Proportion"
    if endpoint in _RATE_ENDPOINTS or unit == "Percent":
        return "Proportion"
    return "Median"


def _label_of(paren: str | None) -> str | None:
    if not paren:
        return None
    paren = paren.strip()
    if not re.search(r"[A-Za-z]", paren) or re.match(r"^\s*(?:95%|CI|range|[nN]\s*=|p\s*[=<])", paren):
        return None
    if re.search(r"\bet al\b|\d{4}|^(?:Table|Fig)", paren):
        return None
    return paren


def parse(text: str) -> list[Result]:
    """Every result the text states, in order."""
    results: list[Result] = []
    mentions = _mentions(text)
    used_until = -1
    i = 0
    while i < len(mentions):
        m = mentions[i]
        # "Median PFS and OS were 2.0 and 9.5 months, respectively"
        group = [m]
        j = i + 1
        while j < len(mentions) and re.fullmatch(r"\s*(?:,|and|,\s*and)\s*(?:median\s+)?", text[group[-1].end:mentions[j].start], _I):
            group.append(mentions[j])
            j += 1
        if len(group) > 1:
            listed = _respectively(text, group)
            if listed:
                results.extend(listed)
                used_until = listed[-1].end
                i = j
                continue
        if m.start < used_until:
            i += 1
            continue
        limit = mentions[i + 1].start if i + 1 < len(mentions) else len(text)
        found = _after(text, m, limit) or _before(text, m)
        results.extend(found)
        if found:
            used_until = max(r.end for r in found)
        i += 1
    return results


def _timepoint_before(text: str, m: _Mention) -> tuple[float | None, str | None, int]:
    before = text[max(0, m.start - 20):m.start]
    tp = _TIMEPOINT_BEFORE.search(before)
    if tp:
        return float(tp["n"]), _TIME_UNIT.get(tp["u"].lower().rstrip("s") + ("s" if tp["u"].lower().endswith("s") else ""), "Month"), m.start - (len(before) - tp.start())
    return None, None, m.start


def _after(text: str, m: _Mention, limit: int) -> list[Result]:
    timepoint, tp_unit, start = _timepoint_before(text, m)
    pos = m.end
    rest = text[pos:limit]
    rate = re.match(r"^\s*rates?\b", rest, _I)
    if rate:
        pos += rate.end()
    at = _TIMEPOINT_AT.match(text[pos:limit])
    if at:
        timepoint, tp_unit = float(at["n"]), _TIME_UNIT.get(at["u"].lower(), "Month")
        pos += at.end()
    preset: tuple[str, ...] = ()
    if _BY.match(text[pos:limit]):
        # "Median OS was shorter by 1.9 months in the combination arm versus FOLFIRI alone (7 months versus
        # 8.9 months, respectively)": the difference is no result; the values in parentheses are
        groups = _GROUPS_THEN_VALUES.search(text, pos, limit)
        if not groups:
            return []
        preset, pos = (groups["a"].strip(), groups["b"].strip()), groups.end()
    glue = _GLUE.match(text[pos:limit])
    pos += glue.end() if glue else 0
    at = _TIMEPOINT_AT.match(text[pos:limit])
    if at and timepoint is None:
        timepoint, tp_unit = float(at["n"]), _TIME_UNIT.get(at["u"].lower(), "Month")
        pos += at.end()
    if m.rate and timepoint is None:
        return []
    out: list[Result] = []
    position = 0
    pos_in = m.end + (rate.end() if rate else 0)
    while True:
        il = _IN_LABEL.match(text, pos_in, limit)
        if not il:
            break
        out.append(Result(endpoint=m.name, statistic="", value=float(il["v"]), start=start, end=il.end(),
                          unit="Percent", label=il["label"].strip(), position=position))
        position += 1
        pos_in = il.end()
    in_labels = bool(out)
    while not in_labels:
        vm = _VALUE.match(text, pos, limit)
        if not vm or vm.start() != pos:
            break
        if re.match(r"\s*-?\s*(?:months?|years?)\s+(?:OS|PFS|survival)", text[vm.end("v"):vm.end("v") + 20], _I):
            break
        if re.match(r"\s*%?\s*[-–]\s*\d", text[vm.end("v"):vm.end("v") + 6]):
            break  # a range of values ("53–63%") is not one result
        pct = bool(vm["pct"])
        unit = _unit(vm["unit"], pct, m.name)
        lo = hi = None
        label = None
        end = vm.end()
        paren = vm["paren"]
        if paren:
            ci = _CI.match(paren.strip())
            if ci:
                lo, hi = float(ci["lo"]), float(ci["hi"])
            else:
                label = _label_of(paren)
                if label is None and not re.match(r"^\s*(?:95%|CI|range)", paren):
                    end = vm.end("unit") if vm["unit"] else (vm.end("pct") if pct else vm.end("v"))
        if label is None:
            la = _LABEL_NAMED.match(text, end, limit) or _LABEL_AFTER.match(text, end, limit)
            if la:
                label = re.sub(r"^(?:those|patients|participants)\s+(?:that|who)\s+received\s+", "", la["label"], flags=_I)
                end = la.end()
        out.append(Result(endpoint=m.name, statistic="", value=float(vm["v"]), start=start, end=end, unit=unit,
                          timepoint=timepoint, timepoint_unit=tp_unit if timepoint is not None else None,
                          ci_lower=lo, ci_upper=hi, label=label, position=position))
        position += 1
        join = _JOIN.match(text, end, limit)
        if not join:
            break
        nxt = _VALUE.match(text, join.end(), limit)
        if not nxt or nxt.start() != join.end():
            break
        pos = join.end()
    if not out:
        return []
    if len(out) > 1 and not any(r.label for r in out):
        labels = preset or _groups_after(text, out[-1].end, limit)
        if len(labels) == len(out):
            out = [Result(**{**r.__dict__, "label": lab}) for r, lab in zip(out, labels, strict=True)]
    # a unit printed once for a chain ("2.0 and 5.7 months", "10.3 versus 10.3%") applies to all
    units = {r.unit for r in out if r.unit}
    shared = units.pop() if len(units) == 1 else None
    chained = len(out) > 1
    final = []
    for r in out:
        unit = r.unit or shared or ("Percent" if m.name in _RATE_ENDPOINTS else None)
        stat = _statistic(m.name, r.timepoint, unit)
        if unit is None and stat == "Median":
            unit = "Month"
        final.append(Result(**{**r.__dict__, "unit": unit, "statistic": stat, "chained": chained}))
    return final


def _groups_after(text: str, end: int, limit: int) -> tuple[str, ...]:
    """"ORR 15% versus 42% in NENs with Ki67 21–55% versus ≥ 55%": the groups of a chain, in order."""
    m = _GROUPS_AFTER.match(text, end, limit)
    if not m:
        return ()
    return tuple(p.strip(" ,") for p in re.split(r"\s+(?:versus|vs\.?)\s+", m["labels"]) if p.strip(" ,"))


def _before(text: str, m: _Mention) -> list[Result]:
    """"47.6% of patients (n = 10) had stable disease", "Six patients (28.6%) had progressive disease"."""
    head = text[max(0, m.start - 60):m.start]
    right = _PERCENT_RIGHT_BEFORE.search(head)
    if right and not m.rate:
        start = m.start - (len(head) - right.start("v"))
        return [Result(endpoint=m.name, statistic="Proportion", value=float(right["v"]), start=start, end=m.end,
                       unit="Percent")]
    for rx in (_PERCENT_OF, _COUNT_PCT_BEFORE):
        hit = rx.search(head)
        if hit:
            count = int(hit["n"]) if hit["n"] else None
            start = m.start - (len(head) - hit.start())
            at = _TIMEPOINT_AT.match(text, m.end)
            if at:
                la = _LABEL_AFTER.match(text, at.end())
                return [Result(endpoint=m.name, statistic="Rate", value=float(hit["v"]), start=start,
                               end=la.end() if la else at.end(), unit="Percent", count=count, timepoint=float(at["n"]),
                               timepoint_unit=_TIME_UNIT.get(at["u"].lower(), "Month"),
                               label=la["label"] if la else None)]
            if m.rate:
                return []
            return [Result(endpoint=m.name, statistic="Proportion", value=float(hit["v"]), start=start, end=m.end,
                           unit="Percent", count=count)]
    return []


def _respectively(text: str, group: list[_Mention]) -> list[Result]:
    pos = group[-1].end
    glue = re.match(r"^\s*(?:were|was|of|:|=)?\s*", text[pos:])
    pos += glue.end() if glue else 0
    values: list[re.Match[str]] = []
    while len(values) < len(group):
        vm = _VALUE.match(text, pos)
        if not vm:
            return []
        values.append(vm)
        sep = re.match(r"\s*(?:,\s*and|and|,)\s*", text[vm.end():])
        if len(values) < len(group):
            if not sep:
                return []
            pos = vm.end() + sep.end()
    tail = re.match(r"^[\s,]*respectively", text[values[-1].end():], _I)
    if not tail and len(group) > 1:
        # "Median PFS (1.9 months) and OS (5.8 months)" is handled mention by mention
        return []
    unit = next((_unit(v["unit"], bool(v["pct"]), "") for v in values if v["unit"] or v["pct"]), None)
    out = []
    for mention, vm in zip(group, values, strict=True):
        u = _unit(vm["unit"], bool(vm["pct"]), mention.name) or unit or (
            "Percent" if mention.name in _RATE_ENDPOINTS else "Month")
        out.append(Result(endpoint=mention.name, statistic=_statistic(mention.name, None, u), value=float(vm["v"]),
                          start=group[0].start, end=values[-1].end() + (tail.end() if tail else 0), unit=u))
    return out


def population_note(text: str) -> tuple[str | None, int | None]:
    """A population named with its size in a results cell: "n = 7 (NEC)" -> ("NEC", 7)."""
    m = _N_POP.search(text)
    if not m or re.search(r"\d", m["label"]):
        return None, None
    return m["label"].strip(), int(m["n"])


def labelled(results: list[Result]) -> list[Result]:
    """Results with the group labels a sentence prints once.

    "a median OS of 12.3 months in the atezolizumab group compared with 10.3 months in the placebo
    group, with median PFS of 5.2 months versus 4.3 months, respectively": the unlabelled chain takes
    the labels of the labelled chain of the same length. "an ORR of 22%, a median PFS of 5.4 months,
    and a median OS of 10.6 months for the carboplatin and etoposide combination": a single label
    closing a list of single values applies to all of them.
    """
    chains: dict[int, list[Result]] = {}
    for r in results:
        if r.chained:
            chains.setdefault(r.start, []).append(r)
    labelled_chains = [c for c in chains.values() if all(x.label for x in c)]
    out: list[Result] = []
    for r in results:
        if r.chained and not r.label:
            same = [c for c in labelled_chains if len(c) == len(chains[r.start])]
            if len(same) == 1:
                r = Result(**{**r.__dict__, "label": same[0][r.position].label})
        out.append(r)
    singles = [r for r in out if not r.chained]
    labels = {r.label for r in singles if r.label}
    if len(singles) > 1 and len(labels) == 1 and singles[-1].label and len(out) == len(singles):
        label = singles[-1].label
        out = [r if r.label else Result(**{**r.__dict__, "label": label}) for r in out]
    return out
