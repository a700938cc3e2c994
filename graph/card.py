"""What ``dkg show`` and ``dkg stats`` print, as plain data: a document's or an organisation's card, and the
counts of a store. Every query binds its node with ``substitutions``."""
from __future__ import annotations

from .vocab import DKG_NS, DOCUMENT_CLASSES

_DOC = """
SELECT DISTINCT ?d ?type ?code ?date ?title ?issuer ?jurisdiction ?level ?source ?signer ?role ?cited WHERE {
  OPTIONAL { ?d a ?type . FILTER(STRSTARTS(STR(?type), STR(dkg:))) }
  OPTIONAL { ?d dkg:code ?code } OPTIONAL { ?d dkg:date ?date } OPTIONAL { ?d dkg:title ?title }
  OPTIONAL { ?d dkg:issuedBy/dkg:name ?issuer } OPTIONAL { ?d dkg:jurisdiction ?jurisdiction }
  OPTIONAL { ?d dkg:level ?level } OPTIONAL { ?d dkg:sourceFile ?source }
  OPTIONAL { ?d dkg:signedBy ?p . ?p dkg:name ?signer . OPTIONAL { ?p dkg:role ?role } }
  OPTIONAL { ?d dkg:knownOnlyByCitation ?cited }
}"""

_LINKS_OUT = """
SELECT DISTINCT ?d ?p ?other ?code ?label ?sentence ?provenance ?source WHERE {
  VALUES ?p { dkg:implements dkg:basedOn dkg:cites dkg:guides dkg:amends dkg:replaces dkg:repeals dkg:partOf }
  GRAPH ?g { ?d ?p ?other } FILTER(?g != dkg:links)
  OPTIONAL { ?other dkg:code ?code } OPTIONAL { ?other rdfs:label ?label }
  OPTIONAL { ?e rdf:subject ?d ; rdf:predicate ?p ; rdf:object ?other ; dkg:sentence ?sentence ;
                dkg:provenance ?provenance . OPTIONAL { ?e prov:wasDerivedFrom ?source } }
} ORDER BY ?p ?code ?other"""

_LINKS_IN = """
SELECT DISTINCT ?d ?p ?other ?code ?label ?sentence ?provenance ?source WHERE {
  VALUES ?p { dkg:implements dkg:basedOn dkg:cites dkg:guides dkg:amends dkg:replaces dkg:repeals dkg:partOf }
  GRAPH ?g { ?other ?p ?d } FILTER(?g != dkg:links)
  OPTIONAL { ?other dkg:code ?code } OPTIONAL { ?other rdfs:label ?label }
  OPTIONAL { ?e rdf:subject ?other ; rdf:predicate ?p ; rdf:object ?d ; dkg:sentence ?sentence ;
                dkg:provenance ?provenance . OPTIONAL { ?e prov:wasDerivedFrom ?source } }
} ORDER BY ?p ?code ?other"""

_TASKS = """
SELECT DISTINCT ?d ?t ?label ?text ?role ?org ?name ?level WHERE {
  ?d dkg:hasTask ?t . ?t dkg:taskLabel ?label . OPTIONAL { ?t dkg:text ?text }
  OPTIONAL { VALUES ?role { dkg:assignsTo dkg:leadBy dkg:cooperatesWith }
             ?t ?role ?org . ?org dkg:name ?name . OPTIONAL { ?org dkg:level ?level } }
}"""

_ORG = """
SELECT DISTINCT ?o ?name ?level WHERE { ?o dkg:name ?name . OPTIONAL { ?o dkg:level ?level } } LIMIT 1"""

_ORG_TASKS = """
SELECT DISTINCT ?o ?role ?t ?label ?doc ?code ?doclabel WHERE {
  VALUES ?role { dkg:assignsTo dkg:leadBy dkg:cooperatesWith }
  ?t ?role ?o ; dkg:taskLabel ?label . ?doc dkg:hasTask ?t .
  OPTIONAL { ?doc dkg:code ?code } OPTIONAL { ?doc rdfs:label ?doclabel }
} ORDER BY ?code ?label"""

_ORG_DOCS = """
SELECT DISTINCT ?o ?role ?doc ?code ?doclabel WHERE {
  VALUES ?role { dkg:issuedBy dkg:addressedTo }
  ?doc ?role ?o . OPTIONAL { ?doc dkg:code ?code } OPTIONAL { ?doc rdfs:label ?doclabel }
} ORDER BY ?role ?code"""


def _local(iri: str | None) -> str | None:
    return iri[len(DKG_NS):] if iri and iri.startswith(DKG_NS) else iri


def _type_label(iri: str | None) -> str | None:
    local = _local(iri)
    return next((vi for name, vi, _e, _o in DOCUMENT_CLASSES if name == local), local)


def _natural(label: str):
    return [int(p) if p.isdigit() else p for p in __import__("re").split(r"(\d+)", label)]


def card(store, node: str) -> dict:
    """The card of a document or an organisation (decided by what the node is)."""
    import pyoxigraph as ox

    subject = ox.NamedNode(node)
    if store.query("ASK { ?o a dkg:Organisation }", {"o": subject}):
        return _org_card(store, subject)
    rows = store.select(_DOC, {"d": subject})
    first = rows[0] if rows else {}
    doc = {
        "kind": "document", "iri": node, "type": _type_label(first.get("type")),
        "codes": sorted({r["code"] for r in rows if r["code"]}), "date": first.get("date"),
        "title": first.get("title"), "issuer": first.get("issuer"), "jurisdiction": first.get("jurisdiction"),
        "level": _local(first.get("level")), "sources": sorted({r["source"] for r in rows if r["source"]}),
        "signatory": ({"name": first["signer"], "role": first.get("role")} if first.get("signer") else None),
        "known_only_by_citation": any(r["cited"] == "true" for r in rows),
    }
    doc["outgoing"] = _links(store.select(_LINKS_OUT, {"d": subject}))
    doc["incoming"] = _links(store.select(_LINKS_IN, {"d": subject}))
    tasks: dict[str, dict] = {}
    for r in store.select(_TASKS, {"d": subject}):
        t = tasks.setdefault(r["t"], {"label": r["label"], "text": r["text"], "assignees": []})
        if r["org"]:
            entry = {"role": _local(r["role"]), "name": r["name"], "level": _local(r["level"]), "iri": r["org"]}
            if entry not in t["assignees"]:
                t["assignees"].append(entry)
    doc["tasks"] = sorted(tasks.values(), key=lambda t: _natural(t["label"]))
    return doc


def _links(rows) -> list[dict]:
    out: dict[tuple, dict] = {}
    for r in rows:
        k = (r["p"], r["other"])
        link = out.setdefault(k, {"relation": _local(r["p"]), "iri": r["other"], "code": r["code"],
                                  "label": r["label"], "evidence": []})
        if r["sentence"]:
            ev = {"sentence": r["sentence"], "provenance": r["provenance"], "source": r["source"]}
            if ev not in link["evidence"]:
                link["evidence"].append(ev)
    return list(out.values())


def _org_card(store, subject) -> dict:
    rows = store.select(_ORG, {"o": subject})
    first = rows[0] if rows else {}
    tasks = [{"role": _local(r["role"]), "task": r["label"], "document": r["doc"], "code": r["code"] or r["doclabel"]}
             for r in store.select(_ORG_TASKS, {"o": subject})]
    docs = [{"role": _local(r["role"]), "document": r["doc"], "code": r["code"] or r["doclabel"]}
            for r in store.select(_ORG_DOCS, {"o": subject})]
    return {"kind": "organisation", "iri": subject.value, "name": first.get("name"),
            "level": _local(first.get("level")), "tasks": tasks, "documents": docs}


_STATS = {
    "triples": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    "named graphs": "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    "documents": "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d dkg:identityKey ?k }",
    "documents with text": "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d dkg:identityKey ?k ; dkg:sourceFile ?f }",
    "documents known only by citation": "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d dkg:knownOnlyByCitation true }",
    "tasks": "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a dkg:Task }",
    "organisations": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a dkg:Organisation }",
    "evidence sentences": "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a dkg:LinkEvidence }",
}

_LINK_COUNTS = """
SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH dkg:links { ?s ?p ?o } } GROUP BY ?p ORDER BY ?p"""


def stats(store) -> dict:
    out = {name: int(store.select(q)[0]["n"]) for name, q in _STATS.items()}
    out["links"] = {_local(r["p"]): int(r["n"]) for r in store.select(_LINK_COUNTS)}
    return out
