"""Outcomes of the paper's own study from its sentences: endpoint, statistic, value, unit, CI (with
"not reached" kept), range, p-value, time point, and the arm or subgroup they are about.

A sentence is read as a run of endpoint mentions (from the ontology) and number items (from
:mod:`.grammar`); each value belongs to the endpoint before it, and to the population that the
sentence names for it: "... for NEC and NET G3, respectively", "11.2 m for PS 0", "in the
combination therapy group (57.1%)", "for G3 NETs versus NECs (23.3 vs. 13.9 months)".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import ontology
from loaders.document import Document
from loaders.facts import Fact, Outcome
from ontology.vocabulary import GROUPING_CLASSES

from .common import (
    NUM,
    WORD_NUMBER,
    Hit,
    SentenceReader,
    evidences,
    numbers_in_quote,
    sentences,
    to_number,
)
from .grammar import Item, scan, timepoints
from .population import OVERALL, PopMention
from .scope import own_sentences

NAME = "outcome"
VERSION = "0.4.0"

_UNIT_TERMS = {"percent": "Percent", "month": "Month", "week": "Week", "year": "Year", "day": "Day"}
_NOT_OUTCOMES = {"Safety"}
_GROUPS = frozenset(t.name for t in GROUPING_CLASSES)
#: Words for treatment in general ("chemotherapy", "immunotherapy") narrow no population.
_GENERIC_AGENTS = frozenset({"Agent", "CytotoxicAgent", "ImmuneCheckpointInhibitor", "TargetedAgent", "OtherAgent",
                             "PlatinumCompound", "TopoisomeraseInhibitor"})
_BREAK_FAMILIES = frozenset({"Biomarker", "AnatomicalSite", "ClinicalCharacteristic", "Differentiation",
                             "AdverseEventTerm", "PerformanceStatus"})  # read by the adverse-event extractor
_THRESHOLD_BEFORE = re.compile(r"(?:up\s+to|>|≥|<|≤|beyond|more\s+than|longer\s+than|greater\s+than|less\s+than|over|"
                               r"within|after|at\s+least|every|for|of\s+the|above|below|under|aged|older\s+than|"
                               r"younger\s+than)\s*$", re.I)
_RESPONSE_CONTEXT = re.compile(r"respon|\bbest\b|RECIST|evaluat|immediate|\b(?:CR|PR|SD|PD)\b")
_QUALIFIER = re.compile(r"\b(?:(?:in|for|among)\s+(?:the\s+)?(?:\w+\s+){0,2})?(?:patients|cases)\s+((?:not\s+)?(?:receiving|given|"
                        r"treated\s+with|with|without|who|aged|above|below|over|under|older|younger)\b[^,;.]{2,60}?)"
                        r"(?=\s+(?:was|were|had|is|showed|indicating|supports?|suggests?|shows?|demonstrat\w*)\b"
                        r"|\s+in\s+(?:our|this|the\s+present)\b|\s*\(|,|;|$)", re.I)


@dataclass
class _Endpoint:
    start: int
    end: int
    iri: str
    name: str
    families: frozenset[str]
    median: bool  # "median OS", "mOS"
    mean: bool


def _term(name: str) -> str:
    return ontology.term(name)


def endpoints_in(text: str, hits: list[Hit]) -> list[_Endpoint]:
    """Endpoint mentions of a clean sentence, with whether "median" qualifies them."""
    out: list[_Endpoint] = []
    for h in hits:
        if "Endpoint" not in h.families or h.name in _NOT_OUTCOMES or h.name == "Endpoint":
            continue
        before = text[max(0, h.start - 25):h.start]
        median = bool(re.search(r"\bmedian\s+(?:\w+\s+)?$", before, re.I)) or h.text.startswith("m") and h.text[1:2].isupper()
        mean = bool(re.search(r"\bmean\s+$", before, re.I))
        out.append(_Endpoint(h.start, h.end, h.iri, h.name, h.families, median, mean))
    taken = [(e.start, e.end) for e in out]
    # a bare "survival" (median survival, 2-year survival) is overall survival
    for m in re.finditer(r"\bsurvival\b", text, re.I):
        if not any(s <= m.start() < e for s, e in taken):
            before = text[max(0, m.start() - 25):m.start()]
            out.append(_Endpoint(m.start(), m.end(), _term("OverallSurvival"), "OverallSurvival",
                                 frozenset({"Endpoint", "TimeToEventEndpoint"}),
                                 bool(re.search(r"\bmedian\s+$", before, re.I)), False))
    out.sort(key=lambda e: e.start)
    return out


def _statistic(ep: _Endpoint, item: Item, timepoint: float | None) -> str | None:
    if timepoint is not None:
        return "Rate" if item.unit == "percent" else None
    if item.unit == "percent":
        if "TimeToEventEndpoint" in ep.families:
            return None  # a percentage of a time-to-event endpoint needs a time point
        return "Proportion"
    if "TimeToEventEndpoint" not in ep.families:
        return None
    if ep.mean:
        return "Mean"
    return "Median"


def _pops_between(pops: list[PopMention], a: int, b: int) -> list[PopMention]:
    return [p for p in pops if a <= p.start and p.end <= b]


def _right_pop(text: str, pops: list[PopMention], pos: int) -> PopMention | None:
    """"7.4 m for NEC", "41% of NEC", "23.8% in the EP alone group": a population right after."""
    m = re.match(r"\s*(?:,\s*)?(?:for|in|of|among|with|after)\s+(?:the\s+|all\s+|a\s+)?", text[pos:])
    if not m:
        return None
    at = pos + m.end()
    for p in pops:
        if at - 4 <= p.start <= at + 2:
            return p
    return None


def _dedupe(pops: list[PopMention]) -> list[PopMention]:
    """"G3 neuroendocrine tumors (NETs)" names one population, not two."""
    out: list[PopMention] = []
    for p in pops:
        if out and out[-1].label == p.label and p.start - out[-1].end <= 3:
            out[-1] = PopMention(out[-1].start, p.end, p.label, p.kind)
        else:
            out.append(p)
    return out


_COMPLEMENT = {">": "≤", "≥": "<", "<": "≥", "≤": ">"}


def _complement(label: str) -> str | None:
    """The other side of a binary stratum: "Ki-67 >55%" and "Ki-67 ≤55%"."""
    if label.startswith("non-"):
        return label[4:]
    m = re.fullmatch(r"(.+?) ([<>≤≥])(.+)", label)
    if not m:
        return "non-" + label if re.fullmatch(r"[a-z][a-z ]+", label) else None
    return f"{m.group(1)} {_COMPLEMENT[m.group(2)]}{m.group(3)}"


def _combine(base: str | None, label: str) -> str:
    if base and base != OVERALL and label != OVERALL and base != label and base not in label:
        return f"{base}, {label}"
    return label if label != OVERALL or not base else base


class _Reader(SentenceReader):
    """Reads the outcomes of one sentence."""

    def base_population(self) -> str | None:
        """A section headed by a subgroup ("NEC", "NET G3") scopes its sentences."""
        title = (self.sent.section_title or "").strip("# ").strip()
        if title and len(title) <= 20:
            label = self.pops.resolve(title)
            if label and label != OVERALL:
                return label
        return None

    def clause_qualifier(self, pos: int) -> str | None:
        """The qualifier of the clause holding ``pos``: "compared to", "whereas" and ";" part clauses."""
        cuts = [0] + [m.start() for m in re.finditer(r"\bcompared\s+(?:to|with)\b|\bwhereas\b|;", self.text)]
        cuts.append(len(self.text))
        if len(cuts) == 2:
            return self.qualifier()
        for a, b in zip(cuts, cuts[1:], strict=False):
            if a <= pos < b:
                clause = self.text[a:b]
                neg = re.search(r"\bif\s+(\w[\w-]*)\s+(?:was|were)\s+not\s+(?:given|received|administered)", clause)
                if neg:
                    return "no " + neg.group(1)
                return self.qualifier(clause) or (self.qualifier() if a == 0 else None)
        return self.qualifier()

    def qualifier(self, text: str | None = None) -> str | None:
        """Words that narrow the population but name no arm or stratum ("not receiving chemotherapy")."""
        if text is not None and text != self.text:
            sub = _Reader.__new__(_Reader)
            sub.document, sub.context, sub.sent, sub.pops = self.document, self.context, self.sent, self.pops
            sub.text = text
            sub.hits = self.context.lexicon.find(text)
            return sub.qualifier()
        m = _QUALIFIER.search(self.text)
        if m and not self.pops.resolve(m.group(1)) and "%" not in m.group(1) and not any(
                "Endpoint" in h.families for h in self.context.lexicon.find(m.group(1))):
            return m.group(1).strip()
        if re.search(r"\breintroduc|\bre-?challeng", self.text, re.I):
            return "re-treatment"
        lines = [h for h in self.hits if "LineOfTherapy" in h.families]
        study_line = getattr(getattr(self.context.info, "fact", None), "line", None) or _term("FirstLine")
        for h in lines:
            follow = re.match(r"\s*(chemotherapy|treatment|therapy|PRRT|\w+)", self.text[h.end:h.end + 25])
            if h.iri != study_line and h.name != "FirstLine" and re.search(r"(?:chemotherapy|treatment|therapy)$",
                                                                           h.text, re.I):
                return h.text.lower()
            if h.iri != study_line and h.name != "FirstLine" and follow and re.fullmatch(
                    r"chemotherapy|treatment|therapy|PRRT", follow.group(1), re.I):
                return self.text[h.start:h.end].lower() + " " + follow.group(1)
        fact = getattr(self.context.info, "fact", None)
        single = fact is not None and (_term("SingleArm") in fact.designs or _term("Randomised") in fact.designs)
        if not single and not any(a.agents for a in self.pops.arms):
            pop_spans = [(p.start, p.end) for p in self.pops.mentions(self.text)]
            for h in self.hits:
                if ("Agent" in h.families or "NamedRegimen" in h.families) and h.name not in _GENERIC_AGENTS and not any(
                        a <= h.start < b for a, b in pop_spans):
                    return h.text
        return None

    def facts(self) -> Iterator[Outcome]:
        text = self.text
        eps = [e for e in endpoints_in(text, self.hits)
               if "ResponseCategory" not in e.families or _RESPONSE_CONTEXT.search(text)]
        if not eps:
            return
        eps_all = endpoints_in(text, self.hits)
        items = scan(text)
        tps = timepoints(text)
        tp_spans = [(s, e) for s, e, _, _ in tps]
        values = [i for i in items if i.kind == "value"
                  and not any(s <= i.start < e for s, e in tp_spans)
                  and not _THRESHOLD_BEFORE.search(text[max(0, i.start - 14):i.start])
                  and not re.search(r"not\s+(?:met|reached)\s*\([^)]*$", text[max(0, i.start - 40):i.start])
                  and not re.search(r"\d\s*[–-]\s*$", text[max(0, i.start - 4):i.start])
                  and not re.match(r"\s*(?:of\s+)?(?:follow|treatment|therapy|cycles?|doses?|CI\b|confidence)",
                                   text[i.end:i.end + 20], re.I)]
        if not values:
            return
        pvals = [i for i in items if i.kind == "p"]
        pops = _dedupe(sorted(self.pops.mentions(text) + self._response_subgroups(eps_all), key=lambda p: p.start))
        eps = [e for e in eps if not any(p.start <= e.start < p.end for p in pops)]
        if not eps:
            return
        values = [v for v in values if not any(p.start <= v.start < p.end for p in pops)]
        base = self.base_population()
        # value first: "Twenty-one patients (56.8%) had partial response", "(37.6% OS rate at 2 years)"
        for v in list(values):
            lead = re.match(r"[\s)]*(?:patients\s*)?(?:had|achieved|experienced|showed|with)?\s*(?:an?\s+|the\s+)?",
                            text[v.end:v.end + 40])
            at = v.end + (lead.end() if lead else 0)
            ep_first = next((e for e in eps if at <= e.start <= at + 1), None)
            if ep_first is None:
                continue
            values.remove(v)
            tp_after = [(t[2], t[3]) for t in tps if ep_first.end <= t[0] <= ep_first.end + 12]
            left = [p for p in pops if p.end <= v.start and p.kind != "overall"]
            label = _combine(base, left[-1].label if left and v.start - left[-1].end < 30 else OVERALL)
            p_item = v if v.p_value is not None else None
            fact = self._fact(ep_first, v, label, tp_after[0] if tp_after else None, p_item, 0.85)
            if fact is not None:
                yield fact
        if not values:
            return
        base = self.base_population()
        resp = [m.start() for m in re.finditer(r"\brespectively\b", text)]
        # endpoints with no value before the next endpoint form a list: "mPFS and mOS at 5.5 and 11.9 months"
        groups: list[tuple[list[_Endpoint], list[Item]]] = []
        pop_spans = [(p.start, p.end) for p in pops]
        for k, ep in enumerate(eps):
            nxt = eps[k + 1].start if k + 1 < len(eps) else len(text)
            own = []
            anchor = ep.end
            for v in values:
                if not (ep.end <= v.start < nxt):
                    continue
                if v.start - anchor > 90 or self._interrupted(anchor, v.start, pop_spans):
                    break
                own.append(v)
                anchor = v.end
            if groups and not groups[-1][1] and re.fullmatch(r"[\s,]*(?:and|or|/|,)?[\s,]*(?:median\s+)?",
                                                              text[groups[-1][0][-1].end:ep.start], re.I):
                groups[-1][0].append(ep)
                groups[-1][1].extend(own)
            else:
                groups.append(([ep], own))
        # "41% and 24%, PFS 3.4 m and 7.4 m, OS 7.4 m and 21.8 m for NEC and NET G3, respectively"
        self.resp_list: list[PopMention] = []
        if resp and values:
            last_before = [v for v in values if v.end <= resp[-1]]
            if last_before:
                self.resp_list = [p for p in pops if last_before[-1].end <= p.start < resp[-1] and p.kind != "overall"]
        # sentence-level scope: one population named before the first endpoint
        head = [p for p in pops if p.end <= eps[0].start]
        head_pops = {p.label for p in head}
        scope_label = next(iter(head_pops)) if len(head_pops) == 1 else None
        if scope_label is None and head and re.fullmatch(r"[\s(]*\w*\s*\(?\s*", text[head[-1].end:eps[0].start]):
            scope_label = head[-1].label  # "G3 GEP NENs of non-colorectal origin (ORR 70.8%)"
        for gi, (group_eps, vals) in enumerate(groups):
            if not vals:
                continue
            seg_start = group_eps[0].start
            seg_end = groups[gi + 1][0][0].start if gi + 1 < len(groups) else len(text)
            resp_here = any(seg_start < r <= seg_end + 1 for r in resp) or (
                gi + 1 == len(groups) and any(r > seg_start for r in resp))
            # time points: "12-month OS rate", "OS rates at 6, 12 and 24 months"
            seg_tps = [t for t in tps if (group_eps[0].start - 25 <= t[0] <= group_eps[-1].end + 3)
                       or (group_eps[-1].end <= t[0] < (vals[0].start if vals else seg_end))]
            assigned = self._assign(group_eps, vals, pops, seg_start, seg_end, resp_here, seg_tps)
            if assigned is None:
                continue
            for item, ep, pop_label, tp, conf in assigned:
                label = pop_label or scope_label or OVERALL
                label = _combine(base, label)
                qual = self.clause_qualifier(item.start)
                if qual:
                    label = f"{label}, {qual}" if label != OVERALL else qual
                    conf = min(conf, 0.6)
                p = self._p_for(item, vals, pvals)
                fact = self._fact(ep, item, label, tp, p, conf)
                if fact is not None:
                    yield fact

    def _response_subgroups(self, eps: list[_Endpoint]) -> list[PopMention]:
        """"20.6 m after complete response (CR)": patients by best response are a subgroup."""
        out = []
        for e in eps:
            if "ResponseCategory" not in e.families:
                continue
            lead = re.search(r"\d\s*(?:m|months?)?\s*(?:\([^)]*\))?\s*(?:after|for|with)\s+(?:a\s+)?$",
                             self.text[max(0, e.start - 40):e.start])
            if lead:
                abbr = re.match(r"\s*\(([A-Z]{2,3})\)", self.text[e.end:])
                label = abbr.group(1) if abbr else self.text[e.start:e.end]
                out.append(PopMention(e.start, e.end + (abbr.end() if abbr else 0), label, "response"))
        return out

    def _interrupted(self, a: int, b: int, pop_spans: list[tuple[int, int]]) -> bool:
        """Whether other things are named between an endpoint and a value (a list of characteristics)."""
        for h in self.hits:
            if a <= h.start and h.end <= b and h.families & _BREAK_FAMILIES and not any(
                    s <= h.start and h.end <= e for s, e in pop_spans):
                return True
        return False

    def _assign(self, eps: list[_Endpoint], vals: list[Item], pops: list[PopMention], seg_start: int, seg_end: int,
                resp: bool, tps: list[tuple[int, int, float, str]]
                ) -> list[tuple[Item, _Endpoint, str | None, tuple[float, str] | None, float]] | None:
        text = self.text
        n = len(vals)
        out: list[tuple[Item, _Endpoint, str | None, tuple[float, str] | None, float]] = []
        tp_list = [(t[2], t[3]) for t in tps]
        # one endpoint per value: "mPFS and mOS at 5.5 months and 11.9 months, respectively"
        if len(eps) > 1:
            if n % len(eps):
                return None
            pairs = list(zip(eps * (n // len(eps)), vals, strict=False))
        else:
            pairs = [(eps[0], v) for v in vals]
        after_last = _pops_between(pops, vals[-1].end, seg_end)
        listed = [p for p in after_last if p.kind != "overall"]
        # time points listed as many as values: distribute (OS rates at 6, 12 and 24 months)
        if len(tp_list) > 1 and len(tp_list) == n and len(eps) == 1:
            resp_pops = listed if resp and len(listed) >= 1 else []
            for (ep, v), tpk in zip(pairs, tp_list, strict=True):
                out.append((v, ep, resp_pops[0].label if len(resp_pops) == 1 else None, tpk, 0.9))
            return out
        if len(tp_list) > 1 and n % len(tp_list) == 0 and len(eps) == 1:
            # "Three- and five-year survival were 5% and 2% for NEC vs. 32% and 10% for NET G3"
            per = len(tp_list)
            for k, v in enumerate(vals):
                pop = _right_pop(text, pops, vals[(k // per) * per + per - 1].end)
                if pop is None:
                    return None
                out.append((v, eps[0], pop.label, tp_list[k % per], 0.8))
            return out
        tp: tuple[float, str] | None = tp_list[0] if len(tp_list) == 1 else None
        # "... for NEC and NET G3, respectively"
        if resp and len(listed) == n and n > 1 and len(eps) == 1:
            return [(v, ep, p.label, tp, 0.9) for (ep, v), p in zip(pairs, listed, strict=True)]
        if self.resp_list and len(self.resp_list) == n and n > 1 and len(eps) == 1:
            return [(v, ep, p.label, tp, 0.85) for (ep, v), p in zip(pairs, self.resp_list, strict=True)]
        if len(eps) > 1 and n > len(eps) and n % len(eps) == 0:
            k = len(eps)
            chunks = [pairs[i:i + k] for i in range(0, n, k)]
            labels: list[str | None] = []
            lo_pos = eps[-1].end
            for chunk in chunks:
                right = _right_pop(text, pops, chunk[-1][1].end)
                left_c = [p for p in _pops_between(pops, lo_pos, chunk[0][1].start) if p.kind != "overall"]
                lo_pos = chunk[-1][1].end
                labels.append(right.label if right else (left_c[-1].label if left_c else None))
            if all(labels) and len(set(labels)) == len(labels):
                return [(v, ep, lbl, tp, 0.8) for chunk, lbl in zip(chunks, labels, strict=True) for ep, v in chunk]
        # runs of values not separated by a population: "for G3 NETs versus NECs (23.3 vs. 13.9 months)"
        runs: list[list[tuple[_Endpoint, Item]]] = []
        for k, (ep, v) in enumerate(pairs):
            if k and not _pops_between(pops, vals[k - 1].end, v.start) and not _right_pop(text, pops, vals[k - 1].end):
                runs[-1].append((ep, v))
            else:
                runs.append([(ep, v)])
        lo = eps[-1].end
        for run in runs:
            left = [p for p in _pops_between(pops, lo, run[0][1].start) if p.kind != "overall"] or \
                [p for p in _pops_between(pops, lo, run[0][1].start)]
            lo = run[-1][1].end
            if len(run) > 1:
                # "5.7 months (...) and 5.7 months (...) for NETs and NECs"
                nxt_start = next((v.start for v in vals if v.start > run[-1][1].end), seg_end)
                after = [p for p in _pops_between(pops, run[-1][1].end, nxt_start) if p.kind != "overall"]
                if after and len(after) == len(run) and re.match(r"[\s)]*(?:,\s*)?(?:for|in|of|among)\b",
                                                                 text[run[-1][1].end:after[0].start]):
                    out.extend((v, ep, p.label, tp, 0.85) for (ep, v), p in zip(run, after, strict=True))
                    continue
                if len({id(ep) for ep, _ in run}) == len(run) and len(left) == 1:
                    # "for colorectal primaries (2.4 m and 6.7 m)": PFS and OS of one population
                    out.extend((v, ep, left[0].label, tp, 0.85) for ep, v in run)
                    continue
                prefix = [p for p in pops if p.end <= run[0][1].start and p.kind != "overall"]
                if len(run) == 2 and len(prefix) >= 2 and prefix[-1].label != prefix[-2].label and re.search(
                        r"\b(?:vs\.?|versus)\b", text[run[0][1].end:run[1][1].start]) and re.search(
                        r"\b(?:than|versus|vs\.?|compared)\b", text[prefix[-2].end:prefix[-1].start]):
                    # "patients with CPS ≥ 1 had a longer PFS than those with CPS < 1 (7.2 vs 3.5 months)"
                    out.extend([(run[0][1], run[0][0], prefix[-2].label, tp, 0.8),
                                (run[1][1], run[1][0], prefix[-1].label, tp, 0.8)])
                    continue
                scope_pops = left or prefix[-1:]
                comp = _complement(scope_pops[0].label) if len(scope_pops) == 1 and len(run) == 2 else None
                if comp and re.search(r"\b(?:vs\.?|versus)\b", text[run[0][1].end:run[1][1].start]):
                    out.extend([(run[0][1], run[0][0], scope_pops[0].label, tp, 0.8),
                                (run[1][1], run[1][0], comp, tp, 0.75)])
                    continue
                quals = [self.clause_qualifier(v.start) for _, v in run]
                if not left and all(quals) and len(set(quals)) == len(quals) and not any(
                        _right_pop(text, pops, v.end) for _, v in run):
                    # "46.2 m in patients given PRRT compared to 15.7 m if PRRT was not given"
                    out.extend((v, ep, None, tp, 0.7) for ep, v in run)
                    continue
                rights = [_right_pop(text, pops, v.end) for _, v in run]
                rest = [k for k, r in enumerate(rights) if r is None]
                for (ep, v), r in zip(run, rights, strict=True):
                    if r is not None:
                        out.append((v, ep, r.label, tp, 0.9))
                if rest and len(left) == len(rest):
                    out.extend((run[k][1], run[k][0], p.label, tp, 0.85) for k, p in zip(rest, left, strict=True))
                elif rest and len(rest) == len(run) and not left and not re.search(
                        r"\b(?:vs\.?|versus|compared|than)\b", text[run[0][1].end:run[-1][1].start]):
                    out.extend((v, ep, None, tp, 0.85) for ep, v in run)  # several endpoints, one population
                continue
            ep, v = run[0]
            right = _right_pop(text, pops, v.end)
            if right is not None:
                out.append((v, ep, right.label, tp, 0.9))
            elif len(left) == 1:
                out.append((v, ep, left[0].label, tp, 0.9))
            elif not left:
                out.append((v, ep, None, tp, 0.9))
        return out

    def _p_for(self, item: Item, vals: list[Item], pvals: list[Item]) -> Item | None:
        if item.p_value is not None:
            return item
        # "(ORR 16.7% vs 64.5%; p = 0.02)": a p right after a compared pair belongs to both
        last = vals[-1]
        for p in pvals:
            if 0 <= p.start - last.end <= 12 and len(vals) > 1:
                return p
        return None

    def _fact(self, ep: _Endpoint, item: Item, label: str, tp: tuple[float, str] | None, p: Item | None,
              conf: float) -> Outcome | None:
        stat = _statistic(ep, item, tp[0] if tp else None)
        if stat is None:
            return None
        if ep.name == "FollowUp":
            stat = "Median" if re.search(r"median", self.text, re.I) else stat
        if item.ci_implied:
            conf = min(conf, 0.75)
        unit = _term(_UNIT_TERMS[item.unit]) if item.unit else None
        count = None
        for cm in re.finditer(r"(?<![\w.])(\d+|" + WORD_NUMBER + r")\s+(?:patients\s+)?\(\s*" + NUM + r"\s*%\s*\)",
                              self.text, re.I):
            if item.unit == "percent" and cm.start() <= item.start < cm.end():
                count = int(to_number(cm.group(1)))
        if item.count is not None and count is None:
            count = item.count
        denominator = int(item.extra["denominator"]) if "denominator" in item.extra else None
        fact = Outcome(
            study=self.context.study, population=label, endpoint=ep.iri, statistic=_term(stat),
            value=item.value, value_not_reached=item.value_nr, unit=unit,
            ci_level=item.ci_level if not item.ci_implied else None,
            ci_lower=item.ci_lower, ci_upper=item.ci_upper, ci_lower_not_reached=item.ci_lower_nr,
            ci_upper_not_reached=item.ci_upper_nr, range_lower=item.range_lower, range_upper=item.range_upper,
            count=count, denominator=denominator, timepoint=tp[0] if tp else None, timepoint_unit=_term(_UNIT_TERMS[tp[1]]) if tp else None,
            p_value=p.p_value if p else None, p_value_text=p.p_text if p else None,
            evidence=evidences(self.document, self.sent, NAME, VERSION, conf))
        nums = [fact.value, fact.ci_lower, fact.ci_upper, fact.range_lower, fact.range_upper, fact.count, fact.timepoint,
                fact.denominator]
        if not numbers_in_quote(nums, " ".join(e.quote for e in fact.evidence)):
            return None
        return fact


def extract(document: Document, context: Any) -> Iterable[Fact]:
    """Outcome facts of the paper's own study (nothing for a review)."""
    if context.study is None:
        return
    for sent in own_sentences(sentences(document), context.info.scope, document.text):
        if sent.section_kind in {"introduction", "background", "conclusion"}:
            continue  # a conclusion restates the results without saying for whom
        if re.search(r"\b(?:defined|calculated|hypothesis|assumed|powered|sample size|H_?[01])\b", sent.text, re.I):
            continue  # definitions and design assumptions are not results
        yield from _Reader(document, context, sent).facts()
