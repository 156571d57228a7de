"""From a networkx projection to vis-network data: nodes, edges, options and the legend.

pyvis builds the vis-network node and edge records and the physics options; the HTML page is not
pyvis's (its template inserts headings and ids unescaped and pulls scripts from CDNs, and
``write_html`` writes a ``lib/`` folder into the working directory). The page is assembled by
:mod:`api.explore_page` from the JSON this module returns, with every label passed as data, never
as markup.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("https://e.org/a", label="<b>a</b>", kind="agent", title="a")
>>> g.add_node("https://e.org/r", label="r", kind="regimen", title="r")
>>> g.add_edge("https://e.org/r", "https://e.org/a", key="p", label="hasAgent")
'p'
>>> data = vis_data(g)
>>> [n["label"] for n in data["nodes"]], data["edges"][0]["title"]
(['<b>a</b>', 'r'], 'hasAgent')
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
from pyvis.network import Network

from graph.projection import KIND_BY_KEY, KINDS

#: Above this many nodes a view is refused with a message, instead of freezing the browser tab.
MAX_NODES = 2000
#: Above this many nodes physics runs only to stabilise, then stops (the page turns it off).
PHYSICS_LIMIT = 300
LABEL_LENGTH = 40
#: Node radius: grows with the square root of the degree, capped so hubs do not cover their neighbours.
MIN_SIZE, MAX_SIZE = 8, 34

MEASUREMENT_KINDS = frozenset({"outcome", "effect", "characteristic", "adverse-event"})


class ViewTooLargeError(ValueError):
    """A view with more nodes than the limit; the message says how to narrow it."""

    def __init__(self, nodes: int, limit: int) -> None:
        super().__init__(
            f"this view has {nodes} nodes, more than the limit of {limit}: choose a focus entity, "
            "a smaller depth or fewer kinds")
        self.nodes = nodes
        self.limit = limit


def legend() -> list[dict[str, Any]]:
    """The kinds with their label, colour and whether they are vocabulary terms."""
    return [{"kind": k.key, "label": k.label, "colour": k.colour, "vocabulary": k.vocabulary} for k in KINDS]


def _shape(kind: str) -> str:
    if KIND_BY_KEY[kind].vocabulary:
        return "diamond"
    return "square" if kind in MEASUREMENT_KINDS else "dot"


def node_size(degree: int) -> float:
    """The radius of a node of ``degree``.

    >>> node_size(0), node_size(9), node_size(10_000)
    (8, 17.0, 34)
    """
    return min(MAX_SIZE, MIN_SIZE + 3 * math.sqrt(degree)) if degree else MIN_SIZE


def short(label: str, length: int = LABEL_LENGTH) -> str:
    """A label cut to ``length`` characters for drawing (the full label is in the title)."""
    return label if len(label) <= length else label[: length - 1] + "\u2026"


def vis_data(view: nx.MultiDiGraph, *, full: nx.MultiDiGraph | None = None, focus: str | None = None,
             max_nodes: int = MAX_NODES) -> dict[str, Any]:
    """vis-network data for ``view``: ``nodes``, ``edges``, ``options``, ``legend``, ``stats``.

    Node size grows with the degree in ``full`` (the whole projection; ``view`` when not given),
    so a node keeps its size whatever view it appears in. Labels and titles are plain text: the
    page hands them to vis-network as strings, which it draws as text.

    Raises :class:`ViewTooLargeError` when ``view`` has more than ``max_nodes`` nodes.
    """
    if view.number_of_nodes() > max_nodes:
        raise ViewTooLargeError(view.number_of_nodes(), max_nodes)
    reference = full if full is not None else view
    net = Network(directed=True, cdn_resources="remote")
    for node, data in view.nodes(data=True):
        kind = data["kind"]
        degree = reference.degree(node)
        net.add_node(node, label=short(data["label"]), title=data.get("title") or data["label"],
                     color=KIND_BY_KEY[kind].colour, shape=_shape(kind), size=node_size(degree),
                     kind=kind, fullLabel=data["label"], degree=degree,
                     borderWidth=4 if node == focus else 1)
    for source, target, key, data in view.edges(keys=True, data=True):
        net.add_edge(source, target, id=f"{source} {key} {target}", title=data.get("label", key),
                     property=key, arrows="to")
    big = view.number_of_nodes() > PHYSICS_LIMIT
    # Strong repulsion and full overlap avoidance: outcomes tied to both a study and its arm
    # otherwise settle on top of them.
    net.barnes_hut(gravity=-8000 if big else -6000, spring_length=150, spring_strength=0.02, overlap=1)
    net.toggle_physics(True)
    nodes, edges, *_ = net.get_network_data()
    options: dict[str, Any] = {
        "physics": {"enabled": True, "solver": "barnesHut",
                    "barnesHut": {"gravitationalConstant": net.options.physics.barnesHut.gravitationalConstant,
                                  "springLength": net.options.physics.barnesHut.springLength,
                                  "springConstant": net.options.physics.barnesHut.springConstant,
                                  "avoidOverlap": net.options.physics.barnesHut.avoidOverlap},
                    "stabilization": {"enabled": True, "iterations": 150 if big else 300, "fit": True}},
        # Kamada-Kawai seeding costs O(n^3) on the first draw; Barnes-Hut alone lays out well enough.
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": big},
        "edges": {"color": {"color": "#b0b0b0", "highlight": "#333333"}, "width": 1,
                  "smooth": {"enabled": not big, "type": "dynamic"},
                  "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}},
        "nodes": {"font": {"size": 12}},
    }
    return {
        "nodes": nodes,
        "edges": edges,
        "options": options,
        "legend": legend(),
        "focus": focus,
        "stats": {"nodes": view.number_of_nodes(), "edges": view.number_of_edges(),
                  "physicsStopsAfterStabilising": big},
    }
