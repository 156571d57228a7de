"""``nenkg query``: run a named query (with ``--param k=v``) or a SPARQL text on the command line."""

from __future__ import annotations

import json
from typing import Any

import click

from api.sparql_guard import QueryGuard, QueryRefused
from api.sparql_service import PREFIXES
from api.sparql_worker import QueryJob, evaluate
from queries import ParameterError, bind_parameters, load_queries

SHORT = {**PREFIXES, "id": "https://w3id.org/nenkg/id/"}


def short(term: dict[str, Any]) -> str:
    """A term as people read it: prefixed IRIs, plain literal values."""
    value = str(term["value"])
    if term["type"] == "uri":
        for prefix, namespace in SHORT.items():
            if value.startswith(namespace):
                return f"{prefix}:{value[len(namespace):]}"
        return f"<{value}>"
    if term["type"] == "bnode":
        return "_:" + value
    return value


def table(body: bytes, width: int = 60) -> str:
    """SPARQL JSON results as an aligned text table."""
    data = json.loads(body)
    if "boolean" in data:
        return "true" if data["boolean"] else "false"
    names = data["head"]["vars"]
    rows = [[short(r[n])[:width] if n in r else "" for n in names] for r in data["results"]["bindings"]]
    widths = [max([len(n), *(len(row[i]) for row in rows)]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.append(f"({len(rows)} rows)")
    return "\n".join(lines)


@click.command()
@click.argument("query", required=False)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and their parameters.")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter of a named query (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv", "turtle", "ntriples"]),
              default="table", show_default=True, help="Output format (graphs: turtle or ntriples).")
@click.option("--store", "store_location", metavar="PATH|URL", default=None,
              help="Store folder or SPARQL endpoint URL (default: $NENKG_STORE, then the user data folder).")
@click.option("--limit", type=int, default=100_000, show_default=True, help="Most rows printed.")
def query(query: str | None, list_queries: bool, params: tuple[str, ...], fmt: str, store_location: str | None,
          limit: int) -> None:
    """Run QUERY: the name of a named query (see `nenkg query --list` or /queries) or a SPARQL text.

    Examples: `nenkg query regimens_with_agent_class -p agentClass=PD1Inhibitor`,
    `nenkg query 'SELECT ?s WHERE { ?s a nenkg:Study }' --format csv`.
    """
    from api.sparql_store import open_read_only
    from graph.store import StoreError

    named = load_queries()
    if list_queries or not query:
        for item in named.values():
            args = " ".join(f"[{p.name}={p.default or ''}]" for p in item.params)
            click.echo(f"{item.name} {args}\n    {item.title}")
        return
    try:
        values = dict(_pair(p) for p in params)
        if query in named:
            sparql, substitutions = named[query].sparql, bind_parameters(named[query], values)
        elif values:
            raise click.UsageError(f"--param applies to named queries; {query!r} is not one of: "
                                   f"{', '.join(named)}")
        else:
            sparql, substitutions = _with_prefixes(query), {}
        checked = QueryGuard().check(sparql)
        graph_form = checked.form in ("CONSTRUCT", "DESCRIBE")
        out = ("turtle" if fmt not in ("ntriples",) else fmt) if graph_form else \
            ("json" if fmt == "table" else fmt)
        if out in ("turtle", "ntriples") and not graph_form:
            out = "json"
        with open_read_only(store_location) as store:
            outcome = evaluate(store, QueryJob(sparql, out, limit, substitutions=substitutions, prefixes=PREFIXES))
    except (ParameterError, QueryRefused, StoreError) as problem:
        raise click.ClickException(str(problem)) from problem
    if outcome.error:
        raise click.ClickException(outcome.message)
    click.echo(table(outcome.body) if fmt == "table" and not graph_form else outcome.body.decode())
    if outcome.truncated:
        click.echo(f"(stopped at --limit {limit} rows)", err=True)


def _pair(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise click.BadParameter(f"expected NAME=VALUE, got {text!r}", param_hint="--param")
    return name.strip(), value


def _with_prefixes(sparql: str) -> str:
    """Declare the usual prefixes for a query typed on the command line, unless it declares them."""
    declared = sparql.upper()
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in SHORT.items() if f"PREFIX {p.upper()}:" not in declared]
    return "\n".join([*lines, sparql])
