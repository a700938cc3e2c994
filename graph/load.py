"""Texts and records into the store: ``dkg ingest`` (texts -> records folder -> store, incremental) and
``dkg build`` (records folder + curated facts -> a fresh store).

The records folder (default ``data/directives/``) holds one YAML record per document, named from the
document's identity (`graph.resolve.DocKey.slug`). People may correct them. The rule that protects their work:

    ingest writes ``reviewed: false`` and ``checksum: sha256:...`` (of the record's content) at the top of each
    record. When the folder already has the record of a document, ingest keeps it, instead of the fresh
    extraction, if it says ``reviewed: true`` or if its content no longer matches its checksum (a person
    edited it) or it has no checksum (a person wrote it).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DkgError, RecordError

TEXT_SUFFIXES = (".txt", ".md", ".pdf", ".docx")
RECORD_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class LoadReport:
    """What an ingest or a build did; the CLI prints it."""

    files: int = 0
    documents: int = 0
    references: int = 0
    tasks: int = 0
    organisations: int = 0
    unresolved: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # hand-edited records that won over re-extraction
    records: list[str] = field(default_factory=list)
    triples: int = 0


def find_inputs(paths, missing: list | None = None) -> list[Path]:
    """The text files named or found (recursively) under ``paths``, in a stable order. A path that does not
    exist is appended to ``missing`` as a one-line problem, or raises `InputError` when no list is given."""
    from .errors import InputError

    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):  # rglob does not follow directory links: no endless walk
                if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES:
                    found.append(f)
                elif f.is_symlink() and not f.exists() and f.suffix.lower() in TEXT_SUFFIXES:
                    found.append(f)  # a loop or a dangling link: the reader names the problem in one line
        elif p.exists() or p.is_symlink():
            found.append(p)
        elif missing is not None:
            missing.append(f"{p}: no such file or folder")
        else:
            raise InputError(p, "no such file or folder")
    return list(dict.fromkeys(found))


def source_name(path: Path) -> str:
    """The source path recorded for a text: relative to the current folder when inside it."""
    absolute = Path(os.path.abspath(path))  # links are not followed: a link loop is the reader's to report
    try:
        return str(absolute.relative_to(os.getcwd()))
    except ValueError:
        return str(absolute)


RECORD_KEYS = ("source", "document", "references", "nested_relations", "tasks", "warnings")


def checksum(data: dict) -> str:
    # Only the record's own fields: an unknown key (ignored by every reader) could hold a YAML alias bomb that
    # serialises to gigabytes.
    content = {k: data[k] for k in RECORD_KEYS if k in data}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_text(record) -> str:
    """The YAML of a record as ingest writes it (with ``reviewed`` and ``checksum`` on top)."""
    from .records import yaml_text

    data = record.to_dict()
    head = {"reviewed": False, "checksum": checksum(data)}
    return yaml_text(head) + yaml_text(data, width=120)


def _load_yaml(path: Path):
    import yaml

    from .records import record_loader

    text = path.read_text(encoding="utf-8")
    return yaml.load(text, Loader=record_loader(text))  # libyaml unless the text may nest deeply (it crashes)


def is_hand_made(path: Path, data=None) -> bool:
    """True when a person made or edited the record at ``path`` (see the module docstring)."""
    import yaml

    if data is None:
        try:
            data = _load_yaml(path)
        except (OSError, UnicodeError, yaml.YAMLError, RecursionError):
            return False  # unreadable: a broken file is not protected, re-extraction replaces it
    if not isinstance(data, dict):
        return False
    if data.get("reviewed") is True:
        return True
    return data.get("checksum") != checksum(data)


def record_path(record, records_dir: Path, key=None) -> Path:
    """Where a record lives: named from its document identity (``key``, when known); a second text of the same
    document (another source) gets the source's name appended, so both are kept."""
    from .iri import slug
    from .resolve import document_key

    base = (key or document_key(record)).slug
    path = records_dir / f"{base}.yaml"
    if path.exists():
        try:
            existing = _load_yaml(path) or {}
            other = existing.get("source") if isinstance(existing, dict) else None
        except Exception:  # an unreadable record is replaced, not protected
            other = None
        if other is not None and other != record.source:
            path = records_dir / f"{base}--{slug(Path(record.source).stem)}.yaml"
    return path


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def default_jobs() -> int:
    """Worker processes when none are asked for: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def ingest(paths, store_path, records_dir, extract=None, on_file=None, curated_path=None,
           jobs: int | None = None, endpoint: str | None = None) -> LoadReport:
    """Extract texts, write their records, and load them into the store (copy-on-write, one swap), or into the
    SPARQL 1.1 server whose query URL is ``endpoint`` (`graph.remote`).

    A file that cannot be read or parsed is listed in ``report.failures`` and the others go on; nothing
    already stored is lost. ``on_file(path)`` is called after each file (progress bars). ``jobs`` worker
    processes extract the texts and make their quads (default: one per CPU; 1 works in this process); only
    this process writes records and the store, in the order of the files.
    """
    import pickle

    from . import store as store_mod
    from .resolve import DocKey, Resolver

    records_dir = Path(records_dir)
    records_dir.mkdir(parents=True, exist_ok=True)
    report = LoadReport()
    files = find_inputs(paths, report.failures)
    report.files = len(files)
    jobs = max(1, jobs or default_jobs())
    # One set of workers for both phases, forked while this process is small: forked after the first phase, they
    # shared its hundreds of megabytes and, as this process went on writing, came to hold copies of them
    # (at 100,000 texts, 370 MB each).
    with _Spool() as spool, _worker_state(extract=extract, records_dir=records_dir, spool_fd=spool.read_fd), \
            _pool(jobs, len(files)) as pool:
        loaded = []  # (record's source, record file name, its key text, spool slot, named graph, place facts)
        claimed: dict[str, str] = {}  # record file name -> source, in this run
        for path, outcome in zip(files, _imap(pool, _read_text, files, chunk=16)):
            if isinstance(outcome, str):
                report.failures.append(outcome)
            else:
                try:
                    entry = _keep_record(outcome, records_dir, claimed, report, spool)
                    loaded.append(entry)
                except DkgError as e:
                    report.failures.append(f"{path}: {e}" if str(path) not in str(e) else str(e))
                except (OSError, UnicodeError, ValueError) as e:
                    report.failures.append(f"{path}: {e}")
            if on_file:
                on_file(path)
        if not loaded:
            return report
        resolver = Resolver()
        stale: dict[str, set[str]] = {}  # source -> record files its earlier graphs were made from
        live = False
        stored = 0  # texts in the store before this run
        try:
            existing = store_mod.connect(store_path, endpoint)
            live = True
            keys = existing.corpus_keys()
            stored = len(keys)
            for k in keys:
                resolver.add(DocKey.from_text(k))
            stale = _record_files_of(existing, [e[0] for e in loaded])
            del existing
        except DkgError:
            pass
        for entry in loaded:
            resolver.add(DocKey.from_text(entry[2]))
        # second identity pass: places a header leaves out, from the corpus documents the text cites as its own
        report.warnings.extend(resolver.infer_places(e[5] for e in loaded))
        if pool is not None:  # the workers read it from the spool: this process keeps no copy while it loads
            resolver = spool.put(pickle.dumps(resolver, pickle.HIGHEST_PROTOCOL))
        _load_records(store_path, [(e[1], e[3]) for e in loaded], resolver, spool, report, jobs, curated_path,
                      replace=[e[4] for e in loaded] if live else None, drop_sources=[e[0] for e in loaded],
                      endpoint=endpoint, pool=pool, stored=stored)
    # a text re-read under a new identity leaves its old record behind: remove it, unless a person edited it
    for source, name, *_rest in loaded:
        for old in stale.get(source, ()):
            path = records_dir / old
            if old != name and path.exists():
                if is_hand_made(path):
                    report.warnings.append(f"{path}: hand-edited record of {source} no longer matches its "
                                           f"identity ({name}); kept, check it")
                else:
                    path.unlink()
    return report


# ---- the pipeline: worker processes read and make quads, this process writes ----------------------------------
#
# Phase 1 (`_read_text`, in workers): text -> record, its identity, where its record file goes, its YAML.
# This process writes the record files in the order of the inputs and spools the records (pickled) to a
# temporary file. Year-less citations resolve against the whole corpus, so quads wait until every record is read.
# Phase 2 (`_record_quads`, in workers): spooled record -> N-Quads text (with its dkg:links copy) and counts,
# streamed back in order and into the store's bulk loader (`graph.bulk`). Memory stays bounded by the chunks
# in flight, whatever the corpus size.

_WORKER: dict = {}  # what the workers need; set before the pool forks (inherited, never pickled)


class _Spool:
    """Pickled records in a temporary file: written by this process, read back by slot in any worker.

    The file has no name (O_TMPFILE where the system has it, else unlinked at once), so a SIGKILLed run leaves
    nothing behind; the workers, forked later, read it through the inherited descriptor ``read_fd``."""

    def __enter__(self):
        import tempfile

        try:
            self.file = tempfile.TemporaryFile(prefix="dkg-records-", suffix=".pickle")
        except OSError as e:
            raise _temp_error(e) from None
        self.read_fd = self.file.fileno()
        self.size = 0
        return self

    def put(self, data: bytes) -> tuple[int, int]:
        slot = (self.size, len(data))
        try:
            self.file.write(data)
        except OSError as e:
            raise _temp_error(e) from None
        self.size += len(data)
        return slot

    def close_writing(self) -> None:
        try:
            self.file.flush()  # the workers read with pread: the data must be in the file, not in the buffer
        except OSError as e:
            raise _temp_error(e) from None

    def __exit__(self, *exc):
        try:
            self.file.close()
        except OSError:
            pass


def _temp_error(e: OSError) -> DkgError:
    import tempfile

    return DkgError(f"temporary folder {tempfile.gettempdir()}: {e.strerror or e} (set TMPDIR to a folder with "
                    "room); the store was not changed")


@contextlib.contextmanager
def _worker_state(**values):
    """Set `_WORKER` for one ingest or build; cleared (and the spool closed) afterwards."""
    _WORKER.clear()
    _WORKER.update(values)
    try:
        yield
    finally:
        _WORKER.clear()


def _read_slot(slot) -> object:
    import pickle

    offset, length = slot
    return pickle.loads(os.pread(_WORKER["spool_fd"], length, offset))


@contextlib.contextmanager
def _pool(jobs: int, items: int):
    """Worker processes (forked, so they inherit `_WORKER`), or None to work in this process.

    A ``concurrent.futures`` pool, not ``multiprocessing.Pool``: a worker killed by a signal (a C library
    crashing on a hostile file) breaks the pool with an error instead of leaving ``imap`` waiting for ever."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if jobs <= 1 or items < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(min(jobs, items), mp_context=multiprocessing.get_context("fork"),
                               initializer=_watch_parent, initargs=(os.getpid(),))
    try:
        # with fork, the first task forks every worker: now, before the caller opens the store and takes the
        # writer lock (a worker forked later would inherit the lock and keep it after a killed ingest)
        pool.submit(int).result()
        yield pool
    except BrokenProcessPool:
        pool.shutdown(wait=True, cancel_futures=True)
        raise _DEAD_WORKER from None
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


_DEAD_WORKER = DkgError("a worker process died (killed, or crashed by a hostile file); nothing was written to "
                        "the store: run again with --jobs 1 to find the file")


def _watch_parent(parent: int) -> None:
    """In each worker: exit when the ingest that started it is gone (killed), instead of waiting for ever."""
    import threading

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _run_batch(fn, batch) -> list:
    return [fn(item) for item in batch]


def _imap(pool, fn, items, chunk: int, window: int | None = None):
    """``fn`` over ``items`` in order, in batches of ``chunk`` on the workers, with at most ``window`` batches
    submitted and not yet consumed: results never pile up faster than this process uses them (the store's
    loader is slower than the workers making quads; unbounded, a 100,000-text ingest held gigabytes of them)."""
    if pool is None:
        yield from map(fn, items)
        return
    from collections import deque
    from concurrent.futures.process import BrokenProcessPool

    window = window or 4 * getattr(pool, "_max_workers", 2)
    items = list(items)
    pending: deque = deque()
    batches = (items[i:i + chunk] for i in range(0, len(items), chunk))
    try:
        for batch in batches:
            pending.append(pool.submit(_run_batch, fn, batch))
            if len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    except BrokenProcessPool:
        raise _DEAD_WORKER from None
    finally:
        for f in pending:
            f.cancel()


def _read_text(path: Path):
    """Phase 1 for one text (in a worker): a failure line, or (pickled record, source, record file name, its
    YAML or None when a hand-made record is kept, identity key text, named graph, its `resolve.place_facts`)."""
    from . import extract as default_extract

    from .resolve import document_key

    extract = _WORKER.get("extract") or default_extract
    records_dir = _WORKER["records_dir"]
    try:
        record = extract(path, source=source_name(path))
        key = document_key(record)
        text = record_text(record)
        target = _unchanged_record_file(records_dir, text, key)
        if target is None:
            target = record_path(record, records_dir, key)
            if target.exists() and is_hand_made(target):
                from .records import read_record

                record, text, key = read_record(target), None, None
        return _phase1(record, target.name, text, key)
    except DkgError as e:
        return f"{path}: {e}" if str(path) not in str(e) else str(e)
    except (OSError, UnicodeError, ValueError) as e:
        return f"{path}: {e}"


def _unchanged_record_file(records_dir: Path, text: str, key) -> Path | None:
    """The record file of the record whose identity is ``key`` when it holds exactly ``text`` (what ingest writes
    for it now), else None.

    Such a file is ingest's own, unedited (its checksum matches, ``reviewed: false``), of this very source (the
    source is in the text): `record_path` would choose it and `is_hand_made` say no, without parsing its YAML
    twice (a re-ingest of unchanged texts)."""
    path = records_dir / f"{key.slug}.yaml"
    try:
        with open(path, "rb") as f:
            same = f.read(len(text) * 4 + 1) == text.encode("utf-8")
    except (OSError, ValueError):
        return None
    return path if same else None


def _phase1(record, name: str, text: str | None, key=None) -> tuple:
    import pickle

    from . import iri
    from .resolve import document_key, place_facts

    key = key or document_key(record)
    return (pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL), record.source, name, text, key.text,
            iri.source_graph(key.path, record.source), place_facts(record, key))


def _keep_record(outcome, records_dir: Path, claimed: dict, report: LoadReport, spool: _Spool):
    """Write one record file (this process only, in input order) and spool the record for phase 2. Returns
    (source, record file name, identity key text, spool slot, named graph, place facts)."""
    import pickle

    from .records import read_record

    data, source, name, text, _key, _graph, facts = outcome
    if claimed.get(name, source) != source:
        # two texts of this run have one identity: decide again now that the first one's file is written
        record = pickle.loads(data)
        target = record_path(record, records_dir)
        name, text = target.name, record_text(record)
        if target.exists() and is_hand_made(target):
            record, text = read_record(target), None
        data, source, name, text, _key, _graph, facts = _phase1(record, name, text)
    target = records_dir / name
    claimed[name] = source
    if text is None:
        report.kept.append(str(target))
    else:
        _write_atomically(target, text)
    report.records.append(str(target))
    return source, name, _key, spool.put(data), _graph, facts


# Batches of phase 2 in flight: the bulk loader takes its input in bursts (it stops reading while it sorts), and
# with a short window the workers sat idle during a burst and this process waited on them after it. About 64 kB
# of N-Quads a record: 8 batches of 32 hold some 16 MB. Batches of 32, not 8: each one handed to a worker wakes
# the pool's thread, which then competes for the GIL with this one (a tenth of this process's time at 100,000).
PHASE2_BATCH, PHASE2_WINDOW = 32, 8
# An ingest into a store ends with a full compaction of the database only when its texts are at least this share of
# the texts the store held: a few texts added to a large store are not worth rewriting all of it.
SMALL_WRITE_SHARE = 0.25


def _record_quads(resolver_slot, item):
    """Phase 2 for one record (in a worker): its N-Quads (UTF-8) and what the load report counts. The resolver is
    the one spooled at ``resolver_slot`` (read once per worker), or, for None, the one `_WORKER` holds."""
    from .rdf import record_to_quads

    if resolver_slot is not None and _WORKER.get("resolver_slot") != resolver_slot:
        _WORKER.update(resolver=_read_slot(resolver_slot), resolver_slot=resolver_slot)
    name, slot = item
    record = _read_slot(slot)
    rg = record_to_quads(record, _WORKER["resolver"], record_file=name)
    summary = (rg.document, sorted(rg.document_iris()), rg.references, rg.tasks, rg.organisations, rg.problems,
               [f"{record.source}: {w}" for w in record.warnings], rg.graph, _index_entry(rg))
    return rg.nquads(links=True).encode("utf-8"), summary


def _index_entry(rg):
    """The lineage index rows of a record graph (`graph.lineage_index`), made in the worker with its quads."""
    from .lineage_index import graph_entry

    return graph_entry(rg.graph, rg.rows)


def _load_records(store_path, items, resolver, spool: _Spool, report: LoadReport, jobs: int, curated_path,
                  replace=None, drop_sources=(), endpoint=None, pool=None, stored: int = 0) -> None:
    """Phase 2: quads of the spooled records ``items`` ((record file name, slot)) and the curated facts, into a
    new generation of the store: a fresh database, or, given the named graphs to ``replace`` (and the sources
    whose graphs to drop), a copy of the live one where those graphs are replaced. ``pool``: workers forked
    earlier, which read the resolver from its spool slot (``resolver`` is then that slot), else they are forked
    here. ``stored``: how many texts the store held before; a write that adds or replaces few of them ends without
    a full compaction of the database (`graph.store._settle_during`)."""
    import functools

    from . import bulk
    from . import store as store_mod
    from .rdf import curated_record_graph
    from .resources import data_path

    resolver_slot = resolver if pool is not None else None
    quads_of = functools.partial(_record_quads, resolver_slot)
    workers = contextlib.nullcontext(pool) if pool is not None else _pool(jobs, len(items))
    spool.close_writing()
    curated = Path(curated_path) if curated_path else data_path("curated.yaml")
    curated_rg = curated_record_graph(curated) if curated.exists() else None
    _WORKER.update(spool_fd=spool.read_fd)
    if pool is None:  # workers forked below, or this process, use it as it is
        _WORKER.update(resolver=resolver)
    documents: set = set()
    with_text: set = set()
    graphs: list = []

    index = None

    def chunks(results):
        for data, (doc, docs, refs, tasks, orgs, problems, warnings, graph, entry) in results:
            report.documents += 1
            report.references += refs
            report.tasks += tasks
            report.organisations += orgs
            report.unresolved.extend(problems)
            report.warnings.extend(warnings)
            documents.update(docs)
            with_text.add(doc)
            graphs.append(graph)
            if index is not None:
                index.add(entry)
            yield data
        if curated_rg is not None:
            documents.update(curated_rg.document_iris())
            graphs.append(curated_rg.graph)
            if index is not None:
                index.add(_index_entry(curated_rg))
            yield curated_rg.nquads(links=True).encode("utf-8")

    incremental = replace is not None
    if endpoint:  # a SPARQL server: its writer replaces the graphs and derives dkg:links and status itself
        with workers as pool, store_mod.connect(store_path, endpoint, write=True, fresh=not incremental) as w:
            w.load_nquads(chunks(_imap(pool, quads_of, items, chunk=8)), drop_sources if incremental else None)
            report.triples = _triples(w)
        return
    with workers as pool:  # forked before the database is opened
        with store_mod.writing(store_path, fresh=not incremental) as w:
            old_edges: set = set()
            old_documents: set = set()
            index = w.open_index(replace=incremental)
            if incremental:
                w.compact = len(items) >= SMALL_WRITE_SHARE * stored
                graph_iris = list(replace) + ([curated_rg.graph] if curated_rg is not None else [])
                old_edges, old_documents = bulk.drop_graphs(w, graph_iris, drop_sources)
                if index is not None:
                    index.drop(graph_iris, drop_sources)
            quads = chunks(_imap(pool, quads_of, items, chunk=PHASE2_BATCH, window=PHASE2_WINDOW))
            if bulk.can_load_in_background():
                loader = bulk.BackgroundLoader(w)
                try:
                    for data in quads:
                        loader.put(data)
                except BaseException:
                    loader.abort()
                    raise
                loader.close()
            else:
                bulk.load_nquads(w, quads)
            if pool is not None:
                pool.shutdown(wait=True)  # the workers' memory is given back before the store is finished
            if incremental:
                bulk.settle_derived(w, old_edges, old_documents | documents)
            else:
                bulk.load_nquads(w, iter([bulk.status_nquads(documents, with_text)]))
        report.triples = w.quads


def _record_files_of(store, sources) -> dict[str, set[str]]:
    import pyoxigraph as ox

    from .vocab import DKG_NS

    out: dict[str, set[str]] = {}
    for src in dict.fromkeys(sources):
        for g in store.subjects(DKG_NS + "sourceFile", ox.Literal(src)):
            for v in store.describe(g, graph=g).get(DKG_NS + "recordFile", []):
                out.setdefault(src, set()).add(v.value)
    return out


def build(store_path, records_dir, curated_path=None, jobs: int | None = None,
          endpoint: str | None = None) -> LoadReport:
    """A fresh store from every record of ``records_dir`` and the curated facts. Any malformed record stops
    the build before the live store is touched (`RecordError` lists them all, with file and line). ``jobs``
    worker processes read the records and make their quads (default: one per CPU)."""
    from .resolve import DocKey, Resolver

    records_dir = Path(records_dir)
    if not records_dir.is_dir():
        raise RecordError(f"{records_dir}: no records folder (run 'dkg ingest' first)")
    files = sorted(f for f in records_dir.rglob("*") if f.suffix in RECORD_SUFFIXES and not f.name.startswith("."))
    jobs = max(1, jobs or default_jobs())
    report = LoadReport(files=len(files))
    with _Spool() as spool, _worker_state():
        records, errors = [], []  # (source, file name, key text, slot, place facts)
        with _pool(jobs, len(files)) as pool:
            for outcome in _imap(pool, _read_record_file, files, chunk=8):
                if isinstance(outcome, str):
                    errors.append(outcome)
                elif not errors:
                    data, source, key, facts = outcome
                    records.append((source, data[0], key, spool.put(data[1]), facts))
        if errors:
            raise RecordError(f"{len(errors)} malformed record(s), the store was not changed:\n  "
                              + "\n  ".join(errors))
        records = _one_record_per_source(records, records_dir, report)
        resolver = Resolver(DocKey.from_text(e[2]) for e in records)
        report.warnings.extend(resolver.infer_places(e[4] for e in records))  # second identity pass
        _load_records(store_path, [(e[1], e[3]) for e in records], resolver, spool, report,
                      jobs, curated_path, endpoint=endpoint)
    return report


def _read_record_file(path: Path):
    """Phase 1 of a build (in a worker): a record file -> ((name, pickled record), source, key text, place facts),
    or the one-line problem."""
    import pickle

    from .records import read_record
    from .resolve import document_key, place_facts

    try:
        record = read_record(path)
        key = document_key(record)
        return (path.name, pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)), record.source, key.text, \
            place_facts(record, key)
    except RecordError as e:
        return str(e)


def _one_record_per_source(records, records_dir: Path, report: LoadReport) -> list:
    """Two records of one source text (an old identity left behind): the newest file wins, with a warning.
    ``records`` are tuples whose first two items are the source and the record file name."""
    by_source: dict[str, list] = {}
    for entry in records:
        by_source.setdefault(entry[0], []).append(entry)
    out = []
    for source, group in by_source.items():
        if len(group) > 1:
            group.sort(key=lambda e: (records_dir / e[1]).stat().st_mtime, reverse=True)
            report.warnings.append(f"{source}: {len(group)} records ({', '.join(e[1] for e in group)}); "
                                   f"using the newest, {group[0][1]}")
        out.append(group[0])
    return out


def _triples(store) -> int:
    rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    return int(rows[0]["n"])
