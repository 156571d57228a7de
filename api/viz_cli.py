"""``nenkg viz``: write one exploration view as a standalone HTML file that works offline.

The file carries vis-network, the explorer's script and styles, the view's nodes and edges and
the side-panel details (properties, links, evidence quotes) of every node in it; it fetches
nothing, and its Content-Security-Policy allows only its own inline code (by hash).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
import networkx as nx

from api.explore_page import standalone_page
from graph import projection, render
from graph.store import StoreError, open_store
from ontology import NS


def resolve_focus(graph: nx.MultiDiGraph, focus: str) -> str:
    """An entity of ``graph`` from an IRI, a ``nenkg:Name`` CURIE, or an exact label (any case).

    Raises ``click.BadParameter`` naming candidates when the label is ambiguous or unknown.
    """
    if focus in graph:
        return focus
    if focus.startswith("nenkg:") and NS + focus[6:] in graph:
        return NS + focus[6:]
    exact = [n for n, label in graph.nodes(data="label") if label.lower() == focus.strip().lower()]
    # "nivolumab" names the drug, even when an arm or a regimen is labelled the same.
    terms = [n for n in exact if projection.KIND_BY_KEY[graph.nodes[n]["kind"]].vocabulary]
    if len(exact) == 1 or len(terms) == 1:
        return exact[0] if len(exact) == 1 else terms[0]
    hits = exact or [hit["iri"] for hit in projection.search(graph, focus, limit=5)]
    if not hits:
        raise click.BadParameter(f"no entity is called {focus!r} and no IRI matches", param_hint="--focus")
    names = "; ".join(f"{graph.nodes[h]['label']} <{h}>" for h in hits[:5])
    raise click.BadParameter(f"{focus!r} is not one entity; give an IRI. Candidates: {names}",
                             param_hint="--focus")


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder (no partial file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as output:
            output.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; a view is meant to be shared
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@click.command()
@click.option("--store", "store_location", metavar="PATH|URL", default=None,
              help="Store folder or SPARQL endpoint URL (default: $NENKG_STORE, then the user data folder).")
@click.option("--focus", default=None, metavar="IRI|LABEL",
              help="Centre the view on this entity (an IRI, nenkg:Name, or an exact label such as nivolumab).")
@click.option("--depth", type=click.IntRange(0, 6), default=2, show_default=True,
              help="Steps from the focus entity.")
@click.option("--kinds", default="", metavar="KIND,...",
              help=f"Only these kinds: {', '.join(projection.KIND_BY_KEY)}.")
@click.option("--max-nodes", type=click.IntRange(1, 20_000), default=render.MAX_NODES, show_default=True,
              help="Refuse views larger than this.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The HTML file to write.")
def viz(store_location: str | None, focus: str | None, depth: int, kinds: str, max_nodes: int,
        output: Path) -> None:
    """Write a standalone, offline HTML view of the graph (or of the network around --focus)."""
    try:
        store = open_store(store_location, read_only=True)
    except (StoreError, OSError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    try:
        graph = projection.project(store)
        centre = resolve_focus(graph, focus) if focus else None
        try:
            view = projection.ego(graph, centre, depth) if centre else graph
            view = projection.filter_kinds(view, [k for k in kinds.split(",") if k.strip()])
            data = render.vis_data(view, full=graph, focus=centre, max_nodes=max_nodes)
        except ValueError as error:  # too large, unknown kind
            raise click.ClickException(str(error)) from error
        details = projection.entities_details(store, view)
    finally:
        store.close()
    title = "nenkg: " + (graph.nodes[centre]["label"] if centre else "the whole graph")
    page, _ = standalone_page(data, details, title=title,
                              config={"focus": centre, "depth": depth, "legend": render.legend()})
    write_atomically(output, page)
    click.echo(f"wrote {output}: {view.number_of_nodes()} nodes, {view.number_of_edges()} edges"
               + (f" around {graph.nodes[centre]['label']} (depth {depth})" if centre else ""))
