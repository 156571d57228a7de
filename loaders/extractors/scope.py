"""Whose finding is a sentence? The paper's own study, or another study it cites.

The running-text extractors take findings of the paper's own study only; sentences that name
another study or lean on a citation mark without saying "we", "our" or "this study" belong to the
cited-trials extractor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.document import Document
from loaders.facts import normalise_name

from .common import Sent

REGISTRY = re.compile(
    r"\b(NCT\d{8}|UMIN\d{9}|ChiCTR[-\w]*\d{6,}|ISRCTN\d{8}|jRCT\w{10,}|ACTRN\d{14}|CTRI/\d{4}/\d+/\d+)\b")
_EUDRACT = re.compile(r"EudraCT[^0-9]{0,30}(\d{4}-\d{6}-\d{2})")

# A study acronym: a token with two capitals or a capital and a digit (NICE-NEC, IMpower133, S2101).
_ACRO = r"(?:[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9]*(?:[-–][A-Za-z0-9]+)*|[A-Z][a-z]+[-–][A-Z0-9][A-Za-z0-9-]*)"
_TAIL = r"(?:\s+(?:[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9-]*|\d{1,4}[A-Za-z]?))"
_NAME_BEFORE_WORD = re.compile(
    r"(?<![\w-])(" + _ACRO + _TAIL + r"{0,3})\s+(?:[Pp]hase\s+(?:I{1,3}|[1-3])(?:/I{1,3}|/[1-3])?[ab]?\s+)?"
    r"(?:trial|study|Study|Trial|cohort|basket trial)\b")
_NAME_BEFORE_ID = re.compile(r"(?<![\w-])(" + _ACRO + _TAIL + r"{0,3})\s*\(\s*(?:NCT\d{8}|EudraCT|UMIN)")
_NOT_NAMES = frozenset({
    "phase", "ii", "iii", "i", "this", "the", "our", "a", "an", "gep", "nec", "net", "nen", "nens", "necs",
    "g3", "os", "pfs", "orr", "who", "ecog", "ki-67", "pd-l1", "pd-1", "ctla-4", "sclc", "msi", "tmb",
    "mva", "uva", "recist", "ctcae", "ici", "ep", "hr", "ci", "us", "uk", "eu", "fda", "ema", "cox", "nccn",
    "enets", "esmo", "asco", "dna", "rna", "ngs", "gi", "ge", "ihc", "pcr", "ffpe", "iv",
})
OWN_CUE = re.compile(
    r"\b(?:we|our|us|here(?=,| we)|this (?:study|trial|cohort|analysis|phase|retrospective|prospective"
    r"|population|large|multic\w+)|the present (?:study|cohort|analysis)|in the present"
    r"|the current study)\b", re.IGNORECASE)
CITATION = re.compile(r"(?<!m)<sup>\s*\d[\d,\s–\-]*</sup>|\^\{\s*\d[\d,\s–\-]*\}|(?<=[a-ln-z)\].,%])[¹²³⁴⁵⁶⁷⁸⁹⁰]+"
                      r"|\[\d+(?:\s*[,–-]\s*\d+)*\]")


def registry_ids(text: str) -> list[tuple[int, int, str]]:
    """Trial registry identifiers in ``text`` with their offsets (EudraCT ids only after "EudraCT")."""
    found = [(m.start(1), m.end(1), m.group(1)) for m in REGISTRY.finditer(text)]
    found += [(m.start(1), m.end(1), m.group(1)) for m in _EUDRACT.finditer(text)]
    return sorted(found)


def study_names(text: str) -> list[tuple[int, int, str]]:
    """Candidate study names in ``text``: acronyms before "trial"/"study" or a registry id."""
    found = []
    for pat in (_NAME_BEFORE_WORD, _NAME_BEFORE_ID):
        for m in pat.finditer(text):
            name = m.group(1).strip()
            words = name.split()
            # drop leading words that are not names ("GEP", "NEC"), keep the rest
            while words and normalise_name(words[0]) in {normalise_name(w) for w in _NOT_NAMES}:
                words = words[1:]
            while words and words[-1].isdigit() and len(words) == 1:
                words = []
            if not words:
                continue
            name = " ".join(words)
            if normalise_name(name) in _NOT_NAMES or len(name) < 3:
                continue
            if re.fullmatch(r"(?:G\d|NET G\d|Ki-?67.*|PD-?L?1.*|CTLA-?4|Phase.*|[IVX]+"
                            r"|(?:(?:HG|GEP|EP|PD|GI|P|SC|LC)-)?NE[NCT]s?(?:\s*G\d)?|FOLF\w+|CAPTEM|CAPOX)", name):
                continue
            start = m.start(1) + m.group(1).find(words[0])
            found.append((start, start + len(name), name))
    found.sort()
    return found


@dataclass
class Scope:
    """The paper's own study names and the other study names it mentions."""

    own_names: set[str] = field(default_factory=set)  # normalised
    other_names: set[str] = field(default_factory=set)  # normalised
    own_registry: set[str] = field(default_factory=set)
    is_review: bool = False

    def names_in(self, text: str) -> set[str]:
        out = set()
        low = normalise_name(text)
        for name in self.other_names:
            if re.search(r"(?:^|-)" + re.escape(name) + r"(?:-|$)", low):
                out.add(name)
        return out

    def is_foreign(self, sent: Sent, raw: str) -> bool:
        """True when ``sent`` reports another study's findings, not the paper's own."""
        if self.is_review:
            return True
        text = sent.text
        low = normalise_name(text)
        own_named = any(re.search(r"(?:^|-)" + re.escape(n) + r"(?:-|$)", low) for n in self.own_names)
        others = {n for n in self.names_in(text) if not any(n != o and n in o for o in self.own_names)}
        # "NORDIC NEC" is inside "NORDIC NEC 2": only foreign when named without the own suffix
        others = {n for n in others if not (own_named and any(n in o for o in self.own_names))}
        if others:
            return True
        for _, _, reg in registry_ids(text):
            if reg.upper() not in self.own_registry:
                return True
        if own_named or OWN_CUE.search(text):
            return False
        if sent.section_kind in {"introduction", "background"}:
            return True
        return bool(CITATION.search(raw))


def own_sentences(sents: list[Sent], scope: Scope, text: str, anecdotes: bool = False) -> list[Sent]:
    """The sentences that report the paper's own study.

    A paragraph that names another study speaks of it until a sentence says "we", "our" or
    "this study"; a fragment cut off by a figure or table (it starts in lower case) is kept
    only when it says so itself.
    """
    out = []
    foreign_para: int | None = None
    for sent in sents:
        raw = " ".join(text[a:b] for a, b in sent.parts) if sent.parts else text[sent.start:sent.end]
        if scope.is_foreign(sent, raw):
            if scope.names_in(sent.text):
                foreign_para = sent.paragraph  # the paragraph goes on about the study it named
            continue
        own = bool(OWN_CUE.search(sent.text)) or any(n in normalise_name(sent.text) for n in scope.own_names)
        if sent.paragraph == foreign_para and not own:
            continue
        if sent.text[:1].islower() and not own:
            continue
        if not anecdotes and re.search(r"\b(?:the|one|a|each)\s+patient\b(?!s)", sent.text, re.I):
            continue  # a single patient's course is an anecdote, not a finding about a population
        out.append(sent)
    return out


def title_text(document: Document) -> str:
    title = document.metadata.get("title")
    if title:
        return title
    for section in document.sections:
        if section.kind == "title":
            return document.text[section.start:section.end].strip()
    first = document.text.strip().splitlines()
    return first[0].lstrip("# ") if first else ""


def is_review(document: Document) -> bool:
    """A review reports no patients of its own."""
    title = title_text(document)
    if re.search(r"\b(?:a\s+)?(?:systematic\s+|narrative\s+)?review\b|\bmeta-analysis\b", title, re.I):
        return True
    return document.metadata.get("type", "").lower() in {"review", "narrative review"}
