"""The lineage index: a SQLite file beside each generation of the embedded store, so a lineage of ten thousand
documents is answered in seconds instead of minutes.

SPARQL selects a lineage's edges quickly (`graph.lineage`), but a full answer also needs every node's
attributes and every edge's evidence sentence: a few hundred thousand look-ups in the store, each costing tens of
microseconds from Python. The index keeps exactly what a lineage reads, already joined:

- ``link(gid, s, p, o, start, sentence)``: each lineage edge a named graph states (the ``dkg:links`` copy), with
  the first sentence of that graph that states it (its evidence);
- ``fact(gid, nid, ...)``: what each named graph says about each node a lineage shows (code, type, date,
  title, level, issuer name, task label and text, organisation name);
- ``node(nid, ...)``: those facts merged over all graphs (the shortest value of each field, then the smallest,
  so the answer does not depend on the order texts were read), recomputed for the nodes a write touched, with
  each node's JSON as an answer shows it (``shown``); ``node_rank``: every node's place in an answer, as one
  integer, with its IRI and where its JSON is;
- ``own_edge(nid, off, len, tasks_len, up_ends)``: a document's edges to its tasks as the lines of an answer, and
  its links to documents (`DOCUMENT_LINKS`) as lines, each with its end and relation (a walk down keeps those into
  what it reached, by a relation it follows: no sentence is looked up then); ``task_run``: a document's tasks in
  runs of consecutive places in an answer, with their lines and their edges' lines to the bodies they go to
  (``run_owner``: whose runs): a walk down takes them whole, so an answer copies them;
- ``edge(s, o, p, start, lid)``: the links merged over all graphs, one narrow row each pointing at the ``link``
  row of its first sentence, merged again for the subjects a write touched; ``doc_child``: the links to documents
  with the document each stands for (a task's link: its document's), the rows a walk down reads.

Names are resolved here too (`documents_numbered`): a resolution cited by 10,000 texts has its facts in 10,000
graphs of the store, but one merged row here.

The text an answer copies (the nodes' lines, the runs' lines) is not in SQLite but in the lines file beside it
(``db-X.lineage.lines``), which a reader maps into memory: the rows point at it by offset and length.

It is derived from the same quads as the store and written in the same generation: ``db-X`` (the Oxigraph
database), ``db-X.lineage`` (this file) and its lines file are made by one write and swapped together
(`graph.store.writing`), so the index never describes another database than the one ``current`` points at. An
ingest copies the previous generation's files and replaces the rows of the graphs it replaces; any other write
rebuilds them from the database. A store without the files, or with an index of another schema version (written by
an older dkg), is answered by SPARQL until its next write, which builds a fresh one from the database.
"""
from __future__ import annotations

import contextlib
import itertools
import mmap
import os
import shutil
import sqlite3
import sys
from array import array
from pathlib import Path

from .errors import StoreError
from .vocab import DKG_NS, DOCUMENT_CLASSES, LINK_PROPERTIES, PREFIXES

__all__ = ["SUFFIX", "LINES_SUFFIX", "IndexWriter", "LineageIndex", "graph_entry", "index_path", "lines_path",
           "is_current", "build_from_store", "remove_index"]

SUFFIX = ".lineage"
LINES_SUFFIX = ".lines"  # beside the index file: the text of the lines an answer copies
SCHEMA_VERSION = 8

_RDF = PREFIXES["rdf"]
_RDF_TYPE = _RDF + "type"
_RDFS_LABEL = PREFIXES["rdfs"] + "label"
# Link predicates as small integers (their position in LINK_PROPERTIES) in the file.
PREDICATE_CODE = {DKG_NS + p: i for i, p in enumerate(LINK_PROPERTIES)}
PREDICATE_IRI = {i: DKG_NS + p for i, p in enumerate(LINK_PROPERTIES)}
_TYPE_CLASSES = {DKG_NS + local for local, _vi, _en, _other in DOCUMENT_CLASSES}

# The per-graph facts of a node, in column order: ``is_task``/``is_org`` are 0/1, the others text stored as
# "<length:04d><value>" so that MIN picks the shortest value, then the smallest (``cls``: a document class IRI).
FIELDS = ("is_task", "is_org", "cls", "code", "date", "title", "jurisdiction", "level", "source", "label",
          "issuer", "task_label", "text", "number", "key")
_PROPERTY_FIELD = {
    DKG_NS + "code": "code", DKG_NS + "date": "date", DKG_NS + "title": "title",
    DKG_NS + "jurisdiction": "jurisdiction", DKG_NS + "level": "level", DKG_NS + "sourceFile": "source",
    _RDFS_LABEL: "label", DKG_NS + "taskLabel": "task_label", DKG_NS + "text": "text",
    DKG_NS + "number": "number", DKG_NS + "identityKey": "key",
}
_FIELD_INDEX = {f: i for i, f in enumerate(FIELDS)}
_TASK, _ORGANISATION = DKG_NS + "Task", DKG_NS + "Organisation"
# What `graph_entry` does with a row, by its predicate: a link's code, "type", an evidence part (a 1-tuple of its
# key), "issuedBy", "sourceFile" (the graph's, or a document's field), or the field it fills; other predicates are
# left out
_ROW_ROLE: dict = {**_PROPERTY_FIELD, _RDF_TYPE: "type", DKG_NS + "issuedBy": "issuedBy",
                   DKG_NS + "sourceFile": "sourceFile", **{_RDF + k: (k,) for k in ("subject", "predicate", "object")},
                   **{DKG_NS + k: (k,) for k in ("sentence", "start")}, **PREDICATE_CODE}

_SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE graph(gid INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, source TEXT);
CREATE TABLE node(nid INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, {", ".join(FIELDS)});
-- a node's line in an answer ("  {...}": ``len`` bytes at ``off`` in the lines file) and its sort key there
CREATE TABLE shown(nid INTEGER PRIMARY KEY, off INTEGER NOT NULL, len INTEGER NOT NULL, kind_order INTEGER,
                   level_order INTEGER, sort_date TEXT, sort_code TEXT);
-- ``len`` bytes at ``off`` in the lines file: the lines of a document's edges to its tasks (``tasks_len`` bytes),
-- then those of its links to documents (the ups); up_ends: where each of these starts and ends after the tasks' lines,
-- its end node and relation (little-endian 64-bit integers: end, relation's place in DOCUMENT_LINKS, start, end), by
-- the end's place in an answer, strongest first
CREATE TABLE own_edge(nid INTEGER PRIMARY KEY, off INTEGER NOT NULL, len INTEGER NOT NULL,
                      tasks_len INTEGER NOT NULL, up_ends BLOB);
-- the tasks of a document in runs of consecutive places in an answer: the run's node lines (``nodes_len`` bytes at
-- ``nodes_off`` in the lines file) and the lines of the tasks' edges to their bodies (the roles, ``roles_len`` bytes
-- at ``roles_off``), each task with where its edge lines start and end in the roles (little-endian 64-bit
-- integers: nid, start, end), the bodies (a JSON array of nids), plain: no body is a task
CREATE TABLE task_run(run INTEGER PRIMARY KEY, first INTEGER NOT NULL, plain INTEGER NOT NULL, tasks BLOB NOT NULL,
                      bodies TEXT NOT NULL, nodes_off INTEGER NOT NULL, nodes_len INTEGER NOT NULL,
                      roles_off INTEGER NOT NULL, roles_len INTEGER NOT NULL);
CREATE TABLE run_owner(owner INTEGER NOT NULL, run INTEGER NOT NULL, PRIMARY KEY (owner, run)) WITHOUT ROWID;
CREATE TABLE fact(gid INTEGER NOT NULL, nid INTEGER NOT NULL, {", ".join(FIELDS)});
CREATE TABLE link(gid INTEGER NOT NULL, s INTEGER NOT NULL, p INTEGER NOT NULL, o INTEGER NOT NULL,
                  start INTEGER, sentence TEXT);
CREATE TABLE edge(s INTEGER NOT NULL, o INTEGER NOT NULL, p INTEGER NOT NULL, start INTEGER, lid INTEGER,
                  PRIMARY KEY (s, o, p)) WITHOUT ROWID;
CREATE TABLE node_rank(nid INTEGER PRIMARY KEY, rank INTEGER NOT NULL, iri TEXT NOT NULL, kind INTEGER,
                       off INTEGER NOT NULL, len INTEGER NOT NULL);
-- the links to documents as a walk down takes them: ``via`` (a document or a task) links to ``o`` by ``p`` and
-- stands for the document ``s`` (a task: its document), so that a walk reads one range of rows a document reached
CREATE TABLE doc_child(o INTEGER NOT NULL, p INTEGER NOT NULL, s INTEGER NOT NULL, via INTEGER NOT NULL,
                       PRIMARY KEY (o, p, s, via)) WITHOUT ROWID;
"""
_INDEXES = """
CREATE INDEX IF NOT EXISTS fact_nid ON fact(nid);
CREATE INDEX IF NOT EXISTS fact_gid ON fact(gid);
CREATE INDEX IF NOT EXISTS link_o ON link(o, p);
CREATE INDEX IF NOT EXISTS link_s ON link(s, p, o);
CREATE INDEX IF NOT EXISTS link_gid ON link(gid);
CREATE INDEX IF NOT EXISTS edge_o ON edge(o, p, s);
CREATE INDEX IF NOT EXISTS node_number ON node(number);
"""
# One row per distinct link over all graphs, pointing at the link row of its first sentence (start, then text).
_MERGE_EDGES = ("INSERT INTO edge SELECT s, o, p, CASE WHEN b IS NULL THEN NULL ELSE start END, "
                "CASE WHEN b IS NULL THEN NULL ELSE lid END FROM (SELECT s, o, p, start, rowid AS lid, "
                "MIN(printf('%012d', coalesce(start, 0)) || sentence) AS b FROM link {where} GROUP BY s, o, p)")
_CHUNK = 200  # rows per piece of an answer's text (small pieces: the same memory is used again)
# A document's or a task's own edges, which a walk down takes whole: (link, relation), strongest first.
OWN_EDGES = (("hasTask", "has_task"), ("leadBy", "lead"), ("assignsTo", "assigns_to"), ("cooperatesWith", "cooperating"))
_HAS_TASK = PREDICATE_CODE[DKG_NS + "hasTask"]
# The links between documents, strongest first, with the relation an answer names each by (one edge per pair of
# nodes: the strongest the walk follows). An implements edge is backed by the sentences of dkg:guides too.
DOCUMENT_LINKS = (("implements", "implements"), ("guides", "guides"), ("basedOn", "based_on"), ("amends", "amends"),
                  ("replaces", "replaces"), ("repeals", "repeals"), ("partOf", "part_of"), ("cites", "cites"))
_DOCUMENT_CODES = ",".join(str(PREDICATE_CODE[DKG_NS + p]) for p, _rel in DOCUMENT_LINKS)  # for SQL
# A walk's steps (`LineageIndex.walk_down`): each link to a document, from the document that links or whose task does.
_DOC_CHILDREN = ("INSERT OR IGNORE INTO doc_child SELECT e.o, e.p, coalesce(h.s, e.s), e.s FROM edge e "
                 f"LEFT JOIN edge h ON h.o = e.s AND h.p = {_HAS_TASK} WHERE e.p IN ({_DOCUMENT_CODES}) {{where}}")
_ROLES = ",".join(str(PREDICATE_CODE[DKG_NS + p]) for p, _rel in OWN_EDGES[1:])  # link codes, for SQL
_MERGE = ("SELECT nid, MAX(is_task) AS is_task, MAX(is_org) AS is_org, "
          + ", ".join(f"MIN({f}) AS {f}" for f in FIELDS[2:]) + " FROM fact {where} GROUP BY nid")


def is_current(path: str | os.PathLike) -> bool:
    """Whether the index file ``path`` is of this dkg's schema, with its whole lines file: one of another version
    (or with its lines cut short) is neither read nor copied by a write (which builds a fresh one from the database
    instead)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return _usable(db, path)
        finally:
            db.close()
    except sqlite3.Error:  # no such file, or not an index
        return False


def _usable(db, path) -> bool:
    """Whether the index ``path`` (open as ``db``) is of this dkg's schema and its lines file has the length the
    index wrote down: the answers' text is copied by offset, and from a file cut short (a disk that filled, a copy)
    it would be wrong."""
    meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('version', 'lines_size')").fetchall())
    if meta.get("version") != str(SCHEMA_VERSION) or "lines_size" not in meta:
        return False
    try:
        return meta["lines_size"] == str(lines_path(path).stat().st_size)
    except OSError:
        return False


def index_path(db_dir: str | os.PathLike) -> Path:
    """The index file of the Oxigraph database directory ``db_dir`` (``.dkg/db-X`` -> ``.dkg/db-X.lineage``)."""
    db_dir = Path(db_dir)
    return db_dir.with_name(db_dir.name + SUFFIX)


def lines_path(path: str | os.PathLike) -> Path:
    """The lines file of the index file ``path`` (``db-X.lineage`` -> ``db-X.lineage.lines``): the answers' text,
    read by offset (a memory map), kept apart from SQLite, which reads a row at a time (measured: the 104,000 node
    lines and 11,000 task runs of a walk of 9,759 documents in a 100,391-document index, 0.2-0.27 s from SQLite,
    0.12-0.15 s from the map)."""
    path = Path(path)
    return path.with_name(path.name + LINES_SUFFIX)


def remove_index(path: str | os.PathLike) -> None:
    """Remove the index file ``path`` and its lines file (and a lines file left half written)."""
    for file in (Path(path), lines_path(path), _new_lines_path(path)):
        file.unlink(missing_ok=True)


def _new_lines_path(path: str | os.PathLike) -> Path:
    return lines_path(path).with_name(lines_path(path).name + ".new")


# ---- what one named graph contributes -----------------------------------------------------------------------


def graph_entry(graph: str, rows) -> tuple:
    """The index rows of one named graph from its quads as ``(s, p, o)`` rows of `graph.rdf` (objects
    ``("i", iri, None)``, ``("l", text, lang)``, ``("t", text, datatype)``, ``("s", text, None)``).

    Returns ``(graph, source, facts, links)``: ``facts`` is ``[(iri, (field values...))]`` in `FIELDS` order,
    ``links`` is ``[(s, p code, o, start, sentence)]`` with the graph's first sentence for each link (or None)."""
    facts: dict[str, list] = {}
    issued_by: list[tuple[str, str]] = []
    links: dict[tuple, list] = {}
    evidence: dict[str, dict] = {}
    source = None

    def fact(node: str) -> list:
        f = facts.get(node)
        if f is None:
            f = facts[node] = [0, 0] + [None] * (len(FIELDS) - 2)
        return f

    def keep(node: str, field: str, value: str) -> None:
        # the shortest value, then the smallest (`graph.lineage._first`): "<length:04d><value>" sorts that way
        f = fact(node)
        i = _FIELD_INDEX[field]
        value = f"{len(value):04d}{value}"
        if f[i] is None or value < f[i]:
            f[i] = value

    for s, p, (kind, value, _extra) in rows:
        role = _ROW_ROLE.get(p)
        if role is None:
            continue
        if role.__class__ is int:  # a link
            if kind == "i":
                links.setdefault((s, role, value), [None, None])
        elif role == "type":
            if value == _TASK:
                fact(s)[0] = 1
            elif value == _ORGANISATION:
                fact(s)[1] = 1
            elif value in _TYPE_CLASSES:
                keep(s, "cls", value)
        elif role.__class__ is tuple:  # a part of an evidence node
            evidence.setdefault(s, {})[role[0]] = value
        elif role == "issuedBy":
            issued_by.append((s, value))
        elif role == "sourceFile":
            if s == graph:
                source = value
            else:
                keep(s, "source", value)
        else:
            keep(s, role, value)
    label = _FIELD_INDEX["label"]
    for s, org in issued_by:  # the issuer's name: its label as this graph keeps it (the shortest, then smallest)
        org_facts = facts.get(org)
        if org_facts is not None and org_facts[label] is not None:
            keep(s, "issuer", org_facts[label][4:])
    for e in evidence.values():
        key = (e.get("subject"), PREDICATE_CODE.get(e.get("predicate")), e.get("object"))
        sentence = e.get("sentence")
        if sentence is None or key not in links:
            continue
        start = int(e["start"]) if e.get("start") else 0
        best = links[key]
        if best[1] is None or (start, sentence) < (best[0], best[1]):
            links[key] = [start, sentence]
    return (graph, source, [(n, tuple(f)) for n, f in facts.items()],
            [(s, p, o, v[0], v[1]) for (s, p, o), v in links.items()])


def rows_of_quads(quads) -> list:
    """pyoxigraph quads -> `graph.rdf` rows (for graphs read back from a database)."""
    import pyoxigraph as ox

    out = []
    for q in quads:
        o = q.object
        if isinstance(o, ox.NamedNode):
            obj = ("i", o.value, None)
        elif isinstance(o, ox.Literal):
            obj = ("l", o.value, o.language) if o.language else ("t", o.value, o.datatype.value)
        else:
            continue
        if isinstance(q.subject, ox.NamedNode):
            out.append((q.subject.value, q.predicate.value, obj))
    return out


# ---- a node as a lineage shows it ------------------------------------------------------------------------------

LEVEL_ORDER = {"central": 0, "province": 1, "district": 2, "commune": 3}
KIND_ORDER = {"document": 0, "task": 1, "organisation": 2}
_TYPE_WORD = {DKG_NS + local: vi for local, vi, _en, _other in DOCUMENT_CLASSES}


def _value(v):
    return v[4:] if isinstance(v, str) else v


def _local(v: str | None) -> str | None:
    return v[len(DKG_NS):] if v and v.startswith(DKG_NS) else v


def node_dict(iri: str, facts: tuple | None, kind: str | None = None) -> dict:
    """A node of a lineage answer from its merged facts (`FIELDS` order, values as stored), as `graph.lineage`
    shapes nodes read from the store. ``kind`` as the lineage's edges tell it, else from the facts."""
    f = [v[4:] if v.__class__ is str else v for v in facts] if facts else [0, 0] + [None] * (len(FIELDS) - 2)
    get = dict(zip(FIELDS, f)).get
    kind = kind or ("task" if f[0] else "organisation" if f[1] else "document")
    node = {"id": iri, "kind": kind, "code": None, "type": None, "level": _local(get("level")), "date": None,
            "issuer": None, "label": get("label"), "title": None, "source": None, "jurisdiction": None}
    if kind == "document":
        cls = get("cls")
        node.update(code=get("code"), type=_TYPE_WORD.get(cls, "Văn bản") if cls else "Văn bản", date=get("date"),
                    issuer=get("issuer"), title=get("title"), source=get("source"), jurisdiction=get("jurisdiction"))
    elif kind == "task":
        label = get("task_label")
        node.update(label=f"Nhiệm vụ {label}" if label else node["label"], title=get("text"))
        node["task_label"] = label
    return node


def task_level(organisation_levels, owner_levels) -> str | None:
    """A task's level: the most local level of the organisations it goes to, else its document's level."""
    levels = [lv for lv in organisation_levels if lv in LEVEL_ORDER]
    levels = levels or [lv for lv in owner_levels if lv in LEVEL_ORDER]
    return max(levels, key=LEVEL_ORDER.get) if levels else None


# ---- writing ------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _writing(path: Path):
    """SQLite's errors as the store's: one line naming the file (a full disk says so)."""
    try:
        yield
    except sqlite3.Error as e:
        reason = os.strerror(28) if getattr(e, "sqlite_errorname", "") == "SQLITE_FULL" else str(e)
        raise StoreError(f"cannot write the lineage index {path}: {reason}") from None
    except OSError as e:
        raise StoreError(f"cannot write the lineage index {path}: {e.strerror or e}") from None


class IndexWriter:
    """Writes the index of a new generation: a fresh one (``base`` None) or a copy of the previous generation's
    file (``base``) whose graphs are replaced. Rows go in with `add`; `drop` removes graphs first; `finish`
    merges the facts of the nodes touched and closes the file."""

    def __init__(self, path: str | os.PathLike, base: str | os.PathLike | None = None):
        self.path = Path(path)
        self.fresh = base is None
        self.touched: set[int] = set()
        self.touched_subjects: set[int] = set()  # whose links changed: their `edge` rows are merged again
        self._nids: dict[str, int] = {}
        self.db = self._text_file = None
        with _writing(self.path):
            remove_index(self.path)
            if base is not None:
                shutil.copyfile(base, self.path)
                shutil.copyfile(lines_path(base), lines_path(self.path))
            # lines are appended (an ingest leaves those it replaces behind: `_compact_lines`)
            self._text_file = open(lines_path(self.path), "ab+", buffering=1 << 20)
            self._text_end = self._text_file.seek(0, os.SEEK_END)
            self.db = sqlite3.connect(self.path, isolation_level=None)
            if self.fresh:
                # pages of 16 kB: a walk reads its answer's runs of text in a quarter of the reads of 4 kB pages
                self.db.execute("PRAGMA page_size = 16384")
            self.db.execute("PRAGMA journal_mode=OFF")
            self.db.execute("PRAGMA synchronous=OFF")
            # 64 MB of pages: the file grows to 2.8 GB at 100,000 texts, which no cache holds; 200 MB added 110 MB to
            # the ingest's peak memory and no speed (100,391 texts: 680 s, peak 1.75 GB; with 200 MB 731 s, 1.86 GB)
            self.db.execute("PRAGMA cache_size=-65536")
            if self.fresh:
                self.db.executescript(_SCHEMA)
                self.db.execute("INSERT INTO meta VALUES ('version', ?)", (str(SCHEMA_VERSION),))
            self.db.execute("BEGIN")

    def _nid_map(self, iris) -> dict[str, int]:
        if len(self._nids) > 200_000:  # bounded memory: forget, the table still has them
            self._nids.clear()
        missing = [i for i in iris if i not in self._nids]
        if missing:
            self.db.executemany("INSERT OR IGNORE INTO node(iri) VALUES (?)", ((i,) for i in missing))
            for i in range(0, len(missing), 500):
                part = missing[i:i + 500]
                self._nids.update(self.db.execute(
                    f"SELECT iri, nid FROM node WHERE iri IN ({','.join('?' * len(part))})", part))
        return {i: self._nids[i] for i in iris}

    def drop(self, graphs=(), sources=()) -> None:
        """Remove the rows of named graphs ``graphs`` and of every graph read from one of ``sources``."""
        with _writing(self.path):
            self._drop(graphs, sources)

    def _drop(self, graphs, sources) -> None:
        gids = {gid for (gid,) in self._select("SELECT gid FROM graph WHERE iri IN ({})", list(graphs))}
        gids |= {gid for (gid,) in self._select("SELECT gid FROM graph WHERE source IN ({})", list(sources))}
        if not gids:
            return
        marks = list(gids)
        self.touched.update(nid for (nid,) in self._select("SELECT DISTINCT nid FROM fact WHERE gid IN ({})",
                                                           marks))
        self.touched_subjects.update(nid for (nid,) in self._select("SELECT DISTINCT s FROM link WHERE gid IN ({})",
                                                                    marks))
        for table in ("fact", "link", "graph"):
            for i in range(0, len(marks), 500):
                part = marks[i:i + 500]
                self.db.execute(f"DELETE FROM {table} WHERE gid IN ({','.join('?' * len(part))})", part)

    def _select(self, sql: str, values: list):
        for i in range(0, len(values), 500):
            part = values[i:i + 500]
            yield from self.db.execute(sql.format(",".join("?" * len(part))), part)

    def add(self, entry: tuple) -> None:
        """Add one graph's rows (`graph_entry`)."""
        with _writing(self.path):
            self._add(entry)

    def _add(self, entry: tuple) -> None:
        graph, source, facts, links = entry
        gid = self.db.execute("INSERT OR REPLACE INTO graph(iri, source) VALUES (?, ?)", (graph, source)).lastrowid
        iris = {n for n, _f in facts} | {s for s, _p, _o, *_e in links} | {o for _s, _p, o, *_e in links}
        nid = self._nid_map(iris)
        marks = ",".join("?" * (len(FIELDS) + 2))
        self.db.executemany(f"INSERT INTO fact VALUES ({marks})", ((gid, nid[n], *f) for n, f in facts))
        self.db.executemany("INSERT INTO link VALUES (?, ?, ?, ?, ?, ?)",
                            ((gid, nid[s], p, nid[o], start, sentence) for s, p, o, start, sentence in links))
        if not self.fresh:
            self.touched.update(nid.values())  # new nodes too (named only by a link): each gets its answer JSON
            self.touched_subjects.update(nid[s] for s, *_rest in links)

    def _put(self, text: bytes) -> tuple[int, int]:
        """Append ``text`` to the lines file: its offset and length there."""
        off = self._text_end
        self._text_file.write(text)
        self._text_end += len(text)
        return off, len(text)

    def _read(self, off: int, length: int) -> bytes:
        self._text_file.flush()
        return os.pread(self._text_file.fileno(), length, off)

    def finish(self) -> None:
        """Merge the facts of the touched nodes (all nodes for a fresh index), build the indexes, close."""
        with _writing(self.path):
            self._finish()

    def _finish(self) -> None:
        db = self.db
        db.execute("COMMIT")
        db.executescript(_INDEXES)
        db.execute("BEGIN")
        columns = ", ".join(FIELDS)
        if self.fresh:
            db.execute(f"CREATE TEMP TABLE merged AS {_MERGE.format(where='')}")
            db.execute(_MERGE_EDGES.format(where=""))
            db.execute(_DOC_CHILDREN.format(where=""))
        else:
            db.execute("CREATE TEMP TABLE touched(nid INTEGER PRIMARY KEY)")
            db.executemany("INSERT INTO touched VALUES (?)", ((n,) for n in self.touched))
            db.execute("CREATE TEMP TABLE touched_subject(nid INTEGER PRIMARY KEY)")
            db.executemany("INSERT INTO touched_subject VALUES (?)", ((n,) for n in self.touched_subjects))
            # the links to documents of the subjects whose links changed, and of the tasks whose documents did: their
            # tasks before the merge (the ``doc_child`` rows that name them) and after it
            db.execute("CREATE TEMP TABLE redo(nid INTEGER PRIMARY KEY)")
            redo = ("INSERT OR IGNORE INTO redo SELECT nid FROM touched_subject UNION SELECT h.o FROM edge h "
                    f"WHERE h.s IN (SELECT nid FROM touched_subject) AND h.p = {_HAS_TASK}")
            db.execute(redo)
            db.execute("DELETE FROM edge WHERE s IN (SELECT nid FROM touched_subject)")
            db.execute(_MERGE_EDGES.format(where="WHERE s IN (SELECT nid FROM touched_subject)"))
            db.execute(redo)
            db.execute("DELETE FROM doc_child WHERE via IN (SELECT nid FROM redo)")
            db.execute(_DOC_CHILDREN.format(where="AND e.s IN (SELECT nid FROM redo)"))
            db.execute(f"CREATE TEMP TABLE merged AS "
                       f"{_MERGE.format(where='WHERE nid IN (SELECT nid FROM touched)')}")
            db.execute(f"UPDATE node SET ({columns}) = ({', '.join(['NULL'] * len(FIELDS))}) "
                       "WHERE nid IN (SELECT nid FROM touched)")
        db.execute(f"UPDATE node SET ({columns}) = ({', '.join('m.' + f for f in FIELDS)}) "
                   "FROM merged AS m WHERE m.nid = node.nid")
        self._shape_nodes(touched_only=not self.fresh)
        # The order of every node in an answer, as one integer (an answer sorts integers, not five keys).
        db.execute("DELETE FROM node_rank")
        db.execute("INSERT INTO node_rank SELECT s.nid, ROW_NUMBER() OVER (ORDER BY s.kind_order, s.level_order, "
                   "s.sort_date, s.sort_code, n.iri), n.iri, s.kind_order, s.off, s.len FROM shown s "
                   "JOIN node n ON n.nid = s.nid")
        self._shape_own_edges(touched_only=not self.fresh)
        self._shape_task_runs(touched_only=not self.fresh)
        if not self.fresh:
            self._compact_lines()
        # the length `_usable` compares the lines file with before the index is read or copied
        db.execute("INSERT OR REPLACE INTO meta VALUES ('lines_size', ?)", (str(self._text_end),))
        db.execute("COMMIT")
        db.execute("ANALYZE")
        db.close()
        self._text_file.flush()
        os.fsync(self._text_file.fileno())
        self._text_file.close()
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _compact_lines(self) -> None:
        """Write the lines file again without the lines no row points at any more, once they take more than half
        of it (each ingest appends the new lines of the nodes and runs it touched and leaves the old ones)."""
        db = self.db
        live = db.execute("SELECT (SELECT coalesce(SUM(len), 0) FROM shown) + (SELECT coalesce(SUM(len), 0) "
                          "FROM own_edge) + (SELECT coalesce(SUM(nodes_len + roles_len), 0) FROM task_run)").fetchone()[0]
        if self._text_end <= 2 * live:
            return
        old, new = self._text_file, open(_new_lines_path(self.path), "wb+", buffering=1 << 20)
        old.flush()
        self._text_file, self._text_end = new, 0
        # in the order of the old file: the lines of one write stay together
        for table in ("shown", "own_edge"):
            rows = db.execute(f"SELECT nid, off, len FROM {table} ORDER BY off").fetchall()
            db.executemany(f"UPDATE {table} SET off = ? WHERE nid = ?",
                           ((self._put(os.pread(old.fileno(), n, off))[0], nid) for nid, off, n in rows))
        runs = db.execute("SELECT run, nodes_off, nodes_len, roles_off, roles_len FROM task_run "
                          "ORDER BY nodes_off").fetchall()
        db.executemany("UPDATE task_run SET nodes_off = ?, roles_off = ? WHERE run = ?",
                       ((self._put(os.pread(old.fileno(), nodes_n, nodes))[0],
                         self._put(os.pread(old.fileno(), roles_n, roles))[0], run)
                        for run, nodes, nodes_n, roles, roles_n in runs))
        db.execute("UPDATE node_rank SET off = s.off FROM shown s WHERE s.nid = node_rank.nid")
        old.close()
        new.flush()
        os.replace(new.name, lines_path(self.path))

    def _shape_nodes(self, touched_only: bool) -> None:
        """Each node's JSON as a lineage answer shows it, and its sort key, so a lineage of a hundred thousand
        nodes is written without shaping a node in Python. In chunks of node ids: memory stays bounded."""
        import json

        encode = json.JSONEncoder(ensure_ascii=False).encode
        db = self.db
        roles, has_task = _ROLES, _HAS_TASK
        scope = "nid IN (SELECT nid FROM touched) AND " if touched_only else ""
        last = -1
        while True:
            rows = db.execute(f"SELECT nid, iri, {', '.join(FIELDS)} FROM node WHERE {scope}nid > ? "
                              "ORDER BY nid LIMIT 5000", (last,)).fetchall()
            if not rows:
                break
            last = rows[-1][0]
            nodes = {nid: node_dict(iri, facts) for nid, iri, *facts in rows}
            tasks = [nid for nid, node in nodes.items() if node["kind"] == "task"]
            org_levels: dict[int, list] = {}
            owner_levels: dict[int, list] = {}
            marks = ",".join("?" * len(tasks))
            if tasks:
                for t, level in db.execute(f"SELECT l.s, n.level FROM link l JOIN node n ON n.nid = l.o "
                                           f"WHERE l.s IN ({marks}) AND l.p IN ({roles})", tasks):
                    org_levels.setdefault(t, []).append(_local(_value(level)))
                for t, level in db.execute(f"SELECT l.o, n.level FROM link l JOIN node n ON n.nid = l.s "
                                           f"WHERE l.o IN ({marks}) AND l.p = {has_task}", tasks):
                    owner_levels.setdefault(t, []).append(_local(_value(level)))
            out = []
            for nid, node in nodes.items():
                if node["kind"] == "task":
                    node["level"] = task_level(org_levels.get(nid, ()), owner_levels.get(nid, ()))
                # as `node_dict` orders it: "id", the fields every node has, then a task's "task_label"
                out.append((nid, *self._put(("  " + encode(node)).encode()), KIND_ORDER.get(node["kind"], 3),
                            LEVEL_ORDER.get(node["level"], 4), node["date"] or "", node["code"] or ""))
            # apart from the facts: an answer reads 200,000 of these, and only these
            db.executemany("INSERT OR REPLACE INTO shown VALUES (?, ?, ?, ?, ?, ?, ?)", out)

    def _shape_own_edges(self, touched_only: bool) -> None:
        """Each document's edges to its tasks (its `OWN_EDGES` of ``hasTask``) as the lines of an answer, in its
        order (by the rank of the tasks), and its links to documents (`_up_lines`): a walk down takes them all, or
        those into what it reached, so an answer copies them instead of making them. Made again for the subjects
        whose links changed, for the touched nodes and for those pointing at a touched node (whose rank may have
        moved); ``own_scope`` keeps the subjects of tasks' and roles' links among them for `_shape_task_runs`."""
        db = self.db
        codes = ",".join(str(PREDICATE_CODE[DKG_NS + p]) for p, _rel in OWN_EDGES)
        if touched_only:
            db.execute("CREATE TEMP TABLE own_scope AS SELECT nid FROM touched_subject UNION "
                       f"SELECT e.s FROM edge e WHERE e.o IN (SELECT nid FROM touched) AND e.p IN ({codes})")
            db.execute("CREATE TEMP TABLE edge_scope(nid INTEGER PRIMARY KEY)")
            db.execute("INSERT INTO edge_scope SELECT nid FROM own_scope UNION SELECT nid FROM touched UNION "
                       "SELECT e.s FROM edge e WHERE e.o IN (SELECT nid FROM touched) "
                       f"AND e.p IN ({_DOCUMENT_CODES})")
            db.execute("DELETE FROM own_edge WHERE nid IN (SELECT nid FROM edge_scope)")
            scope = "e.s IN (SELECT nid FROM edge_scope) AND "
        else:
            scope = ""
        last = -1
        while True:
            subjects = [s for (s,) in db.execute(f"SELECT DISTINCT e.s FROM edge e WHERE {scope}e.p IN "
                                                 f"({_HAS_TASK},{_DOCUMENT_CODES}) AND e.s > ? ORDER BY e.s "
                                                 "LIMIT 5000", (last,))]
            if not subjects:
                break
            last = subjects[-1]
            lines = self._own_lines(subjects, ((_HAS_TASK, "has_task"),))
            ups = self._up_lines(subjects)
            rows = []
            for s in lines.keys() | ups.keys():
                tasks = ",\n".join(line for _rank, line in lines[s][0]).encode() if s in lines else b""
                up_text, up_ends = _packed(ups[s]) if s in ups else (b"", None)
                rows.append((s, *self._put(tasks + up_text), len(tasks), up_ends))
            db.executemany("INSERT INTO own_edge VALUES (?, ?, ?, ?, ?)", rows)

    def _up_lines(self, subjects) -> dict[int, list[tuple]]:
        """The answer lines of the links to documents (`DOCUMENT_LINKS`) of ``subjects`` that are no tasks (a
        task's link up is an implements edge): for each subject, ``[(rank of the end, relation's place in
        DOCUMENT_LINKS, end, line)]`` in that order, one line per end and relation, with the first sentence of the
        links that back the relation (as `LineageIndex._edge_lines`)."""
        implements, guides = (PREDICATE_CODE[DKG_NS + p] for p in ("implements", "guides"))
        place = {PREDICATE_CODE[DKG_NS + p]: (i, rel) for i, (p, rel) in enumerate(DOCUMENT_LINKS)}
        out: dict[int, list] = {}
        for s, p, o, rank, subject, target, sentence in self.db.execute(
                "SELECT e.s, e.p, e.o, k.rank, json_quote(a.iri), json_quote(k.iri), json_quote((SELECT l.sentence "
                f"FROM edge x JOIN link l ON l.rowid = x.lid WHERE x.s = e.s AND x.o = e.o AND (x.p = e.p OR "
                f"e.p = {implements} AND x.p = {guides}) ORDER BY x.start, l.sentence LIMIT 1)) FROM edge e "
                "JOIN node_rank k ON k.nid = e.o JOIN node_rank a ON a.nid = e.s "
                f"WHERE e.s IN ({','.join(map(str, subjects))}) AND e.p IN ({_DOCUMENT_CODES}) "
                f"AND NOT EXISTS (SELECT 1 FROM edge h WHERE h.o = e.s AND h.p = {_HAS_TASK})"):
            i, rel = place[p]
            out.setdefault(s, []).append((rank, i, o, _edge_line(subject, target, rel, sentence)))
        for lines in out.values():
            lines.sort()
        return out

    def _own_lines(self, subjects, relations) -> dict[int, tuple[list, set, bool]]:
        """The answer lines of the edges of ``subjects`` by ``relations`` ((link code, relation), strongest first):
        for each subject, ``[(rank of the end, line)]`` in that order (one edge per end, the strongest), the
        ends, and whether they are all no tasks."""
        strength = {code: (i, rel) for i, (code, rel) in enumerate(relations)}
        strongest: dict[tuple[int, int], tuple] = {}
        for s, p, o, rank, kind, subject, target, sentence in self.db.execute(
                "SELECT e.s, e.p, e.o, k.rank, k.kind, json_quote(a.iri), json_quote(k.iri), json_quote(l.sentence) "
                "FROM edge e JOIN node_rank k ON k.nid = e.o JOIN node_rank a ON a.nid = e.s "
                "LEFT JOIN link l ON l.rowid = e.lid "
                f"WHERE e.s IN ({','.join(map(str, subjects))}) AND e.p IN ({','.join(str(c) for c in strength)})"):
            level, rel = strength[p]
            held = strongest.get((s, o))
            if held is None or level < held[0]:
                # a document's task carries no sentence of its own (as `graph.lineage.edge_evidence`)
                said = "null" if rel == "has_task" else sentence
                strongest[(s, o)] = (level, rank, kind, _edge_line(subject, target, rel, said))
        out: dict[int, tuple[list, set, bool]] = {}
        for (s, o), (_level, rank, kind, line) in strongest.items():
            edges, ends, plain = out.get(s) or ([], set(), True)
            edges.append((rank, line))
            ends.add(o)
            out[s] = (edges, ends, plain and kind != KIND_ORDER["task"])
        for edges, _ends, _plain in out.values():
            edges.sort()
        return out

    def _shape_task_runs(self, touched_only: bool) -> None:
        """The tasks of each subject of a ``hasTask`` link (its owner) in runs of consecutive places in an answer
        (`node_rank`), each with its tasks' node lines and the lines of their edges to the bodies they go to: a walk
        down copies some ten thousand runs instead of reading two hundred thousand rows. A task with several owners
        is in one run listed under each. Made again for the owners whose tasks or tasks' edges changed, for those
        with a task next to a touched node (a new task may now sit inside one of their runs), and for the owners
        sharing a run with those."""
        db = self.db
        has_task = _HAS_TASK
        if touched_only:
            db.execute("CREATE TEMP TABLE dirty(nid INTEGER PRIMARY KEY)")
            db.execute("CREATE TEMP TABLE near(rank INTEGER PRIMARY KEY)")
            db.execute("INSERT OR IGNORE INTO near SELECT k.rank + d.step FROM touched t JOIN node_rank k "
                       "ON k.nid = t.nid, (SELECT -1 AS step UNION ALL SELECT 1) d")
            db.execute("INSERT OR IGNORE INTO dirty SELECT nid FROM own_scope UNION "
                       f"SELECT h.s FROM edge h WHERE h.p = {has_task} AND h.o IN "
                       "(SELECT nid FROM own_scope UNION SELECT nid FROM touched UNION "
                       "SELECT k.nid FROM node_rank k WHERE k.rank IN (SELECT rank FROM near))")
            # (a task newly shared is touched: all its owners are in already)
            while db.execute("INSERT OR IGNORE INTO dirty SELECT b.owner FROM dirty d JOIN run_owner a "
                             "ON a.owner = d.nid JOIN run_owner b ON b.run = a.run").rowcount > 0:
                pass
            db.execute("DELETE FROM task_run WHERE run IN (SELECT o.run FROM run_owner o JOIN dirty d "
                       "ON d.nid = o.owner)")
            db.execute("DELETE FROM run_owner WHERE owner IN (SELECT nid FROM dirty)")
            owners_sql = "SELECT nid FROM dirty WHERE nid > ? ORDER BY nid LIMIT 2000"
        else:
            owners_sql = f"SELECT DISTINCT s FROM edge WHERE p = {has_task} AND s > ? ORDER BY s LIMIT 2000"
        last = -1
        while True:
            owners = [s for (s,) in db.execute(owners_sql, (last,))]
            if not owners:
                break
            last = owners[-1]
            self._add_task_runs(set(owners))

    def _add_task_runs(self, owners: set[int]) -> None:
        """The runs of the tasks of ``owners`` (those whose first owner is one of them: each task is in one run)."""
        db = self.db
        has_task = _HAS_TASK
        rank: dict[int, int] = {}
        for task, place in db.execute(f"SELECT h.o, k.rank FROM edge h JOIN node_rank k ON k.nid = h.o "
                                      f"WHERE h.s IN ({','.join(map(str, owners))}) AND h.p = {has_task}"):
            rank[task] = place
        owners_of: dict[int, list] = {}
        for task, owner in db.execute(f"SELECT o, s FROM edge WHERE o IN ({','.join(map(str, rank))}) "
                                      f"AND p = {has_task} ORDER BY o, s"):
            owners_of.setdefault(task, []).append(owner)
        tasks = sorted((t for t in rank if owners_of[t][0] in owners), key=rank.get)
        if not tasks:
            return
        marks = ",".join(map(str, tasks))
        shown = {nid: self._read(off, n) for nid, off, n in db.execute(f"SELECT nid, off, len FROM shown "
                                                                         f"WHERE nid IN ({marks})")}
        roles = self._own_lines(tasks, [(PREDICATE_CODE[DKG_NS + p], rel) for p, rel in OWN_EDGES[1:]])
        runs: list[list[int]] = []
        for t in tasks:
            if runs and rank[t] == rank[runs[-1][-1]] + 1 and owners_of[t] == owners_of[runs[-1][-1]]:
                runs[-1].append(t)
            else:
                runs.append([t])
        for run in runs:
            edges, ends, plain = b"", set(), True
            cuts = array("q")
            for t in run:
                lines, bodies, tasks_free = roles.get(t) or ((), (), True)
                text = ",\n".join(line for _rank, line in lines).encode()
                if text and edges:
                    edges += b",\n"
                cuts.extend((t, len(edges), len(edges) + len(text)))
                edges += text
                ends.update(bodies)
                plain = plain and tasks_free
            if sys.byteorder != "little":
                cuts.byteswap()
            nodes = b",\n".join(shown[t] for t in run)
            number = db.execute("INSERT INTO task_run(first, plain, tasks, bodies, nodes_off, nodes_len, roles_off, "
                                "roles_len) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                (run[0], plain, cuts.tobytes(), "[" + ",".join(map(str, sorted(ends))) + "]",
                                 *self._put(nodes), *self._put(edges))).lastrowid
            db.executemany("INSERT INTO run_owner VALUES (?, ?)", ((o, number) for o in owners_of[run[0]]))

    def abandon(self) -> None:
        try:
            if self.db is not None:
                self.db.close()
            if self._text_file is not None:
                self._text_file.close()
        finally:
            remove_index(self.path)


def build_from_store(ox_store, path: str | os.PathLike) -> None:
    """A fresh index of every named graph of an Oxigraph database (a write that did not maintain one)."""
    import pyoxigraph as ox

    from . import iri

    derived = {iri.links_graph(), iri.status_graph()}
    writer = IndexWriter(path)
    try:
        for g in ox_store.named_graphs():
            if not isinstance(g, ox.NamedNode) or g.value in derived:
                continue
            writer.add(graph_entry(g.value, rows_of_quads(ox_store.quads_for_pattern(None, None, None, g))))
        writer.finish()
    except BaseException:
        writer.abandon()
        raise


# ---- reading ------------------------------------------------------------------------------------------------


class LineageIndex:
    """Read access to a finished index file (read-only; several processes may read it at once)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.db = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)
        # a walk of 10,000 documents touches some 100 MB of pages, some many times, and fills temporary tables
        self.db.execute("PRAGMA cache_size = -65536")
        self.db.execute("PRAGMA temp_store = MEMORY")
        with open(lines_path(self.path), "rb") as lines:
            size = os.fstat(lines.fileno()).st_size
            self.text = mmap.mmap(lines.fileno(), size, prot=mmap.PROT_READ) if size else b""
        self._iri: dict[int, str] = {}
        self._nid: dict[str, int] = {}
        self._walk: tuple = (frozenset(), None)  # the links the last walk down followed, and its depth

    @classmethod
    def of_store(cls, store) -> "LineageIndex | None":
        """The index of an open embedded store's live generation, or None (none written, or not embedded)."""
        folder = getattr(store, "folder", None)
        location = getattr(store, "location", None)
        if folder is None or location is None:
            return None
        path = index_path(location)
        if not path.is_file():
            return None
        try:
            index = cls(path)
            return index if _usable(index.db, path) else None
        except (sqlite3.Error, OSError, ValueError):  # no lines file (an older schema), or unreadable
            return None

    def corpus_keys(self) -> list[str]:
        """The identity keys of the documents a graph states a source file of (`graph.store.Store.corpus_keys`)."""
        return [_value(k) for (k,) in self.db.execute("SELECT DISTINCT key FROM fact WHERE source IS NOT NULL "
                                                       "AND key IS NOT NULL")]

    def _many(self, sql: str, values, size: int = 900):
        values = list(values)
        for i in range(0, len(values), size):
            part = values[i:i + size]
            yield from self.db.execute(sql.format(",".join("?" * len(part))), part)

    def nids(self, iris) -> dict[str, int]:
        """Node ids of IRIs (those the index knows), remembered both ways for the rest of the walk."""
        known = self._nid
        missing = [i for i in iris if i not in known]
        if missing:
            found = dict(self._many("SELECT iri, nid FROM node WHERE iri IN ({})", missing))
            known.update(found)
            self._iri.update((n, i) for i, n in found.items())
        return {i: known[i] for i in iris if i in known}

    def iris(self, nids) -> dict[int, str]:
        missing = [n for n in nids if n not in self._iri]
        if missing:
            found = dict(self._many("SELECT nid, iri FROM node WHERE nid IN ({})", missing))
            self._iri.update(found)
            self._nid.update((i, n) for n, i in found.items())
        return self._iri

    def links_to(self, objects, predicates) -> list[tuple[int, int, int]]:
        """Distinct ``(s, p, o)`` links whose object is one of ``objects`` (node ids), by ``predicates`` (codes)."""
        preds = ",".join(str(int(p)) for p in predicates)
        return list(self._many(f"SELECT s, p, o FROM edge WHERE o IN ({{}}) AND p IN ({preds})", objects))

    def links_from(self, subjects, predicates) -> list[tuple[int, int, int]]:
        preds = ",".join(str(int(p)) for p in predicates)
        return list(self._many(f"SELECT s, p, o FROM edge WHERE s IN ({{}}) AND p IN ({preds})", subjects))

    def nodes(self, nids) -> dict[int, tuple]:
        """The merged facts of nodes (`FIELDS` order), by id."""
        return {row[0]: row[1:] for row in self._many(f"SELECT nid, {', '.join(FIELDS)} FROM node "
                                                       "WHERE nid IN ({})", nids)}

    def evidence(self, triples) -> dict[tuple[int, int, int], tuple[int, str]]:
        """The first sentence stating each link ``(s, p, o)`` over all graphs, as its rank ``(start, sentence)``
        (the smallest wins)."""
        wanted = set(triples)
        return {(s, p, o): (start or 0, sentence)
                for s, o, p, start, sentence in self._many("SELECT e.s, e.o, e.p, e.start, l.sentence FROM edge e "
                                                           "JOIN link l ON l.rowid = e.lid WHERE e.s IN ({})",
                                                           {t[0] for t in wanted})
                if (s, p, o) in wanted}

    def documents_numbered(self, numbers) -> list[dict]:
        """The merged facts (`FIELDS`, values decoded) of the nodes whose number is one of ``numbers``, with
        their ``iri``: the candidates of a name, read in one look-up, however many texts cite them."""
        keys = [f"{len(n):04d}{n}" for n in numbers]
        rows = self._many(f"SELECT iri, {', '.join(FIELDS)} FROM node WHERE number IN ({{}})", keys)
        return [{"iri": iri, **dict(zip(FIELDS, map(_value, facts)))} for iri, *facts in rows]

    def walk_down(self, root: int, follow, *, depth: int | None, ranks: dict[int, int], task_rank: int,
                  has_task_rank: int, own: bool = True) -> None:
        """Walk down from node ``root`` inside SQLite, into the temporary tables ``reach(n, d)`` (the documents
        reached, ``d`` steps away) and ``walk_edge(s, r, o)`` (``r``: the rank of the edge's relation, from
        ``ranks`` by link code): the documents (or their tasks) that point at what was reached by a link of
        ``follow`` (codes), ``depth`` steps at most, then every task of the documents reached, with the
        organisations it goes to and, when ``follow`` has ``implements``, the documents reached it implements.
        A task's link up is an ``implements`` edge (``task_rank``). Without ``own``, the documents' and tasks'
        own edges (`OWN_EDGES`) and the documents' links to documents are left out of ``walk_edge``:
        `answer_down_json` copies them, whole or those into what was reached."""
        db = self.db
        has_task, roles = _HAS_TASK, _ROLES
        implements, guides = (PREDICATE_CODE[DKG_NS + p] for p in ("implements", "guides"))
        followed = ",".join(str(int(p)) for p in follow) or "NULL"
        self._walk = (frozenset(int(p) for p in follow), depth)
        self._temp("walk_rank(p INTEGER PRIMARY KEY, r INTEGER)", ranks.items())
        self._temp("reach(n INTEGER PRIMARY KEY, d INTEGER)")
        self._temp("walk_edge(s INTEGER, r INTEGER, o INTEGER)")
        step = f"FROM r JOIN doc_child c ON c.o = r.n AND c.p IN ({followed})"
        if depth is None:
            db.execute(f"INSERT INTO reach WITH RECURSIVE r(n) AS (SELECT ? UNION SELECT c.s {step}) "
                       "SELECT n, 0 FROM r", (root,))
        else:
            db.execute(f"INSERT INTO reach WITH RECURSIVE r(n, d) AS (SELECT ?, 0 UNION SELECT c.s, r.d + 1 {step} "
                       "WHERE r.d < ?) SELECT n, MIN(d) FROM r GROUP BY n", (root, depth))
        db.execute(f"INSERT INTO walk_edge SELECT c.via, CASE WHEN c.via = c.s THEN k.r ELSE {int(task_rank)} END, "
                   f"c.o FROM reach x JOIN doc_child c ON c.o = x.n AND c.p IN ({followed}) "
                   f"JOIN walk_rank k ON k.p = c.p WHERE x.d < ?{'' if own else ' AND c.via <> c.s'}",
                   (depth if depth is not None else 1,))
        up = f"e.p IN ({implements}, {guides}) AND e.o IN (SELECT n FROM reach)" if implements in follow else "0"
        if own:
            db.execute(f"INSERT INTO walk_edge SELECT e.s, {int(has_task_rank)}, e.o FROM reach x "
                       f"JOIN edge e ON e.s = x.n AND e.p = {has_task}")
            up = f"e.p IN ({roles}) OR {up}"
        db.execute(f"INSERT INTO walk_edge SELECT e.s, CASE WHEN e.p IN ({implements}, {guides}) THEN "
                   f"{int(task_rank)} ELSE k.r END, e.o FROM reach x JOIN edge h ON h.s = x.n AND h.p = {has_task} "
                   f"JOIN edge e ON e.s = h.o JOIN walk_rank k ON k.p = e.p WHERE {up}")

    def walked(self) -> set[tuple[int, int, int]]:
        """The ``(s, rank, o)`` edges of the last `walk_down`."""
        return set(self.db.execute("SELECT s, r, o FROM walk_edge"))

    def _temp(self, table: str, rows=None) -> None:
        """An empty temporary table (created once per connection), filled with ``rows``."""
        name = table.split("(", 1)[0]
        self.db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table}")
        self.db.execute(f"DELETE FROM temp.{name}")
        if rows is not None:
            self.db.executemany(f"INSERT INTO temp.{name} VALUES ({','.join('?' * (table.count(',') + 1))})", rows)

    def answer_json(self, root: int, edges, *, head: str, relations: tuple, properties: dict, evidence: bool):
        """The UTF-8 text of a lineage answer (`graph.lineage.json_chunks`' layout and order) for the edges
        ``(s, rank, o)`` of a walk from node ``root`` (``rank``: a position in ``relations``; None: those
        `walk_down` left in SQLite). One edge per pair of nodes, the strongest (``relations`` go strongest first),
        with the first sentence of the links of its ``properties[relation]`` (codes) when ``evidence``; ``head``
        opens the answer. Nodes come as stored (`IndexWriter._shape_nodes`), in `node_rank` order, and the text
        is put together by SQLite from them and the merged links, never decoded and encoded again."""
        db = self.db
        if edges is not None:
            self._temp("walk_edge(s INTEGER, r INTEGER, o INTEGER)", edges)
        self._strongest()
        # every node's place in the answer (the root first), and the edges in the order of their nodes
        self._temp(_PLACE)
        db.execute("INSERT INTO place SELECT CASE WHEN nid = ? THEN -1 ELSE rank END, nid, 0, off, len "
                   "FROM node_rank WHERE nid IN (SELECT s FROM best UNION SELECT o FROM best UNION SELECT ?)",
                   (root, root))
        lines = self._edge_lines(relations, properties, evidence)
        db.text_factory = bytes
        try:
            yield from self._nodes(head)
            yield from self._lines(lines, first=b"\n")
            yield b"]}\n"
        finally:
            db.text_factory = str

    def answer_down_json(self, root: int, *, head: str, relations: tuple, properties: dict):
        """`answer_json` with evidence after a `walk_down` without ``own``: the documents' edges to their tasks are
        copied from their precomputed lines (`IndexWriter._shape_own_edges`), their tasks with their edges from
        their runs (`IndexWriter._shape_task_runs`); only the edges into what was reached are made here. None when
        the walk reached a task (a root task, a task without its document) or a task goes to a task: `answer_json`
        then makes the answer edge by edge."""
        db = self.db
        # own: 1 reached, 0 a body a task goes to, 2 a task with an edge into what was reached, -1 a task reached
        self._temp(_PLACE)
        db.execute("INSERT INTO place SELECT CASE WHEN k.nid = ? THEN -1 ELSE k.rank END, k.nid, "
                   "CASE WHEN k.kind = ? THEN -1 ELSE 1 END, k.off, k.len FROM reach x JOIN node_rank k ON k.nid = x.n",
                   (root, KIND_ORDER["task"]))
        if db.execute("SELECT EXISTS (SELECT 1 FROM place WHERE own = -1)").fetchone()[0]:
            return None
        self._strongest()
        db.execute("DROP TABLE IF EXISTS temp.walk_run")
        # CROSS JOIN: the temporary tables first (they have no statistics; with task_run's, the planner went through
        # all the runs of a 100,000-document index for the bodies of a walk's 20,000)
        # (keyed by the runs' places: SQLite merges them with the places of the other nodes without sorting)
        db.execute("CREATE TEMP TABLE walk_run(rank INTEGER PRIMARY KEY, run INTEGER, plain INTEGER, tasks BLOB, "
                   "bodies TEXT, nodes_off INTEGER, nodes_len INTEGER, roles_off INTEGER, roles_len INTEGER)")
        db.execute("INSERT INTO walk_run SELECT k.rank, t.run, t.plain, t.tasks, t.bodies, t.nodes_off, t.nodes_len, "
                   "t.roles_off, t.roles_len FROM (SELECT DISTINCT o.run FROM reach x CROSS JOIN run_owner o "
                   "ON o.owner = x.n) w CROSS JOIN task_run t ON t.run = w.run CROSS JOIN node_rank k ON k.nid = t.first")
        if not db.execute("SELECT coalesce(MIN(plain), 1) FROM walk_run").fetchone()[0]:
            return None
        db.execute("INSERT OR IGNORE INTO place SELECT k.rank, k.nid, 0, k.off, k.len FROM walk_run w "
                   "CROSS JOIN json_each(w.bodies) j CROSS JOIN node_rank k ON k.nid = j.value")
        db.execute("INSERT OR IGNORE INTO place SELECT k.rank, k.nid, 2, k.off, k.len "
                   "FROM (SELECT DISTINCT s FROM best) b JOIN node_rank k ON k.nid = b.s")
        # the edges into what was reached, by the node they leave: a document's are among its lines to documents
        # (`_Ups`), a task's (or a document's that is some document's task) are those the walk left, made here
        made: dict[int, list] = {}
        db.text_factory = bytes
        try:
            for s, line in db.execute(self._edge_lines(relations, properties, True, subject=True)):
                made.setdefault(s, []).append(line)
        finally:
            db.text_factory = str
        if db.execute("SELECT EXISTS (SELECT 1 FROM (SELECT DISTINCT s FROM best) b JOIN place x ON x.nid = b.s "
                      "WHERE x.own = 0 OR x.own = 2 AND NOT EXISTS (SELECT 1 FROM edge h JOIN reach r ON r.n = h.s "
                      f"WHERE h.o = x.nid AND h.p = {_HAS_TASK}))").fetchone()[0]:
            return None  # an edge from a node without own lines: not the shape this copy relies on
        follow, depth = self._walk
        ups = _Ups(root, {n for (n,) in db.execute("SELECT n FROM reach WHERE d < ?", (depth or 1,))},
                   {i for i, (p, _rel) in enumerate(DOCUMENT_LINKS) if PREDICATE_CODE[DKG_NS + p] in follow})
        return self._down_text(head, made, ups)

    def _down_text(self, head: str, made: dict[int, list], ups: "_Ups"):
        db, text = self.db, self.text
        db.text_factory = bytes
        try:
            yield head.encode()
            yield b'\n "nodes": [\n'
            # the reached and the bodies (a line each) and the runs of tasks (lines each), in the order of places
            yield from _pieces(text[off:off + n] for off, n in db.execute(
                "SELECT off, len FROM (SELECT pos, off, len FROM place WHERE own < 2 "
                "UNION ALL SELECT rank, nodes_off, nodes_len FROM walk_run ORDER BY 1)"))
            yield b'],\n "edges": ['

            def edges():
                # a node reached (nid): its edges into what was reached, then to its tasks (``tasks`` bytes at
                # ``off``, before its lines to documents); a run of tasks (cuts): their edges to their bodies (``n``
                # bytes at ``off``), with those the walk made
                for _place, nid, off, n, tasks, ends, cuts in db.execute(
                        "SELECT x.pos, x.nid, o.off, o.len, o.tasks_len, o.up_ends, NULL FROM place x "
                        "LEFT JOIN own_edge o ON o.nid = x.nid WHERE x.own = 1 "
                        "UNION ALL SELECT rank, NULL, roles_off, roles_len, NULL, NULL, tasks FROM walk_run ORDER BY 1"):
                    if nid is not None:
                        if ends:
                            yield from ups.into_reached(text, off + tasks, ends)
                        yield from made.pop(nid, ())
                        if tasks:
                            yield text[off:off + tasks]
                        continue
                    cuts = _cuts(cuts)
                    if not made.keys().isdisjoint(cuts[::3]):
                        for i in range(0, len(cuts), 3):
                            yield from made.pop(cuts[i], ())
                            if cuts[i + 2] > cuts[i + 1]:
                                yield text[off + cuts[i + 1]:off + cuts[i + 2]]
                    elif n:
                        yield text[off:off + n]

            yield from _pieces(edges(), first=b"\n")
            yield b"]}\n"
        finally:
            db.text_factory = str

    def _strongest(self) -> None:
        """``best(s, o, r)``: the strongest relation of each pair of nodes the walk links."""
        self.db.execute("DROP TABLE IF EXISTS temp.best")
        self.db.execute("CREATE TEMP TABLE best AS SELECT s, o, MIN(r) AS r FROM walk_edge GROUP BY s, o")

    def _edge_lines(self, relations: tuple, properties: dict, evidence: bool, subject: bool = False) -> str:
        """The query of the lines of the ``best`` edges, in the order of their nodes in ``place`` (with each
        line's subject first when ``subject``)."""
        db = self.db
        db.execute("DROP TABLE IF EXISTS temp.ordered")
        db.execute("CREATE TEMP TABLE ordered AS SELECT e.s, e.o, e.r FROM best e JOIN place x ON x.nid = e.s "
                   "JOIN place y ON y.nid = e.o ORDER BY x.pos, y.pos")
        if evidence:
            self._temp("walk_property(r INTEGER, p INTEGER)",
                       [(r, p) for r, rel in enumerate(relations) for p in properties.get(rel, ())])
            said = ",".join(str(r) for r, rel in enumerate(relations) if properties.get(rel))
            sentence = (f"CASE WHEN e.r IN ({said}) THEN (SELECT l.sentence FROM edge k JOIN walk_property w "
                        "ON w.p = k.p AND w.r = e.r JOIN link l ON l.rowid = k.lid WHERE k.s = e.s AND k.o = e.o "
                        "ORDER BY k.start, l.sentence LIMIT 1) END")
        else:
            sentence = "NULL"
        name = " ".join(f"WHEN {i} THEN '{rel}'" for i, rel in enumerate(relations))
        return (f"SELECT {'e.s, ' if subject else ''}'  {{\"from\": ' || json_quote(a.iri) || ', \"to\": ' || "
                f"json_quote(b.iri) || ', \"relation\": \"' || (CASE e.r {name} END) || '\", \"evidence\": ' || "
                f"json_quote({sentence}) || '}}' FROM ordered e JOIN node_rank a ON a.nid = e.s "
                "JOIN node_rank b ON b.nid = e.o ORDER BY e.rowid")

    def _nodes(self, head: str):
        """The head and the nodes of an answer, in the order of ``place``, up to the edges' opening."""
        yield head.encode()
        yield b'\n "nodes": [\n'
        text = self.text
        yield from _pieces(text[off:off + n] for off, n in self.db.execute("SELECT off, len FROM place ORDER BY pos"))
        yield b'],\n "edges": ['

    def _lines(self, sql: str, first: bytes = b""):
        """The one-column rows of ``sql`` (bytes) joined by ",\\n", in pieces; ``first`` comes before any."""
        return _pieces((line for (line,) in self.db.execute(sql)), first)


# a node's place in an answer as the rowid: the queries joining the nodes' lines read them in order, unsorted
# (SQLite sorts whole rows, lines too)
_PLACE = "place(pos INTEGER PRIMARY KEY, nid INTEGER NOT NULL UNIQUE, own INTEGER, off INTEGER, len INTEGER)"


def _edge_line(subject: str, target: str, relation: str, evidence: str) -> str:
    """An edge's line in an answer, from its ends and evidence already quoted as JSON (SQLite's json_quote)."""
    return f'  {{"from": {subject}, "to": {target}, "relation": "{relation}", "evidence": {evidence}}}'


def _packed(ups: list[tuple]) -> tuple[bytes, bytes]:
    """A document's lines to documents (`IndexWriter._up_lines`) as its ``own_edge`` row's ``ups`` and ``up_ends``."""
    text, ends = b"", array("q")
    for _rank, relation, o, line in ups:
        line = line.encode()
        ends.extend((o, relation, len(text), len(text) + len(line)))
        text += line
    if sys.byteorder != "little":
        ends.byteswap()
    return text, ends.tobytes()


class _Ups:
    """Picks, from a document's lines to documents (`IndexWriter._up_lines`), those of a walk down from ``root``:
    into what it reached (``into``: the documents less deep than its depth), by the strongest relation it follows
    (``relations``: places in `DOCUMENT_LINKS`), in the order of an answer (the root first)."""

    def __init__(self, root: int, into: set[int], relations: set[int]):
        self.root, self.into, self.relations = root, into, relations

    def into_reached(self, text, base: int, ends: bytes) -> list[bytes]:
        """The lines (in ``text``, at ``base`` and after) whose ``ends`` (`_packed`) are those of the walk."""
        cuts = _cuts(ends)
        into, relations = self.into, self.relations
        out: list[bytes] = []
        taken: set[int] = set()
        for i in range(0, len(cuts), 4):
            o = cuts[i]
            if o in into and cuts[i + 1] in relations and o not in taken:
                taken.add(o)
                line = text[base + cuts[i + 2]:base + cuts[i + 3]]
                if o == self.root:
                    out.insert(0, line)
                else:
                    out.append(line)
        return out


def _pieces(lines, first: bytes = b""):
    """``lines`` (bytes, each one or more lines of an answer) joined by ",\\n", in pieces of `_CHUNK` of them;
    ``first`` comes before any."""
    sep = first
    while True:
        part = list(itertools.islice(lines, _CHUNK))
        if not part:
            return
        yield sep + b",\n".join(part)
        sep = b",\n"


def _cuts(blob: bytes) -> array:
    """A run's ``tasks`` column ((task, start, end) of each task's edge lines in the run's ``roles``) or a document's
    ``up_ends``, as integers."""
    cuts = array("q")
    cuts.frombytes(blob)
    if sys.byteorder != "little":
        cuts.byteswap()
    return cuts
