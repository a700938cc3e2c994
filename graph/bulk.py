"""Bulk writes into an embedded store generation (a `graph.store.Writer`): what ``dkg ingest`` and ``dkg build``
use at scale.

Quads arrive as N-Quads text (made by `graph.rdf.RecordGraph.nquads` in worker processes) and go to Oxigraph's
bulk loader, which writes sorted files straight into the database instead of one transaction per insert:
measured on 1,001 generated texts (400,000 quads), ``Store.extend`` took 12.5 s and left a 300 MB write-ahead
log behind, ``Store.bulk_load`` of the same quads as N-Quads 3.4 s of CPU. The text is streamed through a
file-like object, so memory stays bounded whatever the corpus size.

The derived graphs are kept without re-reading the store subject by subject: every record's text carries its
own ``dkg:links`` copy of its lineage edges; `drop_graphs` removes old graphs and remembers their edges and
documents; `settle_derived` then removes the ``dkg:links`` edges no remaining graph states and recomputes
``dkg:knownOnlyByCitation`` for the documents that were touched.
"""
from __future__ import annotations

import io
import os

from .errors import StoreError


class ChunkReader(io.RawIOBase):
    """A read-only binary stream over an iterator of ``bytes`` chunks (consumed as the reader asks)."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._buffer = b""
        self.error: BaseException | None = None  # what the iterator raised (the loader only sees an I/O error)

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
            except BaseException as e:
                self.error = e
                raise
        n = min(len(b), len(self._buffer))
        b[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


# Bytes of N-Quads per bulk_load call (about 1.2 million quads). Oxigraph's bulk loader holds what it has read until
# the call ends (measured: 1.5 GB for 2 million quads, 2 GB for 6 million), so a long stream is cut into calls.
SEGMENT_BYTES = 160 * 2**20


class _Segments:
    """Cuts an iterator of chunks into consecutive iterators of about ``size`` bytes each."""

    def __init__(self, chunks, size: int):
        self._chunks, self._size, self.done = iter(chunks), size, False

    def next_segment(self):
        taken = 0
        while taken < self._size:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self.done = True
                return
            taken += len(chunk)
            yield chunk


def load_nquads(writer, chunks, segment_bytes: int = SEGMENT_BYTES) -> None:
    """Bulk-load N-Quads ``chunks`` (an iterator of bytes, each ending at a line end) into the writer's database,
    in calls of at most about ``segment_bytes``."""
    segments = _Segments(chunks, segment_bytes)
    while not segments.done:
        _bulk_load(writer, segments.next_segment())


def _bulk_load(writer, chunks) -> None:
    import pyoxigraph as ox

    from . import iri

    try:  # the only IRI part not minted from slugs: checked once, so the loader may skip checking every IRI
        ox.NamedNode(iri.base() + "x")
    except ValueError as e:
        raise StoreError(f"DKG_BASE {iri.base()!r} is not an IRI: {e}") from None
    reader = ChunkReader(chunks)
    try:
        writer.ox.bulk_load(io.BufferedReader(reader, buffer_size=1 << 20), format=ox.RdfFormat.N_QUADS,
                            lenient=True)
    except (OSError, SyntaxError, ValueError) as e:
        if reader.error is not None:
            raise reader.error from None
        raise StoreError(f"cannot load the quads into the store: {e}") from None
    if reader.error is not None:
        raise reader.error


class BackgroundLoader:
    """Bulk-loads N-Quads handed over chunk by chunk (`put`) in a thread of its own, through an OS pipe: the
    loader reads the pipe as a file (``/dev/fd/N``), so it parses and sorts without ever taking the GIL while the
    caller goes on with its own work (receiving the workers' quads, writing the lineage index).

    Measured on 10,218 texts: fed from a Python iterator, the loader calls back into Python for every read, and
    each side kept the other waiting for the GIL (a 3.4-million-quad load took 36 s instead of 21 s next to a
    busy thread). The stream is cut into bulk_load calls of about ``segment_bytes`` as in `load_nquads`.

    ``put`` each chunk (ending at a line end), then ``close`` (waits for the load, raises what it raised); on a
    failure of the caller, ``abort`` (waits for the loader thread to end) before the database is dropped."""

    def __init__(self, writer, segment_bytes: int = SEGMENT_BYTES // 2, overlap: int = 1):
        import pyoxigraph as ox

        from . import iri

        try:  # see _bulk_load
            ox.NamedNode(iri.base() + "x")
        except ValueError as e:
            raise StoreError(f"DKG_BASE {iri.base()!r} is not an IRI: {e}") from None
        from collections import deque

        self._writer, self._segment_bytes, self._overlap = writer, segment_bytes, overlap
        self._thread = None  # the loader of the segment being written
        self._finishing: deque = deque()  # loaders whose input is complete, still sorting and writing
        self._pipe_in: int | None = None
        self._taken = 0
        self._errors: list[BaseException] = []

    def _start(self) -> None:
        import threading

        while len(self._finishing) > self._overlap:
            self._join(self._finishing.popleft())
        read_end, self._pipe_in = os.pipe()
        widen_pipe(self._pipe_in)
        self._taken = 0
        self._thread = threading.Thread(target=self._run, args=(read_end,), name="dkg-bulk-load", daemon=True)
        self._thread.start()

    def _run(self, read_end: int) -> None:
        import pyoxigraph as ox

        try:
            self._writer.ox.bulk_load(path=f"/dev/fd/{read_end}", format=ox.RdfFormat.N_QUADS, lenient=True)
        except (OSError, SyntaxError, ValueError) as e:
            self._errors.append(StoreError(f"cannot load the quads into the store: {e}"))
        except BaseException as e:
            self._errors.append(e)
        finally:
            os.close(read_end)  # a writer still writing gets a broken pipe instead of waiting for ever

    def put(self, chunk: bytes) -> None:
        if self._thread is None:
            self._start()
        view = memoryview(chunk)
        try:
            while view:
                view = view[os.write(self._pipe_in, view):]
        except BrokenPipeError:
            self.close()
            raise StoreError("the bulk loader stopped before the end of the quads") from None
        self._taken += len(chunk)
        if self._taken >= self._segment_bytes:
            self._end_segment()
        if self._errors:
            self.close()

    def _end_segment(self) -> None:
        """End of this segment's input: its loader goes on sorting and writing while the next one reads."""
        if self._thread is not None:
            os.close(self._pipe_in)
            self._finishing.append(self._thread)
            self._thread = self._pipe_in = None

    def _join(self, thread) -> None:
        thread.join()
        if self._errors:
            raise self._errors[0]

    def close(self) -> None:
        """Wait for every segment to be in the database; raise the first failure of a loader."""
        self._end_segment()
        try:
            while self._finishing:
                self._join(self._finishing.popleft())
        finally:
            for thread in self._finishing:
                thread.join()
            self._finishing.clear()

    def abort(self) -> None:
        try:
            self.close()
        except BaseException:
            pass  # the caller's failure is the one to report


def widen_pipe(target) -> None:
    """Give the pipe ``target`` (a descriptor or a file object) 1 MB instead of 64 kB where the system allows it
    (Linux): fewer wake-ups of the reader and the writer in turn; anything else is left as it is."""
    import stat

    try:
        import fcntl

        fd = target if isinstance(target, int) else target.fileno()
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            fcntl.fcntl(fd, 1031, 1 << 20)  # F_SETPIPE_SZ
    except (ImportError, OSError, ValueError, AttributeError):
        pass


def can_load_in_background() -> bool:
    """True where a pipe can be opened by path (`BackgroundLoader`): Linux, the BSDs, macOS."""
    return os.path.isdir("/dev/fd")


# Graphs removed between flushes of the store's write buffers: removals stay in memory until a flush, and a
# re-ingest of 9,759 texts (their graphs replaced) grew the ingest by 1.8 GB (200 MB with a flush every 500 graphs,
# in the same time).
DROP_FLUSH_EVERY = 500


def drop_graphs(writer, graphs, drop_sources=()) -> tuple[set, set]:
    """Remove named graphs ``graphs`` (IRIs) and those read from any of ``drop_sources``; returns the lineage
    edges ``(s, p, o)`` (IRI strings) they stated and the documents they typed, for `settle_derived`."""
    import pyoxigraph as ox

    from .rdf import RDF_TYPE, _LINK_PREDICATES, _document_class_iris
    from .vocab import DKG_NS

    source_pred = ox.NamedNode(DKG_NS + "sourceFile")
    old = {ox.NamedNode(g) for g in graphs}
    for src in drop_sources:
        for q in writer.ox.quads_for_pattern(None, source_pred, ox.Literal(src), None):
            if isinstance(q.graph_name, ox.NamedNode) and q.subject == q.graph_name:
                old.add(q.graph_name)
    classes = _document_class_iris()
    edges: set = set()
    documents: set = set()
    # only the quads of these predicates: a graph's other quads (most of them) never become Python objects
    link_preds = [ox.NamedNode(p) for p in sorted(_LINK_PREDICATES)]
    type_pred = ox.NamedNode(RDF_TYPE)
    removed = 0
    for g in old:
        if not writer.ox.contains_named_graph(g):
            continue
        removed += 1
        if removed % DROP_FLUSH_EVERY == 0:
            writer.ox.flush()
        for pred in link_preds:
            for q in writer.ox.quads_for_pattern(None, pred, None, g):
                if isinstance(q.object, ox.NamedNode):
                    edges.add((q.subject.value, q.predicate.value, q.object.value))
        for q in writer.ox.quads_for_pattern(None, type_pred, None, g):
            if q.object.value in classes:
                documents.add(q.subject.value)
        writer.ox.remove_graph(g)
    return edges, documents


def settle_derived(writer, old_edges, documents) -> None:
    """After graphs were dropped and new ones loaded (with their own ``dkg:links`` copies): drop the
    ``dkg:links`` edges of ``old_edges`` that no graph states any more, and set ``dkg:knownOnlyByCitation``
    right for ``documents`` (typed as documents somewhere, with no text read for them)."""
    import pyoxigraph as ox

    from . import iri
    from .rdf import RDF_TYPE, _document_class_iris
    from .vocab import DKG_NS, XSD

    links = ox.NamedNode(iri.links_graph())
    status = ox.NamedNode(iri.status_graph())
    for s, p, o in old_edges:
        s_, p_, o_ = ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)
        if not any(q.graph_name != links for q in writer.ox.quads_for_pattern(s_, p_, o_, None)):
            writer.ox.remove(ox.Quad(s_, p_, o_, links))
    flag = ox.NamedNode(DKG_NS + "knownOnlyByCitation")
    true = ox.Literal("true", datatype=ox.NamedNode(str(XSD) + "boolean"))
    source_pred = ox.NamedNode(DKG_NS + "sourceFile")
    type_pred = ox.NamedNode(RDF_TYPE)
    classes = _document_class_iris()
    add, remove = [], []
    for d in documents:
        node = ox.NamedNode(d)
        is_doc = any(q.object.value in classes for q in writer.ox.quads_for_pattern(node, type_pred, None, None))
        has_text = next(iter(writer.ox.quads_for_pattern(node, source_pred, None, None)), None) is not None
        flagged = ox.Quad(node, flag, true, status)
        if is_doc and not has_text:
            add.append(flagged)
        else:
            remove.append(flagged)
    for q in remove:
        writer.ox.remove(q)
    writer.ox.extend(add)


def status_nquads(documents, with_text) -> bytes:
    """``dkg:knownOnlyByCitation true`` (N-Quads) for the ``documents`` not in ``with_text``."""
    from . import iri
    from .vocab import DKG_NS, XSD

    tail = (f' <{DKG_NS}knownOnlyByCitation> "true"^^<{XSD}boolean> <{iri.status_graph()}> .\n')
    return "".join(f"<{d}>{tail}" for d in sorted(documents - with_text)).encode("utf-8")
