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

import hashlib
import json
import os
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
            found.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES))
        elif p.exists():
            found.append(p)
        elif missing is not None:
            missing.append(f"{p}: no such file or folder")
        else:
            raise InputError(p, "no such file or folder")
    return list(dict.fromkeys(found))


def source_name(path: Path) -> str:
    """The source path recorded for a text: relative to the current folder when inside it."""
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(absolute)


def checksum(data: dict) -> str:
    content = {k: v for k, v in data.items() if k not in ("checksum", "reviewed")}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_text(record) -> str:
    """The YAML of a record as ingest writes it (with ``reviewed`` and ``checksum`` on top)."""
    import yaml

    data = record.to_dict()
    head = {"reviewed": False, "checksum": checksum(data)}
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present
    return (yaml.dump(head, Dumper=dumper, allow_unicode=True, sort_keys=False)
            + yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=120))


def _load_yaml(path: Path):
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ten times faster
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def is_hand_made(path: Path, data=None) -> bool:
    """True when a person made or edited the record at ``path`` (see the module docstring)."""
    import yaml

    if data is None:
        try:
            data = _load_yaml(path)
        except (OSError, UnicodeError, yaml.YAMLError):
            return False  # unreadable: a broken file is not protected, re-extraction replaces it
    if not isinstance(data, dict):
        return False
    if data.get("reviewed") is True:
        return True
    return data.get("checksum") != checksum(data)


def record_path(record, records_dir: Path) -> Path:
    """Where a record lives: named from its document identity; a second text of the same document (another
    source) gets the source's name appended, so both are kept."""
    from .iri import slug
    from .resolve import document_key

    base = document_key(record).slug
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


def ingest(paths, store_path, records_dir, extract=None, on_file=None, curated_path=None,
           endpoint=None) -> LoadReport:
    """Extract texts, write their records, and load them into the store (copy-on-write, one swap), or into the
    SPARQL server at ``endpoint`` (`graph.store.connect`).

    A file that cannot be read or parsed is listed in ``report.failures`` and the others go on; nothing
    already stored is lost. ``on_file(path)`` is called after each file (progress bars).
    """
    from . import extract as default_extract
    from . import store as store_mod
    from .rdf import curated_to_quads, record_to_quads
    from .records import read_record
    from .resolve import DocKey, Resolver, document_key
    from .resources import data_path

    extract = extract or default_extract
    records_dir = Path(records_dir)
    records_dir.mkdir(parents=True, exist_ok=True)
    report = LoadReport()
    files = find_inputs(paths, report.failures)
    report.files = len(files)
    loaded = []  # (record, record file name)
    for path in files:
        try:
            record = extract(path, source=source_name(path))
            target = record_path(record, records_dir)
            if target.exists() and is_hand_made(target):
                record = read_record(target)
                report.kept.append(str(target))
            else:
                _write_atomically(target, record_text(record))
            report.records.append(str(target))
            loaded.append((record, target.name))
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
    try:
        existing = store_mod.connect(store_path, endpoint)
        for k in existing.corpus_keys():
            resolver.add(DocKey.from_text(k))
        stale = _record_files_of(existing, [r.source for r, _n in loaded])
        del existing
    except DkgError:
        pass
    for record, _name in loaded:
        resolver.add(document_key(record))
    graphs = {}
    for record, name in loaded:
        rg = record_to_quads(record, resolver, record_file=name)
        graphs[rg.graph] = rg.quads
        _count(report, record, rg)
    curated = Path(curated_path) if curated_path else data_path("curated.yaml")
    if curated.exists():
        from .iri import curated_graph

        graphs[curated_graph()] = curated_to_quads(curated)
    with store_mod.connect(store_path, endpoint, write=True) as w:
        w.replace_graphs(graphs, drop_sources=[r.source for r, _n in loaded])
        report.triples = _triples(w)
    # a text re-read under a new identity leaves its old record behind: remove it, unless a person edited it
    for record, name in loaded:
        for old in stale.get(record.source, ()):
            path = records_dir / old
            if old != name and path.exists():
                if is_hand_made(path):
                    report.warnings.append(f"{path}: hand-edited record of {record.source} no longer matches its "
                                           f"identity ({name}); kept, check it")
                else:
                    path.unlink()
    return report


def _record_files_of(store, sources) -> dict[str, set[str]]:
    import pyoxigraph as ox

    from .vocab import DKG_NS

    out: dict[str, set[str]] = {}
    for src in dict.fromkeys(sources):
        for g in store.subjects(DKG_NS + "sourceFile", ox.Literal(src)):
            for v in store.describe(g, graph=g).get(DKG_NS + "recordFile", []):
                out.setdefault(src, set()).add(v.value)
    return out


def build(store_path, records_dir, curated_path=None, endpoint=None) -> LoadReport:
    """A fresh store from every record of ``records_dir`` and the curated facts. Any malformed record stops
    the build before the live store is touched (`RecordError` lists them all, with file and line)."""
    from . import store as store_mod
    from .rdf import curated_to_quads, record_to_quads
    from .records import read_record
    from .resolve import Resolver, document_key
    from .resources import data_path

    records_dir = Path(records_dir)
    if not records_dir.is_dir():
        raise RecordError(f"{records_dir}: no records folder (run 'dkg ingest' first)")
    files = sorted(f for f in records_dir.rglob("*") if f.suffix in RECORD_SUFFIXES and not f.name.startswith("."))
    records, errors = [], []
    for f in files:
        try:
            records.append((read_record(f), f.name))
        except RecordError as e:
            errors.append(str(e))
    if errors:
        raise RecordError(f"{len(errors)} malformed record(s), the store was not changed:\n  " + "\n  ".join(errors))
    report = LoadReport(files=len(files))
    records = _one_record_per_source(records, records_dir, report)
    resolver = Resolver(document_key(r) for r, _n in records)
    quads = []
    for record, name in records:
        rg = record_to_quads(record, resolver, record_file=name)
        quads.extend(rg.quads)
        _count(report, record, rg)
    curated = Path(curated_path) if curated_path else data_path("curated.yaml")
    if curated.exists():
        quads.extend(curated_to_quads(curated))
    report.triples = store_mod.build(store_path, quads, endpoint=endpoint)
    return report


def _one_record_per_source(records, records_dir: Path, report: LoadReport) -> list:
    """Two records of one source text (an old identity left behind): the newest file wins, with a warning."""
    by_source: dict[str, list] = {}
    for record, name in records:
        by_source.setdefault(record.source, []).append((record, name))
    out = []
    for source, group in by_source.items():
        if len(group) > 1:
            group.sort(key=lambda rn: (records_dir / rn[1]).stat().st_mtime, reverse=True)
            report.warnings.append(f"{source}: {len(group)} records ({', '.join(n for _r, n in group)}); "
                                   f"using the newest, {group[0][1]}")
        out.append(group[0])
    return out


def _count(report: LoadReport, record, rg) -> None:
    report.documents += 1
    report.references += rg.references
    report.tasks += rg.tasks
    report.organisations += rg.organisations
    report.unresolved.extend(rg.problems)
    report.warnings.extend(f"{record.source}: {w}" for w in record.warnings)


def _triples(store) -> int:
    rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    return int(rows[0]["n"])
