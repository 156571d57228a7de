"""The extraction pipeline: a :class:`~loaders.document.Document` in, typed facts with evidence out.

``extract_facts(document)`` finds the paper's own study first (so that every extractor knows which
study its findings belong to and which sentences are about other studies), then runs every
extractor of :data:`EXTRACTORS` and merges facts that make the same claim (one fact, several
pieces of evidence). Table and cited-trial extractors join by appending to :data:`EXTRACTORS`.

>>> from loaders.document import Document
>>> doc = Document(id="x", path="x.txt", text="A trial.", sha256="0", metadata={"title": "A trial"})
>>> [type(f).__name__ for f in extract_facts(doc)]
['Publication']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from loaders.document import Document
from loaders.extractors.common import Lexicon
from loaders.extractors.population import Populations
from loaders.extractors.study import StudyInfo, find_study
from loaders.facts import Evidence, Fact


class ExtractionError(ValueError):
    """A fact failed the precision guards (its quote is not the document's text at its offsets)."""


@dataclass
class ExtractionContext:
    """What every extractor of one document shares.

    ``study`` is the key of the paper's own study (``None`` for a review); ``populations`` names
    its arms and subgroups, so that a table column "Atezolizumab + EP (N = 14)" and a sentence
    "in the atezolizumab plus EP group" resolve to the same label
    (``context.population_label(text)``).
    """

    document: Document
    lexicon: Lexicon
    info: StudyInfo
    populations: Populations
    facts: list[Fact] = field(default_factory=list)  # facts of earlier extractors

    @property
    def recogniser(self) -> Any:
        return self.lexicon.recogniser

    @property
    def study(self) -> str | None:
        return self.info.key

    @property
    def study_name(self) -> str | None:
        return self.info.name

    @property
    def is_review(self) -> bool:
        return self.info.scope.is_review

    def population_label(self, text: str) -> str | None:
        """The label of the arm or subgroup ``text`` names ("overall" for all patients), if any.

        A column "G3 NENs N = 37" in a study of 37 patients is the whole population: "overall".
        """
        import re

        size = re.search(r"\b[Nn]\s*=\s*(\d+)", text)
        study = getattr(self.info, "fact", None)
        totals = {getattr(study, "enrolment_actual", None)}
        drug_arms = [a for a in self.populations.arms if a.agents and a.n]
        if len(drug_arms) > 1:
            totals.add(sum(a.n or 0 for a in drug_arms))
        if size and int(size.group(1)) in totals:
            return "overall"
        return self.populations.resolve(text)

    def is_own_study_sentence(self, start: int, end: int) -> bool:
        """Whether the sentence at ``[start, end)`` reports the paper's own study (not a cited one)."""
        from loaders.extractors.common import Clean, Sent

        section = self.document.section_at(start)
        sent = Sent(-1, start, end, Clean.of(self.document.text, start, end),
                    section.kind if section else "body", None, -1)
        return not self.info.scope.is_foreign(sent, self.document.text[start:end])


@runtime_checkable
class Extractor(Protocol):
    """An extractor: a name, a version and a call that yields facts for one document."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    def __call__(self, document: Document, context: ExtractionContext) -> Iterable[Fact]: ...


@dataclass(frozen=True)
class ModuleExtractor:
    """An extractor module of :mod:`loaders.extractors` (``NAME``, ``VERSION``, ``extract(document, context)``)."""

    module: str

    @property
    def name(self) -> str:
        return str(getattr(self._mod(), "NAME", self.module))

    @property
    def version(self) -> str:
        return str(getattr(self._mod(), "VERSION", "0"))

    def _mod(self) -> Any:
        import importlib

        return importlib.import_module(f"loaders.extractors.{self.module}")

    def __call__(self, document: Document, context: ExtractionContext) -> Iterable[Fact]:
        return self._mod().extract(document, context)


#: Every extractor, in order. Others register theirs with ``EXTRACTORS.append(...)``.
EXTRACTORS: list[Extractor] = [ModuleExtractor("study"), ModuleExtractor("regimen"), ModuleExtractor("outcome"),
                               ModuleExtractor("effect"), ModuleExtractor("characteristic"),
                               ModuleExtractor("adverse")]
EXTRACTORS += [ModuleExtractor("tables"), ModuleExtractor("review_tables"), ModuleExtractor("cited_trials")]


def build_context(document: Document, recogniser: Any | None = None) -> ExtractionContext:
    """Find the own study and its populations; the context every extractor is called with."""
    lexicon = Lexicon(recogniser)
    info = find_study(document, lexicon)
    populations = Populations.of(document, info, lexicon)
    return ExtractionContext(document=document, lexicon=lexicon, info=info, populations=populations)


def extract_facts(document: Document, recogniser: Any | None = None,
                  extractors: Iterable[Extractor] | None = None) -> list[Fact]:
    """All facts of ``document``, same claims merged, each quote checked against the text."""
    context = build_context(document, recogniser)
    for extractor in (EXTRACTORS if extractors is None else list(extractors)):
        for fact in extractor(document, context):
            context.facts.append(fact)
    facts = merge(context.facts)
    for fact in facts:
        assert_valid_evidence(fact, document)
    return facts


def merge(facts: Iterable[Fact]) -> list[Fact]:
    """Facts with equal :meth:`~loaders.facts.Fact.key` become one fact with all their evidence."""
    merged: dict[tuple[Any, ...], Fact] = {}
    for fact in facts:
        key = fact.key()
        if key in merged:
            merged[key] = merged[key].with_evidence(*fact.evidence)
        else:
            merged[key] = fact
    return list(merged.values())


def validate_evidence(evidence: Evidence, document: Document) -> bool:
    """Whether ``evidence`` quotes ``document`` exactly at its offsets."""
    return (evidence.document == document.id and 0 <= evidence.start <= evidence.end <= len(document.text)
            and document.text[evidence.start:evidence.end] == evidence.quote)


def assert_valid_evidence(fact: Fact, document: Document) -> None:
    """Raise :class:`ExtractionError` naming the fact when one of its quotes is not the text."""
    for ev in fact.evidence:
        if not validate_evidence(ev, document):
            raise ExtractionError(
                f"{type(fact).__name__} from {ev.extractor} in {document.id}: quote at "
                f"{ev.start}-{ev.end} is not the document's text ({ev.quote[:60]!r})")
