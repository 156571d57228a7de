"""Checks a SPARQL query text BEFORE any parser or engine sees it.

Why lexical and not parsed: pyoxigraph has no standalone parser and crashes the whole process on
queries nested a few thousand levels deep; rdflib's parser recurses too. A small tokenizer that
skips strings, IRIs and comments is enough to find what we refuse:

* updates (nenkg is read-only), ``SERVICE`` (including ``SERVICE SILENT``) and ``LOAD``: the
  engine would fetch their targets over the network;
* ``FROM`` / ``FROM NAMED`` naming a graph that is not in the store;
* nesting deeper than a limit, too many operators, codepoint escapes outside strings (they could
  spell a keyword the scanner would not see).

The engine remains the judge of syntax; this module only refuses.

>>> guard = QueryGuard(max_depth=8, max_operators=50, max_chars=1000)
>>> guard.check("PREFIX ex: <http://e/> SELECT * FROM ex:g WHERE { ?s ?p ?o }").form
'SELECT'
>>> guard.check("SELECT * { SERVICE <http://e/sparql> { ?s ?p ?o } }")  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
...
api.sparql_guard.QueryRefused: SERVICE is disabled: nenkg never fetches remote data
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                             "WITH"})
OPEN, CLOSE = frozenset("({["), frozenset(")}]")
OPERATORS = frozenset({"!", "+", "-", "*", "/", "|", "^", "&&", "||", "=", "!=", "<", ">", "<=", ">=", "^^"})

_TOKEN = re.compile(r'''
   (?P<ws>\s+)
 | (?P<comment>\#[^\n\r]*)
 | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!\'\'))*\'\'\'
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
 | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
 | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]*)
 | (?P<bnode>_:[\w.\-]*)
 | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
 | (?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w\-:%]|\.(?=[\w\-:%]))*)
 | (?P<word>[^\W\d][\w\-]*)
 | (?P<number>\d*\.?\d+(?:[eE][+-]?\d+)?)
 | (?P<punct>&&|\|\||!=|<=|>=|\^\^|.)
''', re.VERBOSE | re.DOTALL)


class QueryRefused(Exception):
    """The query is not accepted; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the checks: its form and the graphs its dataset clauses name."""

    text: str
    form: str
    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)


def tokens(text: str) -> list[tuple[str, str]]:
    """Split ``text`` into (kind, text) tokens, dropping whitespace and comments."""
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind not in ("ws", "comment"):
            out.append((kind, match.group()))
    return out


@dataclass(frozen=True)
class QueryGuard:
    """The limits a query must respect; :meth:`check` applies them."""

    max_depth: int = 64
    max_operators: int = 2_000
    max_chars: int = 200_000

    def check(self, text: str) -> CheckedQuery:
        """Return the checked query or raise :class:`QueryRefused`."""
        if not text.strip():
            raise QueryRefused("the query is empty")
        if len(text) > self.max_chars:
            raise QueryRefused(f"the query is longer than {self.max_chars} characters")
        self._check_shape(text)  # cheap, before the tokenizer allocates anything per token
        toks = tokens(text)
        self._check_tokens(toks)
        prefixes, base, position = _prologue(toks)
        if position >= len(toks) or toks[position][0] != "word":
            raise QueryRefused("expected SELECT, CONSTRUCT, DESCRIBE or ASK after the prologue")
        form = toks[position][1].upper()
        if form in UPDATE_KEYWORDS:
            raise QueryRefused(f"{form}: updates are not accepted, nenkg is read-only", 403)
        if form not in QUERY_FORMS:
            raise QueryRefused(f"expected SELECT, CONSTRUCT, DESCRIBE or ASK, found {toks[position][1]!r}")
        from_graphs, from_named = _dataset(toks[position:], prefixes, base)
        return CheckedQuery(text, form, from_graphs, from_named)

    def _check_shape(self, text: str) -> None:
        depth = deepest = 0
        for char in text:  # brackets inside strings count too: a generous over-estimate
            if char in OPEN:
                depth += 1
                deepest = max(deepest, depth)
            elif char in CLOSE:
                depth -= 1
        if deepest > self.max_depth:
            raise QueryRefused(f"the query nests brackets {deepest} deep; the limit is {self.max_depth}")

    def _check_tokens(self, toks: list[tuple[str, str]]) -> None:
        operators = 0
        for kind, value in toks:
            if kind == "punct":
                if value == "\\":
                    raise QueryRefused("codepoint escapes (\\u, \\U) are accepted inside strings only")
                if value in OPERATORS:
                    operators += 1
            elif kind == "word":
                word = value.upper()
                if word == "SERVICE":
                    raise QueryRefused("SERVICE is disabled: nenkg never fetches remote data", 403)
                if word == "LOAD":
                    raise QueryRefused("LOAD is disabled: nenkg is read-only and never fetches", 403)
        if operators > self.max_operators:
            raise QueryRefused(f"the query has {operators} operators; the limit is {self.max_operators}")


def _prologue(toks: list[tuple[str, str]]) -> tuple[dict[str, str], str | None, int]:
    """Read PREFIX and BASE declarations; return prefixes, base and the index after them."""
    prefixes: dict[str, str] = {}
    base: str | None = None
    i = 0
    while i < len(toks) and toks[i][0] == "word" and toks[i][1].upper() in ("PREFIX", "BASE"):
        if toks[i][1].upper() == "BASE" and i + 1 < len(toks) and toks[i + 1][0] == "iri":
            base = _resolve(toks[i + 1][1][1:-1], base)
            i += 2
        elif (toks[i][1].upper() == "PREFIX" and i + 2 < len(toks) and toks[i + 1][0] == "pname"
              and toks[i + 2][0] == "iri"):
            prefixes[toks[i + 1][1].rstrip(":")] = _resolve(toks[i + 2][1][1:-1], base)
            i += 3
        else:
            raise QueryRefused(f"malformed {toks[i][1].upper()} declaration")
    return prefixes, base, i


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base else iri


def _dataset(toks: list[tuple[str, str]], prefixes: dict[str, str],
             base: str | None) -> tuple[list[str], list[str]]:
    """The IRIs of the FROM and FROM NAMED clauses."""
    default: list[str] = []
    named: list[str] = []
    i = 0
    while i < len(toks):
        if toks[i][0] == "word" and toks[i][1].upper() == "FROM":
            target = default
            i += 1
            if i < len(toks) and toks[i][0] == "word" and toks[i][1].upper() == "NAMED":
                target = named
                i += 1
            if i >= len(toks):
                break
            kind, value = toks[i]
            if kind == "iri":
                target.append(_resolve(value[1:-1], base))
            elif kind == "pname":
                prefix, _, local = value.partition(":")
                if prefix not in prefixes:
                    raise QueryRefused(f"FROM uses the undeclared prefix {prefix!r}")
                target.append(prefixes[prefix] + local)
            else:
                raise QueryRefused("FROM must be followed by an IRI")
        i += 1
    return default, named
