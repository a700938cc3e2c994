"""The only place dkg mints IRIs. Everything hangs under one base: ``$DKG_BASE`` or https://w3id.org/dkg/id/.

IRI scheme (ELI-like, ASCII slugs without diacritics):

    {base}doc/{scope}/{year}/{type}/{number}-{symbol}     a numbered document
        scope  = "central" for bodies of the whole country (12-NQ/TW, 18/QĐ-TTg), else the place chain of the
                 issuer from the province down to its own level, one slug a level (`place_path`):
                 "bac-ninh" (a province), "ben-tre/giong-trom" (a district), "ben-tre/giong-trom/thanh-hoa"
                 (a commune), with "_" for a level no text names ("_/giong-trom/thanh-hoa": the header names
                 district and commune only; "ben-tre/_/thanh-hoa": a commune under its province, after 2025;
                 a "_" is filled from the one corpus document the text cites as its own superior, e.g. its
                 district's plan, with a dkg:warning saying so: `resolve.Resolver.infer_places`);
                 a citation whose chain stays incomplete keeps the citing document's mark ("_/giong-trom~3fa2c1",
                 `partial_scope`), and "unplaced-<hash>" when no text says where at all: never merged with a
                 namesake from elsewhere
        e.g. https://w3id.org/dkg/id/doc/ben-tre/giong-trom/thanh-hoa/2021/ke-hoach/18-kh-du
        year   = the year of issue, or "undated"
        type   = the type word of the text ("nghi-quyet", "quy-dinh"): QĐ is two types
        e.g. https://w3id.org/dkg/id/doc/central/2022/nghi-quyet/12-nq-tw
             https://w3id.org/dkg/id/doc/bac-ninh/2026/cong-van/1123-cv-tu
    {base}doc/{scope}/{year}/{type}/x-{hash}              a document whose number is lost (content hash)
    {doc}/task/{label}                                    a task of a document ("1", "iii-2")
    {base}org/{scope}/{name}                              an organisation: central bodies under "central",
                                                          local ones under the jurisdiction that names them
    {base}person/{scope}/{name}                           a signatory
    {base}graph/doc/{scope}/{year}/{type}/{id}/{source-hash}   the named graph of one source text
    {base}graph/curated                                   facts of data/curated.yaml
    {base}graph/status                                    derived facts (dkg:knownOnlyByCitation)
    https://w3id.org/dkg/ontology#links                   the lineage edges (dkg:links), see graph.store
    {graph}/evidence/{hash}                               the evidence of one link in one graph
"""
from __future__ import annotations

import functools
import hashlib
import os
import re

DEFAULT_BASE = "https://w3id.org/dkg/id/"
LINKS_GRAPH = "https://w3id.org/dkg/ontology#links"


def base() -> str:
    """The instance base: ``$DKG_BASE`` (read on every call, so tests may change it) or the default."""
    value = os.environ.get("DKG_BASE") or DEFAULT_BASE
    return value if value.endswith(("/", "#")) else value + "/"


def slug(text: str | None, empty: str = "x") -> str:
    """ASCII slug: diacritics stripped (đ -> d), lower case, runs of other characters -> '-'."""
    if not text:
        return empty
    return _slug(text) or empty


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=65536)  # the same organisations, places and labels, document after document
def _slug(text: str) -> str:
    from .vocab import strip_marks

    return _NOT_SLUG.sub("-", strip_marks(text).lower()).strip("-")


def short_hash(*parts: object, length: int = 12) -> str:
    data = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(data.encode("utf-8")).hexdigest()[:length]


UNKNOWN_PLACE = "_"    # a level of a place chain no text names
PARTIAL_MARK = "~"     # joins an incomplete chain to the mark of the document citing it


def place_path(slugs) -> str:
    """The scope of a local document from its place chain (province, district, commune slugs, None where not
    known): ``("ben-tre", "giong-trom")`` -> ``"ben-tre/giong-trom"``, ``(None, "giong-trom", "thanh-hoa")`` ->
    ``"_/giong-trom/thanh-hoa"``."""
    return "/".join(s or UNKNOWN_PLACE for s in slugs)


def partial_scope(path: str, context: str) -> str:
    """An incomplete chain as cited in ``context`` (the citing document's scope): kept apart from the same
    incomplete chain cited elsewhere, since namesake places exist."""
    return f"{path}{PARTIAL_MARK}{short_hash(context, length=6)}"


def document_path(scope: str, year: str | int | None, type_slug: str, local_id: str) -> str:
    """The part of a document IRI after ``{base}doc/``; every argument is already a slug or a number."""
    return f"{scope}/{year or 'undated'}/{type_slug}/{local_id}"


def document(path: str) -> str:
    return f"{base()}doc/{path}"


def task(doc_iri: str, label: str) -> str:
    return f"{doc_iri}/task/{slug(label)}"


def organisation(scope: str, name: str) -> str:
    return f"{base()}org/{scope}/{slug(name)}"


def person(scope: str, name: str) -> str:
    return f"{base()}person/{scope}/{slug(name)}"


def source_graph(doc_path: str, source: str) -> str:
    """The named graph of one source text: derived from the document identity and the source path."""
    return f"{base()}graph/doc/{doc_path}/{short_hash(source, length=10)}"


def curated_graph() -> str:
    return f"{base()}graph/curated"


def status_graph() -> str:
    return f"{base()}graph/status"


def links_graph() -> str:
    return LINKS_GRAPH


def evidence(graph_iri: str, *parts: object) -> str:
    return f"{graph_iri}/evidence/{short_hash(*parts)}"


def is_document(iri: str) -> bool:
    return iri.startswith(f"{base()}doc/")
