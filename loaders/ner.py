"""Entity recognition driven by the ontology: every vocabulary term's labels, synonyms and abbreviations.

The recogniser is built when first needed from the generated ontology (``ontology/nenkg.ttl``):
the vocabulary classes are ``nenkg:VocabularyTerm`` and its subclasses; the terms are those
classes and every named individual typed with one of them. Their ``rdfs:label``,
``skos:prefLabel`` and ``skos:altLabel`` are matched case-insensitively as whole words;
``nenkg:abbreviation`` values case-sensitively as whole tokens ("OS" never matches "os" or the
"os" in "dose"). Labels of genes that look like symbols ("TP53", "RB1") are case-sensitive too.

Matching runs on normalised tokens while every offset stays in the original text:

- tokens are runs of letters/digits, split where letters meet digits ("Ki67" -> "ki", "67"), plus
  the comparison and percent signs and hard punctuation (``. , ; : ( ) [ ]``); hyphens, en dashes,
  slashes, plus signs and spaces between tokens are ignored, so "Ki-67", "Ki67", "Ki 67" and
  "Ki–67" are the same, and so are "PD-L1" and "PDL1", while "E.P" is not "EP";
- accents are folded (NFKD), superscript digits read as digits ("mg/m²" = "mg/m2"), "≥", ">=",
  "> =", "$\\geq$" and "≧" are one sign;
- spelling variants: -our/-or (tumour), oe/e (oesophagus), ae/e (anaemia), -ise/-ize
  (randomised), and a plural "s" (carcinomas).

Longest match wins, leftmost first; mentions do not overlap.
"""

from __future__ import annotations

import functools
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

import ontology

NENKG = ontology.NS
ABBREVIATION = URIRef(NENKG + "abbreviation")
VOCABULARY_TERM = URIRef(NENKG + "VocabularyTerm")


@dataclass(frozen=True, slots=True)
class Mention:
    """A vocabulary term found in text, at ``text[start:end]`` of the searched string (+ offset)."""

    start: int
    end: int
    term: str  # the IRI
    label: str  # the term's preferred label
    families: tuple[str, ...]  # vocabulary class local names, most specific first ("PD1Inhibitor", ..., "Agent")
    text: str  # as printed

    @property
    def family(self) -> str:
        """The top vocabulary family ("Agent", "Endpoint", "AnatomicalSite" ...)."""
        return self.families[-1] if self.families else ""

    def in_family(self, name: str) -> bool:
        return name in self.families


@dataclass(frozen=True, slots=True)
class Term:
    iri: str
    label: str
    families: tuple[str, ...]
    is_class: bool


# --- normalisation -----------------------------------------------------------------------------

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉", "01234567890123456789")
_SIGNS = {"≥": "≥", "≧": "≥", "⩾": "≥", "≤": "≤", "≦": "≤", "⩽": "≤", ">": ">", "<": "<", "＞": ">", "＜": "<",
          "%": "%", "=": "="}
# Hard punctuation is a token of its own, so a label only matches across it when the label has it
# too ("Active, not recruiting", "i.v."): "E.P", "platinum; etoposide" and "ECOG) PS" are not labels.
# A tab separates table cells: no label spans two cells.
_PUNCT = ".,;:()[]{}\t"
_TOKEN = re.compile(r"\\[lg]eq?\b|[^\W_]+|[≥≧⩾≤≦⩽><＞＜%=]|[.,;:()\[\]{}\t]")


def _fold(token: str) -> str:
    """Accents off, superscripts to digits (case kept)."""
    token = token.translate(_SUPERSCRIPT)
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _split_alnum(token: str) -> list[tuple[int, int]]:
    """Sub-spans of a token where letters meet digits: "Ki67" -> (0,2), (2,4)."""
    spans = []
    start = 0
    for i in range(1, len(token)):
        if token[i].isdigit() != token[i - 1].isdigit():
            spans.append((start, i))
            start = i
    spans.append((start, len(token)))
    return spans


def spelling(token: str) -> str:
    """British/American and plural variants of one lower-case token to one form."""
    t = token
    if len(t) > 3 and t.endswith("s") and not t.endswith(("ss", "us", "is")):
        t = t[:-1]
    if t.startswith("oe") and len(t) > 4:
        t = "e" + t[2:]
    t = t.replace("oea", "ea")
    if len(t) > 4:
        t = t.replace("ae", "e")
    if len(t) > 5:
        t = re.sub(r"our(?=$|al|ed|ing|ite)", "or", t)
        t = re.sub(r"is(e|ed|es|ing|ation|ations|er)$", r"iz\1", t)
    return t


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    exact: str  # folded, case kept (for abbreviations)
    key: str  # folded, lower-cased, spelling-normalised


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text`` with offsets into it; signs are tokens, other punctuation is skipped."""
    tokens: list[Token] = []
    for m in _TOKEN.finditer(text):
        raw = m.group(0)
        if raw.startswith("\\"):
            sign = "≥" if raw[1] == "g" else "≤"
            tokens.append(Token(m.start(), m.end(), sign, sign))
            continue
        if raw in _PUNCT:
            tokens.append(Token(m.start(), m.end(), raw, raw))
            continue
        if raw in _SIGNS:
            sign = _SIGNS[raw]
            # ">=" and "> =" are one sign
            if sign == "=" and tokens and tokens[-1].exact in (">", "<") and text[tokens[-1].end : m.start()].strip() == "":
                merged = "≥" if tokens[-1].exact == ">" else "≤"
                tokens[-1] = Token(tokens[-1].start, m.end(), merged, merged)
                continue
            tokens.append(Token(m.start(), m.end(), sign, sign))
            continue
        base = m.start()
        for a, b, exact, key in _word_pieces(raw):
            tokens.append(Token(base + a, base + b, exact, key))
    return tokens


@functools.lru_cache(maxsize=200_000)
def _word_pieces(raw: str) -> tuple[tuple[int, int, str, str], ...]:
    """The pieces of one word token: (start, end, folded, key); words repeat, so this is cached."""
    folded = _fold(raw)
    if len(folded) != len(raw):  # ligatures and the like: keep as one token
        return ((0, len(raw), folded, spelling(folded.lower())),)
    return tuple((a, b, folded[a:b], spelling(folded[a:b].lower())) for a, b in _split_alnum(folded))


# --- the trie of label keys --------------------------------------------------------------------


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    # (priority, iri, number of label tokens): labels are keyed by their joined tokens, so "phase III"
    # and "phase I/II" share a node; the token count tells which one the text spells.
    terms: list[tuple[int, str, int]] = field(default_factory=list)


class _Trie:
    def __init__(self) -> None:
        self.root = _Node()

    def add(self, pieces: list[str], iri: str, priority: int) -> None:
        if not pieces:
            return
        node = self.root
        for ch in "".join(pieces):
            node = node.children.setdefault(ch, _Node())
        if all(iri != existing for _, existing, _ in node.terms):
            node.terms.append((priority, iri, len(pieces)))

    def longest(self, tokens: list[Token], i: int, attr: str) -> tuple[int, list[tuple[int, str, int]]] | None:
        """The longest label starting at token ``i`` that ends on a token boundary: (next index, terms)."""
        node = self.root
        best = None
        j = i
        while j < len(tokens):
            for ch in getattr(tokens[j], attr):
                child = node.children.get(ch)
                if child is None:
                    return best
                node = child
            j += 1
            if node.terms:
                best = (j, node.terms)
        return best


class Recogniser:
    """Finds vocabulary terms in text (see the module docstring for the matching rules)."""

    def __init__(self, terms: dict[str, Term], labels: list[tuple[str, str, bool]]) -> None:
        """``labels``: (iri, label, case_sensitive)."""
        self.terms = terms
        self._folded = _Trie()
        self._exact = _Trie()
        for iri, label, case_sensitive in labels:
            toks = tokenize(label)
            if not toks:
                continue
            # individuals before classes, so "platinum" names the drug family only when no drug says so
            priority = 1 if terms[iri].is_class else 0
            if case_sensitive:
                self._exact.add([t.exact for t in toks], iri, priority)
                if len(label) >= 2 and label[-1].isupper() and label[-2].isupper():
                    # "NECs", "PD-NECs", "AEs": the plural of an upper-case abbreviation
                    self._exact.add([t.exact for t in toks] + ["s"], iri, priority)
            else:
                self._folded.add([t.key for t in toks], iri, priority)

    @classmethod
    def from_ontology(cls, path: Path = ontology.TURTLE_PATH) -> Recogniser:
        """The recogniser of the ontology at ``path`` (parsed once per process and file version)."""
        path = Path(path).resolve()
        return _cached(str(path), path.stat().st_mtime_ns)

    @classmethod
    def from_graph(cls, graph: Graph) -> Recogniser:
        vocab_classes: set[URIRef] = {
            c for c in graph.transitive_subjects(RDFS.subClassOf, VOCABULARY_TERM)
            if isinstance(c, URIRef) and c != VOCABULARY_TERM
        }

        def local(iri: URIRef) -> str:
            return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]

        def families_of(classes: set[URIRef]) -> tuple[str, ...]:
            # every vocabulary ancestor, most specific first (ordered by depth below VocabularyTerm)
            found: set[URIRef] = set()
            for cls_ in classes:
                for anc in graph.transitive_objects(cls_, RDFS.subClassOf):
                    if anc in vocab_classes:
                        found.add(anc)  # type: ignore[arg-type]

            def depth(c: URIRef) -> int:
                return len([a for a in graph.transitive_objects(c, RDFS.subClassOf) if a in vocab_classes])

            return tuple(local(c) for c in sorted(found, key=lambda c: (-depth(c), local(c))))

        terms: dict[str, Term] = {}
        for cls_ in vocab_classes:
            terms[str(cls_)] = Term(str(cls_), _preferred(graph, cls_), families_of({cls_}), True)
        for cls_ in vocab_classes:
            for ind in graph.subjects(RDF.type, cls_):
                if not isinstance(ind, URIRef) or str(ind) in terms:
                    continue
                if (ind, RDF.type, OWL.Class) in graph:
                    continue
                types = {t for t in graph.objects(ind, RDF.type) if isinstance(t, URIRef) and t in vocab_classes}
                terms[str(ind)] = Term(str(ind), _preferred(graph, ind), families_of(types), False)

        labels: list[tuple[str, str, bool]] = []
        for iri, term in terms.items():
            node = URIRef(iri)
            abbreviations = {str(v) for v in graph.objects(node, ABBREVIATION) if isinstance(v, Literal)}
            for abbreviation in abbreviations:
                labels.append((iri, abbreviation, True))
            is_gene = "Gene" in term.families
            for prop in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
                for obj in graph.objects(node, prop):
                    if not isinstance(obj, Literal) or (obj.language and not obj.language.startswith("en")):
                        continue
                    label = str(obj)
                    if label in abbreviations:
                        continue
                    symbol_like = " " not in label and any(ch.isupper() or ch.isdigit() for ch in label)
                    labels.append((iri, label, is_gene and symbol_like))
        return cls(terms, labels)

    def find(self, text: str, offset: int = 0) -> list[Mention]:
        """Non-overlapping mentions in ``text``, leftmost-longest; offsets shifted by ``offset``."""
        tokens = tokenize(text)
        mentions: list[Mention] = []
        i = 0
        while i < len(tokens):
            candidates = []
            for trie, attr, rank in ((self._exact, "exact", 0), (self._folded, "key", 1)):
                hit = trie.longest(tokens, i, attr)
                if hit and rank == 0 and not _whole(text, tokens[i].start, tokens[hit[0] - 1].end):
                    hit = None
                if hit:
                    end_index, found = hit
                    chars = tokens[end_index - 1].end - tokens[i].start
                    spelled = end_index - i
                    best = min(found, key=lambda entry: (entry[2] != spelled, entry[0], entry[1]))
                    candidates.append((-chars, rank, best[0], best[1], end_index))
            if not candidates:
                i += 1
                continue
            _, _, _, iri, end_index = min(candidates)
            term = self.terms[iri]
            start, end = tokens[i].start, tokens[end_index - 1].end
            mentions.append(Mention(start + offset, end + offset, iri, term.label, term.families, text[start:end]))
            i = end_index
        return mentions

    def find_family(self, text: str, family: str, offset: int = 0) -> list[Mention]:
        """Mentions whose families include ``family`` ("Agent", "Endpoint" ...)."""
        return [m for m in self.find(text, offset) if family in m.families]


_GLUE = "-‐‑‒–—"


def _alnum(ch: str) -> bool:
    return ch.isalnum() and ch not in _SUPERSCRIPT_CHARS


_SUPERSCRIPT_CHARS = frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹")
_CODE_AFTER = re.compile(r"(?:\d|[A-Z]\d)")


def _whole(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a whole word: not part of "OS12" or "PD-1" (a superscript
    citation mark is not part of the word: "SCLC³" is SCLC)."""
    if not any(ch.isalnum() for ch in text[start:end]):
        return True  # a sign ("%") needs no word boundary
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if _alnum(before) or _alnum(after):
        return False
    # "PD-1", "PD-L1", "CTLA-4": the hyphen glues a number or a short code to the abbreviation
    return not (after in _GLUE and _CODE_AFTER.match(text, end + 1))


def _preferred(graph: Graph, node: URIRef) -> str:
    for prop in (SKOS.prefLabel, RDFS.label):
        for value in graph.objects(node, prop):
            if isinstance(value, Literal) and (not value.language or value.language.startswith("en")):
                return str(value)
    return str(node).rsplit("#", 1)[-1]


@functools.lru_cache(maxsize=4)
def _cached(path: str, mtime_ns: int) -> Recogniser:
    fmt = "turtle" if path.endswith(".ttl") else None
    for attempt in range(2):
        graph = Graph()
        try:
            graph.parse(path, format=fmt)
            break
        except Exception as error:  # rdflib raises many kinds; the file may be mid-regeneration
            if attempt:
                raise ValueError(f"{path}: cannot read the ontology for the recogniser: {error}") from error
            time.sleep(0.5)
    return Recogniser.from_graph(graph)


def recogniser() -> Recogniser:
    """The recogniser of the project's ontology."""
    return Recogniser.from_ontology()
