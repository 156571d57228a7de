"""The number grammar of results in running text: values with units, confidence intervals, ranges,
p-values, time points, counts with percentages and hazard ratios, as items with offsets.

>>> items = scan("median OS 13.9 months (95% CI: 8.3–NR)")
>>> v = [i for i in items if i.kind == "value"][0]
>>> (v.value, v.unit, v.ci_level, v.ci_lower, v.ci_upper_nr)
(13.9, 'month', 0.95, 8.3, True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .common import NR, NUM, WORD_NUMBER, is_nr, to_number

_UNIT = r"(?:%|months?|mos?\.?|m(?![\w/²])|weeks?|wks?|years?|yrs?|days?)"
_UNITS = {"%": "percent", "month": "month", "months": "month", "mo": "month", "mos": "month", "mo.": "month",
          "mos.": "month", "m": "month", "week": "week", "weeks": "week", "wk": "week", "wks": "week",
          "year": "year", "years": "year", "yr": "year", "yrs": "year", "day": "day", "days": "day"}
_BOUND = r"(" + NUM + r"\+?|" + NR + r")"
_SEP = r"\s*(?:–|-|to|,|;)\s*"
CI_RE = re.compile(r"(?:(\d{2}(?:\.\d)?)\s*%\s*(?:CI|confidence\s+interval(?:\s*[\[(]\s*CI\s*[\])])?|CrI)|\bCI)"
                   r"\s*[:,=]?\s*(?:of\s+)?[\[(]?\s*"
                   + _BOUND + _SEP + _BOUND + r"\s*(?:" + _UNIT + r")?\s*[\])]?", re.I)
RANGE_RE = re.compile(r"\brange\s*[:,=]?\s*(?:from\s+)?" + _BOUND + _SEP.replace(",|;", "") + _BOUND
                      + r"\s*(?:" + _UNIT + r")?", re.I)
BARE_RE = re.compile(r"\(\s*" + _BOUND + r"\s*(?:–|-|to)\s*" + _BOUND + r"\s*(?:" + _UNIT + r")?\s*[)\]]")
P_RE = re.compile(r"(?<![\w])[pP](?:\s*-?\s*value)?\s*(=|<|>|≤|≥|of)\s*(0?\.\d+|1(?:\.0+)?|0|\d(?:\.\d+)?\s*[x×]\s*10\s*[-–]\s*\d+)")
VALUE_RE = re.compile(r"(" + NUM + r")\s*(" + _UNIT + r")(?![\w-])")
VALUE_PAIR_RE = re.compile(r"(" + NUM + r")\s*(?:vs\.?|versus|and|or)\s*(" + NUM + r")\s*(" + _UNIT + r")(?![\w-])")
HR_RE = re.compile(r"\b(?:([Aa]djusted|[Uu]nadjusted|[Cc]rude)\s+)?(HR|[Hh]azard\s+[Rr]atio|OR|[Oo]dds\s+[Rr]atio)s?"
                   r"\s*(?:\(\s*HR\s*\))?(?:\s+for\s+((?:disease\s+)?progression(?:\s+or\s+death)?|death))?"
                   r"\s*(?:of|was|=|:|,)?\s*(?:was\s+)?(" + NUM + r")")
COUNT_PCT_RE = re.compile(r"(?<![\w.])(\d+|" + WORD_NUMBER + r")\s+(?:\w+\s+){0,2}?\(\s*(" + NUM + r")\s*%\s*\)",
                          re.I)
TIMEPOINT_RE = re.compile(r"(?<![\w.])(\d+|" + WORD_NUMBER + r")(?:\s*-\s*and\s+(\d+|" + WORD_NUMBER + r"))?"
                          r"\s*[- ]\s*(month|year|week|m)(?:s)?(?=[\s-]+(?:\w+\s+){0,2}?(?:OS|PFS|survival|rate|"
                          r"overall|progression|event|landmark))", re.I)
TIMEPOINT_AT_RE = re.compile(r"\b(?:rates?\s+)?at\s+((?:\d+\s*,\s*)*\d+(?:\s*(?:,\s*)?and\s+\d+)?)\s*(months?|years?|weeks?)",
                             re.I)


@dataclass
class Item:
    """A number of a sentence with what surrounds it. Offsets are into the clean sentence text."""

    kind: str  # value, hr, p
    start: int
    end: int
    value: float | None = None
    unit: str | None = None  # percent, month, week, year, day
    value_nr: bool = False
    ci_level: float | None = None
    ci_lower: float | None = None
    ci_upper: float | None = None
    ci_lower_nr: bool = False
    ci_upper_nr: bool = False
    ci_implied: bool = False  # a bare interval taken as a CI
    range_lower: float | None = None
    range_upper: float | None = None
    count: int | None = None
    p_value: float | None = None
    p_text: str | None = None
    measure: str | None = None  # for hr items: HazardRatio, OddsRatio
    adjusted: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _bound(text: str) -> tuple[float | None, bool]:
    if is_nr(text):
        return None, True
    return to_number(text.rstrip("+")), False


def _p(text: str) -> tuple[float | None, str]:
    m = P_RE.search(text)
    if not m:
        return None, ""
    op = m.group(1)
    raw = m.group(2).replace(" ", "")
    if re.search(r"[x×]", raw):
        base, exp = re.split(r"[x×]10[-–]", raw)
        val = float(base) * 10 ** -int(exp)
    else:
        val = float(raw if not raw.startswith(".") else "0" + raw)
    text_op = "" if op in {"=", "of"} else op
    return val, f"{text_op}{raw}"


def _attach_interval(item: Item, text: str, pos: int, limit: int) -> int:
    """Read a CI, a range or a bare interval right after ``pos``; return where reading stopped."""
    window = text[pos:limit]
    # the interval must open within a few characters: "13.9 months (95% CI: 8.3–NR)", "HR 1.13, 95% CI, ..."
    m = re.match(r"\s*[(\[,;]?\s*(?:with\s+a\s+)?", window)
    lead = m.end() if m else 0
    ci = CI_RE.match(window, lead)
    if ci is None:
        ci2 = CI_RE.search(window[:lead + 30])
        if ci2 is not None and not re.search(r"\d", window[lead:ci2.start()]):
            ci = ci2
    if ci is not None:
        item.ci_level = float(ci.group(1)) / 100 if ci.group(1) else 0.95
        item.ci_lower, item.ci_lower_nr = _bound(ci.group(2))
        item.ci_upper, item.ci_upper_nr = _bound(ci.group(3))
        end = pos + ci.end()
    else:
        rng = RANGE_RE.match(window, lead) or (RANGE_RE.search(window[:lead + 12]))
        if rng is not None:
            item.range_lower, _ = _bound(rng.group(1))
            item.range_upper, _ = _bound(rng.group(2))
            end = pos + rng.end()
        else:
            bare = BARE_RE.match(window, max(0, lead - 1)) or BARE_RE.match(window)
            frac = re.match(r"\s*\(\s*(\d+)\s*/\s*(\d+)\s*\)", window) if item.unit == "percent" else None
            if frac:
                # "45.5% (10/22)": the count and the denominator
                item.count, item.extra["denominator"] = int(frac.group(1)), frac.group(2)
                return pos + frac.end()
            if bare is None or "%" in bare.group(0) and item.unit != "percent":
                return pos
            lo, lo_nr = _bound(bare.group(1))
            hi, hi_nr = _bound(bare.group(2))
            item.ci_lower, item.ci_lower_nr, item.ci_upper, item.ci_upper_nr = lo, lo_nr, hi, hi_nr
            item.ci_implied = True
            end = pos + bare.end()
    # a p-value inside the same parentheses: "(HR 1.13, 95% CI, 0.56–2.28, P = .72)"
    tail = text[end:limit]
    pm = re.match(r"\s*[,;]?\s*(?:and\s+)?" + P_RE.pattern, tail)
    if pm:
        item.p_value, item.p_text = _p(pm.group(0))
        end += pm.end()
    close = re.match(r"\s*[)\]]", text[end:limit])
    if close:
        end += close.end()
    return end


def scan(text: str) -> list[Item]:
    """Values, hazard ratios and p-values of the clean sentence ``text``, in order."""
    items: list[Item] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in HR_RE.finditer(text):
        item = Item("hr", m.start(), m.end(), value=to_number(m.group(4)),
                    measure="OddsRatio" if m.group(2).lower().startswith("o") else "HazardRatio",
                    adjusted=(m.group(1) or "").lower() or None)
        if m.group(3):
            item.extra["event"] = m.group(3).lower()  # "HR for death": the endpoint is in the words
        end = _attach_interval(item, text, m.end(), min(len(text), m.end() + 80))
        item.end = end
        items.append(item)
        taken.append((m.start(), end))
    # "23.3 vs. 13.9 months", "5.9 and 3.9 months": the first number shares the unit
    for m in VALUE_PAIR_RE.finditer(text):
        unit = _UNITS.get(m.group(3).lower().rstrip("."), _UNITS.get(m.group(3).lower()))
        if unit is None or not free(m.start(1), m.end(1)):
            continue
        item = Item("value", m.start(1), m.end(1), value=to_number(m.group(1)), unit=unit)
        items.append(item)
        taken.append((m.start(1), m.end(1)))
    for m in VALUE_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        unit = _UNITS.get(m.group(2).lower().rstrip("."), _UNITS.get(m.group(2).lower()))
        if unit is None:
            continue
        if m.group(2) == "m" and not re.search(r"\b(?:OS|PFS|survival|m)\b", text):
            continue
        item = Item("value", m.start(), m.end(), value=to_number(m.group(1)), unit=unit)
        end = _attach_interval(item, text, m.end(), min(len(text), m.end() + 70))
        item.end = end
        taken.append((m.start(), end))
        items.append(item)
    for m in re.finditer(r"(?<![\w])(?:not\s+reached|NR)(?![\w])", text):
        if free(m.start(), m.end()) and re.search(r"(?:was|of|:)\s*$", text[:m.start()]):
            item = Item("value", m.start(), m.end(), value=None, value_nr=True, unit="month")
            item.end = _attach_interval(item, text, m.end(), min(len(text), m.end() + 70))
            taken.append((m.start(), item.end))
            items.append(item)
    for m in P_RE.finditer(text):
        if free(m.start(), m.end()):
            val, ptext = _p(m.group(0))
            items.append(Item("p", m.start(), m.end(), p_value=val, p_text=ptext))
            taken.append((m.start(), m.end()))
    items.sort(key=lambda i: i.start)
    return items


def timepoints(text: str) -> list[tuple[int, int, float, str]]:
    """Landmark time points ("12-month", "2-year", "at 6, 12 and 24 months"): (start, end, value, unit)."""
    out = []
    for m in TIMEPOINT_RE.finditer(text):
        unit = {"m": "month"}.get(m.group(3).lower(), m.group(3).lower())
        out.append((m.start(), m.end(), to_number(m.group(1)), unit))
        if m.group(2):
            out.append((m.start(), m.end(), to_number(m.group(2)), unit))
    for m in TIMEPOINT_AT_RE.finditer(text):
        unit = m.group(2).lower().rstrip("s")
        for n in re.findall(r"\d+", m.group(1)):
            out.append((m.start(), m.end(), float(n), unit))
    # "The 1-year and 2-year OS rates"
    for m in re.finditer(r"\b(\d+|" + WORD_NUMBER + r")-(year|month)\s+and\s+(\d+|" + WORD_NUMBER + r")-(year|month)",
                         text, re.I):
        out = [o for o in out if not (m.start() <= o[0] < m.end())]
        out.append((m.start(), m.end(), to_number(m.group(1)), m.group(2).lower()))
        out.append((m.start(), m.end(), to_number(m.group(3)), m.group(4).lower()))
    # "Three- and five-year survival"
    for m in re.finditer(r"\b(" + WORD_NUMBER + r"|\d+)-\s+and\s+(" + WORD_NUMBER + r"|\d+)-(year|month)", text, re.I):
        unit = m.group(3).lower()
        out = [o for o in out if not (m.start() <= o[0] < m.end())]
        out.append((m.start(), m.end(), to_number(m.group(1)), unit))
        out.append((m.start(), m.end(), to_number(m.group(2)), unit))
    out.sort()
    return out
