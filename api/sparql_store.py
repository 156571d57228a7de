"""Opening the store read-only by location, for the server and its query workers."""

from __future__ import annotations

from graph.store import Store, open_store


def open_read_only(location: str | None) -> Store:
    """Open the store at ``location`` (a folder or a SPARQL URL; ``None``: graph.store's default)
    without write access."""
    return open_store(location, read_only=True)
