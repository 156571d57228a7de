"""Shared machinery of the running-text extractors: vocabulary lookup, clean text with an offset
map, the number grammar, sentence selection and evidence.

Every pattern here is about the *grammar* of how results are printed (a value, an interval, a
p-value, a list that ends in "respectively"); what the words mean comes from the ontology through
:class:`Lexicon`, so extending the vocabulary extends what the extractors read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import ontology
from loaders.document import Document
from loaders.facts import Evidence

if TYPE_CHECKING:
    from .population import Populations

# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True, slots=True)
class Hit:
    """A vocabulary term found in text: offsets into the text given to :meth:`Lexicon.find`."""

    start: int
    end: int
    iri: str
    name: str  # local name of the term ("OverallSurvival")
    families: frozenset[str]  # every class the term falls under ("Endpoint", "Agent" ...)
    text: str


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _longest_first(hits: list[Hit]) -> list[Hit]:
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[Hit] = []
    for hit in hits:
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    return kept


class Lexicon:
    """Vocabulary lookup for extractors, over the project's recogniser (``loaders.ner``).

    ``families`` of a hit hold the term's classes up to the vocabulary family, so
    ``"Endpoint" in hit.families`` asks whether a word names an endpoint.
    """

    def __init__(self, recogniser: Any | None = None) -> None:
        self._recogniser = recogniser if recogniser is not None else _default_recogniser()
        self._cache: dict[str, list[Hit]] = {}

    @property
    def recogniser(self) -> Any:
        return self._recogniser

    def find(self, text: str, offset: int = 0) -> list[Hit]:
        """Terms in ``text``; offsets are ``offset`` + positions in ``text``."""
        key = text
        if key not in self._cache:
            raw = self._recogniser.find(text, 0)
            self._cache[key] = _longest_first([_to_hit(m) for m in raw])
        if offset == 0:
            return list(self._cache[key])
        return [Hit(h.start + offset, h.end + offset, h.iri, h.name, h.families, h.text)
                for h in self._cache[key]]

    def term_for(self, words: str, family: str) -> str | None:
        """The IRI of the first term of ``family`` named in ``words``, if any."""
        for hit in self.find(words):
            if family in hit.families:
                return hit.iri
        return None


def _to_hit(mention: Any) -> Hit:
    """A recogniser's mention as a hit: the term's IRI, local name and every family it falls under."""
    if isinstance(mention, Hit):
        return mention
    term = str(mention.term)
    iri = term if term.startswith("http") else ontology.term(term)
    name = _local(iri)
    fams = {_local(str(f)) for f in (getattr(mention, "families", ()) or ())} | {name}
    return Hit(int(mention.start), int(mention.end), iri, name, frozenset(fams), str(getattr(mention, "text", "")))


@lru_cache(maxsize=1)
def _default_recogniser() -> Any:
    from loaders.ner import Recogniser

    return Recogniser.from_ontology()


# --------------------------------------------------------------------------- clean text


_LATEX = {r"\geq": "≥", r"\leq": "≤", r"\ge": "≥", r"\le": "≤", r"\%": "%", r"\pm": "±",
          r"\times": "×", r"\alpha": "α", r"\beta": "β", r"\mu": "µ", "&lt;": "<", "&gt;": ">",
          "&amp;": "&", "&le;": "≤", "&ge;": "≥"}
_DROP = re.compile(
    r"(?<!m)<sup>[\d,\s–\-−]*</sup>"  # citation marks (not mg/m<sup>2</sup>)
    r"|\^\{[\d,\s–\-−]*\}"  # LaTeX citation marks
    r"|(?<=[a-z\)\.,])[¹²³⁰⁴⁵⁶⁷⁸⁹]+(?:[⁻,][¹²³⁰⁴⁵⁶⁷⁸⁹]+)*"  # unicode citation marks after words
    r"|\\text\{|\\mathrm\{|</?sup>|</?sub>|</?em>|</?i>|</?b>|\\,|\\ "
    r"|\[(?=Table|Figure)|(?<=\d)\]\(#\)|\]\(#\)"
)
_SUP_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


@dataclass(frozen=True)
class Clean:
    """A span of a document with markup removed; ``to_doc`` maps clean offsets back."""

    text: str
    index: tuple[int, ...]  # document offset of each clean character
    start: int
    end: int

    @classmethod
    def of(cls, source: str, start: int, end: int) -> Clean:
        raw = source[start:end]
        out: list[str] = []
        idx: list[int] = []
        i = 0
        n = len(raw)
        while i < n:
            if raw[i] in "²³" and i > 0 and raw[i - 1] == "m":  # mg/m², not a citation mark
                out.append("2" if raw[i] == "²" else "3")
                idx.append(start + i)
                i += 1
                continue
            m = _DROP.match(raw, i)
            if m and m.end() > i:
                i = m.end()
                continue
            ch = raw[i]
            replaced = False
            if ch in "\\&":
                for key, val in _LATEX.items():
                    if raw.startswith(key, i):
                        out.append(val)
                        idx.append(start + i)
                        i += len(key)
                        replaced = True
                        break
            if replaced:
                continue
            if ch in "*$}{_`":
                i += 1
                continue
            if ch == "²":
                out.append("2")
            elif ch in "\u2009\u202f\xa0\n\t":
                out.append(" ")
            elif ch in "−‒—":
                out.append("–")
            else:
                out.append(ch)
            idx.append(start + i)
            i += 1
        text = "".join(out)
        return cls(text, tuple(idx), start, end)

    def to_doc(self, cstart: int, cend: int) -> tuple[int, int]:
        """Document offsets of the clean span ``[cstart, cend)``."""
        if not self.index:
            return self.start, self.start
        cstart = max(0, min(cstart, len(self.index) - 1))
        cend = max(cstart + 1, min(cend, len(self.index)))
        return self.index[cstart], self.index[cend - 1] + 1


# --------------------------------------------------------------------------- numbers

_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
          "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
          "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
          "eighty": 80, "ninety": 90, "hundred": 100}
WORD_NUMBER = (r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four"
               r"|five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
               r"|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)")
NUM = r"(?<![\w.])\d+(?:[.·]\d+|,\d{1,2}(?!\d))?(?![\d])"
NR = r"(?:not\s+reached|not\s+estimable|not\s+evaluable|NR|NE|NA)"
DASH = r"\s*(?:–|-|to|,|;)\s*"


def to_number(text: str) -> float:
    """``"5,7"`` (decimal comma) and ``"5·7"`` are 5.7; words ("twenty-five") are numbers too."""
    t = text.strip().rstrip("+").replace("·", ".").lower()
    if re.fullmatch(r"\d+,\d{1,2}", t):
        t = t.replace(",", ".")
    if re.fullmatch(r"[\d.]+", t):
        return float(t)
    parts = re.split(r"[- ]", t)
    total = 0
    for part in parts:
        if part not in _WORDS:
            raise ValueError(f"not a number: {text!r}")
        total += _WORDS[part]
    return float(total)


def is_nr(text: str) -> bool:
    return bool(re.fullmatch(NR, text.strip(), re.IGNORECASE))


def number_variants(value: float) -> set[str]:
    """Spellings a number can take in text, for the check that it appears in its quote."""
    out = set()
    for fmt in ("{:g}", "{:.1f}", "{:.2f}", "{:.3f}", "{:.0f}"):
        s = fmt.format(value)
        if abs(float(s) - value) < 1e-9:
            out.add(s)
            out.add(s.replace(".", ","))
            if s.startswith("0."):
                out.add(s[1:])
    return out


def appears(value: float | int | None, text: str) -> bool:
    """Whether ``value`` is printed in ``text`` (as digits, or as a word for small integers)."""
    if value is None:
        return True
    digits = re.findall(r"\d+(?:[.,·]\d+)?|\.\d+", text)
    digits = [d.replace("·", ".") for d in digits]
    variants = number_variants(float(value))
    if any(d in variants for d in digits):
        return True
    if float(value).is_integer():
        low = text.lower()
        for word, num in _WORDS.items():
            if num == value and re.search(r"\b" + word + r"\b", low):
                return True
        for m in re.finditer(WORD_NUMBER, low):
            try:
                if to_number(m.group()) == value:
                    return True
            except ValueError:
                pass
    return False


# --------------------------------------------------------------------------- sentences

SKIP_KINDS = frozenset({"references", "affiliations", "acknowledgements", "declarations", "furniture",
                        "table"})
_SENT_END = re.compile(r"(?<=[a-z0-9%\)\]\.])[.!?](?:\s*(?:<sup>[^<]*</sup>|\^\{[^}]*\}))?\s+(?=[A-Z(\[*])")


@dataclass(frozen=True)
class Sent:
    """A sentence of a document: its offsets, clean text and the section it belongs to."""

    index: int
    start: int
    end: int
    clean: Clean
    section_kind: str
    section_title: str | None
    paragraph: int  # sentences of one paragraph share it
    #: The pieces of a sentence cut by a table or figure (document offsets); one piece otherwise.
    parts: tuple[tuple[int, int], ...] = ()

    @property
    def text(self) -> str:
        return self.clean.text


class SentenceReader:
    """What every reader of one sentence starts from: its text, vocabulary hits and populations."""

    def __init__(self, document: Document, context: Any, sent: Sent) -> None:
        self.document = document
        self.context = context
        self.sent = sent
        self.text = sent.text
        self.pops: Populations = context.populations
        self.hits = context.lexicon.find(self.text)


def _split_plain(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans in ``text[start:end]`` when the reader gave none."""
    spans = []
    for para in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text[start:end]):
        pstart = start + para.start()
        cur = pstart
        body = para.group()
        for m in _SENT_END.finditer(body):
            stop = pstart + m.start() + 1
            if _abbrev_before(text, stop):
                continue
            spans.append((cur, stop))
            cur = pstart + m.end()
        if cur < pstart + len(body):
            spans.append((cur, pstart + len(body)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _abbrev_before(text: str, stop: int) -> bool:
    word = re.search(r"(\S+)\.$", text[max(0, stop - 12):stop])
    return bool(word and word.group(1).lower() in {"vs", "e.g", "i.e", "et al", "al", "fig", "no", "approx",
                                                     "ref", "dr", "ca"})


def _join_broken(text: str, spans: list[tuple[int, int, int | None]]) -> list[tuple[int, int, int | None]]:
    """Join a sentence cut by a page break ("... PFS 6 m" + "(95% CI 3–9 m) and OS 14 m.")."""
    out: list[tuple[int, int, int | None]] = []
    for start, end, sec in spans:
        if out:
            pstart, pend, psec = out[-1]
            gap = text[pend:start]
            head = text[start:end].lstrip()[:1]
            if (not gap.strip() and not re.search(r"[.!?:]\W{0,2}$", text[pstart:pend].rstrip())
                    and head and (head.islower() or head in "(")):
                out[-1] = (pstart, end, psec)
                continue
        out.append((start, end, sec))
    return out


def sentences(document: Document) -> list[Sent]:
    """Every sentence of ``document`` outside references, affiliations and page furniture."""
    return list(_sentences(document))


def _sentences(document: Document) -> Iterator[Sent]:
    text = document.text
    spans: list[tuple[int, int, int | None]]
    tails: dict[int, list[tuple[int, int]]] = {}  # first piece -> the pieces after a table or figure
    if document.sentences:
        spans = []
        first_of: dict[int, int] = {}
        for n, sen in enumerate(document.sentences):
            cont = getattr(sen, "continues", None)
            if cont is not None and cont in first_of:
                first_of[n] = first_of[cont]
                tails.setdefault(first_of[cont], []).append((sen.start, sen.end))
                continue
            first_of[n] = sen.start
            spans.append((sen.start, sen.end, sen.section))
    else:
        spans = [(s, e, None) for s, e in _split_plain(text, 0, len(text))]
    spans = _join_broken(text, spans)
    last_end = -1
    para = 0
    for i, (start, end, sec_index) in enumerate(spans):
        section = None
        if sec_index is not None and 0 <= sec_index < len(document.sections):
            section = document.sections[sec_index]
        elif document.sections:
            section = document.section_at(start)
        kind = section.kind if section else "body"
        if kind in SKIP_KINDS:
            continue
        if last_end >= 0 and "\n\n" in text[last_end:start]:
            para += 1
        last_end = max([end] + [b for _, b in tails.get(start, [])])
        # trim surrounding whitespace so the quote is the sentence itself
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end <= start:
            continue
        parts = [(start, end)] + [_trimmed(text, a, b) for a, b in tails.get(start, [])]
        clean = Clean.of(text, start, end)
        for a, b in parts[1:]:
            more = Clean.of(text, a, b)
            clean = Clean(clean.text + " " + more.text, clean.index + (clean.index[-1],) + more.index, clean.start, b)
        yield Sent(i, start, parts[-1][1], clean, kind, section.title if section else None, para, tuple(parts))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# --------------------------------------------------------------------------- evidence


def evidence(document: Document, sent: Sent, extractor: str, version: str, confidence: float) -> Evidence:
    """Evidence for a fact read from ``sent``: the whole sentence (its first piece) as the quote."""
    start, end = sent.parts[0] if sent.parts else (sent.start, sent.end)
    return Evidence(document=document.id, start=start, end=end,
                    quote=document.text[start:end], extractor=extractor,
                    extractor_version=version, confidence=round(confidence, 2),
                    section=sent.section_title)


def evidences(document: Document, sent: Sent, extractor: str, version: str, confidence: float
              ) -> tuple[Evidence, ...]:
    """One evidence per piece of ``sent`` (a sentence cut by a table is quoted piece by piece)."""
    parts = sent.parts or ((sent.start, sent.end),)
    return tuple(Evidence(document=document.id, start=a, end=b, quote=document.text[a:b], extractor=extractor,
                          extractor_version=version, confidence=round(confidence, 2), section=sent.section_title)
                 for a, b in parts)


def numbers_in_quote(values: Sequence[float | int | None], quote: str) -> bool:
    """The precision guard: every number of a fact is printed in its quote."""
    clean = Clean.of(quote, 0, len(quote)).text
    return all(appears(v, clean) for v in values)
