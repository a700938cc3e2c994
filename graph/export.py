"""The store in other formats: RDF (ttl, nt, nq, trig, jsonld) through pyoxigraph's serialisers, and the
document/task/organisation network (graphml, gexf via NetworkX, csv with one edge per row) for Gephi users and
spreadsheets."""
from __future__ import annotations

import csv
import io

from .vocab import DKG_NS, LINK_PROPERTIES, PREFIXES

RDF_FORMATS = {"ttl": "TURTLE", "nt": "N_TRIPLES", "nq": "N_QUADS", "trig": "TRIG", "jsonld": "JSON_LD"}
NETWORK_FORMATS = ("graphml", "gexf", "csv")
FORMATS = tuple(RDF_FORMATS) + NETWORK_FORMATS
_TRIPLE_FORMATS = {"ttl", "nt"}

_NODES = """
SELECT ?n ?label ?kind ?level ?code ?date WHERE {
  ?n a ?kind . FILTER(STRSTARTS(STR(?kind), STR(dkg:)) && ?kind NOT IN (dkg:LinkEvidence, dkg:Person))
  OPTIONAL { ?n rdfs:label ?label } OPTIONAL { ?n dkg:level ?level }
  OPTIONAL { ?n dkg:code ?code } OPTIONAL { ?n dkg:date ?date }
}"""


def export_bytes(store, fmt: str) -> bytes:
    """The whole store in ``fmt`` (see `FORMATS`). Triple formats (ttl, nt) hold the union of all graphs."""
    if fmt in RDF_FORMATS:
        import pyoxigraph as ox

        rdf_format = getattr(ox.RdfFormat, RDF_FORMATS[fmt])
        if fmt in _TRIPLE_FORMATS:
            triples = {ox.Triple(q.subject, q.predicate, q.object)
                       for q in store.quads()}
            data = sorted(triples, key=str)
        else:
            data = sorted(store.quads(), key=str)
        prefixes = PREFIXES if fmt in ("ttl", "trig") else None
        return ox.serialize(data, format=rdf_format, prefixes=prefixes) if prefixes else \
            ox.serialize(data, format=rdf_format)
    if fmt in NETWORK_FORMATS:
        graph = network(store)
        if fmt == "csv":
            return _csv(graph).encode("utf-8")
        import networkx as nx

        buffer = io.BytesIO()
        (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(graph, buffer)
        return buffer.getvalue()
    raise ValueError(f"unknown format {fmt!r}")


def network(store):
    """The documents, tasks and organisations as a NetworkX MultiDiGraph (edges from the dkg:links graph)."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for r in store.select(_NODES):
        attrs = {"label": r["label"] or r["n"], "kind": r["kind"][len(DKG_NS):]}
        for key in ("level", "code", "date"):
            if r[key]:
                attrs[key] = r[key][len(DKG_NS):] if key == "level" else r[key]
        if r["n"] in g and g.nodes[r["n"]].get("kind") not in (None, "Document"):
            attrs["kind"] = g.nodes[r["n"]]["kind"]
        g.add_node(r["n"], **attrs)
    for r in store.select("SELECT ?s ?p ?o WHERE { GRAPH dkg:links { ?s ?p ?o } }"):
        relation = r["p"][len(DKG_NS):]
        if relation in LINK_PROPERTIES:
            for n in (r["s"], r["o"]):
                if n not in g:
                    g.add_node(n, label=n, kind="Unknown")
            g.add_edge(r["s"], r["o"], key=relation, relation=relation)
    return g


def _csv(graph) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["source", "source_label", "relation", "target", "target_label"])
    for s, o, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[2]["relation"], e[1])):
        w.writerow([s, graph.nodes[s].get("label", s), data["relation"], o, graph.nodes[o].get("label", o)])
    return out.getvalue()
