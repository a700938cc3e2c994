"""The whole graph at once: every document read from a text (for the site's index) and every lineage link (for
``dkg view --all``), selected from the store the same way `graph.lineage` selects one lineage."""
from __future__ import annotations

from .lineage import _BY_PROPERTY, build_digraph, node_attributes, to_dict

ALL_ROOT = "urn:dkg:whole-graph"

_ALL_LINKS = "SELECT ?s ?p ?o WHERE { GRAPH dkg:links { ?s ?p ?o } }"


def all_documents(store) -> list[dict]:
    """Every document of the graph, read from a text or known only by citation: ``[{"id", "code", "type", "date", "issuer", "level", "jurisdiction",
    "title", "source"}]``, by date then code."""
    rows = store.select("SELECT DISTINCT ?d WHERE { ?d dkg:identityKey ?key }")
    attributes = node_attributes(store, {r["d"] for r in rows})
    return sorted(attributes.values(), key=lambda d: (d.get("date") or "", d.get("code") or "", d["id"]))


def whole_graph(store) -> dict:
    """Every lineage link of the store as one lineage dict (the shape of ``dkg lineage --format json``).

    Its root is a synthetic node standing for the whole graph; each document that carries out nothing else
    (a top of the cascade) hangs from it by ``part_of``, so a page can draw the graph from one root.
    """
    edges = {(r["s"], _BY_PROPERTY[r["p"]], r["o"]) for r in store.select(_ALL_LINKS) if r["p"] in _BY_PROPERTY}
    nodes = {e[0] for e in edges} | {e[2] for e in edges} | {d["id"] for d in all_documents(store)}
    attributes = node_attributes(store, nodes)
    pointing = {s for s, rel, _o in edges if rel not in ("has_task", "assigns_to", "lead", "cooperating")}
    tops = [n for n, a in attributes.items() if a["kind"] == "document" and n not in pointing]
    attributes[ALL_ROOT] = {"id": ALL_ROOT, "kind": "document", "code": None, "type": None, "level": None,
                            "date": None, "issuer": None, "label": "Toàn bộ đồ thị", "title": "Toàn bộ đồ thị",
                            "source": None, "jurisdiction": None}
    edges |= {(top, "part_of", ALL_ROOT) for top in tops}
    return to_dict(build_digraph(ALL_ROOT, edges, attributes, direction="down"))
