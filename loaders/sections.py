"""Sections of a converted paper: headings, abstract, body, figure legends, tables and furniture.

The text is cut into paragraphs (runs of lines between blank lines). Each paragraph is a
heading, a run-in heading with its text ("**Background:** ..."), a figure legend, a table (from
:mod:`loaders.tables`), page furniture (dates, licence, "Check for updates", e-mail lines,
journal headers), an author list or affiliation block, or prose. Sections partition the text:
every character belongs to exactly one section, so ``Document.section_at`` always answers.

Kinds (see :class:`loaders.document.Section`): a recognised heading sets the "major" kind
(abstract, introduction, methods, results, discussion, conclusion, references, acknowledgements,
declarations); headings the table does not know ("Patients", "Safety", "### NEC") inherit the
major kind they stand under. Furniture and affiliations found in the middle of the flow become
their own short sections, and the prose after them resumes under the interrupted heading.
Before the first heading, the first long paragraph is the abstract and later prose the
introduction (000 prints neither heading).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.document import Section, Span, Table

SKIPPED_KINDS = frozenset({"references", "affiliations", "acknowledgements", "declarations", "furniture"})

# Heading text -> major kind, tried in order on the normalised heading.
_MAJOR: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (r"^(graphical )?abstract$|^summary$", "abstract"),
        (r"^(introduction|background)$", "introduction"),
        (r"^references?$|^bibliography$|^literature cited$", "references"),
        (r"^acknowledge?ments?$", "acknowledgements"),
        (r"^(declarations?|author contributions?|author contribution\(s\)|contributors|funding|"
         r"competing interests?|conflicts? of interests?|conflict of interest statement|"
         r"disclosures?|data availability( statement)?|availability of data( and materials?)?|"
         r"ethics( approval.*)?|consent .*|additional information|reporting summary|orcid ids?|"
         r"supplementary (information|material|data)|abbreviations|trial registration)$",
         "declarations"),
        (r"^(author information|affiliations?|authors?)$", "affiliations"),
        (r"^(materials? and )?methods?$|^patients and methods$|^methods and materials$|"
         r"^statistic(s|al analysis|al methods)$|^study design", "methods"),
        (r"^results?( and discussion)?$", "results"),
        (r"^discussion$", "discussion"),
        (r"^conclusions?$|^concluding remarks$", "conclusion"),
    )
)

_FURNITURE = re.compile(
    r"^\W{0,3}(?:received\b|accepted\b|published\b|revised\b|check for updates|open access\b|©|"
    r"\(c\) ?\d{4}|copyright\b|reprints and permissions?|publisher['’]s note|peer review information|"
    r"article reuse guidelines|key ?words?\b|a list of authors|supplementary information\b|"
    r"doi\s*:|https?://|<https?://|article open$|clinical studies$|research article$|"
    r"original (research|article)$|\d{4}, vol\. ?\d+|page \d+( of \d+)?$|downloaded from\b|"
    r"vol\.?:?\s*\(0123456789\)|this article is protected by copyright|all rights reserved|"
    r"(?:www\.)?[\w-]+\.(?:com|org|net)/\S*$|\d{1,4}$)",
    re.IGNORECASE,
)
_CORRESPONDENCE = re.compile(
    r"^\W{0,3}(?:\\?\*?\s*corresponding author|correspondence\b|e-?mail\s*:|✉)", re.IGNORECASE
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_CITATION_LINE = re.compile(r"^\*?[A-Z][\w .&]+\*?\s*\(\d{4}\)\s*\d+\s*:\s*\d+")
_AFFILIATION_WORDS = re.compile(
    r"\b(Department|Dept\.?|University|Universit[àäé]|Hospital|Institute|Instituto|Center|Centre|"
    r"School|Clinic|Faculty|Division|Laborator(y|ies)|College|Foundation|Hospitalet|Klinik)\b"
)
_SUP_MARK = re.compile(r"^\s*(?:<sup>[^<]{1,20}</sup>|[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\^\{[^}]{1,20}\})")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\*\*([^*\n]{2,120})\*\*\s*$")
_RUN_IN = re.compile(r"^(?:\*\*(?P<bold>[^*\n]{2,60}?)\s*:?\s*\*\*\s*:?|(?P<plain>Abstract|Background|"
                     r"Methods?|Results?|Conclusions?|Objectives?|Purpose|Aims?|Introduction)\s*:)\s*")
_FIGURE = re.compile(
    r"^\s*(?:\*\*)?\s*(?:Fig\.?|Figure|Supplementary Fig(?:ure|\.)?)\s*S?\d+[A-Za-z]?"
    r"(?:\s*[.|:]|\*\*|\s+(?!and\b|shows?\b|presents?\b|illustrates?\b|depicts?\b)[A-Z(*])",
    re.IGNORECASE,
)
_ONE_ABBREVIATION = re.compile(r"^[A-Z][A-Za-z0-9/-]*[A-Z0-9][A-Za-z0-9/-]*, [a-z][^.]{0,75}\.$")
_NOT_HEADINGS = re.compile(r"^(not applicable|none( declared)?|not available|n/?a|yes|no)\.?$", re.IGNORECASE)
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺"


@dataclass
class _Para:
    start: int
    end: int
    lines: list[str]

    @property
    def single(self) -> bool:
        return len(self.lines) == 1


def paragraphs(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Runs of non-blank lines in ``text[start:end]`` as spans (blank = only whitespace)."""
    end = len(text) if end is None else end
    spans = []
    pos = start
    para_start = None
    para_end = start
    for raw in text[start:end].splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        if body.strip(" \t\ufeff\u00a0"):
            if para_start is None:
                para_start = pos + (len(body) - len(body.lstrip(" \t\ufeff\u00a0")))
            para_end = pos + len(body.rstrip())
        elif para_start is not None:
            spans.append(Span(para_start, para_end))
            para_start = None
        pos += len(raw)
    if para_start is not None:
        spans.append(Span(para_start, para_end))
    return spans


def _normalise_heading(text: str) -> str:
    text = re.sub(r"<[^>]+>|\*\*|__|[#*_]", "", text)
    text = re.sub(r"^\s*(?:\d+(?:\.\d+)*|[IVX]+)\.?\s+", "", text)  # "2.1 Methods", "II. Results"
    return re.sub(r"\s+", " ", text).strip(" :.").lower()


def major_kind(heading: str) -> str | None:
    """The major kind a heading names ("Statistical analysis" -> methods), or None."""
    norm = _normalise_heading(heading)
    for pattern, kind in _MAJOR:
        if pattern.search(norm):
            return kind
    return None


def _strip_marks(text: str) -> str:
    text = re.sub(r"<sup>.*?</sup>|\^\{[^}]*\}", "", text)
    return text.translate({ord(ch): None for ch in _SUPERSCRIPTS + "✉*"})


def looks_like_author_list(line: str) -> bool:
    """True for "I-Wei Ho<sup>1,2</sup>, Nai-Jung Chiang<sup>1,2</sup>, ..." and similar lines."""
    bare = _strip_marks(line).strip()
    if not bare or bare.endswith(".") and not re.search(r"\b[A-Z]\.$", bare):
        return False
    items = [item.strip() for item in re.split(r",|\band\b|&", bare) if item.strip()]
    if len(items) < 3:
        return False
    names = 0
    for item in items:
        tokens = item.split()
        if 2 <= len(tokens) <= 5 and all(t[0].isupper() or t in {"de", "van", "von", "del", "da", "di", "la"}
                                          for t in tokens) and not any(ch.isdigit() for ch in item):
            names += 1
    return names / len(items) >= 0.8


def looks_like_affiliation(text: str) -> bool:
    """A paragraph that opens with an affiliation mark and names an institution."""
    return bool(_SUP_MARK.match(text)) and bool(_AFFILIATION_WORDS.search(text[:400]))


def _is_furniture(para: _Para, text: str) -> str | None:
    first = para.lines[0].strip()
    body = text[para.start : para.end]
    if _CORRESPONDENCE.match(first) or (len(body) < 200 and _EMAIL.search(body)):
        return "affiliations"
    if looks_like_affiliation(body) or (para.single and looks_like_author_list(first)):
        return "affiliations"
    if _FURNITURE.match(first) or _CITATION_LINE.match(first):
        return "furniture"
    # side-bar blocks: several short lines (addresses, names, running headers)
    if len(para.lines) >= 2 and all(len(line.strip()) <= 60 for line in para.lines) and not any(
        line.rstrip().endswith((".", ")")) and len(line) > 45 for line in para.lines
    ):
        return "affiliations" if _AFFILIATION_WORDS.search(body) else "furniture"
    return None


def _plain_heading(line: str) -> bool:
    """A short stand-alone line shaped like a heading ("Treatment efficacy", "1L treatment of ...")."""
    stripped = line.strip()
    if not (2 <= len(stripped) <= 90) or len(stripped.split()) > 12:
        return False
    if stripped.endswith((".", ",", ";", ":")) or _NOT_HEADINGS.match(stripped):
        return False
    if re.search(r"[<>@|\t$=]|https?:|\(\s*$", stripped):
        return False
    if not re.search(r"[^\W\d_]{3,}", stripped):
        return False
    first = stripped[0]
    return first.isupper() or (first.isdigit() and bool(re.match(r"\d+[A-Z]{1,2}\b", stripped)))


@dataclass
class _Unit:
    """The start of a section: its kind, title and heading span."""

    kind: str
    title: str
    start: int
    heading: Span | None = None


_INTERRUPTIONS = ("table", "furniture", "affiliations", "figure_legend", "title")
_ENDS_SENTENCE = re.compile(r"[.!?][\"'”’)\]]*(?:[⁰¹²³⁴⁵⁶⁷⁸⁹,–]+|<sup>[^<]*</sup>|\^\{[^}]*\})?$")


class _Segmenter:
    """Walks the paragraphs of a text once, deciding for each where a section starts."""

    def __init__(self, text: str, tables: tuple[Table, ...]) -> None:
        self.text = text
        self.table_spans = sorted(
            (span.start, span.end, table.label)
            for table in tables
            for span in (table.parts or (Span(table.start, table.end),))
        )
        self.ti = 0
        self.units: list[_Unit] = []
        self.major: str | None = None  # None while in the front matter
        self.major_title = ""
        self.seen_title = False
        self.seen_abstract = False
        self.current: tuple[str, str] | None = None  # the prose to resume after an interruption
        self.title_heading = _title_heading(text)

    def run(self) -> list[_Unit]:
        for span in paragraphs(self.text):
            if self._table(span):
                continue
            para = _Para(span.start, span.end, self.text[span.start : span.end].splitlines())
            first = para.lines[0].strip()
            md = _MD_HEADING.match(first) if para.single else None
            for step in (self._title, self._furniture, self._legend, self._heading, self._run_in, self._prose):
                if step(para, first, md):
                    break
        return self.units

    def _add(self, kind: str, title: str, start: int, heading: Span | None = None, *, prose: bool = False) -> None:
        self.units.append(_Unit(kind, title, start, heading))
        if prose:
            self.current = (kind, title)

    def _table(self, span: Span) -> bool:
        spans = self.table_spans
        while self.ti < len(spans) and spans[self.ti][1] <= span.start:
            self.ti += 1
        if not (self.ti < len(spans) and spans[self.ti][0] <= span.start < spans[self.ti][1]):
            return False
        t_start, _, label = spans[self.ti]
        if not self.units or self.units[-1].kind != "table" or self.units[-1].start != t_start:
            self._add("table", label, t_start)
        return True

    def _title(self, para: _Para, first: str, md: re.Match[str] | None) -> bool:
        if self.seen_title or self.major is not None:
            return False
        if self.title_heading is not None:
            if para.start == self.title_heading:
                self.seen_title = True
                self._add("title", _clean(md.group(2) if md else first), para.start, Span(para.start, para.end))
                return True
            if para.start < self.title_heading:  # "## ARTICLE OPEN" above the title
                self._add("furniture", _clean(first)[:80], para.start)
                return True
            return False
        if md or _is_furniture(para, self.text) is not None:
            return False
        # the first paragraph that is not furniture is the title when it is shaped like one
        # (an excerpt that opens with a sentence or a "Results" heading has no title)
        self.seen_title = True
        if (para.single and len(first) <= 300 and major_kind(first) is None and not _RUN_IN.match(first)
                and not _FIGURE.match(first) and not re.search(r"[.!?]$", first)):
            self._add("title", _clean(first), para.start, Span(para.start, para.end))
            return True
        return False

    def _furniture(self, para: _Para, first: str, md: re.Match[str] | None) -> bool:
        kind = None if md else _is_furniture(para, self.text)
        if kind:
            self._add(kind, _clean(first)[:80], para.start)
        return bool(kind)

    def _legend(self, para: _Para, first: str, md: re.Match[str] | None) -> bool:
        if md:
            return False
        if _FIGURE.match(first):
            self._add("figure_legend", _clean(first)[:80], para.start)
            return True
        # what follows a legend and belongs to it: its source, its abbreviations, its second page
        return bool(self.units) and self.units[-1].kind == "figure_legend" and bool(
            first.lower().startswith("source:") or _looks_like_abbreviations(first)
            or _ONE_ABBREVIATION.match(first)
            or not re.search(r"[.!?][*)\]]*\s*$", self.text[max(0, para.start - 10) : para.start])
        )

    def _heading(self, para: _Para, first: str, md: re.Match[str] | None) -> bool:
        bold = _BOLD_LINE.match(first) if para.single else None
        if md:
            heading_text = md.group(2)
        elif bold:
            heading_text = bold.group(1)
        elif para.single and major_kind(first) is not None:
            heading_text = first
        elif para.single and self.major not in (None, "references") and _plain_heading(first):
            if _next_is_furniture(self.text, para.end):  # a running journal header: "Ther Adv Med Oncol"
                self._add("furniture", _clean(first)[:80], para.start)
                return True
            heading_text = first
        else:
            return False
        kind = major_kind(heading_text)
        if kind is None:
            kind = self.major or "body"
        else:
            self.major, self.major_title = kind, _clean(heading_text)
            self.seen_abstract = self.seen_abstract or kind == "abstract"
        self._add(kind, _clean(heading_text), para.start, Span(para.start, para.end), prose=True)
        return True

    def _run_in(self, para: _Para, first: str, md: re.Match[str] | None) -> bool:
        run_in = _RUN_IN.match(self.text[para.start : para.end])
        if not run_in:
            return False
        label = (run_in.group("bold") or run_in.group("plain") or "").strip(" :")
        named = major_kind(label)
        if self.major in (None, "abstract") and named != "declarations":
            # "**Background:**", "**RESULTS:**" before the body are parts of the abstract
            kind = "abstract"
            if self.major is None:
                self.major, self.major_title = "abstract", "Abstract"
            self.seen_abstract = True
        else:
            kind = named or self.major or "body"
        head_end = para.start + len(run_in.group(0).rstrip())
        self._add(kind, _clean(label), para.start, Span(para.start, head_end), prose=True)
        return True

    def _prose(self, para: _Para, first: str, md: re.Match[str] | None) -> bool:
        body = self.text[para.start : para.end]
        if self.major is None:
            if not self.seen_abstract and len(body) >= 400:  # 000 prints no "Abstract" heading
                self.seen_abstract = True
                self._add("abstract", "Abstract", para.start, prose=True)
            elif self.seen_abstract:
                self.major, self.major_title = "introduction", "Introduction"
                self._add("introduction", "Introduction", para.start, prose=True)
            elif _ENDS_SENTENCE.search(body.rstrip()):  # an excerpt or a note: prose, no front matter
                self.major, self.major_title = "body", ""
                self._add("body", "", para.start, prose=True)
            else:
                self._add("furniture", _clean(first)[:80], para.start)
            return True
        if self.units and self.units[-1].kind in _INTERRUPTIONS:
            kind, title = self.current or (self.major, self.major_title)
            self._add(kind, title, para.start)
        return True  # otherwise the paragraph goes on in the current section


def segment(text: str, tables: tuple[Table, ...] = ()) -> tuple[Section, ...]:
    """Cut ``text`` into sections; ``tables`` (from :func:`loaders.tables.find_tables`) become
    sections of kind ``table`` spanning caption, rows and footnotes (all printed parts)."""
    return _to_sections(text, _Segmenter(text, tables).run())


def _next_is_furniture(text: str, end: int) -> bool:
    """Whether the paragraph after ``end`` is furniture (a running journal header precedes it)."""
    following = paragraphs(text, end, min(len(text), end + 2000))
    if not following:
        return False
    span = following[0]
    return _is_furniture(_Para(span.start, span.end, text[span.start : span.end].splitlines()), text) is not None


def _looks_like_abbreviations(line: str) -> bool:
    from loaders.tables import is_abbreviation_list

    return is_abbreviation_list(line)


def _clean(heading: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>|\*\*|[#*]", "", heading)).strip(" :")


def _title_heading(text: str) -> int | None:
    """Offset of the first level-1 markdown heading in the first part of the text, if any."""
    limit = max(4000, len(text) // 10)
    for m in re.finditer(r"(?m)^# +(\S.*)$", text[:limit]):
        if major_kind(m.group(1)) is None:  # "# Abstract" is not a title
            return m.start()
    return None


def _to_sections(text: str, units: list[_Unit]) -> tuple[Section, ...]:
    sections: list[Section] = []
    if not units:
        return (Section("", "body", 0, len(text)),) if text else ()
    for n, unit in enumerate(units):
        start = 0 if n == 0 else unit.start
        end = units[n + 1].start if n + 1 < len(units) else len(text)
        sections.append(Section(unit.title, unit.kind, start, end, unit.heading))
    return tuple(sections)
