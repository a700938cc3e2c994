"""Validation of a store: SHACL (``ontology/shapes.ttl``, with ``ontology/dkg.ttl`` mixed in) and referential
checks the shapes cannot express across graphs. Each problem is one `Violation`: focus node (shown by its
code when it has one), property, message, and the shape it broke."""
from __future__ import annotations

from dataclasses import dataclass

from .resources import ontology_path

SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    message: str
    shape: str | None = None
    label: str | None = None  # the focus node's code or label, for people

    def __str__(self) -> str:
        who = f"{self.label} <{self.focus}>" if self.label else f"<{self.focus}>"
        return f"{who}  {_short(self.path) if self.path else '-'}  {self.message}"


def _short(iri: str) -> str:
    from .vocab import PREFIXES

    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def shacl_violations(data_graph, shapes_path=None, ontology=None) -> list[Violation]:
    """Run pyshacl on an rdflib graph; ``ontology`` (default ontology/dkg.ttl) is mixed into the data."""
    import pyshacl
    from rdflib import Graph, URIRef

    shapes = Graph().parse(shapes_path or ontology_path("shapes.ttl"))
    ont = ontology if ontology is not None else Graph().parse(ontology_path("dkg.ttl"))
    # merged by hand: pyshacl's ont_graph mixin leaves skos:definition out
    merged = Graph()
    for triple in data_graph:
        merged.add(triple)
    for triple in ont:
        merged.add(triple)
    data_graph = merged
    conforms, report, _text = pyshacl.validate(data_graph, shacl_graph=shapes, inference="none",
                                               advanced=True, allow_warnings=True)
    if conforms:
        return []
    out = []
    for result in report.subjects(URIRef(SH + "resultSeverity"), None):
        focus = report.value(result, URIRef(SH + "focusNode"))
        path = report.value(result, URIRef(SH + "resultPath"))
        message = report.value(result, URIRef(SH + "resultMessage"))
        shape = report.value(result, URIRef(SH + "sourceShape"))
        out.append(Violation(str(focus), str(path) if isinstance(path, URIRef) else (str(path) if path else None),
                             str(message) if message else "violates a shape",
                             str(shape) if isinstance(shape, URIRef) else None,
                             _label(data_graph, focus)))
    return sorted(set(out), key=lambda v: (v.focus, v.path or "", v.message))


def _label(graph, node) -> str | None:
    from rdflib import URIRef

    from .vocab import DKG_NS

    code = graph.value(node, URIRef(DKG_NS + "code"))
    if code is not None:
        return str(code)
    label = graph.value(node, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
    return str(label) if label is not None else None


_REFERENTIAL = {
    "target of a link is not a node of the graph (it has no type)": """
        SELECT DISTINCT ?focus ?path ?label WHERE {
          VALUES ?path { dkg:implements dkg:basedOn dkg:cites dkg:guides dkg:amends dkg:replaces dkg:repeals
                         dkg:partOf dkg:hasTask dkg:assignsTo dkg:leadBy dkg:cooperatesWith dkg:issuedBy }
          ?focus ?path ?target .
          FILTER NOT EXISTS { ?target a ?any }
          OPTIONAL { ?focus dkg:code ?label }
        }""",
    "document has two different dates (two texts or citations disagree)": """
        SELECT DISTINCT ?focus (dkg:date AS ?path) ?label WHERE {
          ?focus dkg:date ?a , ?b . FILTER(STR(?a) < STR(?b))
          OPTIONAL { ?focus dkg:code ?label }
        }""",
    "task is not attached to any document": """
        SELECT DISTINCT ?focus (dkg:hasTask AS ?path) ?label WHERE {
          ?focus a dkg:Task . FILTER NOT EXISTS { ?doc dkg:hasTask ?focus }
          OPTIONAL { ?focus rdfs:label ?label }
        }""",
    "lineage edge missing from the dkg:links graph": """
        SELECT DISTINCT ?focus ?path ?label WHERE {
          VALUES ?path { dkg:implements dkg:basedOn dkg:cites dkg:hasTask dkg:assignsTo }
          GRAPH ?g { ?focus ?path ?target } FILTER(?g != dkg:links)
          FILTER NOT EXISTS { GRAPH dkg:links { ?focus ?path ?target } }
          OPTIONAL { ?focus dkg:code ?label }
        }""",
}


def referential_violations(store) -> list[Violation]:
    out = []
    for message, query in _REFERENTIAL.items():
        for row in store.select(query):
            out.append(Violation(row["focus"], row["path"], message, None, row.get("label")))
    return out


def store_as_rdflib(store):
    """The union of all graphs of a store as an rdflib Graph (through N-Triples: fast and faithful)."""
    import pyoxigraph as ox
    from rdflib import Graph

    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads()}
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return Graph().parse(data=data.decode("utf-8"), format="nt")


def validate(store) -> list[Violation]:
    """All violations of a store (a `graph.store.Store`): SHACL, then referential checks."""
    return shacl_violations(store_as_rdflib(store)) + referential_violations(store)
