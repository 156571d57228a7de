"""Numbers, intervals, counts with percentages, p-values and effect estimates, with offsets.

Every result carries ``start``/``end`` relative to the string it was parsed from (add the
offset of that string in the document to place it). Printed forms handled:

- decimals with "." or "·" (middle dot) and a leading "." ("P = .002"); "−"/"–" as minus signs
  before a number; thousands written "1,234" are NOT merged (commas separate values in tables),
  but a decimal comma right before a percent sign is read ("2,7%" is 2.7%);
- ranges and intervals with "-", "–", "—", "to" or ", " between the bounds: "28–84", "5.1 to 9",
  "1.00, 1.02"; "not reached", "NR", "NE", "not estimable" as a bound (``upper_nr``);
- CI levels: "95% CI", "95%CI:", "(95% CI 3–9 m)", "CI 95%";
- comparators: "<", ">", "≤", "≥", "＜", "＞", "<=", ">=", "> =", "≧", "≦", "$\\geq$";
- "n (%)": "14 (37.8)", "14 (37.8%)", "49 (43%)"; "median (range)": "63 (28-79)";
- p-values: "P = .002", "p<0.001", "p-value 0.015", "$p=0.797$";
- effect estimates: "HR 2.58, 95% CI 1.39-4.72, P = .002", "HR = 0.79 (0.65–0.98)".

Citation marks are not numbers: superscript digits ("¹²³") are never read, and markup citations
("^{1,2}", "<sup>1</sup>", "[12]") are masked before scanning (:func:`mask_citations`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"[−–-]?(?:\d+(?:[.·]\d+)?|[.·]\d+)"
_NR = r"(?:not\s+reached|not\s+estimable|not\s+evaluable|NR|NE|N/?A|n\.?r\.?)"
_DASH = r"\s*(?:[-–—‑]|to)\s*"
_CMP = r"(?:<\s*=|>\s*=|≤|≥|≦|≧|<|>|＜|＞|=|\\[lg]eq?\b|\\[lg]t\b)"

_COMPARATORS = {
    "<": "<", ">": ">", "＜": "<", "＞": ">", "≤": "<=", "≦": "<=", "≥": ">=", "≧": ">=",
    "=": "=", "\\leq": "<=", "\\le": "<=", "\\geq": ">=", "\\ge": ">=", "\\lt": "<", "\\gt": ">",
}


def normalise_comparator(text: str) -> str:
    """"≥", ">=", "> =", "\\geq" -> ">=" and so on; "" for none."""
    compact = re.sub(r"\s+", "", text)
    if compact in ("<=", ">="):
        return compact
    return _COMPARATORS.get(compact, compact)


def to_float(text: str) -> float:
    """Parse one printed number: "5.7", "5·7", ".002", "−1.2"."""
    cleaned = text.strip().replace("·", ".").replace("−", "-").replace("–", "-").replace(",", "")
    if cleaned.startswith("-."):
        cleaned = "-0" + cleaned[1:]
    elif cleaned.startswith("."):
        cleaned = "0" + cleaned
    return float(cleaned)


def mask_citations(text: str) -> str:
    """Blank out citation markup ("^{1,2}", "<sup>12</sup>", "[3, 4]") keeping every offset."""

    def blank(m: re.Match[str]) -> str:
        return " " * len(m.group(0))

    text = re.sub(r"\^\{[^}\n]{0,40}\}|<sup>[^<\n]{0,40}</sup>", blank, text)
    return re.sub(r"\[(?:\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]", blank, text)


@dataclass(frozen=True, slots=True)
class Number:
    value: float
    start: int
    end: int
    text: str
    comparator: str = ""  # "", "<", ">", "<=", ">=", "="
    percent: bool = False


@dataclass(frozen=True, slots=True)
class Interval:
    """A confidence interval (``level`` 0.95) or a range (``level`` None)."""

    lower: float | None
    upper: float | None
    lower_nr: bool
    upper_nr: bool
    level: float | None
    start: int
    end: int
    text: str
    kind: str = "ci"  # "ci" or "range"


@dataclass(frozen=True, slots=True)
class CountPercent:
    count: int
    percent: float | None
    start: int
    end: int
    text: str
    denominator: int | None = None


@dataclass(frozen=True, slots=True)
class PValue:
    value: float
    text: str
    comparator: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ValueWithInterval:
    """"63 (28-79)", "5.7 months (95% CI: 5.1–9)", "3.4 m (2.8–3.9 m)"."""

    value: float
    interval: Interval
    start: int
    end: int
    text: str
    unit: str = ""


@dataclass(frozen=True, slots=True)
class Estimate:
    """An effect estimate: "HR 2.58, 95% CI 1.39-4.72, P = .002"."""

    measure: str  # "HR", "OR", "RR" ... as printed
    value: float
    interval: Interval | None
    p: PValue | None
    start: int
    end: int
    text: str


_NUMBER_RX = re.compile(rf"(?<![\w.·])(?<![^\W\d_][-‐–])(?P<cmp>{_CMP}\s*)?(?P<num>{_NUM})(?P<pct>\s*\\?%)?"
    r"(?:(?=[x×](?:\W|$))|(?![\w·]|\.\d))")


def find_numbers(text: str) -> list[Number]:
    """Every number of ``text`` (citation markup masked, superscripts never read)."""
    masked = mask_citations(text)
    out = []
    for m in _NUMBER_RX.finditer(masked):
        num = m.group("num")
        cmp_text = m.group("cmp") or ""
        try:
            value = to_float(num)
        except ValueError:
            continue
        start = m.start("cmp") if cmp_text else m.start("num")
        out.append(Number(value, start, m.end(), text[start : m.end()],
                          normalise_comparator(cmp_text), bool(m.group("pct"))))
    # a decimal comma before a percent sign ("2,7% overall") is one number, not two
    for m in _DECIMAL_COMMA_PCT.finditer(masked):
        out = [n for n in out if n.end <= m.start() or n.start >= m.end()]
        out.append(Number(to_float(m.group(1) + "." + m.group(2)), m.start(), m.end(), text[m.start() : m.end()],
                          "", True))
    return sorted(out, key=lambda n: n.start)


_DECIMAL_COMMA_PCT = re.compile(r"(?<![\d.,·])(\d{1,2}),(\d{1,2})\s*%")


_LEVEL = r"(?:(?P<level>\d{2}(?:[.·]\d+)?)\s*%\s*[-]?\s*C\.?I\.?|C\.?I\.?\s*(?P<level2>\d{2})\s*%|C\.?I\.?)"
_BOUND = rf"(?:{_NUM}|{_NR})"
_UNIT = r"(?:\s*(?:months?|mo|m|weeks?|wk|days?|d|years?|y|%))?"
_INTERVAL_RX = re.compile(
    rf"(?:{_LEVEL}\s*[:,=]?\s*)?(?P<lo>{_BOUND}){_UNIT}\+?(?P<sep>{_DASH}|\s*,\s+)(?P<hi>{_BOUND}){_UNIT}(?P<plus>\+)?",
    re.IGNORECASE,
)


def _bound(text: str) -> tuple[float | None, bool]:
    if re.fullmatch(_NR, text.strip(), re.IGNORECASE):
        return None, True
    return to_float(text), False


def _interval_from(m: re.Match[str], text: str, offset: int = 0, *, require_level: bool = False) -> Interval | None:
    level_text = m.group("level") or m.group("level2")
    has_ci = bool(level_text) or bool(re.match(r"\s*C\.?I", m.group(0), re.IGNORECASE))
    if require_level and not has_ci:
        return None
    if m.group("sep").strip() == "," and not has_ci:
        return None  # "1, 2" is a list unless it is labelled as a CI
    lo_text, hi_text = m.group("lo"), m.group("hi")
    # "1–3" where "-3" was read as a negative number
    if re.fullmatch(_NR, lo_text, re.IGNORECASE) and re.fullmatch(_NR, hi_text, re.IGNORECASE):
        return None
    lower, lower_nr = _bound(lo_text)
    upper, upper_nr = _bound(hi_text.lstrip("−–-") if m.group("sep").strip() == "" else hi_text)
    level = to_float(level_text) / 100 if level_text else (0.95 if has_ci else None)
    return Interval(lower, upper, lower_nr, upper_nr, level, m.start() + offset, m.end() + offset,
                    text[m.start() : m.end()], "ci" if has_ci else "range")


def find_intervals(text: str) -> list[Interval]:
    """Ranges and confidence intervals of ``text``: "95%CI: 5.1–9", "(28–84)", "8.3–Not reached"."""
    masked = mask_citations(text)
    out = []
    for m in _INTERVAL_RX.finditer(masked):
        interval = _interval_from(m, text)
        if interval is not None:
            out.append(interval)
    return out


def parse_interval(text: str) -> Interval | None:
    """The interval that makes up ``text`` (a table cell such as "1.00, 1.02" or "2.8–3.9 m")."""
    stripped = text.strip().strip("()[]")
    m = _INTERVAL_RX.fullmatch(stripped)
    if not m:
        m = _INTERVAL_RX.search(text)
        return _interval_from(m, text) if m else None
    lead = text.find(stripped)
    interval = _interval_from(m, stripped, lead)
    if interval and m.group("sep").strip() == ",":
        return interval
    if interval is None and m.group("sep").strip() == ",":
        # a bare "1.00, 1.02" cell is a CI when a table column says so; report as range
        lower, lower_nr = _bound(m.group("lo"))
        upper, upper_nr = _bound(m.group("hi"))
        return Interval(lower, upper, lower_nr, upper_nr, None, lead, lead + len(stripped), stripped, "range")
    return interval


_P_RX = re.compile(
    rf"\$?\b[Pp](?:\s*-?\s*values?)?\s*\$?\s*(?P<cmp>{_CMP})?\s*\$?\s*(?P<num>(?:0?[.·]\d+|1(?:\.0+)?|0))(?!\d)\$?"
)


def find_p_values(text: str) -> list[PValue]:
    """"P = .002", "p<0.001", "p-value 0.015", "$p=0.797$"."""
    out = []
    for m in _P_RX.finditer(text):
        cmp_text = m.group("cmp") or "="
        out.append(PValue(to_float(m.group("num")), text[m.start() : m.end()], normalise_comparator(cmp_text),
                          m.start(), m.end()))
    return out


def parse_p_value(text: str) -> PValue | None:
    """A p-value cell or phrase: ".002", "<0.001", "P = .04", "0.015"."""
    found = find_p_values(text)
    if found:
        return found[0]
    stripped = text.strip()
    m = re.fullmatch(rf"(?P<cmp>{_CMP})?\s*(?P<num>0?[.·]\d+|1(?:\.0+)?|0)", stripped)
    if not m:
        return None
    lead = text.find(stripped)
    return PValue(to_float(m.group("num")), stripped, normalise_comparator(m.group("cmp") or "="),
                  lead, lead + len(stripped))


_COUNT_PCT_RX = re.compile(
    r"(?<![\w.·])(?P<count>\d+)(?:\s*/\s*(?P<den>\d+))?\s*\(\s*(?P<pct>\d+(?:[.,·]\d+)?)\s*%?\s*\)"
)


def find_count_percents(text: str) -> list[CountPercent]:
    """"14 (37.8)", "14 (37.8%)", "49 (43%)", "12/37 (32.4%)"; a comma decimal "2,7" is read."""
    out = []
    for m in _COUNT_PCT_RX.finditer(mask_citations(text)):
        pct = to_float(m.group("pct").replace(",", "."))
        den = int(m.group("den")) if m.group("den") else None
        out.append(CountPercent(int(m.group("count")), pct, m.start(), m.end(), text[m.start() : m.end()], den))
    return out


def parse_count_percent(text: str) -> CountPercent | None:
    """A cell that is a count with a percentage, or a bare count ("3")."""
    stripped = text.strip()
    lead = text.find(stripped) if stripped else 0
    m = _COUNT_PCT_RX.fullmatch(stripped)
    if m:
        den = int(m.group("den")) if m.group("den") else None
        return CountPercent(int(m.group("count")), to_float(m.group("pct").replace(",", ".")), lead,
                            lead + len(stripped), stripped, den)
    m2 = re.fullmatch(r"(\d+)\s*(?:\((?:\d+)?\))?", stripped)
    if m2:
        return CountPercent(int(m2.group(1)), None, lead, lead + len(stripped), stripped)
    return None


_VALUE_INTERVAL_RX = re.compile(
    rf"(?<![\w.·])(?P<value>{_NUM})(?P<unit>\s*(?:months?|mo|m|weeks?|days?|years?|%))?\s*"
    rf"[\(\[]\s*(?:range\s*[:,]?\s*)?(?P<inner>[^()\[\]]{{1,60}})[\)\]]",
    re.IGNORECASE,
)


def find_values_with_interval(text: str) -> list[ValueWithInterval]:
    """"63 (28-79)", "5.7 months (95%CI: 5.1–9)", "13.9 months (95%CI: 8.3–Not reached)"."""
    out = []
    masked = mask_citations(text)
    for m in _VALUE_INTERVAL_RX.finditer(masked):
        inner_start = m.start("inner")
        im = _INTERVAL_RX.search(masked, inner_start, m.end("inner"))
        if not im:
            continue
        interval = _interval_from(im, text)
        if interval is None:
            continue
        if "range" in m.group(0).lower():
            interval = Interval(interval.lower, interval.upper, interval.lower_nr, interval.upper_nr, None,
                                interval.start, interval.end, interval.text, "range")
        out.append(ValueWithInterval(to_float(m.group("value")), interval, m.start(), m.end(),
                                     text[m.start() : m.end()], (m.group("unit") or "").strip()))
    return out


def parse_value_with_interval(text: str) -> ValueWithInterval | None:
    """A cell such as "61 (28–84)" or "3.4 m (2.8–3.9 m)"."""
    found = find_values_with_interval(text)
    return found[0] if found else None


_ESTIMATE_RX = re.compile(
    r"\b(?P<measure>aHR|HR|OR|RR|IRR|SHR|sHR|hazard ratio|odds ratio|risk ratio)\b\s*[:=,]?\s*(?:of\s+)?"
    rf"(?P<value>{_NUM})(?![\d.·])(?P<rest>[^\n]{{0,80}})",
)


_BRACKET_PAIR = re.compile(rf"\s*[\(\[]\s*(?P<lo>{_BOUND})\s*[,;]\s*(?P<hi>{_BOUND})\s*[\)\]]", re.IGNORECASE)


def find_estimates(text: str) -> list[Estimate]:
    """Effect estimates: "HR 2.58, 95% CI 1.39-4.72, P = .002", "HR = 0.79 (95% CI 0.65–0.98)"."""
    out = []
    masked = mask_citations(text)
    pos = 0
    while (m := _ESTIMATE_RX.search(masked, pos)) is not None:
        pos = m.end("value")  # the next estimate may sit inside this one's look-ahead
        rest_start = m.start("rest")
        rest = masked[rest_start : m.end("rest")]
        # stop at the next estimate
        nxt = _ESTIMATE_RX.search(rest)
        if nxt:
            rest = rest[: nxt.start()]
        end = m.end("value")
        interval = None
        bracket = _BRACKET_PAIR.match(masked, rest_start)
        im = _INTERVAL_RX.search(masked, rest_start, rest_start + len(rest))
        if bracket:  # "HR 0.83 [0.66, 1.04]": a bracketed pair right after the estimate is its CI
            lower, lower_nr = _bound(bracket.group("lo"))
            upper, upper_nr = _bound(bracket.group("hi"))
            interval = Interval(lower, upper, lower_nr, upper_nr, None, bracket.start("lo"), bracket.end("hi"),
                                text[bracket.start("lo") : bracket.end("hi")], "ci")
            end = bracket.end()
        elif im and im.start() - rest_start <= 12:
            interval = _interval_from(im, text)
            if interval is not None:
                end = interval.end
        p = None
        pm = _P_RX.search(masked, end, rest_start + len(rest))
        if pm and pm.start() - end <= 8:
            p = PValue(to_float(pm.group("num")), text[pm.start() : pm.end()],
                       normalise_comparator(pm.group("cmp") or "="), pm.start(), pm.end())
            end = pm.end()
        closing = re.match(r"\s*[)\]]", masked[end:])
        span = masked[m.start() : end]
        if closing and span.count("(") + span.count("[") > span.count(")") + span.count("]"):
            end += closing.end()
        if interval is not None and interval.kind == "range":
            # an interval right after an estimate is its confidence interval (level not printed)
            interval = Interval(interval.lower, interval.upper, interval.lower_nr, interval.upper_nr, None,
                                interval.start, interval.end, interval.text, "ci")
        out.append(Estimate(m.group("measure"), to_float(m.group("value")), interval, p, m.start(), end,
                            text[m.start() : end]))
        pos = max(pos, end)
    return out
