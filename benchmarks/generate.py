"""Synthetic evidence graphs with the shape of the real nenkg graph, at any size.

The real corpus gives a few thousand triples; the benchmarks need 10k to 1M. This generator
writes N-Quads with the same shape as ``graph.rdf`` produces (see COMMON.md): one named graph per
document holding its publication, study, arms with regimens and components, outcomes with CIs,
hazard ratios, characteristics, adverse events and Web Annotation evidence for each of them; the
real ontology (its class hierarchy and vocabulary individuals) in the ontology graph; and the
types a reasoner would add (superclasses of every typed node) in the inferred graph. The numbers
and quotes are random (seeded): the graph is for measuring engines, never for answers.

    python -m benchmarks.generate 100k benchmarks/data/100k.nq
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.rdf import DCTERMS, LABEL, OA, PROV, RDFS, TYPE, n
from graph.rdf import literal as lit
from ontology import DATA_NS, INFERRED_GRAPH, NS, ONTOLOGY_GRAPH, TURTLE_PATH

SUBCLASS = ox.NamedNode(RDFS + "subClassOf")
WORDS = ("patients", "median", "overall", "survival", "months", "confidence", "interval", "response",
         "platinum", "etoposide", "carcinoma", "neuroendocrine", "grade", "cohort", "treated", "cycles",
         "progression", "hazard", "ratio", "adverse", "events", "primary", "pancreatic", "colorectal")
ENDPOINTS = ("OverallSurvival", "ProgressionFreeSurvival", "ObjectiveResponseRate", "DiseaseControlRate")
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1M": 1_000_000}


def parse_size(text: str) -> int:
    """``"10k"`` -> 10000; plain integers are accepted too."""
    if text in SIZES:
        return SIZES[text]
    multiplier = {"k": 1_000, "m": 1_000_000}.get(text[-1].lower(), 1)
    return int(float(text.rstrip("kKmM")) * multiplier)


class Vocabulary:
    """The real ontology: its triples, class hierarchy and the individuals of each class."""

    def __init__(self) -> None:
        self.triples = [q.triple for q in ox.parse(path=str(TURTLE_PATH), format=ox.RdfFormat.TURTLE)]
        self.parents: dict[str, set[str]] = {}
        members: dict[str, list[str]] = {}
        for t in self.triples:
            if t.predicate == SUBCLASS and isinstance(t.object, ox.NamedNode):
                self.parents.setdefault(t.subject.value, set()).add(t.object.value)
            elif t.predicate == TYPE and isinstance(t.subject, ox.NamedNode):
                members.setdefault(t.object.value, []).append(t.subject.value)
        self.members = {c: sorted(v) for c, v in members.items()}

    def ancestors(self, cls: str) -> set[str]:
        seen: set[str] = set()
        todo = [cls]
        while todo:
            for parent in self.parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def individuals(self, cls: str) -> list[ox.NamedNode]:
        """Individuals of ``cls`` or any subclass."""
        found = [m for c, ms in self.members.items() if c == NS + cls or NS + cls in self.ancestors(c) for m in ms]
        return [ox.NamedNode(m) for m in sorted(set(found))] or [n(cls)]


class Generator:
    """Writes documents until the target triple count is reached."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.vocab = Vocabulary()
        pick = self.vocab.individuals
        self.agents, self.sites, self.neoplasms = pick("Agent"), pick("AnatomicalSite"), pick("NeoplasmType")
        self.designs, self.phases, self.statuses = pick("StudyDesign"), pick("TrialPhase"), pick("RecruitmentStatus")
        self.lines, self.ae_terms, self.ctcae = pick("LineOfTherapy"), pick("AdverseEventTerm"), pick("CTCAEGrade")
        self.biomarkers, self.models, self.routes = pick("Biomarker"), pick("ModelType"), pick("Route")
        self.characteristics = pick("ClinicalCharacteristic")
        self.inferred_seen: set[tuple[str, str]] = set()

    def text(self, words: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(words))

    def document(self, index: int) -> tuple[ox.NamedNode, list[ox.Triple]]:
        """One synthetic paper about one study: its named graph and triples."""
        rng, out = self.rng, []
        s: Any
        p: Any
        o: Any
        doc_id = f"synthetic_{index:07d}"
        graph = ox.NamedNode(f"{DATA_NS}graph/document/{doc_id}")

        def node(kind: str, slug: str) -> ox.NamedNode:
            return ox.NamedNode(f"{DATA_NS}{kind}/s{index}-{slug}")

        def add(s: ox.NamedNode, p: str | ox.NamedNode, o: object) -> None:
            predicate = p if isinstance(p, ox.NamedNode) else (
                ox.NamedNode(p) if ":" in p and p.startswith("http") else n(p))
            obj = o if isinstance(o, ox.NamedNode | ox.Literal) else lit(o)
            out.append(ox.Triple(s, predicate, obj))

        document = ox.NamedNode(f"{DATA_NS}document/{doc_id}")
        activity = ox.NamedNode(f"{DATA_NS}activity/benchmark-generator")
        publication = node("publication", "paper")
        doi = f"10.9999/synthetic.{index}"
        for s, p, o in ((document, TYPE, n("SourceDocument")), (document, LABEL, lit(doc_id + ".txt")),
                        (document, "fileName", doc_id + ".txt"), (document, "sha256", f"{index:064x}"),
                        (publication, TYPE, n("Publication")), (publication, LABEL, lit(f"Synthetic {index}")),
                        (publication, DCTERMS + "title", self.text(14)), (publication, "doi", doi),
                        (publication, RDFS + "seeAlso", ox.NamedNode("https://doi.org/" + doi)),
                        (publication, "hasText", document), (activity, TYPE, n("ExtractionActivity")),
                        (activity, LABEL, lit("benchmark generator"))):
            add(s, p, o)
        offset = 0

        def evidence(slug: str) -> ox.NamedNode:
            nonlocal offset
            ev = node("evidence", slug)
            quote = self.text(rng.randint(8, 20))
            start, offset = offset, offset + len(quote) + rng.randint(5, 200)
            quote_sel, position_sel = ox.NamedNode(ev.value + "#quote"), ox.NamedNode(ev.value + "#position")
            for s, p, o in ((ev, TYPE, n("Evidence")), (ev, TYPE, ox.NamedNode(OA + "SpecificResource")),
                            (ev, LABEL, lit("evidence " + slug)), (ev, OA + "hasSource", document),
                            (ev, PROV + "wasDerivedFrom", document), (ev, PROV + "wasGeneratedBy", activity),
                            (ev, "confidence", round(rng.uniform(0.5, 1.0), 2)),
                            (ev, "sectionTitle", rng.choice(("Abstract", "Results", "Methods"))),
                            (ev, OA + "hasSelector", quote_sel), (ev, OA + "hasSelector", position_sel),
                            (quote_sel, TYPE, ox.NamedNode(OA + "TextQuoteSelector")),
                            (quote_sel, OA + "exact", quote), (quote_sel, OA + "prefix", self.text(4)),
                            (quote_sel, OA + "suffix", self.text(4)),
                            (position_sel, TYPE, ox.NamedNode(OA + "TextPositionSelector")),
                            (position_sel, OA + "start", start), (position_sel, OA + "end", start + len(quote))):
                add(s, p, o)
            return ev

        study = node("study", "trial")
        nct = f"NCT{index:08d}"
        for p, o in ((TYPE, n(rng.choice(("InterventionalStudy", "ObservationalStudy")))),
                     (LABEL, lit(f"TRIAL-{index}")), ("studyName", f"TRIAL-{index}"), ("registryId", nct),
                     (RDFS + "seeAlso", ox.NamedNode("https://clinicaltrials.gov/study/" + nct)),
                     ("hasDesign", rng.choice(self.designs)), ("hasPhase", rng.choice(self.phases)),
                     ("hasStatus", rng.choice(self.statuses)), ("hasLine", rng.choice(self.lines)),
                     ("actualEnrolment", rng.randint(20, 400)), ("country", rng.choice(("France", "Spain", "USA"))),
                     ("reportedIn", publication), ("hasEvidence", evidence("study"))):
            add(study, p, o)
        for arm_index in range(rng.randint(1, 3)):
            arm = node("population", f"arm{arm_index}")
            regimen = node("regimen", f"arm{arm_index}")
            agents = rng.sample(self.agents, rng.randint(1, 3))
            for p, o in ((TYPE, n("StudyArm")), (LABEL, lit(f"arm {arm_index} of trial {index}")),
                         ("numberOfPatients", rng.randint(10, 200)), ("receivesRegimen", regimen),
                         ("hasNeoplasmType", rng.choice(self.neoplasms)), ("hasPrimarySite", rng.choice(self.sites))):
                add(arm, p, o)
            add(study, "hasArm", arm)
            add(study, "hasPopulation", arm)
            for p, o in ((TYPE, n("Regimen")), (LABEL, lit(" + ".join(a.value.split("#")[-1] for a in agents))),
                         ("cycleLengthDays", rng.choice((14, 21, 28))), ("maximumCycles", rng.randint(4, 8)),
                         ("hasEvidence", evidence(f"regimen{arm_index}"))):
                add(regimen, p, o)
            for c_index, agent in enumerate(agents):
                component = node("component", f"arm{arm_index}-{c_index}")
                add(regimen, "hasAgent", agent)
                add(regimen, "hasComponent", component)
                for p, o in ((TYPE, n("RegimenComponent")), (LABEL, lit(f"component {c_index}")),
                             ("componentAgent", agent), ("dose", round(rng.uniform(10, 500), 1)),
                             ("doseUnit", "mg/m2"), ("hasRoute", rng.choice(self.routes))):
                    add(component, p, o)
            for endpoint in ENDPOINTS:
                outcome = node("outcome", f"arm{arm_index}-{endpoint}")
                value = round(rng.uniform(1, 30), 1)
                survival = endpoint.endswith("Survival")
                facts: list[tuple[str | ox.NamedNode, object]] = [
                    (TYPE, n("Outcome")), (LABEL, lit(f"{endpoint} arm {arm_index}")), ("ofStudy", study),
                    ("aboutPopulation", arm), ("hasEndpoint", n(endpoint)),
                    ("hasStatistic", n("Median" if survival else "Proportion")), ("value", value),
                    ("hasUnit", n("Month" if survival else "Percent")), ("ciLevel", 0.95),
                    ("ciLower", round(value * 0.7, 1)), ("hasEvidence", evidence(f"outcome{arm_index}-{endpoint}"))]
                if rng.random() < 0.2:
                    facts.append(("ciUpperNotReached", True))
                else:
                    facts.append(("ciUpper", round(value * 1.4, 1)))
                for p, o in facts:
                    add(outcome, p, o)
            for ae_index in range(2):
                rate = node("adverse-event", f"arm{arm_index}-{ae_index}")
                for p, o in ((TYPE, n("AdverseEventRate")), (LABEL, lit(f"adverse event {ae_index}")),
                             ("adverseEvent", rng.choice(self.ae_terms)), ("hasCTCAEGrade", rng.choice(self.ctcae)),
                             ("count", rng.randint(1, 50)), ("value", round(rng.uniform(1, 60), 1)),
                             ("aboutPopulation", arm), ("ofStudy", study),
                             ("hasEvidence", evidence(f"ae{arm_index}-{ae_index}"))):
                    add(rate, p, o)
        for hr_index in range(rng.randint(0, 2)):
            effect = node("effect", f"hr{hr_index}")
            value = round(rng.uniform(0.3, 3.0), 2)
            for p, o in ((TYPE, n("HazardRatio")), (LABEL, lit(f"hazard ratio {hr_index}")),
                         ("factor", "Ki-67"), ("factorTerm", rng.choice(self.biomarkers)),
                         ("comparedLevel", ">= 55%"), ("referenceLevel", "< 55%"),
                         ("hasModelType", rng.choice(self.models)), ("hasEndpoint", n("OverallSurvival")),
                         ("value", value), ("ciLower", round(value * 0.6, 2)), ("ciUpper", round(value * 1.5, 2)),
                         ("pValue", round(rng.uniform(0.001, 0.5), 3)), ("ofStudy", study),
                         ("hasEvidence", evidence(f"hr{hr_index}"))):
                add(effect, p, o)
        for ch_index in range(2):
            characteristic = node("characteristic", f"c{ch_index}")
            for p, o in ((TYPE, n("PopulationCharacteristic")), (LABEL, lit(self.text(2))),
                         ("characteristicTerm", rng.choice(self.characteristics)), ("category", self.text(1)),
                         ("count", rng.randint(1, 100)), ("denominator", 100), ("value", round(rng.uniform(1, 99), 1)),
                         ("ofStudy", study), ("hasEvidence", evidence(f"c{ch_index}"))):
                add(characteristic, p, o)
        return graph, out

    def inferred(self, quads: list[ox.Quad]) -> list[ox.Triple]:
        """The superclasses of every typed node, as the reasoner would materialise them."""
        out = []
        for quad in quads:
            cls = quad.object
            if quad.predicate == TYPE and isinstance(cls, ox.NamedNode) and cls.value.startswith(NS):
                for ancestor in self.vocab.ancestors(cls.value):
                    key = (str(quad.subject), ancestor)
                    if key not in self.inferred_seen:
                        self.inferred_seen.add(key)
                        out.append(ox.Triple(quad.subject, TYPE, ox.NamedNode(ancestor)))
        return out


def generate(target_triples: int, seed: int = 7) -> Iterator[ox.Quad]:
    """Quads of a synthetic dataset of about ``target_triples`` triples (within one document)."""
    gen = Generator(seed)
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    count = 0
    for triple in gen.vocab.triples:
        count += 1
        yield ox.Quad(triple.subject, triple.predicate, triple.object, ontology)
    index = 0
    inferred_graph = ox.NamedNode(INFERRED_GRAPH)
    while count < target_triples:
        graph, triples = gen.document(index)
        quads = list(dict.fromkeys(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples))
        inferred = gen.inferred(quads)
        count += len(quads) + len(inferred)
        yield from quads
        yield from (ox.Quad(t.subject, t.predicate, t.object, inferred_graph) for t in inferred)
        index += 1


def write(target_triples: int, path: Path, seed: int = 7) -> int:
    """Write the dataset to ``path`` as N-Quads; return the quad count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    quads = list(generate(target_triples, seed))
    with open(path, "wb") as output:
        ox.serialize(quads, output, ox.RdfFormat.N_QUADS)
    return len(quads)


if __name__ == "__main__":
    size, destination = sys.argv[1], Path(sys.argv[2])
    print(write(parse_size(size), destination), "quads written to", destination)
