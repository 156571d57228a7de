"""The vocabulary: named individuals (and the classes that group them) with their labels.

This is a table of language, not of findings: what words the literature uses for a drug, a site,
an endpoint. The recogniser in :mod:`loaders` is built from these labels through the generated
ontology, so adding a synonym here extends what the loaders can read.

``abbreviations`` are matched case-sensitively as whole tokens ("OS", "EP", "TP53");
``synonyms`` case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TermDef:
    """A vocabulary individual (``kind="individual"``) or grouping class (``kind="class"``)."""

    name: str
    types: tuple[str, ...]
    label: str
    definition: str
    synonyms: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    kind: str = "individual"


def _c(name: str, parents: tuple[str, ...], label: str, definition: str,
       synonyms: tuple[str, ...] = (), abbreviations: tuple[str, ...] = ()) -> TermDef:
    return TermDef(name, parents, label, definition, synonyms, abbreviations, kind="class")


def _i(name: str, types: tuple[str, ...], label: str, definition: str,
       synonyms: tuple[str, ...] = (), abbreviations: tuple[str, ...] = (),
       broader: tuple[str, ...] = ()) -> TermDef:
    return TermDef(name, types, label, definition, synonyms, abbreviations, broader)


# Grouping classes under the vocabulary families (members are individuals below).
GROUPING_CLASSES: tuple[TermDef, ...] = (
    _c("HighGradeNeoplasmType", ("NeoplasmType",), "high-grade neoplasm type",
       "A neoplasm type of WHO grade 3: NET G3, NEC and its subtypes, MiNEN with a high-grade component."),
    _c("NeuroendocrineCarcinomaType", ("HighGradeNeoplasmType",), "neuroendocrine carcinoma type",
       "A poorly differentiated neuroendocrine carcinoma, small-cell or large-cell."),
    _c("GastroenteropancreaticSite", ("AnatomicalSite",), "gastroenteropancreatic site",
       "A primary site in the digestive tract or pancreas.", ("GEP",)),
    _c("ColorectalSite", ("GastroenteropancreaticSite",), "colorectal site", "The colon or rectum."),
    _c("ExtrapulmonarySite", ("AnatomicalSite",), "extrapulmonary site", "A primary site outside the lung."),
    _c("CytotoxicAgent", ("Agent",), "cytotoxic agent", "A chemotherapy drug that kills dividing cells.",
       ("chemotherapy", "cytotoxic chemotherapy")),
    _c("PlatinumCompound", ("CytotoxicAgent",), "platinum compound",
       "A platinum-containing alkylating-like agent.", ("platinum", "platinum-based chemotherapy")),
    _c("TopoisomeraseInhibitor", ("CytotoxicAgent",), "topoisomerase inhibitor",
       "A drug that blocks topoisomerase I or II."),
    _c("ImmuneCheckpointInhibitor", ("Agent",), "immune checkpoint inhibitor",
       "An antibody that blocks an immune checkpoint.", ("checkpoint inhibitor", "immunotherapy"),
       ("ICI", "ICIs")),
    _c("PD1Inhibitor", ("ImmuneCheckpointInhibitor",), "PD-1 inhibitor", "An antibody against PD-1.",
       ("anti-PD-1", "anti-PD1")),
    _c("PDL1Inhibitor", ("ImmuneCheckpointInhibitor",), "PD-L1 inhibitor", "An antibody against PD-L1.",
       ("anti-PD-L1",)),
    _c("CTLA4Inhibitor", ("ImmuneCheckpointInhibitor",), "CTLA-4 inhibitor", "An antibody against CTLA-4.",
       ("anti-CTLA-4",)),
    _c("TimeToEventEndpoint", ("Endpoint",), "time-to-event endpoint",
       "An endpoint measured as the time until an event, such as death or progression."),
    _c("ResponseEndpoint", ("Endpoint",), "response endpoint",
       "An endpoint counting tumour responses."),
)

INDIVIDUALS: tuple[TermDef, ...] = (
    # neoplasm types
    _i("NeuroendocrineNeoplasm", ("NeoplasmType",), "neuroendocrine neoplasm",
       "A neoplasm of neuroendocrine cells, well or poorly differentiated.",
       ("neuroendocrine neoplasms",), ("NEN", "NENs")),
    _i("NeuroendocrineCarcinoma", ("NeuroendocrineCarcinomaType",), "neuroendocrine carcinoma",
       "A poorly differentiated, high-grade neuroendocrine neoplasm.",
       ("neuroendocrine carcinomas", "poorly differentiated neuroendocrine carcinoma"), ("NEC", "NECs"),
       ("NeuroendocrineNeoplasm",)),
    _i("NETG3", ("HighGradeNeoplasmType",), "neuroendocrine tumour grade 3",
       "A well-differentiated neuroendocrine tumour with Ki-67 above 20%.",
       ("NET G3", "G3 NET", "well-differentiated G3 NET"), ("NET-G3",), ("NeuroendocrineNeoplasm",)),
    # agents
    _i("Nivolumab", ("PD1Inhibitor",), "nivolumab", "A monoclonal antibody against PD-1."),
    _i("Atezolizumab", ("PDL1Inhibitor",), "atezolizumab", "A monoclonal antibody against PD-L1."),
    _i("Ipilimumab", ("CTLA4Inhibitor",), "ipilimumab", "A monoclonal antibody against CTLA-4."),
    _i("Cisplatin", ("PlatinumCompound",), "cisplatin", "A platinum compound."),
    _i("Carboplatin", ("PlatinumCompound",), "carboplatin", "A platinum compound."),
    _i("Etoposide", ("TopoisomeraseInhibitor",), "etoposide", "A topoisomerase II inhibitor."),
    # sites
    _i("Pancreas", ("GastroenteropancreaticSite", "ExtrapulmonarySite"), "pancreas", "The pancreas.",
       ("pancreatic",)),
    _i("Colon", ("ColorectalSite", "ExtrapulmonarySite"), "colon", "The colon.", ("colonic",)),
    # endpoints
    _i("OverallSurvival", ("TimeToEventEndpoint",), "overall survival",
       "Time from a defined start until death from any cause.", (), ("OS",)),
    _i("ProgressionFreeSurvival", ("TimeToEventEndpoint",), "progression-free survival",
       "Time from a defined start until progression or death.", ("progression free survival",), ("PFS",)),
    _i("ObjectiveResponseRate", ("ResponseEndpoint",), "objective response rate",
       "The share of patients with a complete or partial response.", ("overall response rate",),
       ("ORR", "RR")),
    # statistics and units
    _i("Median", ("Statistic",), "median", "The middle value of a distribution."),
    _i("Rate", ("Statistic",), "rate", "The share of patients free of the event at a time point."),
    _i("Proportion", ("Statistic",), "proportion", "The share of patients with a characteristic or response."),
    _i("Count", ("Statistic",), "count", "A number of patients."),
    _i("Month", ("UnitOfMeasure",), "month", "A month of time.", ("months",), ("mo",)),
    _i("Percent", ("UnitOfMeasure",), "percent", "Parts per hundred.", (), ("%",)),
)
