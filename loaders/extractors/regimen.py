"""Arms and cohorts of the paper's own study with their regimens: agents, doses, units, routes,
days, cycle length, number of cycles, induction and maintenance phases.

"nivolumab 360 mg intravenously (iv) on day 1, carboplatin AUC 5 iv on day 1, and etoposide
100 mg/m²/d iv on days 1–3, every 3 weeks for up to six cycles, followed by nivolumab 480 mg every
4 weeks" is an induction regimen of three components (21-day cycles, at most six) followed by a
maintenance regimen of one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import ontology
from loaders.document import Document
from loaders.facts import Arm, Evidence, Fact, Regimen, RegimenComponent
from ontology.vocabulary import GROUPING_CLASSES, NAMED_REGIMENS

from .common import NUM, WORD_NUMBER, Hit, Sent, evidences, sentences, to_number
from .population import OVERALL, STANDARD_AGENTS, ArmDef, Populations
from .scope import own_sentences

NAME = "regimen"
VERSION = "0.2.0"

_GROUPS = frozenset(t.name for t in GROUPING_CLASSES)
#: The agents of a named regimen (EP: etoposide with cisplatin or carboplatin), from the vocabulary.
_STANDARD = {t.name: frozenset(ontology.term(a) for rel, a in t.relations if rel == "standardAgent")
             for t in NAMED_REGIMENS}
_DOSE = re.compile(r"(?:at\s+a\s+dose\s+of\s+|dose\s+of\s+)?(" + NUM + r")\s*(mg/m2|mg/m\s?2|mg/kg|mg|g/m2|µg/kg|µg|mcg|"
                   r"GBq|mCi|IU)(?:\s*/\s*(?:d|day))?(?![\w/])", re.I)
_AUC = re.compile(r"(?:AUC|area\s+under\s+the\s+(?:concentration[- ]time\s+)?curve)\s*(?:\(AUC\)\s*)?(?:=|of|:)?\s*(" + NUM
                  + r")(?:\s*(?:–|-|to)\s*(" + NUM + r"))?", re.I)
_DAYS = re.compile(r"\bon\s+days?\s+(\d+(?:\s*(?:–|-|to|through|and|,)\s*\d+)*)", re.I)
_EVERY = re.compile(r"\bevery\s+(\d+|" + WORD_NUMBER + r")\s+(weeks?|days?)\b|\b(\d+)-(day|week)\s+cycles?\b|\bq(\d)w\b",
                    re.I)
_CYCLES = re.compile(r"(?:up\s+to|maximum\s+of|max(?:imum)?\.?|for|of)\s+(\d+|" + WORD_NUMBER + r")\s+cycles\b"
                     r"|\b(\d+|" + WORD_NUMBER + r")\s+cycles\s+of\b", re.I)
_SPLIT = re.compile(r"\bfollowed\s+by\b|\bIn\s+the\s+maintenance\s+phase\b|\bmaintenance\s+(?:phase|treatment|therapy)\b",
                    re.I)


def _term(name: str) -> str:
    return ontology.term(name)


@dataclass
class _Draft:
    """A regimen being assembled from several sentences."""

    components: dict[str, RegimenComponent] = field(default_factory=dict)
    cycle_length_days: int | None = None
    max_cycles: int | None = None
    sents: list[Sent] = field(default_factory=list)

    def add(self, comp: RegimenComponent) -> None:
        old = self.components.get(comp.agent)
        if old is None:
            self.components[comp.agent] = comp
            return
        # keep what is known: the first dose read, days or route that an earlier sentence left out
        self.components[comp.agent] = replace(
            old, dose=old.dose if old.dose is not None else comp.dose,
            dose_unit=old.dose_unit or comp.dose_unit, route=old.route or comp.route, days=old.days or comp.days,
            schedule=old.schedule or comp.schedule)


def _cycle_days(m: re.Match[str]) -> int:
    if m.group(1):
        n = int(to_number(m.group(1)))
        return n * 7 if m.group(2).lower().startswith("week") else n
    if m.group(3):
        n = int(m.group(3))
        return n * 7 if m.group(4).lower().startswith("week") else n
    return int(m.group(5)) * 7


def _components(text: str, hits: list[Hit]) -> list[RegimenComponent]:
    """The agents of ``text`` with the dose, route and days printed after each."""
    agents = [h for h in hits if "Agent" in h.families and h.name not in _GROUPS]
    out = []
    for k, h in enumerate(agents):
        stop = agents[k + 1].start if k + 1 < len(agents) else len(text)
        window = text[h.end:stop]
        dose = unit = None
        auc = _AUC.search(window)
        dm = _DOSE.search(window)
        if auc and (dm is None or auc.start() < dm.start()):
            if auc.group(2) is None:
                dose = to_number(auc.group(1))
            unit = "AUC"
        elif dm:
            dose = to_number(dm.group(1))
            unit = re.sub(r"\s", "", dm.group(2)).replace("m2", "m2").lower().replace("gbq", "GBq").replace("mci", "mCi")
            if unit == "iu":
                unit = "IU"
        route = next((r.iri for r in hits if "Route" in r.families and h.end <= r.start < stop), None)
        days_m = _DAYS.search(window)
        days = re.sub(r"\s*(?:,\s*and|,|and)\s*", ",", re.sub(r"\s*(?:–|-|to|through)\s*", "-", days_m.group(1))) \
            if days_m else None
        every = re.search(r"\bevery\s+(\d+|" + WORD_NUMBER + r")\s+(weeks?|days?)", window, re.I)
        if dose is None and unit is None and route is None and days is None:
            continue
        out.append(RegimenComponent(agent=h.iri, dose=dose, dose_unit=unit, route=route, days=days,
                                    schedule=every.group(0) if every else None))
    return out


def _label(components: Iterable[RegimenComponent], lexicon: Any) -> str:
    names = [c.agent.rsplit("#", 1)[-1] for c in components]
    return " + ".join(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", n).lower() for n in names)


def _read(sent: Sent, hits: list[Hit], induction: _Draft, maintenance: _Draft) -> bool:
    """Read the regimen parts of one sentence into the drafts; True if anything was read."""
    text = sent.text
    split = _SPLIT.search(text)
    parts = [(0, split.start() if split else len(text), induction)]
    if split:
        parts.append((split.start(), len(text), maintenance))
    elif re.search(r"\bmaintenance\b", text, re.I) and not re.search(r"\binduction\b", text, re.I):
        parts = [(0, len(text), maintenance)]
    used = False
    for a, b, draft in parts:
        seg = text[a:b]
        seg_hits = [type(h)(h.start - a, h.end - a, h.iri, h.name, h.families, h.text) for h in hits if a <= h.start < b]
        comps = _components(seg, seg_hits)
        every = _EVERY.search(seg)
        cycles = _CYCLES.search(seg)
        for c in comps:
            draft.add(c)
        if every and (comps or draft.components or re.search(r"cycle", seg, re.I)) and draft.cycle_length_days is None:
            draft.cycle_length_days = _cycle_days(every)
        if cycles and (comps or re.search(r"\b(?:induction|chemotherapy|cycles)\b", seg, re.I)):
            n = cycles.group(1) or cycles.group(2)
            if draft.max_cycles is None:
                draft.max_cycles = int(to_number(n))
        if comps or (every and draft.components) or (cycles and draft is induction):
            used = True
            if sent not in draft.sents:
                draft.sents.append(sent)
    return used


def _regimens(induction: _Draft, maintenance: _Draft, agents: frozenset[str] | None, lexicon: Any,
              line: str | None) -> tuple[Regimen, ...]:
    out = []
    for draft, phase in ((induction, "Induction"), (maintenance, "Maintenance")):
        comps = [c for c in draft.components.values() if agents is None or _covered(c.agent, agents, lexicon)]
        if not comps:
            continue
        has_maint = bool(maintenance.components)
        out.append(Regimen(label=_label(comps, lexicon), components=tuple(comps),
                           cycle_length_days=draft.cycle_length_days, max_cycles=draft.max_cycles,
                           phase=_term(phase) if has_maint else None, line=line))
    return tuple(out)


def _covered(agent: str, arm_agents: frozenset[str], lexicon: Any) -> bool:
    """An arm "atezolizumab + EP" covers etoposide, cisplatin and carboplatin (EP's agents)."""
    expanded = set(arm_agents)
    for a in arm_agents:
        expanded |= _STANDARD.get(a.rsplit("#", 1)[-1], frozenset())
    if agent in expanded:
        return True
    name = agent.rsplit("#", 1)[-1]
    label = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()
    hits = lexicon.find(label)
    fams = set().union(*(h.families for h in hits if h.iri == agent)) if hits else set()
    return any(a.rsplit("#", 1)[-1] in fams for a in arm_agents)


def _read_per_arm(sent: Sent, hits: list[Hit], pops: Populations, per_arm: dict[str, _Draft]) -> bool:
    """Doses given per arm in parentheses after the arm's name; True if the sentence was read so."""
    arms = [a for a in pops.arms if a.agents]
    if len(arms) < 2:
        return False
    text = sent.text
    found = False
    for arm in arms:
        m = re.search(r"(?<![\w-])" + re.escape(arm.label) + r"\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)", text)
        if not m or not _DOSE.search(m.group(1)):
            continue
        a, b = m.start(1), m.end(1)
        seg_hits = [type(h)(h.start - a, h.end - a, h.iri, h.name, h.families, h.text) for h in hits if a <= h.start < b]
        draft = per_arm.setdefault(arm.label, _Draft())
        for comp in _components(m.group(1), seg_hits):
            draft.add(comp)
        every = _EVERY.search(m.group(1))
        if every and draft.cycle_length_days is None:
            draft.cycle_length_days = _cycle_days(every)
        if sent not in draft.sents:
            draft.sents.append(sent)
        found = True
    return found


def extract(document: Document, context: Any) -> Iterable[Fact]:
    """Arm facts of the paper's own study (single-arm trials have one arm, "overall")."""
    if context.study is None:
        return
    pops: Populations = context.populations
    induction, maintenance = _Draft(), _Draft()
    per_arm: dict[str, _Draft] = {}  # "EP (etoposide 100 mg/m2 ...) or IP (irinotecan 60 mg/m2 ...)"
    for sent in own_sentences(sentences(document), context.info.scope, document.text):
        if sent.section_kind in {"introduction", "background", "discussion", "figure_legend"}:
            continue
        hits = context.lexicon.find(sent.text)
        if not any("Agent" in h.families for h in hits):
            continue
        if _read_per_arm(sent, hits, pops, per_arm):
            continue
        _read(sent, hits, induction, maintenance)
    study = getattr(context.info, "fact", None)
    line = study.line if study is not None else None
    drug_arms = [a for a in pops.arms if a.agents]
    arm_defs: list[ArmDef] = drug_arms or [a for a in pops.arms if a.neoplasm]
    if not arm_defs and induction.components:
        n = study.enrolment_actual if study is not None else None
        arm_defs = [ArmDef(OVERALL, frozenset(), n)]
    for arm in arm_defs:
        own = per_arm.get(arm.label)
        if own is not None:
            regimens = _regimens(own, _Draft(), None, context.lexicon, line)
            used = own.sents
        else:
            regimens = _regimens(induction, maintenance, arm.agents if arm.agents else None, context.lexicon, line) \
                if (arm.agents or arm.label == OVERALL) else ()
            used = induction.sents + maintenance.sents
        if not regimens and arm.agents:
            # no doses printed: the regimen is its agents (a named regimen as its standard agents)
            agents: list[str] = []
            for a in sorted(arm.agents):
                for x in sorted(STANDARD_AGENTS.get(a, frozenset({a}))):
                    if x not in agents:
                        agents.append(x)
            comps = tuple(RegimenComponent(agent=a) for a in agents)
            regimens = (Regimen(label=arm.label, components=comps, line=line),)
            used = []
        evs: list[Evidence] = []
        for sent in used:
            evs.extend(e for e in evidences(document, sent, NAME, VERSION, 0.85) if e not in evs)
        defining = [s for s in sentences(document) if s.start <= arm.start < s.end or s.start == arm.start]
        if arm.label == OVERALL and arm.n is not None and study is not None:
            # a single arm's size is the study's enrolment: quote the sentence that gives it
            evs.extend(e for e in study.evidence if re.search(rf"\b{arm.n}\b", e.quote) and e not in evs)
        for sent in defining[:1]:
            evs.extend(e for e in evidences(document, sent, NAME, VERSION, 0.85) if e not in evs)
        if not evs:
            continue
        yield Arm(study=context.study, label=arm.label, regimens=regimens, n=arm.n,
                  neoplasm_types=(arm.neoplasm,) if arm.neoplasm else (), evidence=tuple(evs))
