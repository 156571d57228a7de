"""Recall and precision of the loaders against findings read by hand from the four papers.

``tests/loaders/gold/<document>.json`` lists what a careful reader finds in each paper: outcomes,
hazard ratios, baseline characteristics, adverse events, and the trials of the review's tables and
of the running text (kind, study, population, endpoint, value, CI, time point, and a quote that
locates it). These tests run :func:`loaders.extract.extract_facts` on each corpus document, match
facts to gold findings (kind + numbers + population and study, loosely spelled), print recall and
precision per paper and per kind, and hold floors measured on the real corpus minus a small margin.

Precision counts only the kinds the gold covers (studies, outcomes, effect estimates,
characteristics, adverse events, and arms where the gold lists them); a fact is correct when it
matches some gold finding.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from loaders.extract import extract_facts
from loaders.facts import (
    AdverseEvent,
    Arm,
    Characteristic,
    EffectEstimate,
    Fact,
    Outcome,
    Study,
    normalise_name,
)
from loaders.readers import read_document

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
GOLD = Path(__file__).resolve().parent / "gold"
DOCUMENTS = sorted(p.stem for p in GOLD.glob("*.json"))

KIND_OF: dict[type[Fact], str] = {Outcome: "outcome", EffectEstimate: "effect", Characteristic: "characteristic",
                                  AdverseEvent: "adverse_event", Study: "study", Arm: "arm"}

#: Floors: measured on the corpus (see the printed table) minus a small margin.
RECALL_FLOOR = {"000_d94e49e236f24c41": 0.94, "002_34b4878d2beb713d": 0.95, "003_702b57e71bc14018": 0.96,
                "004_a5a6c1408807182b": 0.91}
PRECISION_FLOOR = {"000_d94e49e236f24c41": 0.96, "002_34b4878d2beb713d": 0.97, "003_702b57e71bc14018": 0.96,
                   "004_a5a6c1408807182b": 0.90}
OVERALL_RECALL_FLOOR = 0.94


@cache
def gold(document: str) -> dict[str, Any]:
    return json.loads((GOLD / f"{document}.json").read_text(encoding="utf-8"))


@cache
def document_and_facts(document: str) -> tuple[Any, tuple[Fact, ...]]:
    doc = read_document(CORPUS / f"{document}.txt")
    return doc, tuple(extract_facts(doc))


# --------------------------------------------------------------------------- loose comparison

_STOP = {"x", "the", "group", "arm", "cohort", "patients", "patient", "n", "no", "of", "with", "in", "and", "plus", "a"}


def tokens(text: str | None) -> frozenset[str]:
    """Words of a label, folded: case, plurals, "+"/"plus", punctuation."""
    if not text:
        return frozenset()
    text = text.lower().replace("≥", " >= ").replace("≤", " <= ").replace("×", " x ")
    text = re.sub(r"(\d)x\b", r"\1 x", re.sub(r"(\d)x(?=[a-z])", r"\1 x ", text))
    out = set()
    for tok in re.findall(r"[a-z0-9]+(?:\.[0-9]+)?|>=|<=|[<>]", text):
        if tok in _STOP:
            continue
        if len(tok) > 3 and tok.endswith("s") and not tok.endswith("ss"):
            tok = tok[:-1]
        out.add(tok)
    return frozenset(out)


def same_words(a: str | None, b: str | None) -> bool:
    ta, tb = tokens(a), tokens(b)
    return bool(ta) and bool(tb) and (ta <= tb or tb <= ta)


def close(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-6)


def local(iri: str | None) -> str:
    return (iri or "").rsplit("#", 1)[-1]


def acronym(iri: str | None) -> str:
    """"OverallSurvival" -> "OS": how the gold file names endpoints."""
    return "".join(ch for ch in local(iri) if ch.isupper()).upper()


def camel_words(iri: str | None) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local(iri))


#: How the gold file spells countries (as the tables print them) against the graph's names.
COUNTRY_SPELLING = {"United States": "USA", "United Kingdom": "UK", "South Korea": "Korea"}
_ROMAN = {"I": "1", "II": "2", "III": "3"}


def phase_name(printed: str) -> str | None:
    """The TrialPhase term a gold "phase_text" names: "Randomised phase III" -> "Phase3", "Phase I/IIa" -> "Phase1And2"."""
    m = re.search(r"phase\s+(I{1,3})([ab])?(?:\s*/\s*(I{1,3})[ab]?)?", printed, re.IGNORECASE)
    if not m:
        return None
    first, sub, second = _ROMAN[m[1].upper()], m[2], m[3]
    if second:
        return f"Phase{first}And{_ROMAN[second.upper()]}"
    return f"Phase{first}{sub or ''}"


class Matcher:
    """Decides whether a fact states a gold finding."""

    def __init__(self, document: str, facts: tuple[Fact, ...]) -> None:
        self.document = document
        self.overall = {"overall", "all", "all patients"} | {a.lower() for a in gold(document)["overall_aliases"]}
        self.primary = {f.ref for f in facts if isinstance(f, Study) and f.role == "primary"}
        self.names: dict[str, set[str]] = defaultdict(set)
        for f in facts:
            if isinstance(f, Study):
                for n in (f.name, *f.aliases, *f.registry_ids, f.ref.split(":", 1)[-1]):
                    if n:
                        self.names[f.ref].add(self.fold(n))

    @staticmethod
    def fold(name: str) -> str:
        return normalise_name(name).replace("-", "")

    def study(self, g: dict[str, Any], ref: str) -> bool:
        wanted = g.get("study")
        if wanted == "@primary":
            return ref in self.primary if self.primary else ref.startswith("doc:")
        if not wanted:
            return True
        return self.fold(wanted) in self.names.get(ref, {self.fold(ref.split(":", 1)[-1])})

    def population(self, g: dict[str, Any], label: str) -> bool:
        want, have = (g.get("population") or "overall").strip(), (label or "overall").strip()
        if want.lower() in self.overall and have.lower() in self.overall:
            return True
        return same_words(want, have)

    def matches(self, g: dict[str, Any], f: Fact) -> bool:
        kind = g["kind"]
        if KIND_OF.get(type(f)) != kind:
            return False
        if kind == "study":
            return self._study_fact(g, f)  # type: ignore[arg-type]
        if kind == "arm":
            agents = {local(c.agent).lower() for r in f.regimens for c in r.components}  # type: ignore[attr-defined]
            return self.study(g, f.study) and agents == {a.lower() for a in g["agents"]}  # type: ignore[attr-defined]
        if not self.study(g, f.study) or not self.population(g, f.population):  # type: ignore[attr-defined]
            return False
        return bool(getattr(self, "_" + kind)(g, f))

    def _study_fact(self, g: dict[str, Any], f: Study) -> bool:
        if g.get("role") and g["role"] != f.role:
            return False
        ids = {self.fold(i) for i in g.get("registry_ids", [])}
        names = self.names.get(f.ref, set())
        if ids:
            if not ids & {self.fold(i) for i in f.registry_ids} and not ids & names:
                return False
        elif g.get("name"):
            if self.fold(g["name"]) not in {self.fold(n) for n in (f.name, *f.aliases) if n}:
                return False
        elif g.get("role") == "primary":
            pass
        else:
            return False
        if "enrolment" in g and g["enrolment"] not in (f.enrolment_planned, f.enrolment_actual):
            return False
        if g.get("status") and not same_words(g["status"], camel_words(f.status)):
            return False
        if g.get("countries") and set(g["countries"]) != {COUNTRY_SPELLING.get(c, c) for c in f.countries}:
            return False
        expected = phase_name(g.get("phase_text") or "")
        return not (expected and local(f.phase) != expected)

    @staticmethod
    def _numbers(g: dict[str, Any], f: Any, value_field: str = "value") -> bool:
        if "ci_lower" in g:
            if g["ci_lower"] is not None and not close(g["ci_lower"], f.ci_lower):
                return False
            if g["ci_upper"] is not None and not close(g["ci_upper"], f.ci_upper):
                return False
        return not (g.get("ci_upper_not_reached") and not f.ci_upper_not_reached)

    def _outcome(self, g: dict[str, Any], f: Outcome) -> bool:
        if acronym(f.endpoint) != g["endpoint"].upper():
            return False
        if not close(g["value"], f.value) and not (f.value is None and g.get("count") is not None
                                                    and g["count"] == f.count):
            return False
        if g.get("count") is not None and f.count is not None and g["count"] != f.count:
            return False
        if "range_lower" in g and not (close(g["range_lower"], f.range_lower) and close(g["range_upper"], f.range_upper)):
            return False
        if g.get("timepoint") is not None:
            months = f.timepoint * (12 if local(f.timepoint_unit) == "Year" else 1) if f.timepoint is not None else None
            if not close(g["timepoint"], months):
                return False
        return self._numbers(g, f)

    def _effect(self, g: dict[str, Any], f: EffectEstimate) -> bool:
        if acronym(f.endpoint) != g["endpoint"].upper() or not close(g["value"], f.value):
            return False
        if g.get("model") and not local(f.model).lower().startswith(g["model"][:5].lower()):
            return False
        return self._numbers(g, f)

    def _counted(self, g: dict[str, Any], f: Any) -> bool:
        if g.get("count") is not None and f.count != g["count"]:
            return False
        return not (g.get("percent") is not None and not close(g["percent"], f.percent))

    def _characteristic(self, g: dict[str, Any], f: Characteristic) -> bool:
        if not same_words(f"{g['characteristic']} {g.get('category') or ''}", f"{f.characteristic} {f.category or ''}"):
            return False
        if g.get("value") is not None and not (close(g["value"], f.value) or close(g["value"], f.percent)):
            return False
        if "range_lower" in g and not (close(g["range_lower"], f.range_lower) and close(g["range_upper"], f.range_upper)):
            return False
        return self._counted(g, f)

    def _adverse_event(self, g: dict[str, Any], f: AdverseEvent) -> bool:
        if g["grade"].replace(" ", "") != f.grade.replace(" ", ""):
            return False
        event = g["event"]
        if event != "any" and not same_words(event, f.event) and not same_words(event, camel_words(f.term)):
            return False
        if event == "any" and local(f.term) != "AnyAdverseEvent" and not same_words("any", f.event):
            return False
        return self._counted(g, f)


@cache
def score(document: str) -> dict[str, Any]:
    """Matched gold findings and facts of one document, by kind."""
    _, facts = document_and_facts(document)
    matcher = Matcher(document, facts)
    findings = gold(document)["findings"]
    # arms are scored where the gold lists them (the review's trial tables)
    kinds = {g["kind"] for g in findings}
    scored = [f for f in facts if type(f) in KIND_OF and (KIND_OF[type(f)] != "arm" or "arm" in kinds)]
    found = [any(matcher.matches(g, f) for f in scored) for g in findings]
    correct = [any(matcher.matches(g, f) for g in findings) for f in scored]
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # gold, found, facts, correct
    for g, ok in zip(findings, found, strict=True):
        by_kind[g["kind"]][0] += 1
        by_kind[g["kind"]][1] += ok
    for f, ok in zip(scored, correct, strict=True):
        by_kind[KIND_OF[type(f)]][2] += 1
        by_kind[KIND_OF[type(f)]][3] += ok
    by_extractor: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # facts, correct
    for f, ok in zip(scored, correct, strict=True):
        for name in sorted({ev.extractor for ev in f.evidence}):
            by_extractor[name][0] += 1
            by_extractor[name][1] += ok
    return {"kinds": dict(by_kind), "extractors": dict(by_extractor), "missed": [g for g, ok in zip(findings, found, strict=True) if not ok],
            "wrong": [f for f, ok in zip(scored, correct, strict=True) if not ok]}


def ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def report(document: str) -> tuple[float, float]:
    kinds = score(document)["kinds"]
    g = sum(v[0] for v in kinds.values())
    found = sum(v[1] for v in kinds.values())
    n = sum(v[2] for v in kinds.values())
    ok = sum(v[3] for v in kinds.values())
    print(f"\n{document}: recall {found}/{g} = {ratio(found, g):.3f}, precision {ok}/{n} = {ratio(ok, n):.3f}")
    for kind, (kg, kf, kn, kok) in sorted(kinds.items()):
        print(f"  {kind:15s} recall {kf:3d}/{kg:3d} = {ratio(kf, kg):.3f}   precision {kok:3d}/{kn:3d} = {ratio(kok, kn):.3f}")
    for name, (kn, kok) in sorted(score(document)["extractors"].items()):
        print(f"  extractor {name:15s} precision {kok:3d}/{kn:3d} = {ratio(kok, kn):.3f}")
    return ratio(found, g), ratio(ok, n)


# --------------------------------------------------------------------------- the tests


def test_gold_quotes_are_in_their_documents() -> None:
    """The gold file is a reading of these papers: every finding's quote is their text."""
    for document in DOCUMENTS:
        text = (CORPUS / f"{document}.txt").read_text(encoding="utf-8")
        bad = [g["quote"] for g in gold(document)["findings"] if g["quote"] not in text]
        assert not bad, f"{document}: gold quotes not in the text: {bad[:5]}"
        assert len(gold(document)["findings"]) >= 100


@pytest.mark.parametrize("document", DOCUMENTS)
def test_recall_and_precision_per_paper(document: str) -> None:
    recall, precision = report(document)
    missed = score(document)["missed"]
    print("  missed:", [(g["kind"], g.get("study"), g.get("population"), g.get("endpoint") or g.get("characteristic")
                         or g.get("event") or g.get("name"), g.get("value", g.get("percent"))) for g in missed[:25]])
    assert recall >= RECALL_FLOOR[document], f"{document}: recall {recall:.3f}"
    assert precision >= PRECISION_FLOOR[document], f"{document}: precision {precision:.3f}"


def test_overall_recall() -> None:
    totals = [0, 0, 0, 0]
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for document in DOCUMENTS:
        for kind, counts in score(document)["kinds"].items():
            for i, c in enumerate(counts):
                totals[i] += c
                per_kind[kind][i] += c
    print(f"\nALL: recall {totals[1]}/{totals[0]} = {ratio(totals[1], totals[0]):.3f}, "
          f"precision {totals[3]}/{totals[2]} = {ratio(totals[3], totals[2]):.3f}")
    for kind, (kg, kf, kn, kok) in sorted(per_kind.items()):
        print(f"  {kind:15s} recall {kf:3d}/{kg:3d} = {ratio(kf, kg):.3f}   precision {kok:3d}/{kn:3d} = {ratio(kok, kn):.3f}")
    assert ratio(totals[1], totals[0]) >= OVERALL_RECALL_FLOOR


_NUMBER = re.compile(r"(?<![\w.])\.?\d+(?:[.,·]\d+)*")
_UNITS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORDS = {w: i + 1 for i, w in enumerate(_UNITS)} | {w: i + 10 for i, w in enumerate(_TEENS)}
_WORDS |= {t: 10 * (i + 2) for i, t in enumerate(_TENS)}
_WORDS |= {f"{t}-{u}": 10 * (i + 2) + j + 1 for i, t in enumerate(_TENS) for j, u in enumerate(_UNITS)}


def numbers_in(quote: str) -> list[float]:
    out = []
    for m in _NUMBER.finditer(quote.replace("·", ".")):
        raw = m.group()
        for piece in ([raw] if raw.count(",") == 0 else [raw.replace(",", "."), *raw.split(",")]):
            try:
                out.append(float(piece))
            except ValueError:
                continue
    out.extend(v for w, v in _WORDS.items() if re.search(rf"\b{w}\b", quote, re.IGNORECASE))
    return out


def numeric_fields(fact: Fact) -> list[tuple[str, float]]:
    out = []
    for name, value in vars(fact).items():
        if name == "evidence" or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        out.append((name, float(value)))
    return out


def appears(value: float, found: list[float], name: str) -> bool:
    if any(math.isclose(value, n, rel_tol=1e-9, abs_tol=1e-9) for n in found):
        return True
    if name == "ci_level":
        return any(math.isclose(value * 100, n) for n in found)
    return False


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_quote_is_the_document_text_at_its_offsets(document: str) -> None:
    doc, facts = document_and_facts(document)
    for fact in facts:
        for ev in fact.evidence:
            assert ev.document == doc.id
            assert doc.text[ev.start:ev.end] == ev.quote, (type(fact).__name__, ev.extractor, ev.start)


MINE = {"tables", "review_tables", "cited_trials"}


def numbers_not_in_quotes(document: str, extractors: set[str] | None,
                          exclude: frozenset[str] = frozenset()) -> list[Any]:
    """(fact, field, value, quote) for each number of a fact found in none of its evidence quotes.

    A fact read from several places (a study's enrolment in one sentence, its centres in another)
    is checked against all its quotes together.
    """
    _, facts = document_and_facts(document)
    bad = []
    for fact in facts:
        names = {ev.extractor for ev in fact.evidence}
        if extractors is not None and not names & extractors or names <= exclude:
            continue
        found = [n for ev in fact.evidence for n in numbers_in(ev.quote)]
        for name, value in numeric_fields(fact):
            if not appears(value, found, name):
                bad.append((type(fact).__name__, sorted(names), name, value, fact.evidence[0].quote[:80]))
    return bad


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_number_of_a_table_or_cited_fact_is_in_its_quote(document: str) -> None:
    """Precision guard for the table, review-table and cited-trial extractors."""
    bad = numbers_not_in_quotes(document, MINE)
    assert not bad, f"{len(bad)} numbers not in their quotes, e.g. {bad[:8]}"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_number_of_every_fact_is_in_its_quote(document: str) -> None:
    """The same guard over every extractor's facts."""
    bad = numbers_not_in_quotes(document, None)
    assert not bad, f"{len(bad)} numbers not in their quotes, e.g. {bad[:8]}"
