"""The embedded store: an on-disk Oxigraph database inside a dkg store folder (default ``.dkg/``).

Layout of a store folder::

    .dkg/
      current  -> db-20260515T101112-4242     relative symlink: THE live database (readers follow it)
      db-20260515T101112-4242/                an Oxigraph (RocksDB) directory, never written after the swap
      db-20260516T080000-5151/                a build in progress, a killed build, or the previous generation
      db-20260515T101112-4242.lineage         the lineage index of that database (`graph.lineage_index`)
      db-20260515T101112-4242.lineage.lines   and the text of its answers' lines
      lock                                    writers hold fcntl.flock(LOCK_EX|LOCK_NB) on it; it holds their pid

Writes are copy-on-write, so a reader never sees a half-written database and a killed writer (SIGKILL
included) leaves the previous database whole:

- ``build`` bulk-loads a fresh ``db-<timestamp>-<pid>/``; ``ingest`` backs the live database up into a new
  ``db-*`` directory (hard links: cheap) and replaces named graphs there. Only when the new database is
  complete and flushed is ``current`` swapped: a temporary symlink is created and ``os.replace``d onto
  ``current`` (atomic rename on POSIX).
- Unused ``db-*`` directories (killed builds, old generations) are removed by the next successful write,
  which keeps the generation it replaced for readers that still have it open.
- Readers (``dkg show``, ``dkg lineage``, ``oxigraph serve-read-only --location $(oxigraph_dir)``) open the
  target of ``current`` read-only and never take the lock.

Named graphs:

- ``{base}graph/doc/...``: one per source text (see `graph.iri.source_graph`): the text's document, tasks,
  organisations named, cited documents, and the evidence of every link. Re-ingesting a text replaces it.
- ``{base}graph/curated``: the facts of ``data/curated.yaml``, each with its source.
- ``https://w3id.org/dkg/ontology#links`` (``dkg:links``): a compact copy of the lineage edges only
  (``dkg:implements``, ``dkg:basedOn``, ``dkg:cites``, ``dkg:guides``, ``dkg:amends``, ``dkg:replaces``,
  ``dkg:hasTask``, ``dkg:assignsTo``, ``dkg:leadBy``, ``dkg:cooperatesWith``) between IRIs. Lineage walks
  (issue 7) select from it frontier by frontier with ``VALUES`` so their cost grows with the lineage, not
  with the graph. It is derived: every write recomputes it for the subjects it touched (a build, for all).
- ``{base}graph/status``: derived too: ``dkg:knownOnlyByCitation true`` for documents no text was read for.

API (shaped like pyoxigraph's): `open_read_only(path)` -> `Store` with ``query(text, substitutions=...)``;
`writing(path)` -> a `Writer` (context manager: copy-on-write, lock, swap on success) with
``replace_graphs(quads_by_graph, drop_sources=...)`` and ``bulk_load(quads)``; `build(path, quads)` for a
full rebuild. Query parameters are bound with pyoxigraph ``substitutions``, never pasted into query text.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import itertools
import os
import shutil
import time
from pathlib import Path

from .errors import QueryError, StoreError
from . import lineage_index
from .lineage_index import index_path

CURRENT = "current"
PREVIOUS = "previous"
LOCK = "lock"
DB_PREFIX = "db-"
_counter = itertools.count()


def oxigraph_dir(store_path: str | os.PathLike = ".dkg") -> Path:
    """The directory of the live Oxigraph database of the store folder ``store_path``.

    It is the resolved target of ``<store_path>/current`` (see the module docstring for the layout). Open it
    read-only (``pyoxigraph.Store.read_only`` or ``oxigraph serve-read-only --location``): writers never
    modify a database once it is current; they build a new one and swap the symlink.

    Raises `StoreError` when the folder holds no store.
    """
    folder = Path(store_path)
    link = folder / CURRENT
    target = link.resolve() if link.is_symlink() else None
    if target is None or not target.is_dir():
        raise StoreError(f"no store at {folder}: run 'dkg ingest' first")
    return target


# ---- reading -------------------------------------------------------------------------------------------------


class Store:
    """A read-only view of the live database (or the database being written, inside `Writer`)."""

    def __init__(self, ox_store, folder: Path, location: Path | None = None):
        self.ox = ox_store
        self.folder = folder
        self.location = location  # the database directory (its lineage index is beside it)

    def query(self, text: str, substitutions: dict | None = None, **options):
        """Run a SPARQL query; ``substitutions`` maps variable names (without ``?``) to pyoxigraph terms or
        plain strings (bound as literals); a bound variable must appear in a SELECT's projection (a pyoxigraph
        rule). Common prefixes (dkg, eli, org, prov, skos, dcterms, rdfs...) are
        predeclared. The default graph is the union of all graphs unless ``use_default_graph_as_union=False``."""
        import pyoxigraph as ox

        from .vocab import PREFIXES

        subs = None
        if substitutions:
            subs = {ox.Variable(k.lstrip("?$")): v if not isinstance(v, str) else ox.Literal(v)
                    for k, v in substitutions.items()}
        options.setdefault("use_default_graph_as_union", True)
        try:
            return self.ox.query(text, prefixes=PREFIXES, substitutions=subs, **options)
        except SyntaxError as e:
            raise QueryError(f"malformed SPARQL: {e}") from None
        except RuntimeError as e:  # e.g. a substituted variable the query does not project
            raise QueryError(f"query failed: {e}") from None

    def select(self, text: str, substitutions: dict | None = None, **options) -> list[dict]:
        """A SELECT query as a list of {variable: term value (str)} rows; unbound variables are None."""
        result = self.query(text, substitutions, **options)
        names = [v.value for v in result.variables]
        return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]

    def __len__(self) -> int:
        return len(self.ox)

    def describe(self, node: str, graph: str | None = None) -> dict[str, list]:
        """{predicate IRI: [distinct objects (pyoxigraph terms)]} of one node, across all graphs (or one).

        Uses the store's indexes directly, not SPARQL: a node cited by a thousand texts has its facts repeated
        in a thousand graphs, and the union default graph of SPARQL would multiply them."""
        import pyoxigraph as ox

        out: dict[str, dict] = {}
        g = ox.NamedNode(graph) if graph else None
        for q in self.ox.quads_for_pattern(ox.NamedNode(node), None, None, g):
            out.setdefault(q.predicate.value, {})[q.object] = None
        return {p: list(objs) for p, objs in out.items()}

    def subjects(self, predicate: str, obj, graph: str | None = None) -> list[str]:
        """Distinct subjects of (?, predicate, obj) — obj a pyoxigraph term — across all graphs (or one)."""
        import pyoxigraph as ox

        g = ox.NamedNode(graph) if graph else None
        return list(dict.fromkeys(q.subject.value for q in self.ox.quads_for_pattern(None, ox.NamedNode(predicate), obj, g)
                                  if isinstance(q.subject, ox.NamedNode)))

    def named_graphs(self) -> list[str]:
        return [g.value for g in self.ox.named_graphs()]

    def quads(self):
        """Every quad of the store (pyoxigraph Quads), for exports."""
        return self.ox.quads_for_pattern(None, None, None, None)

    def corpus_keys(self) -> list[str]:
        """The identity keys of the documents whose text was read (they resolve year-less citations): from the
        lineage index when the store has one (0.9 s at 100,391 texts, SPARQL 4.6-12 s), else by SPARQL."""
        from .lineage_index import LineageIndex

        index = LineageIndex.of_store(self)
        if index is not None:
            return index.corpus_keys()
        rows = self.select("SELECT DISTINCT ?k WHERE { ?d dkg:sourceFile ?f ; dkg:identityKey ?k }")
        return [r["k"] for r in rows]


def open_read_only(store_path: str | os.PathLike = ".dkg") -> Store:
    """Open the live database of a store folder for reading; no lock is taken."""
    import pyoxigraph as ox

    directory = oxigraph_dir(store_path)
    try:
        return Store(ox.Store.read_only(str(directory)), Path(store_path), directory)
    except OSError as e:
        raise StoreError(f"cannot open the store at {store_path}: {e}") from None


def connect(store_path: str | os.PathLike = ".dkg", endpoint: str | None = None, write: bool = False,
            fresh: bool = False):
    """The store a command works on: the embedded store folder ``store_path``, or the SPARQL 1.1 server whose
    query URL is ``endpoint`` (`graph.remote`). Reading gives a `Store` (or `graph.remote.RemoteStore`);
    ``write`` gives a context manager yielding a `Writer` (or `graph.remote.RemoteWriter`), ``fresh`` for a build."""
    if endpoint:
        from .remote import connect as connect_remote

        return connect_remote(endpoint, write=write, fresh=fresh)
    return writing(store_path, fresh=fresh) if write else open_read_only(store_path)


def derivation_predicates() -> set[str]:
    """The predicates the derived graphs are computed from or hold (`graph.rdf.derived_quads`): the link
    properties, rdf:type, dkg:sourceFile and dkg:knownOnlyByCitation."""
    from .rdf import RDF_TYPE
    from .vocab import DKG_NS, LINK_PROPERTIES

    return {DKG_NS + p for p in LINK_PROPERTIES} | {RDF_TYPE, DKG_NS + "sourceFile", DKG_NS + "knownOnlyByCitation"}


# ---- writing -------------------------------------------------------------------------------------------------


class _Lock:
    """An exclusive, non-blocking writer lock on ``<folder>/lock`` holding the writer's pid."""

    def __init__(self, folder: Path):
        self.path = folder / LOCK
        self.fd: int | None = None

    def __enter__(self):
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                os.close(fd)
                raise StoreError(f"cannot lock store {self.path.parent}: {e}") from None
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise StoreError(f"store {self.path.parent} is locked by another dkg process (pid {holder})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


class Writer(Store):
    """A new database being written (a copy of the live one, or empty for a build).

    ``index`` is the `graph.lineage_index.IndexWriter` of the new generation when the writer keeps it up to
    date itself (`open_index`: the ingest and build pipeline); otherwise the index is rebuilt from the database
    when the write ends."""

    index = None
    live_location: Path | None = None
    quads: int | None = None  # in the named graphs, once the write has ended
    # a full compaction at the end (`_settle_during`): set for a write into an empty database; a writer of a copy
    # sets it when the write replaced a large share of the store
    compact = True

    def open_index(self, replace: bool):
        """Start the lineage index of this generation: a copy of the live generation's (``replace``: an ingest
        replaces graphs in it) or a fresh one. Without a live index to copy (none, or one an older dkg wrote), None:
        it is rebuilt at the end."""
        from .lineage_index import IndexWriter, index_path, is_current

        base = None
        if replace:
            base = index_path(self.live_location) if self.live_location is not None else None
            if base is None or not is_current(base):
                return None
        self.index = IndexWriter(index_path(self.location), base)
        return self.index

    def bulk_load(self, quads) -> None:
        """Add many quads fast (a full build); the derived graphs are computed from them too."""
        from .rdf import derived_quads

        quads = list(quads)
        self.ox.bulk_extend(quads)
        self.ox.bulk_extend(derived_quads(quads))

    def replace_graphs(self, quads_by_graph: dict, drop_sources=()) -> None:
        """Replace named graphs by new content; also drop the graphs read from any of ``drop_sources`` (a text
        re-read under a new identity). Derived graphs are recomputed for what changed."""
        import pyoxigraph as ox

        from .rdf import RDF_TYPE
        from .vocab import DKG_NS

        source_pred = ox.NamedNode(DKG_NS + "sourceFile")
        old = {ox.NamedNode(g) for g in quads_by_graph}
        for src in drop_sources:
            for q in self.ox.quads_for_pattern(None, source_pred, ox.Literal(src), None):
                if isinstance(q.graph_name, ox.NamedNode) and q.subject == q.graph_name:
                    old.add(q.graph_name)
        touched: set = set()
        for g in old:
            if self.ox.contains_named_graph(g):
                touched.update(q.subject for q in self.ox.quads_for_pattern(None, None, None, g))
                self.ox.remove_graph(g)
        new_quads = [q for quads in quads_by_graph.values() for q in quads]
        touched.update(q.subject for q in new_quads)
        touched.update(q.object for q in new_quads if q.predicate.value == DKG_NS + "hasTask")
        self.ox.extend(new_quads)
        self._recompute_derived(touched, RDF_TYPE)

    def _recompute_derived(self, subjects, rdf_type: str) -> None:
        """Recompute the derived graphs of ``subjects`` from their facts in the other graphs, by the rule of a
        build (`graph.rdf.derived_quads`; `graph.remote.RemoteWriter` uses it too)."""
        import pyoxigraph as ox

        from . import iri
        from .rdf import derived_quads

        derived = {ox.NamedNode(iri.links_graph()), ox.NamedNode(iri.status_graph())}
        wanted = {ox.NamedNode(p) for p in derivation_predicates() | {rdf_type}}
        facts, remove = [], []
        for s in subjects:
            if isinstance(s, ox.NamedNode):
                for q in self.ox.quads_for_pattern(s, None, None, None):
                    if q.predicate in wanted:
                        (remove if q.graph_name in derived else facts).append(q)
        for q in remove:
            self.ox.remove(q)
        self.ox.extend(derived_quads(facts))


def _finish_index(writer: Writer, new_dir: Path) -> None:
    """Close the lineage index the writer kept, or build it from the finished database."""
    from .lineage_index import build_from_store, index_path

    if writer.index is not None:
        writer.index.finish()
    else:
        build_from_store(writer.ox, index_path(new_dir))


def _settle_during(db, work, compact: bool) -> int:
    """Run ``db.flush()``, and ``db.optimize()`` when ``compact``, in a background thread while ``work`` runs in
    this one. Returns the number of quads in the named graphs, counted in that thread too (a SPARQL count took 10 s
    at 100,000 texts).

    The full compaction rewrites the whole database, however little the write added: it makes queries about a
    fifth faster and the database a quarter smaller after a big load (100,391 texts: 113 CPU-s), but took 60 of the
    78 s an ingest of two texts into that store took. Without it RocksDB's own compactions, run while the quads
    are loaded, keep the database in shape. It runs in RocksDB's threads, without the GIL, beside the lineage index's
    finish."""
    import threading

    import pyoxigraph as ox

    failed: list[BaseException] = []
    counted: list[int] = []

    def settle():
        try:
            db.flush()
            if compact:
                db.optimize()
            counted.append(len(db) - sum(1 for _q in db.quads_for_pattern(None, None, None, ox.DefaultGraph())))
        except BaseException as e:
            failed.append(e)

    thread = threading.Thread(target=settle, name="dkg-settle", daemon=True)
    thread.start()
    try:
        work()
    finally:
        thread.join()
    if failed:
        raise failed[0]
    return counted[0]


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap(folder: Path, new_dir: Path) -> None:
    """Point ``current`` at ``new_dir`` atomically (rename of a fresh symlink over the old one)."""
    current = folder / CURRENT
    old_target = os.readlink(current) if current.is_symlink() else None
    tmp = folder / f".{CURRENT}-{os.getpid()}-{next(_counter)}"
    os.symlink(new_dir.name, tmp)
    os.replace(tmp, current)
    _fsync_dir(folder)
    if old_target and old_target != new_dir.name:
        tmp = folder / f".{PREVIOUS}-{os.getpid()}-{next(_counter)}"
        os.symlink(old_target, tmp)
        os.replace(tmp, folder / PREVIOUS)


def _clean(folder: Path) -> None:
    """Remove databases nobody points at (killed builds, older generations) and stray temporary links.
    Called under the writer lock, so no other write is in progress."""
    from .lineage_index import LINES_SUFFIX, SUFFIX

    keep = {os.readlink(folder / name) for name in (CURRENT, PREVIOUS) if (folder / name).is_symlink()}
    keep |= {name + SUFFIX for name in keep} | {name + SUFFIX + LINES_SUFFIX for name in keep}
    for entry in folder.iterdir():
        if entry.name.startswith(DB_PREFIX) and entry.name not in keep:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        elif entry.name.startswith((f".{CURRENT}-", f".{PREVIOUS}-")) and entry.is_symlink():
            entry.unlink(missing_ok=True)


@contextlib.contextmanager
def writing(store_path: str | os.PathLike = ".dkg", fresh: bool = False):
    """Write a new generation of the store: ``fresh`` starts empty (a build), otherwise from a cheap
    hard-link copy of the live database (an ingest). The ``current`` symlink moves to it only when the block
    ends without an exception; a failure or a kill leaves the live database as it was."""
    import pyoxigraph as ox

    folder = Path(store_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"cannot create store folder {folder}: {e}") from None
    with _Lock(folder):
        new_dir = folder / f"{DB_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{next(_counter)}"
        live = None
        if not fresh:
            try:
                live = oxigraph_dir(folder)
            except StoreError:
                live = None
        try:
            if live is not None:
                source = ox.Store.read_only(str(live))
                source.backup(str(new_dir))
                del source
                db = ox.Store(str(new_dir))
            else:
                db = ox.Store(str(new_dir))
        except OSError as e:
            shutil.rmtree(new_dir, ignore_errors=True)
            raise StoreError(f"cannot write the store at {folder}: {e}") from None
        writer = Writer(db, folder, new_dir)
        writer.live_location = live
        writer.compact = live is None
        try:
            yield writer
            writer.quads = _settle_during(db, lambda: _finish_index(writer, new_dir), writer.compact)
        except BaseException:
            if writer.index is not None:
                writer.index.abandon()
            lineage_index.remove_index(index_path(new_dir))
            writer.ox = None
            del db
            gc.collect()
            shutil.rmtree(new_dir, ignore_errors=True)
            raise
        writer.ox = None
        del db
        gc.collect()
        _swap(folder, new_dir)
        _clean(folder)


def build(store_path, quads, endpoint: str | None = None) -> int:
    """Replace the whole store by ``quads`` (plus their derived graphs); returns the number of quads stored.
    With ``endpoint``, the server's graphs are replaced and those not in ``quads`` dropped (see `graph.remote`)."""
    with connect(store_path, endpoint, write=True, fresh=True) as w:
        w.bulk_load(quads)
        return len(w)
