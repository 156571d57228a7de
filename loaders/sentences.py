"""Sentence splitting that knows the abbreviations, numbers and citation marks of clinical papers.

A boundary is a ".", "!" or "?" (with any closing brackets or quotes and citation marks such as
"³", "^{1,2}" or "<sup>33</sup>" right after it) followed by white space and a sentence opener
(a capital, a digit, a bracket, markup). It is not a boundary after an abbreviation ("et al.",
"vs.", "Fig.", "i.v.", "approx.", "No. 2"), an initial ("Richard A. Hubner") or inside a number
("5.7", "P = .002", "95% CI: 5.1–9"). Headings are units of their own; sentences never cross
section boundaries; tables are not split (their cells are the units). Paragraphs cut by a page
break inside one section ("... although" / "emerging molecular ...", "... confirmation" /
"[30]. Data for ...") are joined: a paragraph of 30 characters or more that does not end with
an end mark continues in the next one.
"""

from __future__ import annotations

import re

from loaders.document import Section, Sentence, Span
from loaders.sections import paragraphs

ABBREVIATIONS = frozenset(
    ["al", "vs", "v", "fig", "figs", "tab", "suppl", "ref", "refs", "eq", "approx", "ca", "cf", "e.g", "eg", "i.e", "ie", "etc", "resp", "incl", "dr", "prof", "mr", "ms", "mrs", "st", "sec", "rd", "jr", "sr", "ltd", "inc", "co", "corp", "dept", "univ", "no", "nos", "vol", "vols", "pp", "p.o", "i.v", "i.m", "s.c", "b.i.d", "t.i.d", "q.d", "min", "max", "mo", "mos", "yr", "yrs", "wk", "wks", "hr", "hrs", "approx.", "est", "nat", "commun", "oncol", "clin", "med", "res", "ann", "engl", "j"]
)
_CLOSERS = "\"'”’)]"
_CITE = re.compile(r"(?:[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺,–]+|\^\{[^}\n]{1,30}\}|<sup>[^<\n]{1,30}</sup>)+")
_OPENERS = "([\"“‘*<$_"
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_TERMINAL = re.compile(r"[.!?][\"'”’)\]]*(?:[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺,–]+|\^\{[^}\n]{1,30}\}|<sup>[^<\n]{1,30}</sup>)*\s*$")
_BULLET = re.compile(r"\n[ \t]*(?:[-•◦▪]|\d{1,3}\.)[ \t]+")


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def _is_boundary(text: str, i: int, limit: int) -> int | None:
    """If the punctuation at ``i`` ends a sentence, return the end offset of that sentence."""
    j = i + 1
    while j < limit and text[j] in ".!?":
        j += 1
    while j < limit and text[j] in _CLOSERS:
        j += 1
    if m := _CITE.match(text, j, limit):
        j = m.end()
    if j >= limit:
        return limit
    if not text[j].isspace():
        return None
    k = j
    while k < limit and text[k].isspace():
        k += 1
    if k >= limit:
        return j
    nxt = text[k]
    if not (nxt.isupper() or nxt.isdigit() or nxt in _OPENERS):
        return None
    if text[i] == ".":
        m = _WORD_BEFORE.search(text, max(0, i - 20), i)
        if m:
            word = m.group(1)
            lower = word.lower()
            if lower in ABBREVIATIONS or lower.rstrip(".") in ABBREVIATIONS:
                # "No. 2" is an abbreviation, "in No. The" hardly exists: keep it simple
                return None
            if "." in word.strip("."):  # "e.g", "i.v", "U.S"
                return None
            if len(word) == 1 and word.isupper():  # an initial: "Richard A. Hubner"
                before = text[m.start() - 1] if m.start() > 0 else " "
                if before in " \n(-":
                    return None
    return j


def split(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Split ``text[start:end]`` (one block of prose) into sentence spans."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    seg = start
    pos = start
    boundary_rx = re.compile(r"[.!?]|\n")
    while True:
        m = boundary_rx.search(text, pos, end)
        if not m:
            break
        i = m.start()
        if text[i] == "\n":
            b = _BULLET.match(text, i, end)
            if b and i > seg:
                if span := _trim(text, seg, i):
                    spans.append(span)
                seg = i + 1
            pos = i + 1
            continue
        stop = _is_boundary(text, i, end)
        if stop is None:
            pos = i + 1
            continue
        if span := _trim(text, seg, stop):
            spans.append(span)
        seg = stop
        pos = max(stop, i + 1)
    if span := _trim(text, seg, end):
        spans.append(span)
    return spans


def _blocks(text: str, start: int, end: int) -> list[Span]:
    """Paragraphs of a section, page-break fragments joined to the paragraph they continue."""
    blocks: list[Span] = []
    for para in paragraphs(text, start, end):
        if blocks:
            prev = blocks[-1]
            # a paragraph that stops without an end mark goes on in the next one (a page break);
            # very short ones ("23.8%" under a heading of a graphical abstract) stand alone
            if prev.end - prev.start >= 30 and not _TERMINAL.search(text, prev.start, prev.end):
                blocks[-1] = Span(prev.start, para.end)
                continue
        blocks.append(para)
    return blocks


_INTERRUPTIONS = frozenset({"table", "figure_legend", "furniture", "affiliations"})


def segment(text: str, sections: tuple[Section, ...]) -> tuple[Sentence, ...]:
    """Sentences of every section but tables; references are one unit per line.

    When prose stops without an end mark and resumes after a table, a figure legend or furniture
    (a new section without a heading), the first sentence after the break gets ``continues``: the
    index of the cut fragment before it (see :func:`stitched`).
    """
    out: list[Sentence] = []
    open_fragment: int | None = None  # index of a prose sentence that stops without an end mark
    for index, section in enumerate(sections):
        if section.kind == "table":
            continue
        body_start = section.start
        if section.heading is not None:
            open_fragment = None
            if span := _trim(text, section.heading.start, section.heading.end):
                out.append(Sentence(span.start, span.end, index))
            body_start = section.heading.end
        if section.kind == "references":
            open_fragment = None
            pos = body_start
            for line in text[body_start : section.end].splitlines(keepends=True):
                if span := _trim(text, pos, pos + len(line)):
                    out.append(Sentence(span.start, span.end, index))
                pos += len(line)
            continue
        if section.kind in _INTERRUPTIONS:
            for block in _blocks(text, body_start, section.end):
                out.extend(Sentence(s.start, s.end, index) for s in split(text, block.start, block.end))
            continue
        first = True
        for block in _blocks(text, body_start, section.end):
            for s in split(text, block.start, block.end):
                continues = open_fragment if first and section.heading is None else None
                out.append(Sentence(s.start, s.end, index, continues))
                first = False
        if not first:
            last = out[-1]
            open_fragment = None if _TERMINAL.search(text, last.start, last.end) else len(out) - 1
    return tuple(out)


def stitched(sentences: tuple[Sentence, ...], index: int) -> list[Sentence]:
    """The fragments of the whole sentence that ``index`` belongs to, in text order."""
    chain = [sentences[index]]
    while chain[0].continues is not None:
        chain.insert(0, sentences[chain[0].continues])
    following = {s.continues: n for n, s in enumerate(sentences) if s.continues is not None}
    current = index
    while current in following:
        current = following[current]
        chain.append(sentences[current])
    return chain
