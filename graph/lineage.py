"""Lineage: what carries a document down to the tasks and organisations it reaches, or what it carries out above.

The store selects the subgraph, NetworkX shapes it. Selection reads the derived ``dkg:links`` graph (see
`graph.store`) frontier by frontier: each round is one query per batch of at most `BATCH` IRIs in a ``VALUES``
list, so the cost grows with the size of the lineage, never with the size of the graph. Attributes (code, type,
level, ...) and evidence sentences are then fetched for the selected nodes and edges only, in batches too.

Every IRI put into a ``VALUES`` list came out of the store (or out of `graph.names.resolve_name`, which only
returns IRIs the store holds); the root itself is bound with a pyoxigraph substitution. Nothing a user typed is
ever pasted into query text.

Directions (edges always point as the data says: from the implementing document to the implemented one):

- ``down``: every document that implements, is based on or cites the root, transitively (a document whose *task*
  implements one in the lineage counts too), with the tasks of every document in the lineage and the
  organisations those tasks are given to.
- ``up``: everything the root (a document or a task) implements, is based on or cites, transitively, up to the
  central documents; tasks appear where a task, not its document, states the link.

The relation ``implements`` also follows ``guides``: a guidance (*hướng dẫn thi hành*) carries out what it
guides, so ``01-HD/BTCTW`` leads up to ``343-QĐ/TW``.

The result is a plain dict (the shape of ``dkg lineage --format json``)::

    {"root": IRI, "direction": "down", "level": None,
     "nodes": [{"id", "kind": "document|task|organisation", "code", "type", "level", "date", "issuer",
                "label", "title", "source", "jurisdiction"}],
     "edges": [{"from", "to", "relation", "evidence"}]}

`render_tree`, `csv_rows` and `summary` turn that dict into what ``dkg lineage`` prints.
"""
from __future__ import annotations

import re
from collections import defaultdict

from .errors import QueryError, UnknownDocument
from .lineage_index import DOCUMENT_LINKS, LEVEL_ORDER, OWN_EDGES, PREDICATE_CODE, task_level
from .vocab import DKG_NS, DOCUMENT_CLASSES

__all__ = ["lineage", "lineage_graph", "select_edges", "node_attributes", "edge_evidence", "build_digraph",
           "edge_kinds", "walk_view", "keep_level", "to_dict", "lineage_dict", "lineage_json", "json_chunks", "render_tree", "csv_rows", "summary", "RELATIONS",
           "DEFAULT_RELATIONS", "BATCH"]

BATCH = 400
DEFAULT_RELATIONS = ("implements", "based_on", "cites")

# relation name (JSON) -> (property local name in dkg:, Vietnamese label, English label)
RELATIONS = {
    "implements": ("implements", "thực hiện", "implements"),
    "based_on": ("basedOn", "căn cứ", "based on"),
    "cites": ("cites", "trích dẫn", "cites"),
    "guides": ("guides", "hướng dẫn", "guides"),
    "amends": ("amends", "sửa đổi", "amends"),
    "replaces": ("replaces", "thay thế", "replaces"),
    "repeals": ("repeals", "bãi bỏ", "repeals"),
    "part_of": ("partOf", "ban hành kèm theo", "part of"),
    "has_task": ("hasTask", "có nhiệm vụ", "has task"),
    "assigns_to": ("assignsTo", "giao cho", "assigns to"),
    "lead": ("leadBy", "chủ trì", "lead"),
    "cooperating": ("cooperatesWith", "phối hợp", "cooperating"),
}
DOCUMENT_RELATIONS = tuple(rel for _link, rel in DOCUMENT_LINKS)  # strongest first
ROLE_RELATIONS = tuple(rel for _link, rel in OWN_EDGES[1:])  # lead, assigns_to, cooperating
# A relation the user asks for and the properties it follows.
_FOLLOWS = {"implements": ("implements", "guides")}
_BY_PROPERTY = {DKG_NS + local: name for name, (local, _vi, _en) in RELATIONS.items()}
# One edge per pair of nodes: the strongest relation wins (a lead is also an assignee, dkg:leadBy + dkg:assignsTo).
_STRENGTH = {name: i for i, name in enumerate(DOCUMENT_RELATIONS + ("has_task",) + ROLE_RELATIONS)}

_IRI_OK = re.compile(r"^[^\s<>\"{}|^`\\]+$")

# ---- selection (the store) ----------------------------------------------------------------------------------

# Every batched query joins its VALUES list with LATERAL, so the store evaluates the pattern once per listed IRI
# (index look-ups) instead of building the whole pattern over the graph and hash-joining it: without LATERAL,
# Oxigraph 0.5 takes 10 s instead of 20 ms for 200 IRIs in a 10,000-document store (bench/bench_lineage.py).
_DOWN = """
SELECT ?s ?p ?o ?d WHERE {
  VALUES ?o { %s }
  LATERAL { GRAPH dkg:links { VALUES ?p { %s } ?s ?p ?o } }
  LATERAL { OPTIONAL { GRAPH dkg:links { ?d dkg:hasTask ?s } } }
}"""

_UP = """
SELECT ?s ?p ?o ?t WHERE {
  VALUES ?s { %s }
  LATERAL { GRAPH dkg:links { { VALUES ?p { %s } ?s ?p ?o } %s } }
}"""
_UP_TASKS = "UNION { ?s dkg:hasTask ?t . ?t dkg:implements|dkg:guides ?o . BIND(dkg:implements AS ?p) }"

_TASKS = """
SELECT ?d ?t ?p ?o WHERE {
  VALUES ?d { %s }
  LATERAL { GRAPH dkg:links { ?d dkg:hasTask ?t } }
  LATERAL { OPTIONAL { GRAPH dkg:links {
    VALUES ?p { dkg:assignsTo dkg:leadBy dkg:cooperatesWith dkg:implements dkg:guides } ?t ?p ?o } } }
}"""

_OWNER = "SELECT ?d ?t WHERE { GRAPH dkg:links { ?d dkg:hasTask ?t } }"
_IS_TASK = "ASK { ?t a dkg:Task }"
_IS_ORGANISATION = "ASK { ?o a dkg:Organisation }"

# One value per node and property: a fact repeated in every text that names the node (an organisation, a central
# resolution) is read once, not once per text; where texts disagree (a title cited in two forms), the shortest
# value, then the smallest, so the answer does not depend on the order the texts were read (`_first`; the lineage
# index applies the same rule). Only the properties of the node's kind are asked for.
_ATTRIBUTES = """
SELECT ?n ?p ?v WHERE {
  VALUES ?n { %s }
  VALUES ?p { %s }
  LATERAL { SELECT ?n ?p ?v WHERE { ?n ?p ?v } ORDER BY STRLEN(STR(?v)) STR(?v) LIMIT 1 }
}"""
_PROPERTIES = {
    "document": "rdf:type dkg:code dkg:date dkg:title dkg:jurisdiction dkg:level dkg:sourceFile rdfs:label",
    "task": "dkg:taskLabel dkg:text",
    "organisation": "rdfs:label dkg:level",
    None: "rdf:type dkg:code dkg:date dkg:title dkg:jurisdiction dkg:level dkg:sourceFile rdfs:label dkg:taskLabel "
          "dkg:text",
}

_TASK_ATTRIBUTES = """
SELECT ?n ?label ?text WHERE {
  VALUES ?n { %s }
  LATERAL { ?n dkg:taskLabel ?label OPTIONAL { ?n dkg:text ?text } }
}"""

_ORGANISATION_ATTRIBUTES = """
SELECT ?n ?name ?level WHERE {
  VALUES ?n { %s }
  LATERAL { SELECT ?n ?name WHERE { ?n rdfs:label ?name } ORDER BY STRLEN(?name) ?name LIMIT 1 }
  LATERAL { OPTIONAL { SELECT ?n ?level WHERE { ?n dkg:level ?level } ORDER BY STRLEN(STR(?level)) STR(?level)
                       LIMIT 1 } }
}"""

# The issuer is stated once per text that cites the document, and so is its name: DISTINCT first, or a central
# resolution cited by 2,000 texts joins 2,000 x 2,000 rows before the ORDER BY (21 s instead of 0.1 s).
_ISSUERS = """
SELECT ?n ?v WHERE {
  VALUES ?n { %s }
  LATERAL { SELECT ?n ?v WHERE { { SELECT DISTINCT ?n ?o WHERE { ?n dkg:issuedBy ?o } } ?o rdfs:label ?v }
            ORDER BY STRLEN(?v) ?v LIMIT 1 }
}"""

_EVIDENCE = """
SELECT ?s ?p ?o ?sentence ?start WHERE {
  VALUES (?s ?p ?o) { %s }
  LATERAL { ?e rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; dkg:sentence ?sentence .
            OPTIONAL { ?e dkg:start ?start } }
}"""


def _term(iri: str) -> str:
    """``<iri>`` for a VALUES list. Only IRIs read from the store get here; anything else is refused."""
    if not _IRI_OK.match(iri):
        raise QueryError(f"refusing to put {iri!r} into a query: not an IRI from the store")
    return f"<{iri}>"


def _rows(store, query: str) -> list[tuple]:
    """A SELECT's rows as tuples of term values (None when unbound), in the order of its projection: cheaper
    than one dict per row when a lineage has a hundred thousand nodes."""
    return [tuple(t.value if t is not None else None for t in solution) for solution in store.query(query)]


def _named(iri: str):
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def _batches(items, size: int = BATCH):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _properties(relations) -> list[str]:
    """The dkg: properties a tuple of relation names follows (``implements`` follows ``guides`` too)."""
    out: list[str] = []
    for name in relations:
        if name not in DOCUMENT_RELATIONS:
            raise QueryError(f"unknown relation {name!r}: expected some of {', '.join(DOCUMENT_RELATIONS)}")
        for followed in _FOLLOWS.get(name, (name,)):
            local = RELATIONS[followed][0]
            if local not in out:
                out.append(local)
    return out


def select_edges(store, root: str, *, direction: str = "down", depth: int | None = None,
                 relations=DEFAULT_RELATIONS, strategy: str = "frontier") -> set[tuple[str, str, str]]:
    """The edges of the lineage of ``root``, selected in the store.

    Parameters
    ----------
    store : graph.store.Store
        An open store (read-only is enough).
    root : str
        The IRI of a document (or, going up, of a task) that the store holds.
    direction : {"down", "up"}
        ``down``: what implements the root, transitively; ``up``: what the root implements.
    depth : int or None
        At most this many document-to-document steps from the root; None for no limit.
    relations : tuple of str
        The document relations followed (see `RELATIONS`).
    strategy : {"frontier", "path"}
        ``frontier``: one batched ``VALUES`` query per round (depth-limited walks need it); ``path``: one property
        path query for the documents, then one batched query for the edges among them (measured in
        ``bench/bench_lineage.py``).

    Returns
    -------
    set of (str, str, str)
        ``(from, relation, to)`` with relation names of `RELATIONS`, pointing as the data says.
    """
    props = _properties(relations)
    if direction == "down":
        if strategy == "path" and depth is None:
            limit = _path_documents(store, root, props, "down")
            edges, documents = _down_rounds(store, [root], props, limit=limit)
        else:
            edges, documents = _down_rounds(store, [root], props, depth=depth)
        return edges | _task_edges(store, documents, "implements" in props)
    if direction == "up":
        return _up_rounds(store, root, props, depth)
    raise QueryError(f"unknown direction {direction!r}: expected 'down' or 'up'")


def _down_rounds(store, start, props, depth=None, limit=None) -> tuple[set, set]:
    """Breadth-first from ``start``: documents (or their tasks) pointing at the frontier by ``props``. With
    ``limit`` (the documents a property path found), everything is asked in one round. Returns the edges and
    the documents reached (``start`` included)."""
    values_p = " ".join(f"dkg:{p}" for p in props)
    edges: set = set()
    seen = set(start)
    frontier = sorted(limit) if limit is not None else list(start)
    rounds = 0
    while frontier and (depth is None or rounds < depth):
        found: list[str] = []
        for batch in _batches(frontier):
            for s, p, o, owner in _rows(store, _DOWN % (" ".join(map(_term, batch)), values_p)):
                doc = owner or s
                if limit is not None and doc not in limit:
                    continue
                if owner:
                    edges.add((s, "implements", o))
                    edges.add((owner, "has_task", s))
                else:
                    edges.add((s, _BY_PROPERTY[p], o))
                if doc not in seen:
                    seen.add(doc)
                    found.append(doc)
        if limit is not None:
            seen |= limit
            break
        frontier = found
        rounds += 1
    return edges, seen


def _task_edges(store, documents, follow_implements: bool) -> set:
    """The tasks of ``documents``, who they go to, and which documents of the lineage they implement."""
    edges: set = set()
    implements: list = []
    for batch in _batches(sorted(documents)):
        for d, t, p, o in _rows(store, _TASKS % " ".join(map(_term, batch))):
            edges.add((d, "has_task", t))
            if p is None:
                continue
            rel = _BY_PROPERTY[p]
            if rel in ("implements", "guides"):
                implements.append((t, "implements", o))
            else:
                edges.add((t, rel, o))
    if follow_implements:
        edges.update(e for e in implements if e[2] in documents)
    return edges


def _up_rounds(store, root: str, props, depth) -> set:
    import pyoxigraph as ox

    edges: set = set()
    seen = {root}
    if store.query(_IS_TASK, {"t": ox.NamedNode(root)}):
        for row in store.select(_OWNER, {"t": ox.NamedNode(root)}):
            edges.add((row["d"], "has_task", root))
    values_p = " ".join(f"dkg:{p}" for p in props)
    tasks = _UP_TASKS if "implements" in props else ""
    frontier = [root]
    rounds = 0
    while frontier and (depth is None or rounds < depth):
        rows = [row for batch in _batches(frontier)
                for row in _rows(store, _UP % (" ".join(map(_term, batch)), values_p, tasks))]
        frontier = _up_step(rows, _BY_PROPERTY, edges, seen)
        rounds += 1
    return edges


def _up_step(rows, relation_of: dict, edges: set, seen: set) -> list:
    """One step up: ``(s, p, o, task)`` rows (``task``: the task of ``s`` that implements ``o``, else empty) into
    ``edges``; returns what was reached for the first time."""
    found = []
    for s, p, o, task in rows:
        if task:
            edges.add((s, "has_task", task))
            edges.add((task, "implements", o))
        else:
            edges.add((s, relation_of[p], o))
        if o not in seen:
            seen.add(o)
            found.append(o)
    return found


def _path_documents(store, root: str, props, direction: str) -> set[str]:
    """Every document linked to ``root`` by a chain of ``props`` (or a task's ``implements``): one query."""
    import pyoxigraph as ox

    alternatives = "|".join(f"dkg:{p}" for p in props)
    if "implements" in props:
        alternatives += "|(dkg:hasTask/(dkg:implements|dkg:guides))"
    pattern = f"?d ({alternatives})+ ?root" if direction == "down" else f"?root ({alternatives})+ ?d"
    rows = store.select(f"SELECT DISTINCT ?root ?d WHERE {{ GRAPH dkg:links {{ {pattern} "
                        "FILTER NOT EXISTS { ?owner dkg:hasTask ?d } } }", {"root": ox.NamedNode(root)})
    return {r["d"] for r in rows} | {root}


# ---- selection (the lineage index) ---------------------------------------------------------------------------
#
# The same walks on `graph.lineage_index` (an embedded store's SQLite index): node ids instead of IRIs, one
# SQL query per batch instead of one SPARQL query. They must give exactly what the SPARQL walks give (tests
# compare both on generated cascades).


def _index_edges(ix, root: str, *, direction: str, depth: int | None, relations) -> set[tuple[str, str, str]]:
    root_id = ix.nids([root]).get(root)
    if root_id is None:
        return set()
    edges = _index_edge_ids(ix, root_id, direction=direction, depth=depth, relations=relations)
    iri = ix.iris({n for e in edges for n in (e[0], e[2])})
    return {(iri[s], rel, iri[o]) for s, rel, o in edges}


def _index_edge_ids(ix, root_id: int, *, direction: str, depth: int | None, relations) -> set[tuple[int, str, int]]:
    """`select_edges` on the index, with node ids: down inside SQLite, up (a few documents) step by step."""
    if direction == "down":
        _walk_down(ix, root_id, depth, relations)
        return {(s, _RANKED[r], o) for s, r, o in ix.walked()}
    props = [PREDICATE_CODE[DKG_NS + p] for p in _properties(relations)]
    relation_of = {PREDICATE_CODE[p]: rel for p, rel in _BY_PROPERTY.items() if p in PREDICATE_CODE}
    if direction != "up":
        raise QueryError(f"unknown direction {direction!r}: expected 'down' or 'up'")
    code = {name: PREDICATE_CODE[DKG_NS + local] for name, (local, _vi, _en) in RELATIONS.items()
            if DKG_NS + local in PREDICATE_CODE}
    edges: set = set()
    seen = {root_id}
    frontier = [root_id]
    rounds = 0
    if ix.nodes([root_id]).get(root_id, (0,))[0]:  # a task: its document stands above it
        for d, _p, t in ix.links_to([root_id], [code["has_task"]]):
            edges.add((d, "has_task", t))
    task_props = [code["implements"], code["guides"]] if code["implements"] in props else []
    while frontier and (depth is None or rounds < depth):
        rows = [(s, p, o, None) for s, p, o in ix.links_from(frontier, props)]
        if task_props:
            owner = {t: d for d, _p, t in ix.links_from(frontier, [code["has_task"]])}
            rows += [(owner[t], code["implements"], o, t) for t, _p, o in ix.links_from(owner, task_props)]
        frontier = _up_step(rows, relation_of, edges, seen)  # node ids start at 1: a task id is never 0
        rounds += 1
    return edges


# Relations from the strongest to the weakest: the one kept when two nodes are linked twice.
_RANKED = sorted(_STRENGTH, key=_STRENGTH.get)


# The link codes whose sentences back each relation in an answer (a document's task is structure: no sentence).
_EVIDENCE_PROPERTIES = {r: [PREDICATE_CODE[DKG_NS + RELATIONS[p][0]] for p in (("implements", "guides")
                        if r == "implements" else (r,))] for r in _RANKED if r != "has_task"}


def _walk_down(ix, root_id: int, depth: int | None, relations, own: bool = True) -> None:
    """`graph.lineage_index.LineageIndex.walk_down` with the links ``relations`` follow; its edges are ranked by
    `_STRENGTH` (`_RANKED` names them)."""
    ix.walk_down(root_id, [PREDICATE_CODE[DKG_NS + p] for p in _properties(relations)], depth=depth,
                 ranks={PREDICATE_CODE[p]: _STRENGTH[rel] for p, rel in _BY_PROPERTY.items() if p in PREDICATE_CODE},
                 task_rank=_STRENGTH["implements"], has_task_rank=_STRENGTH["has_task"], own=own)


def _index_attributes(ix, nodes, kinds: dict) -> dict[str, dict]:
    """`node_attributes` read off the index (`graph.lineage_index.node_dict` shapes them as `_shape_node`)."""
    from .lineage_index import node_dict

    ids = ix.nids(nodes)
    rows = ix.nodes(ids.values())
    return {n: node_dict(n, rows.get(ids.get(n)), kinds.get(n)) for n in nodes}


def _index_evidence(ix, edges) -> dict[tuple[str, str, str], str]:
    """`edge_evidence` read off the index."""
    ids = ix.nids({n for s, _r, o in edges for n in (s, o)})
    wanted: dict[tuple, tuple] = {}
    for s, rel, o in edges:
        if s not in ids or o not in ids:
            continue
        props = ("implements", "guides") if rel == "implements" else (RELATIONS[rel][0],)
        for p in props:
            wanted[(ids[s], PREDICATE_CODE[DKG_NS + p], ids[o])] = (s, rel, o)
    best: dict = {}
    for key, rank in ix.evidence(wanted).items():
        edge = wanted[key]
        if edge not in best or rank < best[edge]:
            best[edge] = rank
    return {edge: rank[1] for edge, rank in best.items()}


def node_attributes(store, nodes, kinds: dict | None = None) -> dict[str, dict]:
    """The attributes of ``nodes`` (IRIs from the store), fetched in batches: ``{iri: {field: value}}``.
    ``kinds`` (``{iri: "document"|"task"|"organisation"}``, as `edge_kinds` reads them off the edges) narrows
    what is asked for each node; a node of unknown kind is asked everything."""
    kinds = kinds or {}
    by_kind: dict = defaultdict(list)
    for n in nodes:
        by_kind[kinds.get(n)].append(n)
    raw: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for kind, members in by_kind.items():
        for batch in _batches(sorted(members)):
            values = " ".join(map(_term, batch))
            if kind == "task":
                for n, label, text in _rows(store, _TASK_ATTRIBUTES % values):
                    raw[n][DKG_NS + "taskLabel"].append(label)
                    if text is not None:
                        raw[n][DKG_NS + "text"].append(text)
                continue
            if kind == "organisation":
                for n, name, level in _rows(store, _ORGANISATION_ATTRIBUTES % values):
                    raw[n][_RDFS_LABEL].append(name)
                    if level is not None:
                        raw[n][DKG_NS + "level"].append(level)
                continue
            for n, p, v in _rows(store, _ATTRIBUTES % (values, _PROPERTIES[kind])):
                raw[n][p].append(v)
            for n, v in _rows(store, _ISSUERS % values):
                raw[n][DKG_NS + "issuedBy"].append(v)
    return {n: _shape_node(n, raw.get(n, {}), kinds.get(n)) for n in nodes}


def edge_kinds(edges) -> dict[str, str]:
    """What each end of lineage edges ``(from, relation, to)`` is, as far as the relation tells.

    Examples
    --------
    >>> sorted(edge_kinds([("d", "has_task", "t"), ("t", "lead", "o"), ("t", "implements", "r")]).items())
    [('d', 'document'), ('o', 'organisation'), ('r', 'document'), ('t', 'task')]
    """
    kinds: dict[str, str] = {}
    for s, rel, o in edges:
        if rel == "has_task":
            kinds[s], kinds[o] = "document", "task"
        elif rel in ROLE_RELATIONS:
            kinds[s], kinds[o] = "task", "organisation"
        else:
            kinds[o] = "document"
    for s, rel, _o in edges:
        if rel in DOCUMENT_RELATIONS:
            kinds.setdefault(s, "document")
    return kinds


def _first(values) -> str | None:
    """The value shown when texts give several: the shortest, then the smallest."""
    return min(values, key=lambda v: (len(v), v)) if values else None


def _local(iri: str | None) -> str | None:
    return iri[len(DKG_NS):] if iri and iri.startswith(DKG_NS) else iri


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_TYPE_WORD = {local: vi for local, vi, _en, _o in DOCUMENT_CLASSES}


def _shape_node(iri: str, raw: dict, kind: str | None = None) -> dict:
    get = lambda local: _first(raw.get(DKG_NS + local, []))  # noqa: E731
    classes = {_local(t) for t in raw.get(_RDF_TYPE, [])}
    if kind is None:
        kind = "task" if "Task" in classes else "organisation" if "Organisation" in classes else "document"
    node = {"id": iri, "kind": kind, "code": None, "type": None, "level": _local(get("level")), "date": None,
            "issuer": None, "label": _first(raw.get(_RDFS_LABEL, [])), "title": None, "source": None,
            "jurisdiction": None}
    if kind == "document":
        doc_class = next((c for c in sorted(classes) if c in _TYPE_WORD), None)
        node.update(code=get("code"), type=_TYPE_WORD.get(doc_class) if doc_class else "Văn bản",
                    date=get("date"), issuer=get("issuedBy"), title=get("title"), source=get("sourceFile"),
                    jurisdiction=get("jurisdiction"))
    elif kind == "task":
        node.update(label=f"Nhiệm vụ {get('taskLabel')}" if get("taskLabel") else node["label"], title=get("text"))
        node["task_label"] = get("taskLabel")
    return node


def edge_evidence(store, edges) -> dict[tuple[str, str, str], str]:
    """The sentence behind each edge ``(from, relation, to)`` that has one (its first mention in the text)."""
    wanted: dict[tuple[str, str, str], tuple] = {}
    for s, rel, o in edges:
        props = ("implements", "guides") if rel == "implements" else (RELATIONS[rel][0],)
        for p in props:
            wanted[(s, DKG_NS + p, o)] = (s, rel, o)
    best: dict[tuple, tuple] = {}
    if _embedded(store):
        return _edge_evidence_indexed(store.ox, wanted)
    for batch in _batches(sorted(wanted)):
        rows = " ".join(f"({_term(s)} {_term(p)} {_term(o)})" for s, p, o in batch)
        for row in store.select(_EVIDENCE % rows):
            key = wanted[(row["s"], row["p"], row["o"])]
            rank = (int(row["start"]) if row["start"] else 0, row["sentence"])
            if key not in best or rank < best[key]:
                best[key] = rank
    return {k: v[1] for k, v in best.items()}


def _embedded(store) -> bool:
    """True for the embedded Oxigraph store, whose indexes can be read directly (not a SPARQL server)."""
    try:
        import pyoxigraph as ox
    except ImportError:  # pragma: no cover - a dependency
        return False
    return isinstance(getattr(store, "ox", None), ox.Store)


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _edge_evidence_indexed(db, wanted: dict) -> dict[tuple[str, str, str], str]:
    """`edge_evidence` on the store's indexes: the evidence nodes whose rdf:subject is an edge's source, each
    read whole from its own graph. The same answer as the SPARQL join, a few times faster on big lineages
    (one index scan per source node and one per evidence node, no query planning per batch)."""
    import pyoxigraph as ox

    subject, predicate, obj = (ox.NamedNode(_RDF + x) for x in ("subject", "predicate", "object"))
    sentence_p, start_p = ox.NamedNode(DKG_NS + "sentence"), ox.NamedNode(DKG_NS + "start")
    best: dict[tuple, tuple] = {}
    for s in sorted({w[0] for w in wanted}):
        for q in db.quads_for_pattern(None, subject, ox.NamedNode(s), None):
            preds, objs, sentences, starts = [], [], [], []
            for f in db.quads_for_pattern(q.subject, None, None, q.graph_name):
                p = f.predicate
                if p == predicate:
                    preds.append(f.object.value)
                elif p == obj:
                    objs.append(f.object.value)
                elif p == sentence_p:
                    sentences.append(f.object.value)
                elif p == start_p:
                    starts.append(f.object.value)
            for p in preds:
                for o in objs:
                    key = wanted.get((s, p, o))
                    if key is None:
                        continue
                    for sentence in sentences:
                        for start in starts or [None]:
                            rank = (int(start) if start else 0, sentence)
                            if key not in best or rank < best[key]:
                                best[key] = rank
    return {k: v[1] for k, v in best.items()}


# ---- shaping (NetworkX) -------------------------------------------------------------------------------------


def build_digraph(root: str, edges, attributes: dict, evidence: dict | None = None, *, direction: str = "down"):
    """The lineage as an ``nx.DiGraph``: node attributes are the node fields, each edge has ``relation`` (the
    strongest when several link the same pair), ``relations`` (all of them) and ``evidence``.

    Examples
    --------
    >>> G = build_digraph("a", [("b", "implements", "a"), ("b", "cites", "a")], {}, direction="down")
    >>> G.edges["b", "a"]["relation"], sorted(G.edges["b", "a"]["relations"])
    ('implements', ['cites', 'implements'])
    """
    import networkx as nx

    evidence = evidence or {}
    pairs: dict[tuple[str, str], list[str]] = {}
    for s, rel, o in edges:
        pairs.setdefault((s, o), []).append(rel)
    nodes = {root} | {n for pair in pairs for n in pair}
    G = nx.DiGraph(root=root, direction=direction)
    G.add_nodes_from((n, attributes.get(n) or {"id": n, "kind": "document"}) for n in sorted(nodes))
    for n, data in G.nodes(data=True):
        data.setdefault("kind", "document")
    for (s, o), rels in sorted(pairs.items()):
        rels = sorted(set(rels), key=_STRENGTH.get)
        G.add_edge(s, o, relation=rels[0], relations=rels, evidence=evidence.get((s, rels[0], o)))
    _task_levels(G)
    return G


def _task_levels(G) -> None:
    """A task's level: the most local level of the organisations it goes to, else its document's level."""
    for t, data in G.nodes(data=True):
        if data.get("kind") != "task":
            continue
        data["level"] = task_level(
            (G.nodes[o].get("level") for o in G.successors(t) if G.nodes[o].get("kind") == "organisation"),
            (G.nodes[d].get("level") for d in G.predecessors(t) if G.edges[d, t]["relation"] == "has_task"))


def walk_view(G):
    """The lineage oriented the way it is read, away from the root: a new ``nx.DiGraph``.

    Down, a document points at the documents implementing it (a document whose task implements it is reached
    ``via`` that task), at its tasks, and a task at its organisations. Up, a document points at what it
    implements (``via`` a task when the task states the link). Edge attributes: ``relation``, ``evidence``,
    ``via`` (a task IRI or None).
    """
    import networkx as nx

    direction, root = G.graph["direction"], G.graph["root"]
    W = nx.DiGraph(root=root, direction=direction)
    W.add_nodes_from(G.nodes(data=True))
    owner = {t: d for d, t, r in G.edges(data="relation") if r == "has_task"}
    for s, o, data in G.edges(data=True):
        rel = data["relation"]
        kind = G.nodes[s]["kind"]
        if rel == "has_task":
            if direction == "down":
                W.add_edge(s, o, relation=rel, evidence=None, via=None)
            elif o == root:  # going up from a task: its document is where it stands
                W.add_edge(o, s, relation="part_of", evidence=None, via=None)
        elif kind == "task" and rel == "implements":
            d = owner.get(s)
            if d is None or d == o:
                if s == root:
                    W.add_edge(s, o, relation=rel, evidence=data["evidence"], via=None)
                continue
            a, b = (o, d) if direction == "down" else (d, o)
            if not G.has_edge(d, o) and not W.has_edge(a, b):
                W.add_edge(a, b, relation=rel, evidence=data["evidence"], via=s)
        elif kind == "task":
            W.add_edge(s, o, relation=rel, evidence=data["evidence"], via=None)
        else:
            a, b = (o, s) if direction == "down" else (s, o)
            W.add_edge(a, b, relation=rel, evidence=data["evidence"], via=None)
    return W


def keep_level(G, level: str):
    """The part of lineage ``G`` on paths from the root to nodes of ``level`` (tasks, organisations and documents
    at that level), as a new graph. A task's level is the most local of its organisations' levels.

    Examples
    --------
    >>> G = build_digraph("r", [("d", "implements", "r"), ("d", "has_task", "t"), ("t", "assigns_to", "o"),
    ...                         ("t", "assigns_to", "p")],
    ...                   {"o": {"kind": "organisation", "level": "commune"}, "t": {"kind": "task"},
    ...                    "p": {"kind": "organisation", "level": "district"}})
    >>> sorted(keep_level(G, "commune"))
    ['d', 'o', 'r', 't']
    """
    if level not in LEVEL_ORDER:
        raise QueryError(f"unknown level {level!r}: expected one of {', '.join(LEVEL_ORDER)}")
    root = G.graph["root"]
    W = walk_view(G)
    targets = [n for n, lvl in W.nodes(data="level") if lvl == level and n != root]
    keep = set(targets)
    stack = list(targets)
    while stack:
        for p in W.predecessors(stack.pop()):
            if p not in keep:
                keep.add(p)
                stack.append(p)
    keep.add(root)
    if G.graph["direction"] == "up":  # keep the tasks that state a kept link
        keep.update(t for d, t, r in G.edges(data="relation")
                    if r == "has_task" and d in keep and any(o in keep for o in G.successors(t)))
    H = G.subgraph(keep).copy()
    H.graph["level"] = level
    return H


def to_dict(G) -> dict:
    """The lineage graph as the dict of ``dkg lineage --format json`` (nodes and edges in a stable order)."""
    return _as_dict(G.graph["root"], G.graph["direction"], G.graph.get("level"), G.nodes(data=True),
                    ((s, o, d["relation"], d.get("evidence")) for s, o, d in G.edges(data=True)))


# ---- the public entry point ---------------------------------------------------------------------------------


def _select(store, root: str, *, direction: str, depth: int | None, relations, strategy: str = "frontier"):
    """The edges of a lineage and the attributes of its nodes, from the store's lineage index when it has one
    (`graph.lineage_index`), else by SPARQL. Returns ``(index or None, edges, attributes)``."""
    from .lineage_index import LineageIndex

    ix = LineageIndex.of_store(store)
    if ix is not None:
        edges = _index_edges(ix, root, direction=direction, depth=depth, relations=tuple(relations))
    else:
        edges = select_edges(store, root, direction=direction, depth=depth, relations=tuple(relations),
                             strategy=strategy)
    nodes = {root} | {e[0] for e in edges} | {e[2] for e in edges}
    kinds = edge_kinds(edges)
    kinds.pop(root, None)  # a root may be a document or (going up) a task: ask
    attributes = _index_attributes(ix, nodes, kinds) if ix is not None else node_attributes(store, nodes, kinds)
    return ix, edges, attributes


def _evidence(store, ix, edges) -> dict:
    return _index_evidence(ix, edges) if ix is not None else edge_evidence(store, edges)


def lineage_graph(store, root: str, *, direction: str = "down", depth: int | None = None,
                  relations=DEFAULT_RELATIONS, level: str | None = None, evidence: bool = False,
                  strategy: str = "frontier"):
    """The lineage of the IRI ``root`` as an ``nx.DiGraph`` (see `build_digraph`); ``level`` keeps only the
    paths that end at that level (`keep_level`)."""
    if level is not None and level not in LEVEL_ORDER:
        raise QueryError(f"unknown level {level!r}: expected one of {', '.join(LEVEL_ORDER)}")
    ix, edges, attributes = _select(store, root, direction=direction, depth=depth, relations=relations,
                                    strategy=strategy)
    G = build_digraph(root, edges, attributes, direction=direction)
    if level is not None:
        G = keep_level(G, level)
    if evidence:
        sentences = _evidence(store, ix, [(s, d["relation"], o) for s, o, d in G.edges(data=True)])
        for s, o, d in G.edges(data=True):
            d["evidence"] = sentences.get((s, d["relation"], o))
    return G


def lineage_dict(store, root: str, *, direction: str = "down", depth: int | None = None,
                 relations=DEFAULT_RELATIONS, evidence: bool = False) -> dict:
    """``to_dict(lineage_graph(...))`` without NetworkX, for a lineage without a level filter: the same dict,
    several times faster on lineages of a hundred thousand nodes (no graph object is built)."""
    ix, edges, attributes = _select(store, root, direction=direction, depth=depth, relations=relations)
    pairs: dict[tuple[str, str], list[str]] = {}
    for s, rel, o in edges:
        pairs.setdefault((s, o), []).append(rel)
    nodes = {root} | {n for pair in pairs for n in pair}
    data = {n: {"kind": "document", **(attributes.get(n) or {"id": n})} for n in nodes}
    strongest = []
    successors: dict[str, list] = defaultdict(list)
    predecessors: dict[str, list] = defaultdict(list)
    for (s, o), rels in pairs.items():
        rel = min(set(rels), key=_STRENGTH.get)
        strongest.append((s, rel, o))
        successors[s].append(o)
        predecessors[o].append((s, rel))
    for t, d in data.items():  # as `_task_levels`
        if d["kind"] != "task":
            continue
        d["level"] = task_level((data[o].get("level") for o in successors[t] if data[o]["kind"] == "organisation"),
                                (data[p].get("level") for p, rel in predecessors[t] if rel == "has_task"))
    sentences = _evidence(store, ix, strongest) if evidence else {}
    return _as_dict(root, direction, None, data.items(),
                    ((s, o, rel, sentences.get((s, rel, o))) for s, rel, o in strongest))


def lineage_json(store, name: str, *, direction: str = "down", depth: int | None = None,
                 relations=DEFAULT_RELATIONS, level: str | None = None, evidence: bool = False):
    """The UTF-8 text of ``dkg lineage --format json`` in pieces: ``json_chunks(lineage(...))`` encoded, but on
    a store with a lineage index and without ``level``, put together from the nodes' precomputed JSON and the
    merged links (`graph.lineage_index.LineageIndex.answer_json`): no node or edge is made in Python."""
    from .lineage_index import LineageIndex

    store, root = _root(store, name)
    ix = LineageIndex.of_store(store) if level is None else None
    root_id = ix.nids([root]).get(root) if ix is not None else None
    if root_id is None:
        for chunk in json_chunks(lineage(store, root, direction=direction, depth=depth, relations=relations,
                                         level=level, evidence=evidence)):
            yield chunk.encode()
        return
    import json

    head = json.dumps({"root": root, "direction": direction, "level": None}, ensure_ascii=False)[:-1] + ","
    if direction == "down":
        _walk_down(ix, root_id, depth, tuple(relations), own=not evidence)
        text = ix.answer_down_json(root_id, head=head, relations=tuple(_RANKED),
                                   properties=_EVIDENCE_PROPERTIES) if evidence else None
        if text is not None:
            yield from text
            return
        if evidence:  # the answer is made edge by edge: the walk with the documents' and tasks' own edges
            _walk_down(ix, root_id, depth, tuple(relations))
        edges = None  # left in SQLite
    else:
        edges = [(s, _STRENGTH[rel], o) for s, rel, o in
                 _index_edge_ids(ix, root_id, direction=direction, depth=depth, relations=tuple(relations))]
    yield from ix.answer_json(root_id, edges, head=head, relations=tuple(_RANKED), properties=_EVIDENCE_PROPERTIES,
                              evidence=evidence)


def _as_dict(root: str, direction: str, level, nodes, edges) -> dict:
    """The dict of ``dkg lineage --format json`` from ``(id, attributes)`` nodes and ``(from, to, relation,
    evidence)`` edges, in a stable order: the root, then documents, tasks and organisations, each from the
    centre to the communes, by date, code and IRI; edges in the order of their nodes."""
    order = {"document": 0, "task": 1, "organisation": 2}
    nodes = sorted(nodes, key=lambda nd: (nd[0] != root, order.get(nd[1].get("kind"), 3),
                                          LEVEL_ORDER.get(nd[1].get("level"), 4),
                                          nd[1].get("date") or "", nd[1].get("code") or "", nd[0]))
    position = {n: i for i, (n, _d) in enumerate(nodes)}
    fields = ("kind", "code", "type", "level", "date", "issuer", "label", "title", "source", "jurisdiction")
    return {
        "root": root, "direction": direction, "level": level,
        "nodes": [{"id": n, **{f: d.get(f) for f in fields},
                   **({"task_label": d.get("task_label")} if d.get("kind") == "task" else {})} for n, d in nodes],
        "edges": [{"from": s, "to": o, "relation": rel, "evidence": ev}
                  for s, o, rel, ev in sorted(edges, key=lambda e: (position[e[0]], position[e[1]], e[2]))],
    }


def _root(store, name: str):
    """The open store and the IRI of the document (or task) called ``name`` in it."""
    from .names import resolve_name

    if not hasattr(store, "select"):
        from .store import open_read_only

        store = open_read_only(store)
    root = resolve_name(store, name)
    if store.query(_IS_ORGANISATION, {"o": _named(root)}):
        raise UnknownDocument(f"{name!r} is an organisation, not a document: 'dkg show' lists its tasks, "
                              "'dkg sparql tasks-by-organisation' too")
    return store, root


def _indexed(store, root: str) -> bool:
    """Whether the store's lineage index knows ``root`` (`lineage_json` then answers from it, not from this)."""
    from .lineage_index import LineageIndex

    ix = LineageIndex.of_store(store)
    return ix is not None and root in ix.nids([root])


def lineage(store, name: str, *, direction: str = "down", depth: int | None = None, relations=DEFAULT_RELATIONS,
            level: str | None = None, evidence: bool = False) -> dict:
    """The lineage of the document called ``name``, as the dict of ``dkg lineage --format json``.

    Parameters
    ----------
    store : graph.store.Store or path
        An open store, or the folder of one (opened read-only).
    name : str
        A document as users write it (``12-NQ/TW``, ``nghi quyet 12``), a document or task IRI.
    direction : {"down", "up"}
        ``down``: what implements it, with tasks and organisations; ``up``: what it implements.
    depth : int or None
        At most this many document steps from the root.
    relations : tuple of str
        Document relations followed; ``implements`` also follows ``guides``.
    level : {"central", "province", "district", "commune"} or None
        Keep only the paths that end in tasks, organisations or documents of this level.
    evidence : bool
        Fill each edge's ``evidence`` with its sentence.

    Returns
    -------
    dict
        ``{"root", "direction", "level", "nodes": [...], "edges": [...]}``.

    Raises
    ------
    UnknownDocument, AmbiguousName
        From `graph.names.resolve_name`.
    QueryError
        An unknown relation, direction or level.
    """
    store, root = _root(store, name)
    if level is None and direction == "down" and evidence and _indexed(store, root):
        # the answer text is made from precomputed lines (`lineage_json`): reading it back is several times
        # faster than making 400,000 dicts one by one (2 s instead of 11 for a 10,000-document cascade)
        import json

        return json.loads(b"".join(lineage_json(store, root, direction=direction, depth=depth,
                                                relations=relations, evidence=evidence)))
    if level is None:
        return lineage_dict(store, root, direction=direction, depth=depth, relations=relations, evidence=evidence)
    return to_dict(lineage_graph(store, root, direction=direction, depth=depth, relations=relations, level=level,
                                 evidence=evidence))


# ---- presenting ---------------------------------------------------------------------------------------------


def json_chunks(data: dict):
    """The text of ``dkg lineage --format json``, in pieces: the fields of the answer, then one node or edge per
    line. Valid JSON, readable, and written by the C encoder (``indent=2`` takes the pure-Python encoder: 80 µs
    a node, 15 s for a cascade of 10,000 documents)."""
    import json

    encode = json.JSONEncoder(ensure_ascii=False).encode
    head = {k: v for k, v in data.items() if k not in ("nodes", "edges")}
    yield encode(head)[:-1] + ","
    for key in ("nodes", "edges"):
        items = data.get(key, [])
        yield f'\n "{key}": [' + ("\n" if items else "")
        yield ",\n".join("  " + encode(item) for item in items)
        yield "]" + ("," if key == "nodes" else "}\n")


def _relation_label(rel: str) -> str:
    _local_name, vi, en = RELATIONS[rel]
    return f"{vi} ({rel})" if rel == en.replace(" ", "_") else f"{vi} ({en})"


def short_name(node: dict) -> str:
    """A node as one short name: its code, ``Công văn (không số)``, ``Nhiệm vụ 2``, an organisation's name."""
    if node["kind"] == "document":
        return node.get("code") or f"{node.get('type') or 'Văn bản'} (không số)"
    return node.get("label") or node["id"]


def describe(node: dict, owner: dict | None = None) -> str:
    """One line about a node: level, type, code, date, issuer (documents); label, text, level (tasks)."""
    level = node.get("level") or "?"
    if node["kind"] == "document":
        parts = [" ".join(p for p in (node.get("type"), node.get("code") or "(không số)") if p), level]
        if node.get("date"):
            parts.append(node["date"])
        issuer = node.get("issuer")
        jurisdiction = node.get("jurisdiction")
        if jurisdiction and (not issuer or jurisdiction not in issuer):
            issuer = f"{issuer}, {jurisdiction}" if issuer else jurisdiction
        if issuer:
            parts.append(issuer)
        parts.append(node["source"] if node.get("source") else "chỉ biết qua trích dẫn (cited only)")
        return " · ".join(parts)
    if node["kind"] == "task":
        text = " ".join((node.get("title") or "").split())
        if len(text) > 90:
            text = text[:89].rstrip() + "…"
        return f"{node.get('label') or 'Nhiệm vụ'} · {level}" + (f": {text}" if text else "")
    return f"{node.get('label') or node['id']} · {level}"


def _child_order(nodes):
    kinds = {"task": 0, "document": 1, "organisation": 2}
    roles = {"lead": 0, "assigns_to": 1, "cooperating": 2}

    def key(edge):
        _p, c, data = edge
        n = nodes[c]
        natural = [(0, int(x), "") if x.isdigit() else (1, 0, x) for x in re.split(r"(\d+)", n.get("task_label") or "")]
        return (kinds.get(n["kind"], 3), roles.get(data["relation"], 3), natural, LEVEL_ORDER.get(n.get("level"), 4),
                n.get("date") or "", n.get("code") or n.get("label") or "", c)
    return key


def render_tree(data: dict, *, evidence: bool = False) -> str:
    """The lineage dict as an indented tree for a terminal. Each node is shown once, under its nearest parent;
    later mentions point back to it (``↑ see 25-KH/TU above``). A closing line sums it up."""
    import networkx as nx

    G = nx.DiGraph(root=data["root"], direction=data.get("direction", "down"))
    nodes = {n["id"]: n for n in data["nodes"]}
    for n in data["nodes"]:
        G.add_node(n["id"], **{k: v for k, v in n.items() if k != "id"})
    for e in data["edges"]:
        G.add_edge(e["from"], e["to"], relation=e["relation"], evidence=e.get("evidence"))
    W = walk_view(G)
    root = data["root"]
    key = _child_order(nodes)
    depth_of = nx.single_source_shortest_path_length(W, root)
    lines = [describe(nodes[root])]
    if G.graph["direction"] == "down":
        lines.append("  (dưới đây: văn bản thực hiện, căn cứ, trích dẫn văn bản ở trên; nhiệm vụ và nơi nhận nhiệm vụ"
                     " / below: documents implementing, based on or citing the one above; tasks and who they go to)")
    else:
        lines.append("  (dưới đây: văn bản mà văn bản ở trên thực hiện, căn cứ, trích dẫn"
                     " / below: documents the one above implements, is based on or cites)")
    shown = {root}
    children = {n: sorted(W.out_edges(n, data=True), key=key) for n in W}
    stack = [(root, "", 0)]  # (node, prefix of its children's lines, index of the next child)
    while stack:
        parent, prefix, i = stack.pop()
        if i >= len(children[parent]):
            continue
        stack.append((parent, prefix, i + 1))
        last = i == len(children[parent]) - 1
        branch, pad = ("└── ", "    ") if last else ("├── ", "│   ")
        _p, child, ed = children[parent][i]
        node = nodes[child]
        rel = _relation_label(ed["relation"])
        via = f" [qua {nodes[ed['via']].get('label') or 'nhiệm vụ'} / via its task]" if ed.get("via") else ""
        leaf = node["kind"] == "organisation"
        # expanded once, under the first parent met at its shortest distance from the root
        expand = not leaf and child not in shown and depth_of.get(child) == depth_of.get(parent, 0) + 1
        if leaf or expand:
            lines.append(f"{prefix}{branch}{rel}{via}: {describe(node)}")
        else:
            arrow, where = ("↑", "above") if child in shown else ("↓", "below")
            lines.append(f"{prefix}{branch}{rel}{via}: {arrow} see {short_name(node)} {where}")
        if evidence and ed.get("evidence"):
            lines.append(f"{prefix}{pad}    “{' '.join(ed['evidence'].split())}”")
        if expand:
            shown.add(child)
            stack.append((child, prefix + pad, 0))
    lines.append(summary(data))
    return "\n".join(lines)


def summary(data: dict) -> str:
    """One closing line, e.g. ``12-NQ/TW reaches 14 commune-level tasks through 3 documents``."""
    nodes = {n["id"]: n for n in data["nodes"]}
    root = nodes[data["root"]]
    name = short_name(root)
    docs = [n for n in data["nodes"] if n["kind"] == "document" and n["id"] != data["root"]]
    tasks = [n for n in data["nodes"] if n["kind"] == "task"]
    orgs = [n for n in data["nodes"] if n["kind"] == "organisation"]
    plural = lambda n, word: f"{n} {word}" + ("" if n == 1 else "s")  # noqa: E731
    if data.get("direction") == "up":
        central = sum(1 for n in docs if n.get("level") == "central")
        return f"{name} implements, is based on or cites {plural(len(docs), 'document')} ({central} central)."
    level = data.get("level")
    if level:
        at = [t for t in tasks if t.get("level") == level]
        orgs_at = [o for o in orgs if o.get("level") == level]
        return (f"{name} reaches {plural(len(at), f'{level}-level task')} and "
                f"{plural(len(orgs_at), f'{level}-level organisation')} through {plural(len(docs), 'document')}.")
    communes = sum(1 for t in tasks if t.get("level") == "commune")
    return (f"{name} reaches {plural(len(docs), 'document')}, {plural(len(tasks), 'task')} "
            f"({communes} at commune level) and {plural(len(orgs), 'organisation')}.")


def csv_rows(data: dict):
    """One row per edge: ``(from, from_code, relation, to, to_code, evidence)``, with a header row first."""
    nodes = {n["id"]: n for n in data["nodes"]}
    yield ("from", "from_code", "relation", "to", "to_code", "evidence")
    for e in data["edges"]:
        yield (e["from"], short_name(nodes[e["from"]]), e["relation"], e["to"], short_name(nodes[e["to"]]),
               e.get("evidence") or "")
