"""SPARQL text handling for stores behind HTTP: the query form, and variable substitution.

A remote server cannot take pyoxigraph's ``substitutions``, so :func:`substitute` rewrites the
query text instead, with the semantics of pyoxigraph (SPARQL-dev SEP-0007): inside the WHERE
clause every occurrence of a bound variable, in nested groups, filters and subqueries alike, is
replaced by the term, and a ``VALUES`` block at the top of the WHERE clause keeps the variable
bound in the results (so ``SELECT ?x``, ``GROUP BY ?x`` and ``ORDER BY ?x`` still see it).

Terms are written in N-Triples syntax by pyoxigraph (``str(term)``), which is valid SPARQL and
cannot break out of its token: an IRI is validated by ``NamedNode``, a literal is escaped.

Limits (raised as ``ValueError``, never silently wrong): blank nodes and triple terms cannot be
sent to another server; a bound variable may not be the target of ``AS`` (BIND, projection) or
be declared by a ``VALUES`` inside the WHERE clause; the short form ``CONSTRUCT WHERE { }`` has no
separate WHERE clause to rewrite.

>>> import pyoxigraph as ox
>>> substitute("SELECT ?o WHERE { ?s ?p ?o }", {"s": ox.NamedNode("https://e.org/s")})
'SELECT ?o WHERE { VALUES (?s) { (<https://e.org/s>) } <https://e.org/s> ?p ?o }'
>>> query_form("PREFIX a: <https://e.org/> ASK { ?s a:p ?o }")
'ASK'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

_TOKEN = re.compile(
    r'''(?P<ws>\s+)
    |(?P<comment>\#[^\n]*)
    |(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
       |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
    |(?P<word>[A-Za-z_][A-Za-z0-9_\-]*(?::[^\s{}()\[\];,]*)?|:[^\s{}()\[\];,]*)
    |(?P<punct>.)''',
    re.VERBOSE | re.DOTALL,
)
FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")


@dataclass
class _Token:
    kind: str
    text: str

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def tokenize(query: str) -> list[_Token]:
    """Split SPARQL text into tokens; strings, IRIs and comments stay whole."""
    return [_Token(match.lastgroup or "punct", match.group()) for match in _TOKEN.finditer(query)]


def query_form(query: str) -> str:
    """The form of a query: SELECT, CONSTRUCT, ASK or DESCRIBE. Raises ``SyntaxError`` if none."""
    for token in tokenize(query):
        if token.upper in FORMS:
            return token.upper
        if token.kind == "punct" and token.text == "{":
            break
    raise SyntaxError("not a SPARQL query: no SELECT, CONSTRUCT, ASK or DESCRIBE before the first '{'")


def _term(name: str, value: object) -> str:
    if isinstance(value, ox.NamedNode | ox.Literal):
        return str(value)
    raise ValueError(f"cannot send ?{name} = {value!r} to a SPARQL server: only IRIs and literals "
                     "can be substituted (blank nodes are local to a store)")


def _previous(tokens: list[_Token], index: int) -> int | None:
    """Index of the last significant token before ``index``."""
    for i in range(index - 1, -1, -1):
        if tokens[i].kind not in ("ws", "comment"):
            return i
    return None


def _is(tokens: list[_Token], index: int | None, text: str) -> bool:
    return index is not None and (tokens[index].upper or tokens[index].text) == text


def _where_open(tokens: list[_Token]) -> int:
    """Index of the '{' that opens the query's WHERE clause."""
    form_at = next((i for i, t in enumerate(tokens) if t.upper in FORMS), None)
    if form_at is None:
        raise SyntaxError("not a SPARQL query: no SELECT, CONSTRUCT, ASK or DESCRIBE")
    skip_template = tokens[form_at].upper == "CONSTRUCT"
    depth = 0
    for i in range(form_at + 1, len(tokens)):
        token = tokens[i]
        if skip_template and depth == 0 and token.upper == "WHERE":
            raise ValueError("substitutions need a CONSTRUCT with a template; rewrite "
                             "`CONSTRUCT WHERE { P }` as `CONSTRUCT { P } WHERE { P }`")
        if token.text == "{":
            if depth == 0 and not skip_template:
                return i
            depth += 1
        elif token.text == "}":
            depth -= 1
            if depth == 0:
                skip_template = False
    raise SyntaxError("the query has no WHERE clause")


def substitute(query: str, substitutions: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """Return ``query`` with the variables of ``substitutions`` (names without ``?``) bound."""
    if not substitutions:
        return query
    terms = {name.lstrip("?$"): _term(name, value) for name, value in substitutions.items()}
    tokens = tokenize(query)
    start = _where_open(tokens)
    for i, token in enumerate(tokens[:start]):
        if token.kind == "var" and token.text[1:] in terms and _is(tokens, _previous(tokens, i), "AS"):
            raise ValueError(f"cannot substitute {token.text}: the query assigns it with AS")

    out = [t.text for t in tokens]
    depth = 0
    mode = "body"  # body | projection (of a subquery) | modifier (GROUP/ORDER BY) | values
    parens = 0
    for i in range(start, len(tokens)):
        token = tokens[i]
        if token.text == "{":
            depth += 1
            mode, parens = "body", 0
        elif token.text == "}":
            depth -= 1
            mode, parens = "body", 0
            if depth == 0:
                break
        elif token.text == "(":
            parens += 1
        elif token.text == ")":
            parens -= 1
        elif token.upper == "SELECT":
            mode, parens = "projection", 0
        elif token.upper == "WHERE":
            mode = "body"
        elif token.upper == "BY":
            mode, parens = "modifier", 0
        elif token.upper in ("HAVING", "LIMIT", "OFFSET"):
            mode = "body"
        elif token.upper == "VALUES":
            mode = "values"
        elif token.kind == "var" and token.text[1:] in terms:
            name, term = token.text[1:], terms[token.text[1:]]
            previous = _previous(tokens, i)
            if mode == "values" or _is(tokens, previous, "AS"):
                raise ValueError(f"cannot substitute {token.text}: the query assigns it "
                                 f"({'VALUES' if mode == 'values' else 'AS'})")
            before = _previous(tokens, previous) if previous is not None else None
            if _is(tokens, previous, "(") and before is not None and _is(tokens, before, "BOUND"):
                # BOUND needs a variable; a substituted variable is always bound.
                out[before] = "sameTerm"
                out[i] = f"{term}, {term}"
            elif mode == "projection" and parens == 0:
                out[i] = f"({term} AS ?{name})"
            elif mode == "modifier" and parens == 0:
                out[i] = f"({term})"
            else:
                out[i] = term
    names = " ".join(f"?{name}" for name in terms)
    row = " ".join(terms.values())
    values = f" VALUES ({names}) {{ ({row}) }}"
    first = next((t for t in tokens[start + 1:] if t.kind not in ("ws", "comment")), None)
    if first is not None and first.upper == "SELECT":
        # A WHERE clause that is one subquery cannot take VALUES beside it: wrap it in a group.
        out[start] = "{" + values + " {"
        close = _matching(tokens, start)
        out[close] = "} }"
    else:
        out[start] = "{" + values
    return "".join(out)


def _matching(tokens: list[_Token], start: int) -> int:
    depth = 0
    for i in range(start, len(tokens)):
        if tokens[i].text == "{":
            depth += 1
        elif tokens[i].text == "}":
            depth -= 1
            if depth == 0:
                return i
    raise SyntaxError("unbalanced braces in the query")
