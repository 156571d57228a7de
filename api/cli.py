"""The ``nenkg`` command line: build, load, import, export, stats, validate (and serve, query, viz).

Every command takes ``--store`` (a folder for the embedded store or an ``http(s)://`` SPARQL
endpoint); without it, ``NENKG_STORE``, then the user's data folder. User mistakes end with a
one-line error naming the file and the problem, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from graph.build import build_store, corpus_files, load_documents, populate
from graph.store import (
    FORMAT_BY_SUFFIX,
    RDF_FORMATS,
    Store,
    StoreError,
    is_remote,
    open_store,
    resolve_location,
)
from loaders.readers import DocumentError
from ontology import DATA_NS

F = TypeVar("F", bound=Callable[..., Any])
EXPORT_FORMATS = ("turtle", "ntriples", "nquads", "trig", "jsonld")
#: Errors that are the user's input, reported in one line.
USER_ERRORS = (StoreError, DocumentError, ValueError, SyntaxError, OSError)


def store_option(command: F) -> F:
    return click.option("--store", "store_location", metavar="PATH|URL", default=None,
                        help="Store folder or SPARQL endpoint URL (default: $NENKG_STORE, then the user data "
                             "folder).")(command)


@contextmanager
def user_errors() -> Iterator[None]:
    try:
        yield
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from error


@contextmanager
def opened(location: str | None, read_only: bool = False) -> Iterator[Store]:
    with user_errors():
        store = open_store(location, read_only=read_only)
        try:
            yield store
        finally:
            store.close()


def default_corpus() -> Path:
    return Path.cwd() / "corpus"


def print_summary(summary: dict[str, Any]) -> None:
    click.echo(f"store: {summary['store']}  ({summary['seconds']} s)")
    for document in summary["documents"]:
        facts = ", ".join(f"{kind} {count}" for kind, count in sorted(document["facts"].items()))
        click.echo(f"  {document['file']}: {document['triples']} triples; facts: {facts or 'none'}")
    click.echo(f"  ontology {summary['ontology_triples']} triples, mappings {summary['mapping_triples']}, "
               f"inferred {summary['inferred_triples']}, conflicts {summary['conflicts']}")


@click.group()
@click.version_option(package_name="nenkg")
def main() -> None:
    """nenkg: a knowledge graph of what papers report on neuroendocrine neoplasms."""


@main.command()
@store_option
@click.option("--corpus", type=click.Path(path_type=Path), default=None,
              help="Folder of documents with a manifest.json (default: ./corpus).")
@click.option("--no-reason", is_flag=True, help="Skip the HermiT materialisation of inferred types.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def build(store_location: str | None, corpus: Path | None, no_reason: bool, as_json: bool) -> None:
    """Build the graph of the corpus (ontology, one graph per document, inferences) into the store."""
    corpus = corpus or default_corpus()
    location = resolve_location(store_location)
    with user_errors():
        if is_remote(location):
            store = open_store(location)
            try:
                for graph in store.named_graphs():
                    if graph.startswith(DATA_NS):
                        store.remove_graph(graph)
                summary = populate(store, corpus_files(corpus), reason=not no_reason, progress=not as_json)
            finally:
                store.close()
        else:
            summary = build_store(corpus, Path(location), reason=not no_reason, progress=not as_json)
    report = summary.as_dict()
    click.echo(json.dumps(report, indent=2)) if as_json else print_summary(report)


@main.command()
@store_option
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--no-reason", is_flag=True, help="Skip the HermiT materialisation of inferred types.")
def load(store_location: str | None, files: tuple[Path, ...], no_reason: bool) -> None:
    """Add documents to an existing store through the same pipeline (all or nothing)."""
    with opened(store_location) as store, user_errors():
        summary = load_documents(store, list(files), reason=not no_reason, progress=True)
    print_summary(summary.as_dict())


@main.command("import")
@store_option
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--graph", "graph_iri", default=None,
              help="Named graph to load into (required for triple formats; quad formats keep their graphs).")
@click.option("--format", "fmt", type=click.Choice(sorted(RDF_FORMATS)), default=None,
              help="RDF format (default: from the file suffix).")
def import_(store_location: str | None, files: tuple[Path, ...], graph_iri: str | None, fmt: str | None) -> None:
    """Bring external RDF files into the store, in bulk."""
    with opened(store_location) as store, user_errors():
        for path in files:
            file_format = fmt or FORMAT_BY_SUFFIX.get(path.suffix.lower())
            if file_format is None:
                raise StoreError(f"{path}: cannot tell the RDF format from the suffix; use --format")
            if graph_iri:
                count = store.load_file(path, graph_iri, file_format)
            elif RDF_FORMATS[file_format].supports_datasets:
                count = store.load_dataset(path, file_format)
            else:
                raise StoreError(f"{path}: {file_format} holds triples without a graph name; give --graph IRI")
            click.echo(f"{path}: {count} triples imported")


@main.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="nquads", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.option("--graph", "graph_iri", default=None, help="Export one named graph only.")
@click.option("--mappings", is_flag=True, help="Write the SSSOM mapping table instead of RDF.")
def export(store_location: str | None, fmt: str, output: Path, graph_iri: str | None, mappings: bool) -> None:
    """Write the graph (all named graphs, or one) to a file."""
    if mappings:
        from ontology import MAPPINGS_PATH

        with user_errors():
            output.write_bytes(MAPPINGS_PATH.read_bytes())
        click.echo(f"wrote the SSSOM mappings to {output}")
        return
    with opened(store_location, read_only=True) as store, user_errors():
        if graph_iri is None and not RDF_FORMATS[fmt].supports_datasets:
            export_union(store, output, fmt)
        else:
            store.dump(output, fmt, graph_iri)
    click.echo(f"wrote {output}")


def export_union(store: Store, output: Path, fmt: str) -> None:
    """Single-graph formats get the union of all named graphs (graph names are dropped)."""
    import pyoxigraph as ox

    result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    with open(output, "wb") as stream:
        ox.serialize(result, stream, RDF_FORMATS[fmt])  # type: ignore[arg-type]


@main.command()
@store_option
@click.option("--mappings", is_flag=True, help="Share of used vocabulary terms with an external match, per family.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats(store_location: str | None, mappings: bool, as_json: bool) -> None:
    """Counts per kind per document graph (or mapping coverage)."""
    from graph.stats import kind_counts

    with opened(store_location, read_only=True) as store, user_errors():
        if mappings:
            from graph.coverage import mapping_coverage

            coverage = mapping_coverage(store)
            if as_json:
                click.echo(json.dumps(coverage, indent=2, default=list))
                return
            for family, (mapped, used) in sorted(coverage.items()):
                share = f"{100 * mapped / used:.0f}%" if used else "-"
                click.echo(f"{family:24} {mapped:4}/{used:<4} {share}")
            return
        counts = kind_counts(store)
    if as_json:
        click.echo(json.dumps(counts, indent=2))
        return
    for graph, kinds in counts.items():
        click.echo(graph)
        for kind, count in sorted(kinds.items()):
            click.echo(f"  {kind:28} {count}")


@main.command()
@store_option
def validate(store_location: str | None) -> None:
    """Check the ontology with HermiT and the graph against the SHACL shapes (exit 1 on violations)."""
    from graph.reason import check_consistency
    from graph.validate import shacl_report

    with opened(store_location, read_only=True) as store, user_errors():
        check_consistency()
        click.echo("ontology: consistent (HermiT)")
        report = shacl_report(store)
    if not report.conforms:
        click.echo(report.text, err=True)
        raise click.ClickException(f"SHACL: {len(report.violations)} violations")
    click.echo("SHACL: the graph conforms to ontology/shapes.ttl")


from api.viz_cli import viz  # noqa: E402 - a command in its own module

main.add_command(viz)

from api.query_cli import query  # noqa: E402 - a command in its own module
from api.serve_cli import serve  # noqa: E402 - a command in its own module

main.add_command(serve)
main.add_command(query)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
