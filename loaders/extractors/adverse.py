"""Adverse events with CTCAE grade and incidence per population, from running text.

"The most frequent grade ≥ 3 treatment-related adverse events were neutropenia (39.5%), febrile
neutropenia (10.5%) ..." gives neutropenia at grade ">=3" in 39.5%; "with 3.6% of patients showing
increased creatinine levels" gives creatinine increased at the grade of the paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from loaders.document import Document
from loaders.facts import AdverseEvent, Fact

from .common import NUM, WORD_NUMBER, Sent, evidences, numbers_in_quote, sentences, to_number
from .population import OVERALL, Populations
from .scope import own_sentences

NAME = "adverse"
VERSION = "0.2.0"

_GRADE = re.compile(r"\bgrades?\s*(?:(≥|>=|>)\s*(\d)|(\d)\s*(?:or\s+(?:higher|greater|above|more)|\+)|(\d)\s*(?:–|-|to|or)\s*(\d)"
                    r"|(\d)(?!\s*(?:–|-|to)\s*\d)|(?:I{1,3}V?)\s*(?:–|-)\s*(I{1,3}V?))", re.I)
_ANY = re.compile(r"\b(?:toxicit(?:y|ies)|adverse\s+events?|AEs|side\s+effects?)\b", re.I)
_RIGHT = re.compile(r"\s*(?:levels?\s*)?(?:\(\s*(" + NUM + r")\s*%\s*\)|,?\s*(?:of\s+(?:any\s+grade|grade\s+[^,;]{1,12}?)\s+)?"
                    r"(?:(?:occurred|(?:was|were)\s+(?:seen|reported|observed|noted|found))\s+)?in\s+(?:(\d+|"
                    + WORD_NUMBER + r")\s*(?:patients\s*|participants\s*)?\(\s*)?(" + NUM + r")\s*%|,?\s*affecting\s+(" + NUM + r")\s*%)", re.I)
_LEFT = re.compile(r"(" + NUM + r")\s*%\s*(?:of\s+(?:all\s+)?(?:patients|participants|cases)\s+)?(?:\w+ing|with|had|"
                   r"encountered|experienced)\b[^%;]*$", re.I)


def _grade(text: str) -> str | None:
    m = _GRADE.search(text)
    if not m:
        return None
    if m.group(2):
        return ">=" + (m.group(2) if m.group(1) != ">" else str(int(m.group(2)) + 1))
    if m.group(3):
        return ">=" + m.group(3)
    if m.group(4):
        lo, hi = m.group(4), m.group(5)
        return ">=" + lo if hi == "5" else f"{lo}-{hi}"
    if m.group(6):
        return m.group(6)
    return None


class _Reader:
    def __init__(self, document: Document, context: Any) -> None:
        self.document = document
        self.context = context
        self.pops: Populations = context.populations
        self.grade: str | None = None
        self.paragraph = -1

    def read(self, sent: Sent) -> Iterator[AdverseEvent]:
        text = sent.text
        if sent.paragraph != self.paragraph:
            self.paragraph, self.grade = sent.paragraph, None
        grade = _grade(text)
        if grade:
            self.grade = grade
        hits = [h for h in self.context.lexicon.find(text) if "AdverseEventTerm" in h.families]
        events: list[tuple[int, int, str, str | None]] = [(h.start, h.end, h.text, h.iri) for h in hits
                                                          if h.name != "AdverseEventTerm"]
        for m in _ANY.finditer(text):
            if not any(s <= m.start() < e for s, e, _, _ in events):
                events.append((m.start(), m.end(), "any adverse event",
                               self.context.lexicon.term_for("any adverse event", "AdverseEventTerm")))
        if events:
            # a listed event the vocabulary does not know yet ("thrombopenia (5.2%)"), by its medical suffix
            for m in re.finditer(r"\b([a-z]+(?:penia|aemia|emia|itis|osis|algia|uria))\s*(?=\(\s*" + NUM + r"\s*%)", text):
                if not any(s <= m.start() < e for s, e, _, _ in events):
                    events.append((m.start(), m.end(), m.group(1), None))
        events.sort()
        if not events or "%" not in text:
            return
        if re.search(r"\b(?:stopped|discontinu\w*|interrupt\w*|reduc\w*)\b[^.]{0,40}\b(?:due\s+to|because\s+of)", text, re.I):
            return  # treatment stopped for toxicity is not an incidence of toxicity
        pops = self.pops.mentions(text)
        base = self._base(sent)
        for k, (start, end, label, iri) in enumerate(events):
            pct: float | None = None
            count: int | None = None
            rm = _RIGHT.match(text, end)
            if rm:
                pct = to_number(rm.group(1) or rm.group(3) or rm.group(4))
                count = int(to_number(rm.group(2))) if rm.group(2) else None
            else:
                prev_end = events[k - 1][1] if k else 0
                lm = _LEFT.search(text[:start])
                if lm and lm.start() >= max(0, prev_end - 60) and not re.search(r"[,;]\s", text[lm.end(1):start].split(
                        " and ")[-1]):
                    pct = to_number(lm.group(1))
            if pct is None:
                continue
            # "occurred in 34 (68.0%) patients in the durvalumab group and 30 (62.5%) patients in the control group"
            stop = events[k + 1][0] if k + 1 < len(events) else len(text)
            more = list(re.finditer(r"(?:(\d+)\s*\(\s*)?(" + NUM + r")\s*%\)?", text[end:stop]))
            per_pop = []
            for pm in more:
                right = [p for p in pops if 0 <= p.start - (end + pm.end()) <= 30 and p.kind != "overall"
                         and ";" not in text[end + pm.end():p.start]]
                per_pop.append((pm, right[0].label if right else None))
            if len(per_pop) > 1 and all(lbl for _, lbl in per_pop):
                grade = _grade(text[max(0, start - 40):end + 5]) or self.grade or "any"
                for pm, lbl in per_pop:
                    fact = AdverseEvent(study=self.context.study, population=str(lbl), event=label, grade=grade,
                                        term=iri, count=int(pm.group(1)) if pm.group(1) else None,
                                        percent=to_number(pm.group(2)),
                                        evidence=evidences(self.document, sent, NAME, VERSION, 0.8))
                    if numbers_in_quote([fact.percent, fact.count], " ".join(e.quote for e in fact.evidence)):
                        yield fact
                continue
            grade = _grade(text[max(0, start - 40):end + 5]) or self.grade or "any"
            if re.match(r"\s*(?:of\s+)?any\s+grade", text[end:], re.I) or re.search(r"any[- ]grade\s+$", text[:start], re.I):
                grade = "any"
            if label == "any adverse event" and re.search(r"treatment-related\s+death|fatal", text[start - 30:end], re.I):
                grade = "5"
            if re.match(r"[^.;]{0,40}?\bin\s+each\s+(?:group|arm)\b", text[end:]):
                # "occurred in 62% of patients in each group": the same rate in every arm
                for arm in [a.label for a in self.pops.arms if a.agents]:
                    each = AdverseEvent(study=self.context.study, population=arm, event=label,
                                        grade=_grade(text[max(0, start - 40):end + 5]) or self.grade or "any",
                                        term=iri, count=None, percent=pct,
                                        evidence=evidences(self.document, sent, NAME, VERSION, 0.75))
                    yield each
                continue
            pop = self._pop(text, pops, start, end) or base or OVERALL
            fact = AdverseEvent(study=self.context.study, population=pop, event=label, grade=grade, term=iri,
                                count=count, percent=pct,
                                evidence=evidences(self.document, sent, NAME, VERSION,
                                                   0.85 if grade != "any" else 0.7))
            if numbers_in_quote([fact.percent, fact.count], " ".join(e.quote for e in fact.evidence)):
                yield fact

    def _pop(self, text: str, pops: list[Any], start: int, end: int) -> str | None:
        for p in pops:
            if 0 <= p.start - end <= 30 and p.kind != "overall":
                return str(p.label)
        head = [p for p in pops if p.end <= start and p.kind != "overall" and ";" not in text[p.end:start]]
        return str(head[-1].label) if head and start - head[-1].end <= 40 else None

    def _base(self, sent: Sent) -> str | None:
        title = (sent.section_title or "").strip("# ").strip()
        if title and len(title) <= 20:
            return self.pops.resolve(title)
        return None


def extract(document: Document, context: Any) -> Iterable[Fact]:
    """Adverse-event rates of the paper's own study (nothing for a review)."""
    if context.study is None:
        return
    reader = _Reader(document, context)
    for sent in own_sentences(sentences(document), context.info.scope, document.text, anecdotes=True):
        if sent.section_kind in {"introduction", "background", "methods", "figure_legend"}:
            continue
        yield from reader.read(sent)

