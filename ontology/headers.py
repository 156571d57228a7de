"""What table headers and table-cell conventions mean: a table of LANGUAGE, not of findings.

Papers print the same column under many names ("Clinicaltrials.gov identifier or alternative",
"ClinicalTrials.gov Identifier", "Registry"), and the same statistic under many spellings
("n (%)", "No. (%)", "Median (range)", "HR (95% CI)"). The table extractors in :mod:`loaders`
read headers through these patterns, so teaching them a new spelling is an edit here.

Every pattern is a case-insensitive regular expression searched in the header text.

>>> column_role("Clinicaltrials.gov identifier or alternative")
'registry'
>>> column_role("Estimated/ actual enrollment")
'enrolment'
>>> model_type("Final multivariate model for OS and PFS")
'Multivariable'
>>> grade_band("Grades 3-5 adverse events")
'>=3'
"""

from __future__ import annotations

import re

#: Columns of a trial table (a review's "selected studies" table), by role.
TRIAL_TABLE_COLUMNS: dict[str, str] = {
    "compound": r"investigational (?:compound|agent|product)|\bintervention|\btreatment arms?\b|\bregimen",
    "name": r"trial name|study name|\bacronym",
    "design": r"study design|\bdesign\b",
    "site": r"site of origin|primary (?:tumou?r )?site|tumou?r (?:type|site)|\bpopulation\b",
    "line": r"line of (?:treatment|therapy)|treatment line|^\s*line\s*$",
    "registry": r"identifier|regist(?:ry|ration)|\bnct\b|trial (?:id|number)",
    "status": r"\bstatus\b",
    "enrolment": r"enrol+ment|\bsample size|\bparticipants\b|\bpatients \(n\)",
    "location": r"recruitment location|\blocation|countr(?:y|ies)",
    "results": r"^\s*results?\s*$|\boutcomes?\b|\befficacy\b",
}

#: Columns that hold no population's values (test statistics, missing counts, references).
NON_POPULATION_COLUMN = r"^\s*p\s*$|p[- ]?values?|^\s*missing|\breference\b|^\s*ref\.?\s*$|^\s*$"

#: A registry identifier as printed: ClinicalTrials.gov, UMIN-CTR, EudraCT, ISRCTN, ChiCTR, jRCT.
REGISTRY_ID = (r"\b(?:NCT\d{8}|UMIN\d{9}|EudraCT\s*(?:No\.?\s*)?\d{4}-\d{6}-\d{2}|\d{4}-\d{6}-\d{2}"
               r"|ISRCTN\d{8}|ChiCTR[-\dA-Z]{8,20}|jRCT[a-z]?\d{7,10}|JapicCTI-\d{6}|ACTRN\d{14}|CTRI/\d{4}/\d+/\d+)\b")

#: How the enrolment of a trial-table row is to be read, by the row's recruitment status
#: (a header "Estimated/actual enrolment" leaves it to the status).
ACTUAL_ENROLMENT_STATUSES = frozenset({"Completed", "Terminated", "ActiveNotRecruiting", "Withdrawn",
                                       "Suspended"})

#: Country spellings of trial tables and the name used in the graph.
COUNTRY_NAMES: dict[str, str] = {
    "USA": "United States", "US": "United States", "U.S.": "United States", "United States of America": "United States",
    "UK": "United Kingdom", "U.K.": "United Kingdom", "Great Britain": "United Kingdom",
    "Korea": "South Korea", "Republic of Korea": "South Korea", "The Netherlands": "Netherlands",
}

#: Row-label suffixes saying how the cells of a characteristics row are printed.
STATISTIC_SUFFIXES: dict[str, str] = {
    r",?\s*(?:n|no\.?|number)\s*\(%\)\s*$": "Count",
    r";\s*(?:n|no\.?)\s*\(%\)\s*$": "Count",
    r",?\s*(?:median|mean)\s*\((?:range|iqr)\)\s*$": "Median",
    r",?\s*\(?(?:years?|months?|%)\)?\s*$": "",
}

#: Cells or row labels naming the statistic of the values beside them.
STATISTIC_WORDS: dict[str, str] = {
    r"\bmedian\b": "Median",
    r"\bmean\b|±": "Mean",
}

#: Header words naming the model of an effect estimate.
MODEL_TYPES: dict[str, str] = {
    r"\bmultivari(?:able|ate)\b|\badjusted\b|\bMVA\b": "Multivariable",
    r"\bunivari(?:able|ate)\b|\bunadjusted\b|\bcrude\b|\bUVA\b": "Univariable",
}

#: Header cells of effect-estimate tables.
EFFECT_COLUMNS: dict[str, str] = {
    "estimate": r"^\s*(?:a?HR|hazard ratio|OR|odds ratio)\b",
    "interval": r"\b(?:9[05]|99)\s*%\s*CI\b|confidence interval",
    "p": r"^\s*p\b|p[- ]?value",
}

#: Measures of effect-estimate headers.
EFFECT_MEASURES: dict[str, str] = {
    r"\bHR\b|hazard ratio": "HazardRatio",
    r"\bOR\b|odds ratio": "OddsRatio",
}

#: A cell saying "this level is the reference".
REFERENCE_CELL = r"^\s*(?:ref\.?|reference|1(?:\.0+)?\s*\(ref(?:erence)?\.?\))\s*$"

#: CTCAE grade bands of adverse-event headers and rows, in the fact's spelling.
GRADE_BANDS: dict[str, str] = {
    r"grades?\s*(?:≥|>=|&ge;)\s*3|\b(?:events?|toxicit(?:y|ies))\s*(?:≥|>=)\s*3\b|grades?\s*3\s*[-–]\s*5|grades?\s*3\s*or\s*(?:higher|more|above)|≥\s*grade\s*3": ">=3",
    r"grades?\s*3\s*[-–/]\s*4": "3-4",
    r"grades?\s*1\s*[-–/]\s*2": "1-2",
    r"any[- ]grade|all[- ]grades?": "any",
    r"^\s*grade\s*([1-5])\s*$": r"\1",
}

#: Header or caption words that make a table an adverse-event table.
ADVERSE_EVENT_TABLE = r"adverse events?|toxicit(?:y|ies)|\bAEs?\b|side effects"

#: Header or caption words that make a table a trial table (rows are studies).
TRIAL_TABLE = r"identifier|trial name|study status|recruitment"

#: Rows that only say how many patients a column has ("n", "N", "No. of patients").
POPULATION_SIZE_ROW = r"^\s*(?:n|N|no\.? of patients|number of patients|patients,? n)\s*$"

#: Population size printed in a header: "G3 NENs N = 37", "EP alone (N = 42)", "NEC n = 427".
POPULATION_SIZE = r"\(?\s*\b[nN]\s*=\s*(\d+)\s*\)?"

#: Words that make a row label a characteristic of its own rather than a category of the group row
#: above it ("SRI uptake ≥ liver" under "Metastatic site" starts a new characteristic).
CHARACTERISTIC_HEAD_WORDS = (r"\b(?:uptake|staining|morphology|elevated|normal|status|index|score|expression"
                             r"|level|sex|gender|age)\b")

#: Phrases of results that name an endpoint the vocabulary spells differently ("a median survival of
#: 11 months" is median OS; "progression-free at 6 months: 16.7%" is a PFS rate).
RESULT_PHRASES: dict[str, tuple[str, bool]] = {
    r"\bmedian (?:overall )?survival\b(?!\s*rate)": ("OverallSurvival", False),
    r"\b(?:overall )?survival rates?\b": ("OverallSurvival", True),
    r"\bprogression[- ]free\b(?=\s+at\b)": ("ProgressionFreeSurvival", True),
    r"\balive\b(?=\s+at\b)": ("OverallSurvival", True),
}

#: Acronyms that look like trial names but name organisations, classifications, meetings, methods or
#: statistics ("the WHO classification", "ESMO Congress"): never a trial by themselves.
NOT_TRIAL_NAMES = (
    "WHO", "NCCN", "ESMO", "ASCO", "AACR", "ENETS", "NANETS", "EORTC", "NCI", "SEER", "FDA", "EMA", "NIH", "IRB",
    "RECIST", "irRECIST", "CTCAE", "ECOG", "PS", "HR", "OR", "CI", "IQR", "SD", "NR", "NA", "NE", "USA", "UK", "EU",
    "NGS", "WGS", "PCR", "IHC", "CT", "MRI", "PET", "FDG", "SRI", "SSTR", "DNA", "RNA", "TNM", "AJCC", "UICC",
    "GCIG", "SPSS", "II", "III", "IV", "PRISMA", "MDT", "BSC", "ULN", "UNL", "AUC", "TKI", "TKIs", "ATR", "ICI",
    "ICIs", "CPS", "TPS", "GI", "GEP", "EP", "IP", "PD", "CR", "PR", "SD", "ORR", "DCR", "OS", "PFS", "G1", "G2", "G3",
    "NET", "NETs", "NEC", "NECs", "NEN", "NENs", "MiNEN", "SCLC", "LCNEC", "MCC", "CAPTEM", "FOLFIRI", "FOLFOX",
    "FOLFIRINOX", "LBA41", "TNF", "EudraCT", "UMIN", "ClinicalTrials", "GETNE",
    "PD1", "PD-1", "PDL1", "CTLA4", "CTLA-4", "HCl",
)

#: Cells meaning "not applicable / not reported".
EMPTY_CELL = r"^\s*(?:[–—-]|n/?a|nr|not (?:applicable|reported|available))?\s*$"

#: Row labels that are not findings (missing data, not evaluable rows are kept).
SKIP_ROW = r"^\s*(?:total|missing)\s*$"


def _search(pattern: str, text: str) -> re.Match[str] | None:
    return re.search(pattern, text, re.IGNORECASE)


def column_role(header: str) -> str | None:
    """The role of a trial-table column from its header, or None."""
    for role, pattern in TRIAL_TABLE_COLUMNS.items():
        if _search(pattern, header):
            return role
    return None


def model_type(text: str) -> str | None:
    """The ModelType term name a header or caption names ("Multivariable", "Univariable")."""
    for pattern, name in MODEL_TYPES.items():
        if _search(pattern, text):
            return name
    return None


def grade_band(text: str) -> str | None:
    """The CTCAE grade band a header, caption or row label names (">=3", "3", "1-2", "any")."""
    for pattern, band in GRADE_BANDS.items():
        m = _search(pattern, text)
        if m:
            return m.expand(band) if "\\" in band else band
    return None


def country_name(printed: str) -> str:
    """The graph's name of a country as a trial table prints it."""
    cleaned = printed.strip().strip(".")
    return COUNTRY_NAMES.get(cleaned, cleaned)


def is_non_population_column(header: str) -> bool:
    """Whether a column holds test statistics or missing counts rather than a population's values."""
    return bool(_search(NON_POPULATION_COLUMN, header))
