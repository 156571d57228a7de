"""Population characteristics and biomarker prevalences stated in running text, per arm or subgroup.

"the pancreas (N = 15, 40.5%)", "Twenty-five patients (67.6%) were poorly differentiated",
"12% of NEC and 84% of NET G3 had Ki-67 < 55%", "TP53 (90%), RB1 (40%)", "Median Ki-67 was 90% for
NEC and 30% for NET G3", "present in 1 of 14 evaluable patients".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import ontology
from loaders.document import Document
from loaders.facts import Characteristic, Fact

from .common import (
    NUM,
    WORD_NUMBER,
    Hit,
    Sent,
    SentenceReader,
    evidences,
    numbers_in_quote,
    sentences,
    to_number,
)
from .outcome import endpoints_in
from .population import OVERALL
from .scope import own_sentences

NAME = "characteristic"
VERSION = "0.2.0"

_FAMILIES = frozenset({"Biomarker", "Gene", "AnatomicalSite", "NeoplasmType", "Differentiation",
                       "ClinicalCharacteristic", "PerformanceStatus", "Grade"})
_GENERIC = re.compile(r"\b(?:male|female|men|women|stage\s+[IV]+|metasta\w+|locali[sz]ed|actionable|alterations?|"
                      r"mutations?|surgery|resect\w+|smok\w+|uptake|elderly|aged?)\b", re.I)
_PCT = re.compile(r"(" + NUM + r")\s*%")
_COUNT_PCT = re.compile(r"(?<![\w.])(\d+|" + WORD_NUMBER + r")(?:/(\d+))?\s+(?:[A-Za-z][\w-]*\s+){0,3}?\(\s*(" + NUM
                        + r")\s*%", re.I)
_N_EQ = re.compile(r"\(\s*[Nn]\s*=\s*(\d+)\s*[,;]\s*(" + NUM + r")\s*%")
_OF = re.compile(r"(\d+|" + WORD_NUMBER + r")\s+(?:out\s+)?of\s+(?:the\s+)?(\d+)\s+(?:\w+\s+){0,2}?(?:patients|cases|samples)", re.I)
_MEDIAN = re.compile(r"\b(median|mean)\s+(age|[A-Z][\w-]*(?:\s+index)?)\s+(?:was|of|were|at\s+diagnosis\s+was)\s+", re.I)
_THRESHOLD_BEFORE = re.compile(r"(?:>|<|≥|≤|than|over|above|below|under|of|index|rate|dropout|CI|power)\s*$", re.I)
_STRIP = re.compile(r"^(?:the|a|an|had|have|has|were|was|with|in|only|of|and|or|patients?|cases?|followed|by|were\s+"
                    r"(?:\w+\s+)?|majority\s+were)\s+", re.I)


def _term(name: str) -> str:
    return ontology.term(name)


def _phrase_before(text: str, pos: int) -> tuple[int, str]:
    """The noun phrase that ends where a parenthesis opens: "had a Ki-67 index greater than 55%"."""
    depth = 0
    k = pos - 1
    while k >= 0:
        ch = text[k]
        if ch == ")":
            depth += 1
        elif ch == "(":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and (ch in ",;:" or text.startswith(" and ", k) or text.startswith(" or ", k)):
            break
        k -= 1
    start = k + 1
    phrase = text[start:pos].strip()
    if phrase.startswith("and "):
        phrase = phrase[4:]
    while True:
        new = _STRIP.sub("", phrase)
        if new == phrase:
            break
        phrase = new
    return start, phrase.strip(" .")


class _Reader(SentenceReader):
    def __init__(self, document: Document, context: Any, sent: Sent) -> None:
        super().__init__(document, context, sent)
        self.pop_ments = self.pops.mentions(self.text)
        self.endpoints = endpoints_in(self.text, self.hits)
        self.last: str | None = None
        self.extra: list[Characteristic] = []

    def _terms(self, a: int, b: int) -> list[Hit]:
        return [h for h in self.hits if a <= h.start and h.end <= b and h.families & _FAMILIES]

    def _base(self) -> str | None:
        title = (self.sent.section_title or "").strip("# ").strip()
        if title and len(title) <= 20:
            return self.pops.resolve(title)
        return None

    def _pop_near(self, pos: int, end: int) -> str | None:
        """A population named right after a value ("of NEC", "for NET G3") or just before it."""
        after = re.match(r"\s*\)?\s*(?:of|for|in|among)\s+(?:the\s+|all\s+)?", self.text[end:])
        if after:
            at = end + after.end()
            for p in self.pop_ments:
                if at - 2 <= p.start <= at + 2:
                    return p.label
        for p in self.pop_ments:
            if 0 <= pos - p.end <= 12 and re.fullmatch(r"\s*(?:patients|cases)?\s*\(?\s*", self.text[p.end:pos]):
                return p.label
        return None

    def facts(self) -> Iterator[Characteristic]:
        text = self.text
        seen: set[int] = set()
        base = self._base()
        # "1 of 14 evaluable patients"
        for m in _OF.finditer(text):
            _, phrase = _phrase_before(text, m.start())
            phrase = re.split(r"\s+(?:was|were|is|are)\s+", phrase)[0]
            terms = self._terms(max(0, m.start() - 80), m.start())
            if terms:
                yield from self._make(terms[0], phrase, int(to_number(m.group(1))), int(m.group(2)), None,
                                      base or OVERALL, 0.75)
        # "Median Ki-67 was 90% for NEC and 30% for NET G3", "median age of 61 years (range 28–84)"
        for mm in _MEDIAN.finditer(text):
            what = mm.group(2)
            hit = next((h for h in self._terms(mm.start(2), mm.end(2))), None)
            if hit is None and not re.fullmatch(r"age", what, re.I):
                continue
            if hit is None:
                hit = next((h for h in self.context.lexicon.find("age") if "ClinicalCharacteristic" in h.families), None)
            stat = _term("Median") if mm.group(1).lower() == "median" else _term("Mean")
            tail = text[mm.end():mm.end() + 160]
            for vm in re.finditer(r"(" + NUM + r")\s*(%|years?)?(?:\s*(?:±|\+/-)\s*" + NUM + r"(?:\s*years?)?)?"
                                  r"(?:\s*\((?:range[:,]?\s*)?(" + NUM + r")\s*[–-]\s*(" + NUM + r")\s*(?:years?)?\))?", tail):
                if re.search(r"[,;]\s*(?!and\b)[a-z]+\s+[a-z]+", tail[:vm.start()]) and vm.start() > 0:
                    break
                at = mm.end() + vm.start()
                if at in seen:
                    continue
                seen.add(at)
                pop = self._pop_near(at, mm.end() + vm.end()) or base or OVERALL
                unit = _term("Percent") if vm.group(2) == "%" else (_term("Year") if vm.group(2) else None)
                median = Characteristic(
                    study=self.context.study, population=_with_base(base, pop) if pop != base else pop,
                    characteristic=what, term=hit.iri if hit else None, statistic=stat, value=to_number(vm.group(1)),
                    unit=unit, range_lower=to_number(vm.group(3)) if vm.group(3) else None,
                    range_upper=to_number(vm.group(4)) if vm.group(4) else None,
                    evidence=evidences(self.document, self.sent, NAME, VERSION, 0.75))
                if numbers_in_quote([median.value, median.range_lower, median.range_upper],
                                    " ".join(e.quote for e in median.evidence)):
                    yield median
                if not re.match(r"[^.;]{0,40}?\b(?:and|vs\.?|versus)\s*$", tail[vm.end():vm.end() + 45]) and not \
                        re.match(r"\s*(?:for|in)\s+[^,;.]{1,40}?\s+(?:and|vs\.?|versus)\s", tail[vm.end():]):
                    break
        for m in _PCT.finditer(text):
            if m.start() in seen:
                continue
            pct = to_number(m.group(1))
            before = text[max(0, m.start() - 12):m.start()]
            if _THRESHOLD_BEFORE.search(before) or re.search(r"[–-]\s*$", before):
                continue
            if re.match(r"\s*(?:CI|confidence)", text[m.end():]):
                continue
            if any(e.start < m.start() and e.name not in {"Safety"} for e in self.endpoints):
                continue  # a result, read by the outcome extractor
            if any(p.start <= m.start() < p.end for p in self.pop_ments):
                continue
            fact = self._read_one(m, pct, base)
            if fact is not None:
                seen.add(m.start())
                yield fact
            yield from self.extra
            self.extra = []

    def _read_one(self, m: re.Match[str], pct: float, base: str | None) -> Characteristic | None:
        text = self.text
        open_paren = text.rfind("(", 0, m.start())
        inside = open_paren >= 0 and text.find(")", open_paren) >= m.end() - 1 and (
            m.start() - open_paren <= 20 or re.fullmatch(r"\(\s*(?:[\d.]+\s*%\s*[\w/-]+(?:\s+[\w/-]+)?\s*,\s*)+",
                                                         text[open_paren:m.start()]))
        count: int | None = None
        # "Twenty-five patients (67.6%) were poorly differentiated ...": subject after the verb
        cm = None
        for c in _COUNT_PCT.finditer(text):
            if c.start(3) == m.start(1):
                cm = c
        nm = _N_EQ.search(text, max(0, open_paren))
        if nm and nm.start(2) == m.start(1):
            count = int(nm.group(1))
        pop = self._pop_near(m.start(), m.end()) or base or OVERALL
        if base and pop != base and base not in pop and pop != OVERALL:
            pop = f"{base}, {pop}"
        both = re.match(r"\s+(male|female|men|women)\b", text[m.end():], re.I)
        if both and re.match(r"\s+\w+\s+in\s+both\s+(?:groups|arms)", text[m.end():]):
            # "64.3% male in both groups": the same share in each arm
            arms = [a.label for a in self.pops.arms if a.agents]
            terms = self._terms(m.end(), m.end() + both.end())
            for label in arms[:-1]:
                self.extra.extend(self._make(terms[0] if terms else None, both.group(1), None, None, pct, label, 0.75))
            if arms:
                return next(self._make(terms[0] if terms else None, both.group(1), None, None, pct, arms[-1], 0.75),
                            None)
        if cm and not inside_term_paren(text, open_paren, self):
            count = int(to_number(cm.group(1)))
            after = text[m.end():]
            vm = re.match(r"\s*\)?\s*(?:of\s+(?:the\s+)?\w+\s+)?(?:were|was|had|presented\s+with|developed|showed|"
                          r"harbou?red|experienced)\s+([^,;.]{3,80})", after)
            if not vm:
                return None
            a = m.end() + vm.start(1)
            terms = self._terms(a, a + len(vm.group(1)))
            phrase = vm.group(1).strip()
            if not terms and not _GENERIC.search(phrase):
                return None
            if self._endpoint_between(m.end(), a + len(phrase)):
                return None
            return next(self._make(terms[0] if terms else None, phrase, count, None, pct, pop, 0.8), None)
        if inside:
            start, phrase = _phrase_before(text, open_paren)
            # "427 NEC (83% platinum/etoposide)": what follows the percentage is the characteristic
            what = re.match(r"\s*([A-Za-z][^,;)]{2,40})", text[m.end():])
            if what and not re.match(r"(?:overall|of|each|in|vs|versus)\b", what.group(1)):
                holder = [p for p in self.pop_ments if start <= p.start < open_paren]
                label = holder[-1].label if holder else pop
                terms = self._terms(m.end(), m.end() + what.end())
                return next(self._make(terms[0] if terms else None, what.group(1), None, None, pct,
                                       _with_base(base, label), 0.7), None)
            cut_off_list = re.search(r"\bper\s+[\w-]+\s*\([^)]*\)\s*(?:and|or)\s*$", text[:open_paren - len(phrase) - 1])
            if re.match(r"(?:one|two|three|other|the\s+other)\b", phrase, re.I) or re.search(r"\bper\b", phrase) \
                    or cut_off_list:
                return None  # "one per CPS (10%)": a cut-off, not a share of patients
            # "Six patients had unknown primaries (16.2%)"
            who = re.match(r"(\d+|" + WORD_NUMBER + r")\s+(?:patients|cases)\s+(?:had|were|presented\s+with|developed)\s+(.+)",
                           phrase, re.I)
            if who:
                count, phrase = int(to_number(who.group(1))), who.group(2)
            # "followed by esophagus, small bowel and rectum (N = 2; 5.4% each)"
            if re.match(r"\s*each\b", text[m.end():]):
                lst = re.search(r"(?:by|were|was|:|including)\s+([^;:()]+)$", text[:open_paren])
                if lst:
                    a = open_paren - len(lst.group(1))
                    items = [h for h in self._terms(a, open_paren)]
                    for h in items[:-1]:
                        self.extra.extend(self._make(h, h.text, count, None, pct, pop, 0.75))
                    if items:
                        return next(self._make(items[-1], items[-1].text, count, None, pct, pop, 0.75), None)
            terms = self._terms(start, open_paren)
            holder = [p for p in self.pop_ments if start <= p.start < open_paren and p.kind == "neoplasm"]
            if holder and holder[-1].end >= open_paren - 1:
                # "Brain metastases ... were rare for NEC (2%)": NEC is who, the rest is what
                head = re.split(r"\s+(?:was|were|is|are)\s+", phrase)[0]
                if head and head != phrase and not any(p.start == start for p in holder):
                    self.last = head
                elif self.last and re.fullmatch(r"(?:\w+\s+)?" + re.escape(text[holder[-1].start:holder[-1].end]),
                                                phrase):
                    head = self.last
                else:
                    head = ""
                if head:
                    hterms = [h for h in self._terms(start, start + len(head) + 20) if "NeoplasmType" not in h.families]
                    return next(self._make(hterms[0] if hterms else None, head, None, None, pct,
                                           _with_base(base, holder[-1].label), 0.7), None)
            phrase = _trim_to_term(phrase, terms, text, start)
            gene_like = re.fullmatch(r"[A-Z][A-Z0-9-]{2,7}", phrase) and re.search(r"mutat|alter|gene", text, re.I)
            # "elevated chromogranin A (N = 27, 73%) or enolase (N = 21, 56.8%)": an item of the same list
            listed = len(phrase.split()) <= 3 and re.search(r"%\s*\)\s*,?\s*(?:and|or)\s*$", text[:text.find(phrase, start)])
            if not phrase or (not terms and not _GENERIC.search(phrase) and not gene_like and not listed):
                return None
            if self._endpoint_between(start, open_paren):
                return None
            return next(self._make(terms[-1] if terms else None, phrase, count, None, pct, pop, 0.8), None)
        # "12% of NEC and 84% of NET G3 had Ki-67 < 55%", "46% of NET G3", "64.3% male"
        tail = re.match(r"\s*(?:of\s+(?:the\s+)?[\w\s-]{0,25}?\s+)?(?:had|were|was|presented|showed|harbou?red|displayed)\s+"
                        r"([^,;.]{3,80})", text[m.end():])
        lead = re.search(r"([A-Z][^,;.]{2,60}?)\s+(?:was|were)\s+(?:seen|observed|found|present|detected)\s+in\s+"
                         r"(?:only\s+)?(?:[\d.]+\s*%\s+of\s+[\w ]+?\s+and\s+)?$", text[:m.start()]) or re.search(
            r"([A-Z][^,;.]{2,60}?)\s+(?:was|were)\s+(?:seen|observed|found|present|detected)\s+for\s+$", text[:m.start()])
        direct = re.match(r"\s+(male|female|men|women)\b", text[m.end():], re.I)
        if direct:
            phrase, a = direct.group(1), m.end()
        elif tail:
            phrase, a = tail.group(1).strip(), m.end() + tail.start(1)
            # "... 12% of NEC and 84% of NET G3 had Ki-67 < 55%": the predicate comes after the list
        elif lead:
            phrase, a = lead.group(1).strip(), lead.start(1)
        else:
            later = re.search(r"\b(?:had|were|was)\s+([^,;.]{3,60})", text[m.end():])
            if not (later and re.fullmatch(r"\s*(?:of\s+[\w\s]+?)?(?:\s+and\s+\d+(?:\.\d+)?%\s+of\s+[\w\s]+?)*\s*",
                                            text[m.end():m.end() + later.start()])):
                return None
            phrase, a = later.group(1).strip(), m.end() + later.start(1)
        terms = self._terms(a, a + len(phrase))
        if not terms and not _GENERIC.search(phrase):
            return None
        if self._endpoint_between(a, a + len(phrase)):
            return None
        stat = None
        median = re.search(r"\b(median|mean)\s+([^,;.]{2,30}?)\s+(?:was|were|of)\s*$", text[:m.start()], re.I)
        if median:
            stat = median.group(1).lower()
        return next(self._make(terms[0] if terms else None, phrase, None, None, pct, pop, 0.75, stat), None)

    def _endpoint_between(self, a: int, b: int) -> bool:
        return any(a <= e.start < b for e in self.endpoints)

    def _make(self, hit: Hit | None, phrase: str, count: int | None, denominator: int | None, pct: float | None,
              pop: str, conf: float, stat: str | None = None) -> Iterator[Characteristic]:
        phrase = re.sub(r"\s+", " ", phrase).strip(" .")
        category = None
        cat = re.search(r"(?:≥|≤|>|<|greater than|less than|above|below)\s*[\d.,]+\s*(?:%|x?\s*ULN)?", phrase)
        if cat:
            category = cat.group(0)
        else:
            lv = re.search(r"\b(positive|negative|elevated|high|low|normal|mutated|wild-type|present|absent)\b", phrase,
                           re.I)
            category = lv.group(1).lower() if lv else None
        fact = Characteristic(
            study=self.context.study, population=pop, characteristic=phrase, term=hit.iri if hit else None,
            category=category, count=count, denominator=denominator, percent=pct if stat is None else None,
            statistic=_term("Median") if stat == "median" else (_term("Mean") if stat == "mean" else None),
            value=pct if stat else None, unit=_term("Percent") if stat else None,
            evidence=evidences(self.document, self.sent, NAME, VERSION, conf))
        if numbers_in_quote([fact.count, fact.denominator, fact.percent, fact.value],
                            " ".join(e.quote for e in fact.evidence)):
            yield fact


def _with_base(base: str | None, label: str) -> str:
    if base and label != base and base not in label and label != OVERALL:
        return f"{base}, {label}"
    return label


_LEVEL_WORDS = re.compile(r"(?:(?:poorly|well|moderately)\s+differentiated|elevated|high|low|raised|increased|positive|"
                          r"negative|baseline|abnormal|normal)\s+$", re.I)


def _trim_to_term(phrase: str, terms: list[Hit], text: str, start: int) -> str:
    """"most common primary sites were the pancreas" is "pancreas"; adjectives before the term stay."""
    verb = re.split(r"\s+(?:were|was|are|is|included|includes|including)\s+(?:the\s+)?(?:\w+ed\s+in\s+our\s+\w+)?", phrase)
    if len(verb) > 1 and terms:
        with_term = [v for v in verb if any(t.text in v for t in terms)]
        if with_term:
            phrase = with_term[-1].strip()
    if len(phrase.split()) <= 5 or not terms:
        return phrase
    offset = text.find(phrase, start)
    if offset < 0:
        return phrase
    cut = terms[0].start
    while True:
        m = _LEVEL_WORDS.search(text[offset:cut])
        if not m or m.end() + offset != cut:
            break
        cut = offset + m.start()
    trimmed = text[cut:offset + len(phrase)].strip() if cut >= offset else phrase
    if ")" in trimmed and "(" not in trimmed.split(")")[0]:
        return phrase
    return trimmed


def inside_term_paren(text: str, open_paren: int, reader: _Reader) -> bool:
    """"pancreas (N = 15, 40.5%)": a parenthesis right after a characteristic, not after "patients"."""
    if open_paren < 0:
        return False
    before = text[max(0, open_paren - 30):open_paren]
    return not re.search(r"\b(?:patients|cases|participants|\d+)\s*$", before, re.I)


def extract(document: Document, context: Any) -> Iterable[Fact]:
    """Characteristics of the paper's own study population (nothing for a review)."""
    if context.study is None:
        return
    for sent in own_sentences(sentences(document), context.info.scope, document.text):
        if sent.section_kind in {"introduction", "background", "methods", "figure_legend", "conclusion"}:
            continue
        if sent.section_kind == "discussion" and not re.search(r"\b(?:in|of)\s+our\s+(?:cohort|study|patients)\b|"
                                                               r"\bour\s+cohort\b", sent.text, re.I):
            continue  # the discussion restates others' prevalences unless it says "our cohort"
        if "%" not in sent.text and not _OF.search(sent.text) and not _MEDIAN.search(sent.text):
            continue
        if re.search(r"\breasons?\b", sent.text, re.I):
            continue  # reasons for a decision are not characteristics of the population
        if any("AdverseEventTerm" in h.families for h in context.lexicon.find(sent.text)):
            continue  # adverse events are read by the adverse-event extractor
        yield from _Reader(document, context, sent).facts()

