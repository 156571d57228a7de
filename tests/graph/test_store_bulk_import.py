"""``OxigraphStore.load_dataset`` (what ``nenkg import`` runs): the parallel bulk load of
:mod:`graph.bulk` loads exactly what a single parse loads, blank nodes included; graphs the file
does not name are kept; and a bad file leaves the store as it was, with an error naming its line."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.bulk import load_path, split_lines
from graph.store import OxigraphStore, StoreError

G = "https://example.org/graph/"


def canonical(quads: object) -> set[ox.Quad]:
    dataset = ox.Dataset(quads)  # type: ignore[arg-type]
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def size(n: int) -> int:
    """The statements :func:`write_quads` writes for a graph of ``n``."""
    return n + (n + 6) // 7


def write_quads(path: Path, graphs: dict[str, int]) -> Path:
    """N-Quads with ``n`` statements in each graph; every 7th links a blank node that another
    line, far away in the file, describes (``size(n)`` statements in all)."""
    lines, later = [], []
    for graph, n in graphs.items():
        for i in range(n):
            s = f"<https://example.org/s{i}>"
            if i % 7 == 0:
                lines.append(f'{s} <https://example.org/has> _:{graph}{i} <{G}{graph}> .')
                later.append(f'_:{graph}{i} <https://example.org/label> "blank {i} of {graph}" <{G}{graph}> .')
            else:
                lines.append(f'{s} <https://example.org/value> "{graph} {i}" <{G}{graph}> .')
    path.write_text("\n".join(lines + later) + "\n", encoding="utf-8")
    return path


def test_split_lines_keeps_every_line_once_and_blank_nodes_apart() -> None:
    data = b"".join(b"<s> <p> %s <g> .\n" % (b"_:x" if i % 5 == 0 else b'"%d"' % i) for i in range(103))
    for count in (1, 2, 3, 8, 200):
        pieces, blanks = split_lines(data, count)
        assert len(pieces) <= count
        lines = [line for piece in pieces for line in piece.split(b"\n") if line] + blanks
        assert sorted(lines) == sorted(data.split(b"\n")[:-1])
        assert all(b"_:" not in piece for piece in pieces) and all(b"_:" in line for line in blanks)


@pytest.mark.parametrize("block", [1 << 10, 64 << 20])
def test_parallel_load_equals_one_parse(tmp_path: Path, block: int) -> None:
    path = write_quads(tmp_path / "data.nq", {"a": 400, "b": 300, "c": 5})
    expected = canonical(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    store = ox.Store(str(tmp_path / "store"))
    load_path(store, path, ox.RdfFormat.N_QUADS, threads=3, block=block)
    assert canonical(store) == expected
    assert len({q.object for q in store if isinstance(q.object, ox.BlankNode)}) == (400 + 6) // 7 + (300 + 6) // 7 + 1


def test_import_replaces_the_graphs_it_names_and_keeps_the_others(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    assert store.load_dataset(write_quads(tmp_path / "old.nq", {"kept": 50, "replaced": 40}), "nquads") == size(50) + size(40)
    kept_before = canonical(q for q in store.quads() if q.graph_name == ox.NamedNode(G + "kept"))
    count = store.load_dataset(write_quads(tmp_path / "new.nq", {"replaced": 3, "added": 20}), "nquads")
    assert count == size(3) + size(20)
    assert {g: store.graph_size(g) for g in store.named_graphs()} == {
        G + "added": size(20), G + "kept": size(50), G + "replaced": size(3)}
    assert canonical(q for q in store.quads() if q.graph_name == ox.NamedNode(G + "kept")) == kept_before
    store.close()
    reopened = OxigraphStore(tmp_path / "store", read_only=True)  # what was swapped in is on disk
    assert reopened.total_size() == size(20) + size(50) + size(3)
    assert not (tmp_path / "store.import").exists()


@pytest.mark.parametrize(("tail", "message"), [
    ('<https://example.org/s> <https://example.org/p> "unterminated <https://example.org/g> .\n',
     r"bad\.nq: not valid nquads: .*line 72\b"),
    ("<https://example.org/s> <https://example.org/p> <https://example.org/o> .\n",
     r"bad\.nq: a triple in the default graph"),
])
def test_a_bad_file_leaves_the_store_as_it_was(tmp_path: Path, tail: str, message: str) -> None:
    store = OxigraphStore(tmp_path / "store")
    store.load_dataset(write_quads(tmp_path / "old.nq", {"a": 30, "b": 10}), "nquads")
    before = canonical(store.quads())
    bad = write_quads(tmp_path / "bad.nq", {"a": 50, "z": 11})
    with open(bad, "a", encoding="utf-8") as handle:
        handle.write(tail)
    with pytest.raises(StoreError, match=message):
        store.load_dataset(bad, "nquads")
    assert canonical(store.quads()) == before
    assert not (tmp_path / "store.import").exists()


def test_a_read_only_store_refuses_an_import(tmp_path: Path) -> None:
    OxigraphStore(tmp_path / "store").close()
    with pytest.raises(StoreError, match="read-only"):
        OxigraphStore(tmp_path / "store", read_only=True).load_dataset(tmp_path / "none.nq", "nquads")
