"""What ``dkg show`` and ``dkg stats`` print, as plain data: a document's or an organisation's card, and the
counts of a store. Cards use index look-ups with the node as a term (no query text is built from input)."""
from __future__ import annotations

from .vocab import DKG_NS, DOCUMENT_CLASSES


def _local(iri: str | None) -> str | None:
    return iri[len(DKG_NS):] if iri and iri.startswith(DKG_NS) else iri


def _type_label(iri: str | None) -> str | None:
    local = _local(iri)
    return next((vi for name, vi, _e, _o in DOCUMENT_CLASSES if name == local), local)


def _natural(label: str):
    return [int(p) if p.isdigit() else p for p in __import__("re").split(r"(\d+)", label)]


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_PROV = "http://www.w3.org/ns/prov#"
_DOC_LINKS = ("implements", "basedOn", "cites", "guides", "amends", "replaces", "repeals", "partOf")
_TASK_ROLES = ("assignsTo", "leadBy", "cooperatesWith")


def _one(facts: dict, local: str, ns: str = DKG_NS) -> str | None:
    values = sorted(v.value for v in facts.get(ns + local, []))
    return values[0] if values else None


def card(store, node: str) -> dict:
    """The card of a document or an organisation (decided by what the node is).

    Built from index look-ups (`graph.store.Store.describe`), not SPARQL: a document cited by a thousand texts
    has its facts in a thousand graphs, and the cost here grows with the card, not with the citations' copies.
    """
    import pyoxigraph as ox

    from . import iri as iris

    facts = store.describe(node)
    types = [v.value for v in facts.get(_RDF + "type", [])]
    if DKG_NS + "Organisation" in types:
        return _org_card(store, node, facts)
    doc_type = next((t for t in types if t.startswith(DKG_NS)), None)
    issuer = _one(facts, "issuedBy")
    signer = _one(facts, "signedBy")
    signer_facts = store.describe(signer) if signer else {}
    doc = {
        "kind": "document", "iri": node, "type": _type_label(doc_type),
        "codes": sorted(v.value for v in facts.get(DKG_NS + "code", [])), "date": _one(facts, "date"),
        "title": _one(facts, "title"), "issuer": _one(store.describe(issuer), "label", _RDFS) if issuer else None,
        "jurisdiction": _one(facts, "jurisdiction"), "level": _local(_one(facts, "level")),
        "sources": sorted(v.value for v in facts.get(DKG_NS + "sourceFile", [])),
        "signatory": ({"name": _one(signer_facts, "label", _RDFS), "role": _one(signer_facts, "role")}
                      if signer else None),
        "known_only_by_citation": _one(facts, "knownOnlyByCitation") == "true",
    }
    subject = ox.NamedNode(node)
    links = iris.links_graph()
    evidence_out = _evidence(store, store.subjects(_RDF + "subject", subject))
    evidence_in = _evidence(store, store.subjects(_RDF + "object", subject))
    doc["outgoing"], doc["incoming"] = [], []
    for local in _DOC_LINKS:
        p = DKG_NS + local
        for other in sorted({v.value for v in facts.get(p, []) if isinstance(v, ox.NamedNode)}):
            doc["outgoing"].append(_link(store, local, other, evidence_out.get((node, p, other), [])))
        for other in store.subjects(p, subject, links):
            doc["incoming"].append(_link(store, local, other, evidence_in.get((other, p, node), [])))
    tasks = []
    for t in sorted({v.value for v in facts.get(DKG_NS + "hasTask", [])}):
        tf = store.describe(t)
        entry = {"label": _one(tf, "taskLabel") or t.rsplit("/", 1)[-1], "text": _one(tf, "text"), "assignees": []}
        for role in _TASK_ROLES:
            for org in sorted({v.value for v in tf.get(DKG_NS + role, [])}):
                of = store.describe(org)
                entry["assignees"].append({"role": role, "name": _one(of, "label", _RDFS),
                                           "level": _local(_one(of, "level")), "iri": org})
        tasks.append(entry)
    doc["tasks"] = sorted(tasks, key=lambda t: _natural(t["label"]))
    return doc


def _evidence(store, nodes) -> dict[tuple, list]:
    out: dict[tuple, list] = {}
    graphs: dict[str, dict] = {}
    for e in nodes:
        f = store.describe(e)
        key = (_one(f, "subject", _RDF), _one(f, "predicate", _RDF), _one(f, "object", _RDF))
        sentence = _one(f, "sentence")
        if sentence:
            provenance, source = _one(f, "provenance"), _one(f, "wasDerivedFrom", _PROV)
            if provenance is None or source is None:  # extracted evidence: its graph ({graph}/evidence/{hash}) says
                g = e.rsplit("/evidence/", 1)[0]
                if g not in graphs:
                    graphs[g] = store.describe(g, graph=g) if g != e else {}
                provenance = provenance or _one(graphs[g], "provenance") or "extracted"
                source = source or _one(graphs[g], "wasDerivedFrom", _PROV)
            ev = {"sentence": sentence, "provenance": provenance, "source": source}
            if ev not in out.setdefault(key, []):
                out[key].append(ev)
    return out


def _link(store, relation: str, other: str, evidence: list) -> dict:
    f = store.describe(other)
    return {"relation": relation, "iri": other, "code": _one(f, "code"), "label": _one(f, "label", _RDFS),
            "evidence": sorted(evidence, key=lambda e: e["sentence"])}


def _org_card(store, node: str, facts: dict) -> dict:
    import pyoxigraph as ox

    from . import iri as iris

    subject = ox.NamedNode(node)
    links = iris.links_graph()
    tasks = []
    for role in _TASK_ROLES:
        for t in store.subjects(DKG_NS + role, subject, links):
            for doc in store.subjects(DKG_NS + "hasTask", ox.NamedNode(t), links):
                df = store.describe(doc)
                tasks.append({"role": role, "task": _one(store.describe(t), "taskLabel"), "document": doc,
                              "code": _one(df, "code") or _one(df, "label", _RDFS)})
    docs = []
    for role in ("issuedBy", "addressedTo"):
        for doc in store.subjects(DKG_NS + role, subject):
            df = store.describe(doc)
            docs.append({"role": role, "document": doc, "code": _one(df, "code") or _one(df, "label", _RDFS)})
    return {"kind": "organisation", "iri": node, "name": _one(facts, "label", _RDFS),
            "level": _local(_one(facts, "level")),
            "tasks": sorted(tasks, key=lambda t: (t["code"] or "", _natural(t["task"] or ""))),
            "documents": sorted(docs, key=lambda d: (d["role"], d["code"] or ""))}


_STATS = {
    "triples": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    "named graphs": "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    "documents": "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d dkg:identityKey ?k }",
    "documents with text": "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d dkg:identityKey ?k ; dkg:sourceFile ?f }",
    "documents known only by citation": "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d dkg:knownOnlyByCitation true }",
    "tasks": "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a dkg:Task }",
    "organisations": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a dkg:Organisation }",
    "evidence sentences": "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e dkg:sentence ?s ; rdf:subject ?x }",
}

_LINK_COUNTS = """
SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH dkg:links { ?s ?p ?o } } GROUP BY ?p ORDER BY ?p"""


def stats(store) -> dict:
    out = {name: int(store.select(q)[0]["n"]) for name, q in _STATS.items()}
    out["links"] = {_local(r["p"]): int(r["n"]) for r in store.select(_LINK_COUNTS)}
    return out
