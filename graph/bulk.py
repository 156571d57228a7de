"""Parallel bulk loading of a quad file into an Oxigraph store.

Oxigraph's bulk loader spends most of its time on one core when it is called once (it parses on
the calling thread and hands whole batches of a million quads to its writer), and pyoxigraph
releases the GIL while it loads. So an N-Quads file is cut into one piece per core at line ends
and the pieces are loaded by concurrent ``bulk_load`` calls: about twice the throughput on two
cores (benchmarks/REPORT.md). Blank-node labels are scoped to one parse, so every line that may
hold a blank node goes to one last piece, parsed alone, and co-references survive. TriG cannot be
cut at line ends and is loaded in one call.

The loader is not atomic (pieces that parsed stay loaded when another fails): callers load into a
store of their own and keep or discard it whole (see :meth:`graph.store.OxigraphStore.load_dataset`).

>>> split_lines(b'<s> <p> <o> <g> .\\n<s> <p> _:b <g> .\\n<t> <p> <o> <g> .\\n', 2)
([b'<s> <p> <o> <g> .\\n', b'<t> <p> <o> <g> .\\n'], [b'<s> <p> _:b <g> .'])
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

#: Bytes of N-Quads each thread parses per call: bounds the memory of a load at about
#: ``2 * threads * BLOCK`` whatever the file's size.
BLOCK = 64 << 20


def split_lines(data: bytes, count: int) -> tuple[list[bytes], list[bytes]]:
    """``data`` (whole N-Quads lines) cut into up to ``count`` pieces at line ends, and apart the
    lines that contain ``_:`` (a blank node, or text that looks like one: harmless)."""
    bounds = [0]
    for index in range(1, count):
        cut = data.find(b"\n", len(data) * index // count)
        bounds.append(len(data) if cut < 0 else max(cut + 1, bounds[-1]))
    bounds.append(len(data))
    out: list[bytes] = []
    blank_lines: list[bytes] = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        piece = data[start:end]
        if b"_:" in piece:
            lines = piece.split(b"\n")
            blank_lines += [line for line in lines if b"_:" in line]
            piece = b"\n".join(line for line in lines if b"_:" not in line)
        if piece.strip():
            out.append(piece)
    return out, blank_lines


def _load_parallel(store: ox.Store, pieces: list[bytes], rdf_format: ox.RdfFormat) -> None:
    errors: list[BaseException] = []

    def load(piece: bytes) -> None:
        try:
            store.bulk_load(piece, rdf_format)
        except BaseException as error:  # re-raised on the calling thread below
            errors.append(error)

    workers = [threading.Thread(target=load, args=(piece,)) for piece in pieces]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]


def load_path(store: ox.Store, path: Path, rdf_format: ox.RdfFormat, threads: int | None = None,
              block: int = BLOCK) -> None:
    """Bulk-load the file at ``path`` into ``store``, in parallel for N-Quads. A syntax error is
    raised as ``SyntaxError`` with its line in the file."""
    threads = threads or max(2, os.cpu_count() or 1)
    if rdf_format != ox.RdfFormat.N_QUADS:
        store.bulk_load(path=str(path), format=rdf_format)
        return
    blank_lines: list[bytes] = []
    try:
        with open(path, "rb") as handle:
            carry = b""
            while True:
                chunk = handle.read(block * threads)
                data = carry + chunk
                cut = data.rfind(b"\n") + 1 if chunk else len(data)  # whole lines only
                data, carry = data[:cut], data[cut:]
                pieces, blanks = split_lines(data, threads)
                blank_lines += blanks
                _load_parallel(store, pieces, rdf_format)
                if not chunk:
                    break
        if blank_lines:
            store.bulk_load(b"\n".join(blank_lines) + b"\n", rdf_format)
    except SyntaxError:
        # A piece's error gives a position within the piece: parse the file once more to name
        # its line in the file (only on this failing path).
        for _ in ox.parse(path=str(path), format=rdf_format):
            pass
        raise


def dump_graphs(store: ox.Store, graphs: Iterable[ox.NamedNode], output: BinaryIO,
                names: Mapping[str, str] | None = None) -> int:
    """Write the quads of ``graphs`` to ``output`` as N-Quads, each graph under its IRI in
    ``names`` (default: its own); returns the bytes written. Each graph is dumped by Oxigraph as
    N-Triples (one statement a line ending " .": a newline inside a literal is escaped) and the
    graph name is put before the dot: far faster than building quads in Python."""
    written = 0
    for graph in graphs:
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
        name = (names or {}).get(graph.value, graph.value)
        written += output.write(data.replace(b" .\n", f" <{name}> .\n".encode()))
    return written
