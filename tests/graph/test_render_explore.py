"""vis-network data from a projection: sizes by degree, colours by kind, the size limit, text labels."""

from __future__ import annotations

import networkx as nx
import pytest

from graph import render
from graph.projection import KIND_BY_KEY


def star(leaves: int) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node("https://e.org/regimen", label="nivolumab + carboplatin + etoposide", kind="regimen", title="r")
    for i in range(leaves):
        g.add_node(f"https://e.org/agent/{i}", label=f"agent {i}", kind="agent", title=f"agent {i}")
        g.add_edge("https://e.org/regimen", f"https://e.org/agent/{i}", key="https://e.org/hasAgent",
                   label="hasAgent")
    return g


def test_nodes_carry_kind_colour_and_size_by_degree() -> None:
    data = render.vis_data(star(3), focus="https://e.org/regimen")
    by_id = {n["id"]: n for n in data["nodes"]}
    hub, leaf = by_id["https://e.org/regimen"], by_id["https://e.org/agent/0"]
    assert hub["color"] == KIND_BY_KEY["regimen"].colour and leaf["color"] == KIND_BY_KEY["agent"].colour
    assert hub["size"] > leaf["size"]
    assert hub["borderWidth"] > leaf["borderWidth"]  # the focus stands out
    assert leaf["shape"] == "diamond"  # vocabulary terms look apart from data nodes
    assert len(data["edges"]) == 3 and data["edges"][0]["arrows"] == "to"
    assert {k["kind"] for k in data["legend"]} == set(KIND_BY_KEY)


def test_size_in_a_view_follows_the_whole_graph() -> None:
    whole = star(5)
    view = whole.subgraph(["https://e.org/regimen", "https://e.org/agent/0"])
    alone = render.vis_data(view)
    in_context = render.vis_data(view, full=whole)
    size = {n["id"]: n["size"] for n in in_context["nodes"]}
    assert size["https://e.org/regimen"] > {n["id"]: n["size"] for n in alone["nodes"]}["https://e.org/regimen"]


def test_a_view_over_the_limit_is_refused_with_a_message() -> None:
    with pytest.raises(render.ViewTooLargeError, match="11 nodes, more than the limit of 10"):
        render.vis_data(star(10), max_nodes=10)


def test_large_views_stop_physics_after_stabilising() -> None:
    assert render.vis_data(star(3))["stats"]["physicsStopsAfterStabilising"] is False
    assert render.vis_data(star(render.PHYSICS_LIMIT + 1))["stats"]["physicsStopsAfterStabilising"] is True


def test_labels_stay_text_and_long_ones_are_cut() -> None:
    g = nx.MultiDiGraph()
    label = "<img src=x onerror=alert(1)> " + "x" * 80
    g.add_node("https://e.org/a", label=label, kind="study", title=label)
    [node] = render.vis_data(g)["nodes"]
    assert node["fullLabel"] == label and node["title"] == label  # data, escaped by the page
    assert len(node["label"]) == render.LABEL_LENGTH and node["label"].endswith("\u2026")
