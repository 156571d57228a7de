"""Arms and subgroups of the paper's own study, and how text names them.

One label per population per paper, so that facts from sentences and from tables meet:
``"overall"`` for the whole population, an arm's label ("atezolizumab + EP", "EP alone"), a
neoplasm type ("NEC", "NET G3"), a biomarker stratum ("Ki-67 ≤55%"), a performance-status stratum
("PS 0"), or a combination ("NEC, PS 0").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import ontology
from loaders.document import Document
from ontology.vocabulary import NAMED_REGIMENS

from .common import NUM, WORD_NUMBER, Clean, Hit, Lexicon, Sent, sentences, to_number

OVERALL = "overall"
#: Words for treatment in general name no treatment subgroup.
_GENERIC_AGENTS = frozenset({"Agent", "CytotoxicAgent", "ImmuneCheckpointInhibitor", "TargetedAgent", "OtherAgent",
                             "PlatinumCompound", "TopoisomeraseInhibitor"})
_OVERALL = re.compile(r"\b(?:all\s+(?:\d+\s+)?(?:patients|participants|cases)|(?:the\s+)?(?:whole|entire|full|total)\s+"
                      r"(?:cohort|population|dataset|study\s+population)|overall\s+population|all\s+patients"
                      r"|all\s*\(N\s*=\s*\d+\)|^all\b)", re.I)
_OP_WORDS = (("greater than or equal to", "≥"), ("less than or equal to", "≤"), ("at least", "≥"),
             ("greater than", ">"), ("more than", ">"), ("higher than", ">"), ("above", ">"), ("over", ">"),
             ("exceeding", ">"), ("less than", "<"), ("lower than", "<"), ("below", "<"), ("under", "<"),
             (">=", "≥"), ("<=", "≤"), ("=>", "≥"), ("=<", "≤"))
_OP = r"(?:≥|≤|>|<|>=|<=|=>|=<|greater than or equal to|less than or equal to|at least|greater than|more than" \
      r"|higher than|above|over|exceeding|less than|lower than|below|under)"
_THRESH = re.compile(r"\s*(?:index|levels?|values?|score|proliferation index|labelling index)?\s*(?:of\s+)?(?:(" + _OP
                     + r")\s*(" + NUM + r")\s*(%|\s*[x×]?\s*ULN|-?\s*times\s+the\s+upper\s+limit\s+of\s+normal)?|(" + NUM + r")\s*(?:–|-|to)\s*(" + NUM
                     + r")\s*(%)?)", re.I)
_ELLIPTIC = re.compile(r"\s*(?:and|vs\.?|versus|or|,)\s*(?:those\s+with\s+)?(?:an?\s+index\s+of\s+)?(" + _OP
                       + r")\s*(" + NUM + r")\s*(%|\s*[x×]?\s*ULN)?", re.I)
_PS = re.compile(r"\b(?:ECOG[\s-]*)?(?:PS|performance status)(?:\s+of)?\s*(\d(?:\s*[–-]\s*\d)?)\b")
_GROUP_WORDS = r"(?:group|arm|cohort|patients|subgroup)"


def _op(text: str) -> str:
    low = text.lower().strip()
    for words, sym in _OP_WORDS:
        if low == words:
            return sym
    return low


def _num(text: str) -> str:
    value = to_number(text)
    return f"{value:g}"


@dataclass(frozen=True)
class ArmDef:
    """An arm of the study: its label, agents (term IRIs) and size."""

    label: str
    agents: frozenset[str]
    n: int | None = None
    neoplasm: str | None = None  # for cohorts defined by neoplasm type
    start: int = 0  # where it was defined (document offsets)
    end: int = 0


@dataclass(frozen=True)
class PopMention:
    start: int  # clean-text offsets within the sentence
    end: int
    label: str
    kind: str  # overall, arm, neoplasm, stratum, ps, site


@dataclass
class Populations:
    """The populations of one paper and the resolver from printed text to label."""

    lexicon: Lexicon
    arms: list[ArmDef] = field(default_factory=list)
    abbreviations: dict[str, frozenset[str]] = field(default_factory=dict)  # "EP" -> agent IRIs
    neoplasm_labels: dict[str, str] = field(default_factory=dict)  # term IRI -> label
    biomarker_labels: dict[str, str] = field(default_factory=dict)
    high_grade_only: bool = False

    # ------------------------------------------------------------------ building
    @classmethod
    def of(cls, document: Document, info: object, lexicon: Lexicon) -> Populations:
        """Read the arms and the spellings of subgroups from ``document``."""
        pops = cls(lexicon=lexicon)
        scope = getattr(info, "scope", None)
        if scope is not None and scope.is_review:
            return pops
        title = document.metadata.get("title", "")
        pops.high_grade_only = bool(re.search(r"\b(?:G3|grade 3|high-grade|high grade)\b", title, re.I))
        sents = sentences(document)
        counts: dict[str, dict[str, int]] = {}
        for sent in sents:
            for hit in lexicon.find(sent.text):
                if "NeoplasmType" in hit.families or "Biomarker" in hit.families:
                    form = _canon_form(hit.text)
                    counts.setdefault(hit.iri, {}).setdefault(form, 0)
                    counts[hit.iri][form] += 1
            pops._abbreviations(sent)
        for iri, forms in counts.items():
            best = sorted(forms.items(), key=lambda kv: (-_abbrev_score(kv[0]), -kv[1], len(kv[0])))[0][0]
            pops.neoplasm_labels[iri] = best
        for sent in sents:
            if scope is not None and scope.is_foreign(sent, document.text[sent.start:sent.end]):
                continue
            if sent.section_kind not in {"abstract", "methods", "results", "title", "body"}:
                continue
            pops._arms_from(sent)
        return pops

    def _abbreviations(self, sent: Sent) -> None:
        """"etoposide and platinum (EP)": the abbreviation stands for those agents."""
        for m in re.finditer(r"\(([A-Z][A-Za-z/+-]{0,8}[A-Z])\)", sent.text):
            before = sent.text[max(0, m.start() - 80):m.start()]
            clause = re.split(r"[,;:]|\bof\b|\bwith\b(?=.*\b(?:and|plus)\b)", before)[-1]
            agents = [h for h in self.lexicon.find(clause) if "Agent" in h.families]
            if len(agents) >= 2 and m.group(1) not in self.abbreviations:
                self.abbreviations[m.group(1)] = frozenset(h.iri for h in agents)

    def agents_in(self, text: str) -> tuple[list[Hit], frozenset[str]]:
        """Agent hits of ``text`` and the agent IRIs they stand for (abbreviations expanded)."""
        hits = [h for h in self.lexicon.find(text) if "Agent" in h.families or "NamedRegimen" in h.families]
        iris: set[str] = set()
        for h in hits:
            if h.text in self.abbreviations:
                iris |= self.abbreviations[h.text]
            else:
                iris.add(h.iri)
        for abbr, agents in self.abbreviations.items():
            if re.search(r"(?<![\w-])" + re.escape(abbr) + r"(?![\w-])", text) and not any(h.text == abbr for h in hits):
                iris |= agents
        return hits, frozenset(iris)

    def _arms_from(self, sent: Sent) -> None:
        text = sent.text
        # "14 received atezolizumab with platinum and etoposide (EP), while 42 were treated with EP alone"
        pat = re.compile(r"(\d+|" + WORD_NUMBER + r")\s+(?:patients\s+|participants\s+)?(?:\(\d+(?:\.\d+)?%\)\s+)?"
                         r"(?:received|were\s+treated\s+with|were\s+given|were\s+assigned\s+to|were\s+randomi[sz]ed\s+to)"
                         r"\s+(.+?)(?=,|;|\.|\bwhile\b|\bwhereas\b|\band\s+(?:\d|" + WORD_NUMBER + r")|$)", re.I)
        # "patients treated with atezolizumab in combination with EP (N = 14) and those treated with EP alone (N = 42)"
        pat2 = re.compile(r"(?:treated\s+with|receiving|received|assigned\s+to)\s+(.+?)\s*\(\s*[Nn]\s*=\s*(\d+)\s*\)")
        found: list[tuple[str, int]] = []
        for m in pat.finditer(text):
            found.append((m.group(2), int(to_number(m.group(1)))))
        for m in pat2.finditer(text):
            found.append((m.group(1), int(m.group(2))))
            # "... to X (n = 60) or Y (n = 60)": the arms listed after the first
            pos = m.end()
            while True:
                more = re.match(r"\s*(?:,|or|and|versus|vs\.?)\s+(?:to\s+)?(.+?)\s*\(\s*[Nn]\s*=\s*(\d+)\s*\)", text[pos:])
                if not more:
                    break
                found.append((more.group(1), int(more.group(2))))
                pos += more.end()
        if not found:
            # "randomly assigned (1:1) to receive X or Y"
            for m in re.finditer(r"(?:assigned|allocated|randomi[sz]ed)\s+(?:\(\d:\d\)\s+)?to\s+(?:receive\s+)?(?:either\s+)?"
                                 r"(.+?)\s+(?:or|versus|vs\.?)\s+(.+?)(?=[,;.]|$)", text, re.I):
                if not re.search(r"\d", m.group(1) + m.group(2)):
                    found.extend([(m.group(1), 0), (m.group(2), 0)])
        # "80 were assigned to EP and 80 to IP"
        pat3 = re.compile(r"(\d+)\s+(?:patients\s+)?(?:were\s+)?(?:randomly\s+)?(?:assigned|allocated|randomi[sz]ed)\s+to\s+"
                          r"(?:the\s+)?([^,;.]+?)\s+(?:arm\s+|group\s+)?and\s+(\d+)\s+to\s+(?:the\s+)?([^,;.]+?)"
                          r"(?:\s+(?:arm|group))?(?=[,;.]|$)", re.I)
        for m in pat3.finditer(text):
            found = [(m.group(2), int(m.group(1))), (m.group(4), int(m.group(3)))]
        arms = []
        for phrase, n in found:
            hits, agents = self.agents_in(phrase)
            if agents and not re.search(r"\b(?:cycles?|doses?)\b", phrase, re.I):
                arms.append((self._render(phrase, hits), agents, n))
        if len(arms) >= 2 and all(a[1] for a in arms):
            self._set_arms(arms, sent)
        # "427 NEC and 117 NET G3 received palliative chemotherapy": cohorts by neoplasm type
        cohort = re.compile(r"(\d+)\s+([A-Z][\w ]{1,12}?)\s+(?:patients\s+)?(?:and|,)\s+(\d+)\s+([A-Z][\w ]{1,12}?)\s+"
                            r"(?:patients\s+)?(?:received|were\s+treated|were\s+given|had)")
        cm = cohort.search(text)
        if cm and not self.arms:
            for count, label in ((cm.group(1), cm.group(2)), (cm.group(3), cm.group(4))):
                hit = next((h for h in self.lexicon.find(label) if "NeoplasmType" in h.families), None)
                if hit is not None:
                    self.arms.append(ArmDef(self.neoplasm_label(hit), frozenset(), int(count), neoplasm=hit.iri,
                                            start=sent.start, end=sent.end))

    def _set_arms(self, arms: list[tuple[str, frozenset[str], int]], sent: Sent) -> None:
        if self.arms and not (all(a.n is None for a in self.arms) and all(n for _, _, n in arms)):
            return  # the first arms read stay, unless they lacked the sizes a later sentence gives
        self.arms = []
        for label, agents, n in arms:
            self.arms.append(ArmDef(label, agents, n or None, start=sent.start, end=sent.end))

    def _render(self, phrase: str, hits: list[Hit]) -> str:
        """A short arm label: agents joined by " + ", a list with an abbreviation as the abbreviation
        ("atezolizumab with platinum and etoposide (EP)" is "atezolizumab + EP")."""
        alone = re.search(r"\b(?:alone|only|monotherapy)\b", phrase, re.I)
        parts: list[str] = []
        skip: set[int] = set()
        for k, h in enumerate(hits):
            if k in skip:
                continue
            nxt = hits[k + 1] if k + 1 < len(hits) else None
            if nxt is not None and re.fullmatch(r"\s*\(\s*", phrase[h.end:nxt.start]) and nxt.text.isupper():
                part = nxt.text
                skip.add(k + 1)
            elif h.text.isupper() or any(c.isupper() for c in h.text[1:]):
                part = h.text
            else:
                part = h.text[0].lower() + h.text[1:]
            if part not in parts:
                parts.append(part)
        # "etoposide and cisplatin (EP)" read as two agents: the abbreviation stands for them
        for abbr, agents in self.abbreviations.items():
            if re.search(r"\(" + re.escape(abbr) + r"\)", phrase):
                names = [h for h in hits if h.iri in agents]
                parts = [p for p in parts if p not in {n.text for n in names}]
                if abbr not in parts:
                    parts.append(abbr)
        label = " + ".join(parts) if parts else phrase.strip()
        return label + (" alone" if alone and len(parts) == 1 else "")

    # ------------------------------------------------------------------ labels
    def neoplasm_label(self, hit: Hit) -> str:
        label = self.neoplasm_labels.get(hit.iri) or _canon_form(hit.text)
        if self.high_grade_only and label in {"NET", "NETs"}:
            return "NET G3"
        return label

    def arm_for(self, text: str) -> str | None:
        """The arm ``text`` names ("the atezolizumab plus EP group", "EP alone", "combination group")."""
        if not self.arms or all(a.neoplasm for a in self.arms):
            return None
        hits, agents = self.agents_in(text)
        alone = re.search(r"\b(?:alone|only|monotherapy|control|standard)\b", text, re.I)
        combo = re.search(r"\bcombination|\bplus\b|\bexperimental|\bimmunotherapy|\bwith\b", text, re.I)
        drug_arms = [a for a in self.arms if a.agents]
        if agents:
            covering = [a for a in drug_arms if all(_covers(a.agents, x, self.lexicon) for x in agents)]
            if not covering:
                return None
            if len(covering) == 1:
                return covering[0].label
            if alone:
                return min(covering, key=lambda a: len(a.agents)).label
            if combo:
                return max(covering, key=lambda a: len(a.agents)).label
            return None
        if re.search(r"\bcombination\b", text, re.I) and not alone:
            return max(drug_arms, key=lambda a: len(a.agents)).label
        if re.search(r"\bchemotherapy[-\s]alone|\bcontrol\b|\bplacebo\b", text, re.I):
            return min(drug_arms, key=lambda a: len(a.agents)).label
        return None

    def mentions(self, text: str) -> list[PopMention]:
        """Every population named in the clean sentence ``text``, in order."""
        out: list[PopMention] = []
        for m in _OVERALL.finditer(text):
            out.append(PopMention(m.start(), m.end(), OVERALL, "overall"))
        # arm phrases: "the X group", "patients receiving X", "X alone"
        if self.arms and any(a.agents for a in self.arms):
            for m in re.finditer(r"\b" + _GROUP_WORDS + r"\b", text, re.I):
                words = list(re.finditer(r"[\w/+.-]+", text[:m.start()]))
                for k in range(1, min(6, len(words)) + 1):
                    first = words[-k]
                    label = self.arm_for(text[first.start():m.end()])
                    if label:
                        out.append(PopMention(first.start(), m.end(), label, "arm"))
                        break
            for m in re.finditer(r"(?:receiving|received|treated\s+with|given)\s+((?:[\w/+-]+\s+){0,5}?[\w/+-]+)"
                                 r"(?=\s*(?:,|\.|;|\)|\bexhibited|\bhad|\bshowed|\bwas|\bwere|$))", text, re.I):
                label = self.arm_for(m.group(1))
                if label:
                    out.append(PopMention(m.start(), m.end(), label, "arm"))
            # "in the durvalumab and EP alone arms": two arms named before one group word
            for m in re.finditer(r"\b((?:[\w/+-]+\s+){0,2}?[\w/+-]+)\s+(?:and|or|versus|vs\.?)\s+((?:[\w/+-]+\s+){0,2}?[\w/+-]+)"
                                 r"\s+(?:arms|groups|cohorts)\b", text, re.I):
                one, two = self.arm_for(m.group(1)), self.arm_for(m.group(2))
                if one and two and one != two:
                    out.append(PopMention(m.start(1), m.end(1), one, "arm"))
                    out.append(PopMention(m.start(2), m.end(), two, "arm"))
            for m in re.finditer(r"\bwith\s+((?:[\w/+-]+\s+){0,3}?[\w/+-]+)(?=\s*(?:,|\.|;|\)|\band\b|$))", text, re.I):
                label = self.arm_for(m.group(1))
                if label and not re.search(r"\d", m.group(1)):
                    out.append(PopMention(m.start(1), m.end(), label, "arm"))
            for a in self.arms:
                for m in re.finditer(r"(?<![\w-])" + re.escape(a.label) + r"(?![\w-])", text, re.I):
                    out.append(PopMention(m.start(), m.end(), a.label, "arm"))
        hits = self.lexicon.find(text)
        for _i, hit in enumerate(hits):
            if "NeoplasmType" in hit.families:
                # "NEC patients", "for NEC", "in NET G3" but not "NEC with Ki-67 < 55%" alone
                out.append(PopMention(hit.start, hit.end, self.neoplasm_label(hit), "neoplasm"))
            elif "Biomarker" in hit.families:
                tm = _THRESH.match(text, hit.end)
                base = self.neoplasm_labels.get(hit.iri) or _canon_form(hit.text)
                if tm and (tm.group(2) or tm.group(4)):
                    label = _stratum(base, tm)
                    out.append(PopMention(hit.start, tm.end(), label, "stratum"))
                    pos = tm.end()
                    while True:
                        em = _ELLIPTIC.match(text, pos)
                        if not em:
                            break
                        unit = "%" if "%" in (tm.group(3) or "") + (tm.group(6) or "") + (em.group(3) or "") else ""
                        if "ULN" in (em.group(3) or "") + (tm.group(3) or ""):
                            unit = "×ULN"
                        label2 = f"{base} {_op(em.group(1))}{_num(em.group(2))}{unit}"
                        out.append(PopMention(em.start(1), em.end(), label2, "stratum"))
                        pos = em.end()
        # "colorectal primaries", "non-colorectal NENs", "pancreatic primaries": subgroups by primary site
        for hit in hits:
            if "AnatomicalSite" not in hit.families:
                continue
            tail = re.match(r"\s*(?:primar(?:y|ies)(?:\s+(?:tumou?rs?|sites?))?|tumou?rs?|NENs?|NECs?|origin|cases)\b",
                            text[hit.end:])
            non = text[max(0, hit.start - 4):hit.start] == "non-"
            if re.search(r"primar", hit.text, re.I) and hit.name not in {"AnatomicalSite"}:
                tail = tail or re.match(r"", "")
                if re.fullmatch(r"(?i)primary(?:\s+(?:tumou?r|site))?s?", hit.text):
                    continue  # "primary tumour site" names no site
            if tail or non:
                label = ("non-" if non else "") + hit.text.lower()
                out.append(PopMention(hit.start - (4 if non else 0), hit.end + (tail.end() if tail else 0), label, "site"))
        if not any(a.agents for a in self.arms):
            # a cohort study's treatment subgroups: "12.5 m with temozolomide/everolimus", "with FOLFIRI"
            for m in re.finditer(r"\b(?:with|receiving|after)\s+(?:first-line\s+)?([A-Za-z][\w/+-]*"
                                 r"(?:\s+(?:plus|\+)\s+[A-Za-z][\w/+-]*)?)",
                                 text):
                named = [h for h in hits if m.start(1) <= h.start < m.end(1) and h.name not in _GENERIC_AGENTS
                         and ("Agent" in h.families or "NamedRegimen" in h.families)]
                if named:
                    out.append(PopMention(m.start(1), m.end(1), m.group(1).lower(), "treatment"))
        for m in re.finditer(r"\b(?:unknown|occult)\s+primar(?:y|ies)(?:\s+(?:sites?|tumou?rs?))?", text, re.I):
            out.append(PopMention(m.start(), m.end(), "unknown primary", "site"))
        for m in _PS.finditer(text):
            out.append(PopMention(m.start(), m.end(), "PS " + re.sub(r"\s+", "", m.group(1)).replace("-", "–"), "ps"))
            pos = m.end()
            while True:
                em = re.match(r"\s*(?:,|and|vs\.?|versus|or)\s*(?:PS\s*)?(\d)\b(?!\s*(?:%|m\b|months))", text[pos:])
                if not em:
                    break
                out.append(PopMention(pos + em.start(1), pos + em.end(), "PS " + em.group(1), "ps"))
                pos += em.end()
        out.sort(key=lambda p: (p.start, -(p.end - p.start)))
        kept: list[PopMention] = []
        for p in out:
            if kept and p.start < kept[-1].end:
                continue
            kept.append(p)
        return kept

    def resolve(self, text: str) -> str | None:
        """The label of the population ``text`` names, for table headers and cells."""
        clean = Clean.of(text, 0, len(text)).text
        core = re.sub(r"\(\s*[Nn]\s*=\s*\d+\s*\)|\b[Nn]\s*=\s*\d+\b", "", clean).strip(" ,;:")
        if not core:
            return None
        if _OVERALL.search(core) or core.lower() in {"all", "overall", "total", "all patients"}:
            return OVERALL
        arm = self.arm_for(core)
        if arm:
            return arm
        found = self.mentions(core)
        labels = [p.label for p in found]
        if labels:
            return ", ".join(dict.fromkeys(labels))
        return None


#: The agents of a named regimen (EP: etoposide with cisplatin or carboplatin), from the vocabulary.
STANDARD_AGENTS = {ontology.term(t.name): frozenset(ontology.term(a) for rel, a in t.relations if rel == "standardAgent")
                   for t in NAMED_REGIMENS}


def _covers(arm_agents: frozenset[str], agent: str, lexicon: Lexicon) -> bool:
    """Whether an arm's agents include ``agent`` or something of its class (platinum, ICI)."""
    if agent in arm_agents:
        return True
    expanded = set(arm_agents)
    for iri in arm_agents:
        expanded |= STANDARD_AGENTS.get(iri, frozenset())
    if agent in expanded:
        return True
    name = agent.rsplit("#", 1)[-1]
    for iri in expanded:
        hits = lexicon.find(_label_of(iri, lexicon))
        if any(name in h.families for h in hits if h.iri == iri):
            return True
    return False


_LABEL_CACHE: dict[str, str] = {}


def _label_of(iri: str, lexicon: Lexicon) -> str:
    """A word for the term ``iri`` that the lexicon recognises (its local name split into words)."""
    if iri not in _LABEL_CACHE:
        name = iri.rsplit("#", 1)[-1]
        _LABEL_CACHE[iri] = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()
    return _LABEL_CACHE[iri]


def _canon_form(text: str) -> str:
    """Printed form to label: plurals dropped, "G3 NET" as "NET G3", "Ki67"/"Ki 67" as "Ki-67"."""
    t = re.sub(r"\s+", " ", text.strip())
    t = re.sub(r"\b([A-Z]{2,}[A-Z0-9-]*)s\b", r"\1", t)
    t = re.sub(r"^(G\d)\s+(NET|NEN|NEC)$", r"\2 \1", t)
    t = re.sub(r"\s+(?:index|level|levels|expression|status|score)$", "", t, flags=re.I)
    t = re.sub(r"^Ki[\s-]?67$", "Ki-67", t, flags=re.I)
    return t


def _abbrev_score(form: str) -> int:
    return 2 if re.fullmatch(r"[A-Z][A-Za-z0-9-]*(?: G\d)?", form) and any(c.isupper() for c in form[1:]) else 0


def _stratum(base: str, tm: re.Match[str]) -> str:
    if tm.group(2):
        unit = "%" if (tm.group(3) or "").strip() == "%" or base.lower().startswith("ki") else ""
        if tm.group(3) and ("ULN" in tm.group(3) or "upper limit" in tm.group(3)):
            unit = "×ULN"
        return f"{base} {_op(tm.group(1))}{_num(tm.group(2))}{unit}"
    unit = "%" if tm.group(6) or base.lower().startswith("ki") else ""
    return f"{base} {_num(tm.group(4))}–{_num(tm.group(5))}{unit}"
