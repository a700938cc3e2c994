"""The dkg vocabulary (``ontology/dkg.ttl``) as Python names, and the tables that map record values onto it.

`DKG` is an rdflib `DefinedNamespace` with ``_fail=True``: a typo (``DKG.implement``) raises at once instead
of minting a term the ontology does not define. ``tests/test_ontology.py`` checks that the names here and the
terms declared in ``dkg.ttl`` are the same set.
"""
from __future__ import annotations

import functools
import re
import unicodedata

DKG_NS = "https://w3id.org/dkg/ontology#"

# rdflib Namespaces of these (ELI, ORG, PROV ... SH) and the `DKG` DefinedNamespace are made on first use
# (module __getattr__), so that importing the vocabulary does not import rdflib (80 ms of every command).
_NAMESPACE_IRIS = {
    "ELI": "http://data.europa.eu/eli/ontology#",
    "ORG": "http://www.w3.org/ns/org#",
    "PROV": "http://www.w3.org/ns/prov#",
    "SKOS": "http://www.w3.org/2004/02/skos/core#",
    "DCTERMS": "http://purl.org/dc/terms/",
    "FOAF": "http://xmlns.com/foaf/0.1/",
    "XSD": "http://www.w3.org/2001/XMLSchema#",
    "RDF": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "RDFS": "http://www.w3.org/2000/01/rdf-schema#",
    "OWL": "http://www.w3.org/2002/07/owl#",
    "SH": "http://www.w3.org/ns/shacl#",
}

PREFIXES = {"dkg": DKG_NS, **{name.lower(): _NAMESPACE_IRIS[name] for name in
                              ("ELI", "ORG", "PROV", "SKOS", "DCTERMS", "FOAF", "XSD", "RDF", "RDFS", "OWL")}}


def _make_dkg():
    from rdflib import Namespace, URIRef  # noqa: F401  (URIRef: the annotations below)
    from rdflib.namespace import DefinedNamespace

    class DKG(DefinedNamespace):
        """Terms of ``https://w3id.org/dkg/ontology#``."""

        _NS = Namespace(DKG_NS)
        _fail = True

        # classes: documents
        Document: URIRef
        Resolution: URIRef
        Directive: URIRef
        Conclusion: URIRef
        Decision: URIRef
        Regulation: URIRef
        WorkingRules: URIRef
        Guidance: URIRef
        OfficialLetter: URIRef
        Plan: URIRef
        Programme: URIRef
        Scheme: URIRef
        Notice: URIRef
        PartyCircular: URIRef
        Report: URIRef
        Submission: URIRef
        Communique: URIRef
        Telegram: URIRef
        Law: URIRef
        Decree: URIRef
        Circular: URIRef
        Ordinance: URIRef
        Constitution: URIRef
        Statute: URIRef
        Platform: URIRef
        # classes: the rest
        Task: URIRef
        Organisation: URIRef
        Person: URIRef
        Level: URIRef
        LinkEvidence: URIRef
        # levels (SKOS concepts in the scheme Levels)
        Levels: URIRef
        central: URIRef
        province: URIRef
        district: URIRef
        commune: URIRef
        # the named graph of lineage edges
        links: URIRef
        # document -> document
        implements: URIRef
        basedOn: URIRef
        cites: URIRef
        guides: URIRef
        amends: URIRef
        replaces: URIRef
        repeals: URIRef
        partOf: URIRef
        # document/task -> organisation, person
        hasTask: URIRef
        assignsTo: URIRef
        leadBy: URIRef
        cooperatesWith: URIRef
        issuedBy: URIRef
        signedBy: URIRef
        addressedTo: URIRef
        level: URIRef
        subOrganizationOf: URIRef
        # data properties
        code: URIRef
        number: URIRef
        symbol: URIRef
        date: URIRef
        title: URIRef
        jurisdiction: URIRef
        place: URIRef
        name: URIRef
        role: URIRef
        authority: URIRef
        taskLabel: URIRef
        text: URIRef
        sourceFile: URIRef
        recordFile: URIRef
        knownOnlyByCitation: URIRef
        identityKey: URIRef
        warning: URIRef
        # evidence
        sentence: URIRef
        start: URIRef
        end: URIRef
        provenance: URIRef
        citation: URIRef

    return DKG


def __getattr__(name: str):
    if name in _NAMESPACE_IRIS:
        from rdflib import Namespace

        value = Namespace(_NAMESPACE_IRIS[name])
    elif name == "DKG":
        value = _make_dkg()
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


# Record relation name -> ontology property (local name).
RELATION_PROPERTIES = {
    "implements": "implements", "based_on": "basedOn", "cites": "cites", "guides": "guides",
    "amends": "amends", "replaces": "replaces", "repeals": "repeals", "part_of": "partOf",
}

# Predicates copied into the dkg:links graph (see graph.store): the lineage edges and nothing else.
LINK_PROPERTIES = ("implements", "basedOn", "cites", "guides", "amends", "replaces", "repeals", "partOf",
                   "hasTask", "assignsTo", "leadBy", "cooperatesWith")

# Document classes: (local name, type word as written in Vietnamese, English label, other words that mean it).
# The type word comes from the text (QĐ is both Quyết định and Quy định), so the class is chosen from the word.
DOCUMENT_CLASSES = (
    ("Resolution", "Nghị quyết", "Resolution", ()),
    ("Directive", "Chỉ thị", "Directive", ()),
    ("Conclusion", "Kết luận", "Conclusion", ()),
    ("Decision", "Quyết định", "Decision", ("Quyết định nhân sự",)),
    ("Regulation", "Quy định", "Regulation", ()),
    ("WorkingRules", "Quy chế", "Working rules", ()),
    ("Guidance", "Hướng dẫn", "Guidance", ()),
    ("OfficialLetter", "Công văn", "Official letter", ("Thư công",)),
    ("Plan", "Kế hoạch", "Plan", ()),
    ("Programme", "Chương trình", "Programme", ("Chương trình hành động",)),
    ("Scheme", "Đề án", "Scheme", ()),
    ("Notice", "Thông báo", "Notice", ()),
    ("PartyCircular", "Thông tri", "Party circular", ()),
    ("Report", "Báo cáo", "Report", ()),
    ("Submission", "Tờ trình", "Submission", ()),
    ("Communique", "Thông cáo", "Communiqué", ()),
    ("Telegram", "Công điện", "Official telegram", ()),
    ("Law", "Luật", "Law", ()),
    ("Decree", "Nghị định", "Decree", ()),
    ("Circular", "Thông tư", "Circular", ("Thông tư liên tịch",)),
    ("Ordinance", "Pháp lệnh", "Ordinance", ()),
    ("Constitution", "Hiến pháp", "Constitution", ()),
    ("Statute", "Điều lệ", "Statute", ("Điều lệ Đảng",)),
    ("Platform", "Cương lĩnh", "Political platform", ("Cương lĩnh chính trị",)),
)

LEVELS = ("central", "province", "district", "commune")


# The combining marks of the Latin diacritic blocks (all of Vietnamese's tones and hats) go in one regex pass;
# anything non-ASCII left over goes through the per-character category test.
_COMBINING = re.compile("[" + "".join(re.escape(chr(c)) for block in ((0x300, 0x370), (0x1AB0, 0x1B00), (0x1DC0, 0x1E00),
                                                                      (0x20D0, 0x2100), (0xFE20, 0xFE30))
                                      for c in range(*block) if unicodedata.category(chr(c)) == "Mn") + "]+")


def strip_marks(text: str) -> str:
    """``text`` without diacritics (đ -> d), decomposed (NFD) where it had any."""
    if text.isascii():
        return text
    text = text.replace("Đ", "D").replace("đ", "d").replace("Ð", "D").replace("ð", "d")
    text = _COMBINING.sub("", unicodedata.normalize("NFD", text))
    if not text.isascii():  # (dashes and quotes left: the few distinct characters are tested, not each one)
        text = text.translate({ord(c): None for c in set(text) if unicodedata.category(c) == "Mn"})
    return text


def fold(text: str) -> str:
    """Lower case without diacritics (đ -> d), spaces collapsed: the form names are compared in."""
    return " ".join(strip_marks(text).lower().split())


_CLASS_BY_WORD: dict[str, str] | None = None


def document_class(type_word: str | None) -> str:
    """The local name of the ontology class for a type word ("Nghị quyết" -> "Resolution"), or "Document".

    Matching ignores case and diacritics and accepts qualified words ("Chương trình hành động",
    "Nghị quyết (quy phạm)") by their longest known prefix.
    """
    if not type_word:
        return "Document"
    return _class_of(type_word)


@functools.lru_cache(maxsize=4096)  # a corpus writes its types a few dozen ways; each record asks many times
def _class_of(type_word: str) -> str:
    global _CLASS_BY_WORD
    if _CLASS_BY_WORD is None:
        _CLASS_BY_WORD = {}
        for local, vi, _en, others in DOCUMENT_CLASSES:
            for word in (vi, *others):
                _CLASS_BY_WORD[fold(word)] = local
    key = fold(type_word)
    best = ""
    for word in _CLASS_BY_WORD:
        if (key == word or key.startswith(word + " ") or key.startswith(word + "(")) and len(word) > len(best):
            best = word
    return _CLASS_BY_WORD[best] if best else "Document"
