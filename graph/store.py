"""The embedded store: an on-disk Oxigraph database inside a dkg store folder (default ``.dkg/``).

Layout of a store folder::

    .dkg/
      current  -> db-20260515T101112-4242     relative symlink: THE live database (readers follow it)
      db-20260515T101112-4242/                an Oxigraph (RocksDB) directory, never written after the swap
      db-20260516T080000-5151/                a build in progress, a killed build, or the previous generation
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
  with the graph. It is derived: `replace_graphs` rebuilds it from the other graphs on every write.
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import StoreError

CURRENT = "current"
LOCK = "lock"
DB_PREFIX = "db-"


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
