"""Hazard ratios (and odds ratios) stated in the running text of the paper's own study: factor and
its compared and reference levels, endpoint, univariable or multivariable model, CI and p-value.

"an NLR greater than 3 was associated with a significantly higher risk of mortality (HR 2.24, 95%
CI, 1.14-4.40, P = .02)" is factor NLR (compared "> 3"), endpoint OS, value 2.24.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import ontology
from loaders.document import Document
from loaders.facts import EffectEstimate, Fact

from .common import Hit, Sent, evidences, numbers_in_quote, sentences
from .grammar import Item, scan
from .outcome import endpoints_in
from .population import OVERALL, Populations
from .scope import own_sentences

NAME = "effect"
VERSION = "0.2.0"

_FACTOR_FAMILIES = ("Biomarker", "ClinicalCharacteristic", "PerformanceStatus", "AnatomicalSite", "Differentiation",
                    "NeoplasmType", "Agent", "NamedRegimen", "Grade")
_MULTI = re.compile(r"\b(?:multivariable|multivariate|adjusted|MVA)\b", re.I)
_UNI = re.compile(r"\b(?:univariable|univariate|unadjusted|crude|UVA)\b", re.I)
_LEVEL = re.compile(r"\)?\s*(?:\([^)]*\)\s*)?(?:levels?\s+|index\s+|ratio\s+|values?\s+)?((?:above|below|greater than|"
                    r"less than|higher than|lower than|over|under|>|<|≥|≤|>=|<=)\s*(?:the\s+)?[\w.]+(?:\s+(?:limit\s+of\s+"
                    r"normal|ULN|×?\s*ULN))?(?:\s+of\s+normal)?)", re.I)
_BEFORE_LEVEL = re.compile(r"\b(elevated|high|higher|low|lower|increased|decreased|raised|positive|negative|poor|"
                           r"abnormal|normal)\s+(?:baseline\s+)?$", re.I)


def _term(name: str) -> str:
    return ontology.term(name)


def _endpoint_for(text: str, hits: list[Hit], at: int, carried: str | None) -> str | None:
    eps = endpoints_in(text, hits)
    close = [e for e in eps if 0 <= at - e.end <= 25]
    if close:
        return close[-1].iri
    after = [e for e in eps if e.start >= at]
    if after:
        return after[0].iri
    if re.search(r"\b(?:mortality|death)\b", text, re.I):
        return _term("OverallSurvival")
    if re.search(r"\bprogression\b", text[max(0, at - 60):at], re.I):
        return _term("ProgressionFreeSurvival")
    before = [e for e in eps if e.end <= at]
    if before:
        return before[-1].iri
    return carried


class _Reader:
    def __init__(self, document: Document, context: Any) -> None:
        self.document = document
        self.context = context
        self.pops: Populations = context.populations
        self.model: str | None = None
        self.endpoint: str | None = None
        self.paragraph = -1
        self.who: str | None = None

    def read(self, sent: Sent) -> Iterable[EffectEstimate]:
        text = sent.text
        if sent.paragraph != self.paragraph:
            self.paragraph, self.endpoint, self.model = sent.paragraph, None, None
        if _MULTI.search(text):
            self.model = _term("Multivariable")
        elif _UNI.search(text):
            self.model = _term("Univariable")
        hits = self.context.lexicon.find(text)
        items = [i for i in scan(text) if i.kind == "hr"]
        prev_end = 0
        for item in items:
            event = item.extra.get("event")
            endpoint = (_term("OverallSurvival") if event == "death" else _term("ProgressionFreeSurvival")) if event \
                else _endpoint_for(text, hits, item.start, self.endpoint)
            seg_start = prev_end
            prev_end = item.end
            if endpoint is None or item.value is None:
                continue
            self.endpoint = endpoint
            fact = self._fact(sent, text, hits, item, seg_start, endpoint)
            if fact is not None:
                yield fact

    def _fact(self, sent: Sent, text: str, hits: list[Hit], item: Item, seg_start: int,
              endpoint: str) -> EffectEstimate | None:
        seg = text[seg_start:item.start]
        # the clause the hazard ratio belongs to: after the last "and", "nor", ";" of the segment
        cut = max((m.end() for m in re.finditer(r"(?:\band\b|\bnor\b|\bneither\b|;|\)\s*,)", seg)), default=0)
        clause_start = seg_start + cut if cut < len(seg) - 3 else seg_start
        # a hazard ratio inside "(23.3 vs. 13.9 months, HR: 1.37 ...)" is about what precedes the parenthesis
        depth, stop = 0, item.start
        for k in range(item.start - 1, clause_start - 1, -1):
            if text[k] == ")":
                depth += 1
            elif text[k] == "(":
                if depth == 0:
                    stop = k
                    break
                depth -= 1
        if stop < item.start and re.search(r"\d", text[stop:item.start]):
            clause_start = max(seg_start, text.rfind(";", seg_start, stop) + 1, text.rfind("), and", seg_start, stop) + 6
                               if text.rfind("), and", seg_start, stop) >= 0 else seg_start)
            clause = text[clause_start:stop]
        else:
            clause = text[clause_start:item.start]
        factor: str | None = None
        term: str | None = None
        compared: str | None = None
        reference: str | None = None
        conf = 0.85
        # "for G3 NETs versus NECs (23.3 vs. 13.9 months, HR: 1.37)", "non-colorectal versus colorectal NENs (HR 0.34)"
        vs = list(re.finditer(r"((?:non-)?[\w≥≤<>%.+-]+(?:\s+[\w≥≤<>%.+()-]+){0,4}?)\s+(?:versus|vs\.?|compared\s+(?:to|with))\s+"
                              r"((?:[\w≥≤<>%.+-]+\s*){1,4}?)(?=\s*\(|$|,)", clause))
        pop_ments = self.pops.mentions(clause)
        vs = [v for v in vs if not (re.match(r"[\d.\s]+$", v.group(1).split()[-1]) or re.match(r"[\d.]", v.group(2)))]
        if vs:
            m = vs[-1]
            a = self._level(m.group(1).split(" for ")[-1])
            b = self._level(m.group(2))
            compared, reference = a, b
            factor = (m.group(1).strip().split(" for ")[-1] + " versus " + m.group(2).strip()).strip()
            factor = re.sub(r"^(?:for|in|of)\s+", "", factor)
            fam_hits = [h for h in hits if clause_start + m.start() <= h.start < clause_start + m.end()
                        and h.families & set(_FACTOR_FAMILIES)]
            term = fam_hits[0].iri if fam_hits else None
        else:
            cands = [h for h in hits if clause_start <= h.start < item.start and h.families & set(_FACTOR_FAMILIES)]
            # "... shorter OS in NEC (HR 1.62)": NEC is who the estimate is about, not the factor
            who = [h for h in cands if "NeoplasmType" in h.families and re.search(r"\b(?:in|for|among)\s+$",
                                                                                    text[max(0, h.start - 8):h.start])]
            if who and len(cands) > len(who):
                self.who = self.pops.neoplasm_label(who[-1])
                cands = [h for h in cands if h not in who]
            agents = [h for h in cands if "Agent" in h.families or "NamedRegimen" in h.families]
            drug_arms = [a for a in self.pops.arms if a.agents]
            arm_named = [p for p in pop_ments if p.kind == "arm"] or [
                p for p in self.pops.mentions(text[:item.start]) if p.kind == "arm"]
            if not agents and arm_named and len(drug_arms) == 2 and not [c for c in cands if "Agent" not in c.families]:
                big = max(drug_arms, key=lambda a: len(a.agents))
                small = min(drug_arms, key=lambda a: len(a.agents))
                factor, compared, reference = "treatment arm", big.label, small.label
            elif agents and len(drug_arms) == 2:
                big = max(drug_arms, key=lambda a: len(a.agents))
                small = min(drug_arms, key=lambda a: len(a.agents))
                holders = [a for a in drug_arms if self.pops.arm_for(agents[-1].text) == a.label]
                if len(big.agents) == len(small.agents) and holders:
                    big = holders[0]
                    small = next(a for a in drug_arms if a is not big)
                factor, term = agents[-1].text, agents[-1].iri
                compared, reference = big.label, small.label
                if self.pops.arm_for(agents[-1].text) is None and not re.search(r"\b(?:addition|adding|added)\b", clause):
                    factor, term = "treatment arm", None  # a drug both arms share names the comparison, not a factor
            elif cands:
                h = [c for c in cands if "Agent" not in c.families] or cands
                hit = h[-1]
                factor, term = hit.text, hit.iri
                lm = _LEVEL.match(text, hit.end)
                bm = _BEFORE_LEVEL.search(text[max(0, hit.start - 25):hit.start])
                om = re.match(r"\s*(?:index|level|value|score)?\s*of\s+(\d+(?:\.\d+)?\s*%?)\s+or\s+(higher|more|greater|above|"
                              r"lower|less|below)", text[hit.end:])
                if om:
                    compared = ("≥" if om.group(2) in {"higher", "more", "greater", "above"} else "≤") + om.group(1)
                elif lm:
                    compared = lm.group(1).strip()
                elif bm:
                    compared = bm.group(1).lower()
            elif re.search(r"between\s+the\s+(?:two|2)\s+(?:groups|arms)", text, re.I) and len(drug_arms) == 2:
                big = max(drug_arms, key=lambda a: len(a.agents))
                small = min(drug_arms, key=lambda a: len(a.agents))
                factor, compared, reference = "treatment arm", big.label, small.label
                conf = 0.7
            elif pop_ments:
                factor = pop_ments[-1].label
                compared = pop_ments[-1].label
        drug_arms2 = [a for a in self.pops.arms if a.agents]
        if factor is None and len(drug_arms2) == 2 and not self.pops.mentions(text[:item.start]):
            # a hazard ratio of a two-arm trial that names nothing else compares the arms
            big = max(drug_arms2, key=lambda a: len(a.agents))
            small = next(a for a in drug_arms2 if a is not big)
            factor, compared, reference, conf = "treatment arm", big.label, small.label, 0.7
        if factor is None:
            return None
        model = self.model
        if item.adjusted in {"adjusted"}:
            model = _term("Multivariable")
        elif item.adjusted in {"unadjusted", "crude"}:
            model = _term("Univariable")
        population = self.who or self._population(sent)
        self.who = None
        fact = EffectEstimate(
            study=self.context.study, population=population, measure=item.measure or "HazardRatio",
            endpoint=endpoint, factor=factor, value=float(item.value or 0), factor_term=term, compared=compared,
            reference=reference, model=model, ci_level=item.ci_level, ci_lower=item.ci_lower, ci_upper=item.ci_upper,
            p_value=item.p_value, p_value_text=item.p_text,
            evidence=evidences(self.document, sent, NAME, VERSION, conf if model else min(conf, 0.75)))
        if not numbers_in_quote([fact.value, fact.ci_lower, fact.ci_upper], " ".join(e.quote for e in fact.evidence)):
            return None
        return fact

    def _level(self, phrase: str) -> str:
        """A compared level as a population label when it names one, else as printed."""
        phrase = re.sub(r"^(?:for|in|of|the)\s+", "", phrase.strip())
        found = self.pops.mentions(phrase)
        if found and found[0].start <= 2 and found[-1].end >= len(phrase.rstrip()) - 2:
            return ", ".join(dict.fromkeys(p.label for p in found))
        return phrase

    def _population(self, sent: Sent) -> str:
        title = (sent.section_title or "").strip("# ").strip()
        if title and len(title) <= 20:
            label = self.pops.resolve(title)
            if label:
                return label
        return OVERALL


def extract(document: Document, context: Any) -> Iterable[Fact]:
    """Effect estimates of the paper's own study (nothing for a review)."""
    if context.study is None:
        return
    reader = _Reader(document, context)
    for sent in own_sentences(sentences(document), context.info.scope, document.text):
        if sent.section_kind in {"introduction", "background"}:
            continue
        yield from reader.read(sent)
