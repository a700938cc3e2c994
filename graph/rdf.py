"""Records -> RDF quads (pyoxigraph terms), under the ontology of ``ontology/dkg.ttl``.

One named graph per source text (`graph.iri.source_graph`) holds: the document the text is, its tasks, the
organisations and people it names, the documents it cites, and one ``dkg:LinkEvidence`` node per link and
mention::

    <doc> dkg:implements <ref> .                               # the plain edge, for simple lineage queries
    <ev> rdf:subject <doc> ; rdf:predicate dkg:implements ; rdf:object <ref> ;
         dkg:sentence "Thực hiện ..."@vi ; dkg:start 1234 .
    <graph> dkg:sourceFile "..." ; dkg:provenance "extracted" ; prov:wasDerivedFrom <doc> .

Extracted evidence is lean (five quads; still two fifths of all quads): its class, dkg:LinkEvidence, follows from
the domain of dkg:sentence, its provenance ("extracted") and source (the document read) are those its named graph
states once, and it ends where its sentence does (``dkg:start`` + ``STRLEN(?sentence)``: the sentence is the text
at that place, character for character). Curated evidence states its class, provenance and source itself
(`curated_record_graph`). A lead is an assignee too: ``dkg:assignsTo`` is stated beside each ``dkg:leadBy`` (plain
queries need no inference), backed by the leadBy's evidence, not a second node. Organisations and people are named
once, by ``rdfs:label`` (the names as written, where they differ, by ``skos:altLabel``): each name stated twice was
a twentieth of the store. A cited document whose text is in the corpus is described by its own graph; the citing
graph gives it only a class, a name and the date the citation reads (`dkg validate` compares the dates).

Curated facts (``data/curated.yaml``) go to their own graph with ``dkg:provenance "curated"`` and the outside
source as ``prov:wasDerivedFrom`` and ``dkg:citation``. Derived quads (the ``dkg:links`` copy of lineage edges,
``dkg:knownOnlyByCitation``) are made by `derived_quads` from everything loaded, since they depend on the whole
corpus, not on one text.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date as _date

from . import iri
from .resolve import NAME_CACHE_SIZE, CENTRAL, DocKey, Resolver, document_key, organisation_id, reference_key
from .vocab import DKG_NS, LINK_PROPERTIES, LEVELS, PREFIXES, RELATION_PROPERTIES, document_class, fold

RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"
SKOS_ALT = PREFIXES["skos"] + "altLabel"
PROV_DERIVED = PREFIXES["prov"] + "wasDerivedFrom"
RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT = (PREFIXES["rdf"] + x for x in ("subject", "predicate", "object"))
SENTENCE, START = DKG_NS + "sentence", DKG_NS + "start"
XSD = PREFIXES["xsd"]
_LINK_PREDICATES = frozenset(DKG_NS + p for p in LINK_PROPERTIES)


@dataclass
class RecordGraph:
    """The quads of one record, the named graph they go in, and what resolution found wrong.

    ``rows`` are the quads as plain tuples ``(subject IRI, predicate IRI, object)`` (see `_Builder`): ``quads``
    makes pyoxigraph terms of them, `nquads` N-Quads text for the store's bulk loader (no Python term objects:
    at 400 quads a text, building pyoxigraph terms cost more than extracting the text)."""

    graph: str
    document: str
    key: DocKey
    rows: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    references: int = 0
    tasks: int = 0
    organisations: int = 0

    @property
    def quads(self) -> list:
        return _to_ox(self.rows, self.graph)

    def nquads(self, links: bool = False) -> str:
        """The quads as N-Quads text; with ``links``, the ``dkg:links`` copy of its lineage edges too."""
        text = _to_nquads(self.rows, self.graph)
        if links:
            text += _to_nquads(self.link_rows(), iri.links_graph())
        return text

    def link_rows(self) -> list:
        """The lineage edges among the rows (what `derived_quads` copies into ``dkg:links``)."""
        return [r for r in self.rows if r[1] in _LINK_PREDICATES and r[2][0] == "i"]

    def document_iris(self) -> set[str]:
        """The nodes the rows type as documents (for ``dkg:knownOnlyByCitation``)."""
        classes = _document_class_iris()
        return {r[0] for r in self.rows if r[1] == RDF_TYPE and r[2][1] in classes}


# Objects of rows: ("i", IRI, None) | ("s", text, None) plain literal | ("l", text, language) | ("t", text, datatype)
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _object_nt(o) -> str:
    kind, value, extra = o
    if kind == "i":
        return f"<{value}>"
    if "\\" in value or '"' in value or "\n" in value or "\r" in value:  # rare: translate is slow per character
        value = value.translate(_ESCAPES)
    if kind == "l":
        return f'"{value}"@{extra}'
    if kind == "t":
        return f'"{value}"^^<{extra}>'
    return f'"{value}"'


def _to_nquads(rows, graph: str) -> str:
    g = f"<{graph}> .\n"
    return "".join(f"<{s}> <{p}> {_object_nt(o)} {g}" for s, p, o in rows)


def _to_ox(rows, graph: str) -> list:
    import pyoxigraph as ox

    nodes: dict[str, object] = {}

    def node(v):
        n = nodes.get(v)
        if n is None:
            n = nodes[v] = ox.NamedNode(v)
        return n

    def obj(o):
        kind, value, extra = o
        if kind == "i":
            return node(value)
        if kind == "l":
            return ox.Literal(value, language=extra)
        if kind == "t":
            return ox.Literal(value, datatype=node(extra))
        return ox.Literal(value)

    g = node(graph)
    return [ox.Quad(node(s), node(p), obj(o), g) for s, p, o in rows]


class _Builder:
    """Collects the distinct rows of one named graph, in the order they are added."""

    def __init__(self, graph: str):
        self.graph = graph
        self.rows: list = []
        self._seen: set = set()

    def add(self, s: str, p: str, o) -> None:
        """Add (s, p, o); ``o`` is made by `iri_of`, `text`, `plain` or `date`."""
        key = (s, p, o)
        if key in self._seen:
            return
        self._seen.add(key)
        self.rows.append(key)

    @property
    def quads(self) -> list:
        return _to_ox(self.rows, self.graph)

    def iri_of(self, value: str):
        return ("i", value, None)

    def text(self, value: str, lang: str = "vi"):
        return ("l", value, lang)

    def plain(self, value):
        if isinstance(value, bool):
            return ("t", "true" if value else "false", XSD + "boolean")
        if isinstance(value, int):
            return ("t", str(value), XSD + "integer")
        return ("s", str(value), None)

    def date(self, value: str | None):
        if not value:
            return None
        try:
            _date.fromisoformat(value)
        except ValueError:
            return None
        return ("t", value, XSD + "date")


def _dkg(local: str) -> str:
    return DKG_NS + local


def _level_iri(level: str | None) -> str | None:
    return _dkg(level) if level in LEVELS else None


_SENTENCE = re.compile(r"[^.;\n]+[.;]?")  # a sentence, a clause ended by ";", or a line ("2. Văn phòng Đảng ủy:")
_WORDS = re.compile(r"[^\W\d_]{2,}")


@functools.lru_cache(maxsize=256)
def _sentences(text: str) -> tuple[list, list]:
    """The sentence spans of a task's text, and their folded forms as far as asked (a task asks once per
    organisation, most often about its first sentences: folding every sentence took a seventh of the quads' time)."""
    spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(text)] or [(0, len(text))]
    return spans, [None] * len(spans)


def _folded_sentences(text: str):
    """(start, end, folded form) of each sentence of ``text``, folded as the caller goes."""
    spans, folded = _sentences(text)
    for i, (a, b) in enumerate(spans):
        f = folded[i]
        if f is None:
            f = folded[i] = fold(text[a:b])
        yield a, b, f


_fold_name = functools.lru_cache(maxsize=NAME_CACHE_SIZE)(fold)  # the needles are organisation names, asked again and again


def _sentence_with(text: str, needle: str | None) -> tuple[str, int, int]:
    """The sentence of ``text`` that mentions ``needle`` (case, diacritics and tone placement ignored), with its
    offsets; else the first sentence with words in it (not the item label "1.")."""
    if needle:
        folded = _fold_name(needle)
        for a, b, folded_span in _folded_sentences(text):
            if folded in folded_span:
                return _trim(text, a, b)
    spans = _sentences(text)[0]
    a, b, _f = next((span for span in _folded_sentences(text) if _WORDS.search(span[2])), (*spans[0], None))
    return _trim(text, a, b)


def _trim(text: str, a: int, b: int) -> tuple[str, int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return text[a:b], a, b


def record_to_quads(record, resolver: Resolver | None = None, record_file: str | None = None) -> RecordGraph:
    """The quads of one `graph.records.Record`, in its own named graph.

    ``resolver`` knows the documents of the corpus, so that a citation without a year finds its document;
    without one, each citation stands for itself. ``record_file`` (the YAML name) is kept on the graph so a
    later ingest can find the record again.
    """
    resolver = resolver or Resolver()
    doc = record.document
    key, inferred_place = resolver.own_key(record)  # the header's identity, or the one the corpus completed
    doc_iri = key.iri
    source = record.source
    graph_iri = iri.source_graph(key.path, source)
    b = _Builder(graph_iri)
    out = RecordGraph(graph=graph_iri, document=doc_iri, key=key)
    scope = key.scope
    orgs: set[str] = set()

    def organisation(name: str | None, level: str | None, in_scope: str) -> str | None:
        if not name or not name.strip():
            return None
        oid = organisation_id(name, level, in_scope)
        o = oid.iri
        if o not in orgs:
            orgs.add(o)
            b.add(o, RDF_TYPE, b.iri_of(_dkg("Organisation")))
            b.add(o, RDFS_LABEL, b.text(oid.name))
            if _level_iri(oid.level):
                b.add(o, _dkg("level"), b.iri_of(_level_iri(oid.level)))
        if " ".join(name.split()) != oid.name:
            b.add(o, SKOS_ALT, b.text(" ".join(name.split())))
        return o

    def evidence(subject: str, prop: str, obj: str, sentence: str, start: int, end: int) -> None:
        # class, provenance and source are the graph's, the end is start + the sentence's length (see the module
        # docstring): five quads, not nine
        if not sentence:
            return
        e = iri.evidence(graph_iri, subject, prop, obj, start, end)
        b.add(e, RDF_SUBJECT, b.iri_of(subject))
        b.add(e, RDF_PREDICATE, b.iri_of(_dkg(prop)))
        b.add(e, RDF_OBJECT, b.iri_of(obj))
        b.add(e, SENTENCE, b.text(sentence))
        b.add(e, START, b.plain(int(start)))

    def link(subject: str, prop: str, obj: str, sentence: str, start: int, end: int) -> None:
        b.add(subject, _dkg(prop), b.iri_of(obj))
        evidence(subject, prop, obj, sentence, start, end)

    def describe_document(d_iri: str, k: DocKey | None, type_word, code, number, symbol, date, title, issuer_org,
                          level, jurisdiction) -> None:
        """With ``k`` None, a document of the corpus cited by this text: its own graph describes it (code, title,
        issuer, place; restated by every text citing it, that was a tenth of the store). Its class and name stay for
        this graph, and the date the citation gives, which `dkg validate` checks against the document's own."""
        cls = document_class(type_word)
        b.add(d_iri, RDF_TYPE, b.iri_of(_dkg(cls)))
        label = " ".join(p for p in (type_word or "Văn bản", code or "không số") if p)
        if not code and d_iri == doc_iri and doc.issuer:
            label += f" của {doc.issuer}"
        b.add(d_iri, RDFS_LABEL, b.text(label))
        lit = b.date(date)
        if lit is not None:
            b.add(d_iri, _dkg("date"), lit)
        if k is None:
            return
        b.add(d_iri, _dkg("identityKey"), b.plain(k.text))
        if code:
            b.add(d_iri, _dkg("code"), b.plain(code))
        if number:
            b.add(d_iri, _dkg("number"), b.plain(number))
        if symbol:
            b.add(d_iri, _dkg("symbol"), b.plain(symbol))
        if title:
            b.add(d_iri, _dkg("title"), b.text(title))
        if issuer_org:
            b.add(d_iri, _dkg("issuedBy"), b.iri_of(issuer_org))
        if _level_iri(level):
            b.add(d_iri, _dkg("level"), b.iri_of(_level_iri(level)))
        if jurisdiction:
            b.add(d_iri, _dkg("jurisdiction"), b.text(jurisdiction))

    # the graph itself: where it came from
    b.add(graph_iri, _dkg("sourceFile"), b.plain(source))
    b.add(graph_iri, _dkg("provenance"), b.plain("extracted"))
    b.add(graph_iri, PROV_DERIVED, b.iri_of(doc_iri))  # the source of every evidence node in the graph
    if record_file:
        b.add(graph_iri, _dkg("recordFile"), b.plain(record_file))

    # the document
    issuer = organisation(doc.issuer, doc.level, scope)
    describe_document(doc_iri, key, doc.type, doc.code, doc.number, doc.symbol, doc.date, doc.subject, issuer,
                      doc.level, doc.jurisdiction)
    b.add(doc_iri, _dkg("sourceFile"), b.plain(source))
    if doc.place:
        b.add(doc_iri, _dkg("place"), b.text(doc.place))
    if not doc.number:
        record_warning = "document has no number: identified by a content hash, never merged with another"
        b.add(doc_iri, _dkg("warning"), b.plain(record_warning))
    for w in record.warnings:
        b.add(doc_iri, _dkg("warning"), b.plain(w))
    if inferred_place:
        b.add(doc_iri, _dkg("warning"), b.plain(inferred_place))
    if doc.signatory and doc.signatory.name:
        p = iri.person(scope if scope != CENTRAL else CENTRAL, fold(doc.signatory.name))
        b.add(p, RDF_TYPE, b.iri_of(_dkg("Person")))
        b.add(p, RDFS_LABEL, b.text(doc.signatory.name))
        if doc.signatory.role:
            b.add(p, _dkg("role"), b.text(doc.signatory.role))
        b.add(doc_iri, _dkg("signedBy"), b.iri_of(p))
        if doc.signatory.authority:
            b.add(doc_iri, _dkg("authority"), b.text(doc.signatory.authority))
    for name in doc.recipients:
        o = organisation(name, None, scope)
        if o:
            b.add(doc_iri, _dkg("addressedTo"), b.iri_of(o))

    # the documents it cites
    ref_iris: dict[str, str] = {}
    for ref in record.references:
        resolved = resolver.resolve(reference_key(ref, doc, key))
        if resolved.problem:
            out.problems.append(f"{source}: {resolved.problem}")
        r_iri = resolved.key.iri
        ref_iris[ref.id] = r_iri
        if r_iri == doc_iri:
            continue  # a text naming its own code ("Công văn này") is not a link
        if not resolved.problem and resolver.has_text(resolved.key):  # described by its own graph
            describe_document(r_iri, None, ref.type, ref.code, None, None, ref.date, None, None, None, None)
        else:
            ref_issuer = organisation(ref.issuer, ref.level, resolved.key.scope)  # where the cited document is
            describe_document(r_iri, resolved.key, ref.type, ref.code, ref.number, ref.symbol, ref.date, ref.title,
                              ref_issuer, ref.level if ref.level else None, ref.jurisdiction)
        prop = RELATION_PROPERTIES.get(ref.relation, "cites")
        mentions = ref.mentions or []
        if not mentions and ref.evidence:
            mentions = [type("M", (), {"evidence": ref.evidence, "start": ref.start, "end": ref.end})()]
        b.add(doc_iri, _dkg(prop), b.iri_of(r_iri))
        for m in mentions:
            evidence(doc_iri, prop, r_iri, m.evidence, m.start, m.end)
    out.references = len(ref_iris)

    # links the text states between documents it cites (01-HD/BTCTW ... thi hành 343-QĐ/TW)
    for nested in record.nested_relations:
        a, z = ref_iris.get(nested.from_id), ref_iris.get(nested.to_id)
        if a and z and a != z:
            link(a, RELATION_PROPERTIES.get(nested.relation, "cites"), z, nested.evidence, nested.start, nested.end)

    # tasks
    for task in record.tasks:
        t = iri.task(doc_iri, task.label)
        b.add(t, RDF_TYPE, b.iri_of(_dkg("Task")))
        b.add(t, RDFS_LABEL, b.text(f"{doc.code or (doc.type or 'Văn bản') + ' không số'} – nhiệm vụ {task.label}"))
        b.add(t, _dkg("taskLabel"), b.plain(task.label))
        if task.text:
            b.add(t, _dkg("text"), b.text(task.text))
        b.add(doc_iri, _dkg("hasTask"), b.iri_of(t))
        for role, prop in (("assignees", "assignsTo"), ("lead", "leadBy"), ("cooperating", "cooperatesWith")):
            for org in getattr(task, role):
                o = organisation(org.name, org.level, scope)
                if not o:
                    continue
                sentence, a, z = _sentence_with(task.text, org.name)
                link(t, prop, o, sentence, task.start + a, task.start + z)
                if prop == "leadBy":  # stated for plain queries; its evidence is the dkg:leadBy link's, not repeated
                    b.add(t, _dkg("assignsTo"), b.iri_of(o))
        if not any(getattr(task, role) for role in ("assignees", "lead")):
            b.add(t, _dkg("warning"), b.plain("no assignee named in the text"))
        for ref_id in task.implements:
            r_iri = ref_iris.get(ref_id)
            if r_iri and r_iri != doc_iri:
                ref = record.reference(ref_id)
                sentence, a, z = _sentence_with(task.text, ref.code if ref else None)
                link(t, "implements", r_iri, sentence, task.start + a, task.start + z)
    out.tasks = len(record.tasks)
    out.organisations = len(orgs)
    out.rows = b.rows
    return out


def derived_quads(quads) -> list:
    """The derived graphs of a whole dataset: the ``dkg:links`` copy of lineage edges, and
    ``dkg:knownOnlyByCitation true`` (in ``{base}graph/status``) for every document no text was read for."""
    import pyoxigraph as ox

    links = ox.NamedNode(iri.links_graph())
    status = ox.NamedNode(iri.status_graph())
    link_preds = {DKG_NS + p for p in LINK_PROPERTIES}
    doc_classes = None
    typed: set = set()
    with_text: set = set()
    out: dict = {}
    for q in quads:
        p = q.predicate.value
        if p in link_preds and isinstance(q.object, ox.NamedNode):
            t = ox.Quad(q.subject, q.predicate, q.object, links)
            out[t] = None
        elif p == RDF_TYPE:
            if doc_classes is None:
                doc_classes = _document_class_iris()
            if q.object.value in doc_classes:
                typed.add(q.subject)
        elif p == DKG_NS + "sourceFile":
            with_text.add(q.subject)
    true = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))
    flag = ox.NamedNode(DKG_NS + "knownOnlyByCitation")
    for d in typed - with_text:
        out[ox.Quad(d, flag, true, status)] = None
    return list(out)


@functools.cache
def _document_class_iris() -> frozenset[str]:
    from .vocab import DOCUMENT_CLASSES

    return frozenset({DKG_NS + "Document"} | {DKG_NS + c[0] for c in DOCUMENT_CLASSES})


# ---- curated facts -------------------------------------------------------------------------------------------


def curated_to_quads(path) -> list:
    """The quads of ``data/curated.yaml``: documents and links known from outside the corpus, each with its
    source, in the graph ``{base}graph/curated``. Raises `RecordError` naming the file when it is malformed."""
    return curated_record_graph(path).quads


def curated_record_graph(path) -> RecordGraph:
    """The curated facts as a `RecordGraph` (rows, N-Quads), for the bulk loader."""
    import yaml

    from .errors import RecordError
    from .records import Document, Record, Reference

    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
    except (OSError, yaml.YAMLError) as e:
        raise RecordError(f"{path}: cannot read curated facts: {e}") from None
    graph_iri = iri.curated_graph()
    b = _Builder(graph_iri)
    b.add(graph_iri, _dkg("provenance"), b.plain("curated"))
    sources = data.get("sources") or {}
    handles: dict[str, str] = {}
    for i, entry in enumerate(data.get("documents") or []):
        try:
            handle = entry["id"]
            doc = Document(id=handle, code=entry.get("code"), number=str(entry["number"]) if entry.get("number") else None,
                           symbol=entry.get("symbol"), type=entry["type"], issuer=entry.get("issuer"),
                           jurisdiction=entry.get("jurisdiction"), level=entry.get("level"),
                           date=str(entry["date"]) if entry.get("date") else None, subject=entry.get("title"))
        except (KeyError, TypeError) as e:
            raise RecordError(f"{path}: documents[{i}]: missing or bad field {e}") from None
        key = document_key(Record(source=str(path), document=doc))
        d = key.iri
        handles[handle] = d
        scope = key.scope
        cls = document_class(doc.type)
        b.add(d, RDF_TYPE, b.iri_of(_dkg(cls)))
        b.add(d, RDFS_LABEL, b.text(" ".join(p for p in (doc.type, doc.code) if p)))
        b.add(d, _dkg("identityKey"), b.plain(key.text))
        for prop, value in (("code", doc.code), ("number", doc.number), ("symbol", doc.symbol)):
            if value:
                b.add(d, _dkg(prop), b.plain(value))
        if b.date(doc.date) is not None:
            b.add(d, _dkg("date"), b.date(doc.date))
        if doc.subject:
            b.add(d, _dkg("title"), b.text(doc.subject))
        if doc.jurisdiction:
            b.add(d, _dkg("jurisdiction"), b.text(doc.jurisdiction))
        if _level_iri(doc.level):
            b.add(d, _dkg("level"), b.iri_of(_level_iri(doc.level)))
        if doc.issuer:
            oid = organisation_id(doc.issuer, doc.level, scope)
            b.add(oid.iri, RDF_TYPE, b.iri_of(_dkg("Organisation")))
            b.add(oid.iri, RDFS_LABEL, b.text(oid.name))
            if _level_iri(oid.level):
                b.add(oid.iri, _dkg("level"), b.iri_of(_level_iri(oid.level)))
            b.add(d, _dkg("issuedBy"), b.iri_of(oid.iri))
        for src in entry.get("sources") or []:
            b.add(d, PROV_DERIVED, b.iri_of(_source_url(sources, src, path)))
    for i, entry in enumerate(data.get("links") or []):
        try:
            a, z = handles[entry["from"]], handles[entry["to"]]
            prop = RELATION_PROPERTIES[entry["relation"]]
            statement = entry["statement"]
            src = entry["source"]
        except KeyError as e:
            raise RecordError(f"{path}: links[{i}]: unknown or missing {e}") from None
        url = _source_url(sources, src, path)
        b.add(a, _dkg(prop), b.iri_of(z))
        e = iri.evidence(graph_iri, a, prop, z)
        b.add(e, RDF_TYPE, b.iri_of(_dkg("LinkEvidence")))
        b.add(e, PREFIXES["rdf"] + "subject", b.iri_of(a))
        b.add(e, PREFIXES["rdf"] + "predicate", b.iri_of(_dkg(prop)))
        b.add(e, PREFIXES["rdf"] + "object", b.iri_of(z))
        b.add(e, PROV_DERIVED, b.iri_of(url))
        b.add(e, _dkg("sentence"), b.text(statement))
        b.add(e, _dkg("citation"), b.plain(sources[src].get("citation", url) if src in sources else url))
        b.add(e, _dkg("provenance"), b.plain("curated"))
    return RecordGraph(graph=graph_iri, document=graph_iri, key=None, rows=b.rows)


def _source_url(sources: dict, handle: str, path) -> str:
    from .errors import RecordError

    if handle not in sources or not sources[handle].get("url"):
        raise RecordError(f"{path}: source {handle!r} is not listed under 'sources' with a url")
    return sources[handle]["url"]
