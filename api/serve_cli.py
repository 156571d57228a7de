"""``nenkg serve``: run the web server (SPARQL endpoint, named queries, entity pages)."""

from __future__ import annotations

import click

from api.settings import Settings


@click.command()
@click.option("--host", default=None, help="Interface to listen on (default: $NENKG_HOST, then 127.0.0.1).")
@click.option("--port", type=int, default=None, help="TCP port (default: $NENKG_PORT, then 8000).")
@click.option("--store", "store_location", metavar="PATH|URL", default=None,
              help="Store folder or SPARQL endpoint URL (default: $NENKG_STORE, then the user data folder).")
@click.option("--timeout", "query_timeout", type=float, default=None,
              help="Wall-clock seconds a query may run (default: $NENKG_QUERY_TIMEOUT, then 20).")
@click.option("--workers", type=int, default=None,
              help="Query worker processes (default: $NENKG_WORKERS, then 2).")
@click.option("--max-results", type=int, default=None, help="Rows a query may return (default 10000).")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info",
              show_default=True, help="Server log level; below info, requests are not logged one by one.")
def serve(host: str | None, port: int | None, store_location: str | None, query_timeout: float | None,
          workers: int | None, max_results: int | None, log_level: str) -> None:
    """Serve the graph read-only over HTTP: /sparql, /queries, /id/..., /query, /export, /docs.

    One process: an event loop answers HTTP (uvloop and httptools when installed) and a pool of
    query worker processes evaluates the queries, each killed at the time limit."""
    import uvicorn

    from api.app import create_app
    from graph.store import StoreError

    try:
        settings = Settings.resolve(host=host, port=port, store=store_location, query_timeout=query_timeout,
                                    workers=workers, max_results=max_results)
        app = create_app(settings)
    except (StoreError, ValueError, OSError) as problem:
        raise click.ClickException(str(problem)) from problem
    click.echo(f"nenkg: serving {app.state.store.location} at http://{settings.host}:{settings.port}/ "
               f"(SPARQL endpoint /sparql, query page /query)")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=log_level)
