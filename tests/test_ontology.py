"""The ontology file and graph.vocab agree, and every term is labelled and defined in Vietnamese and English."""
from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import OWL, SKOS

from graph.resources import ontology_path
from graph.vocab import DKG, DKG_NS, DOCUMENT_CLASSES, document_class


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_path("dkg.ttl"))


def _declared(g: Graph) -> set[str]:
    return {str(s)[len(DKG_NS):] for s in g.subjects(RDF.type, None) if str(s).startswith(DKG_NS)}


def test_vocab_and_ttl_declare_the_same_terms(ontology):
    in_python = {name for name in DKG.__annotations__}
    assert _declared(ontology) == in_python


def test_unknown_term_fails_fast():
    with pytest.raises(AttributeError):
        DKG.implement  # noqa: B018 - a typo must not mint a term


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_every_term_has_vi_and_en_label_and_definition(ontology, kind):
    terms = list(ontology.subjects(RDF.type, kind))
    assert terms
    for term in terms:
        for prop in (RDFS.label, SKOS.definition):
            langs = {o.language for o in ontology.objects(term, prop) if isinstance(o, Literal)}
            assert {"vi", "en"} <= langs, f"{term} {prop}"


def test_document_classes_are_subclasses_of_document_and_eli(ontology):
    doc = URIRef(DKG_NS + "Document")
    assert (doc, RDFS.subClassOf, URIRef("http://data.europa.eu/eli/ontology#LegalResource")) in ontology
    for local, vi, en, _ in DOCUMENT_CLASSES:
        cls = URIRef(DKG_NS + local)
        assert (cls, RDFS.subClassOf, doc) in ontology
        assert Literal(vi, lang="vi") in set(ontology.objects(cls, RDFS.label))


@pytest.mark.parametrize("prop,parent", [
    ("implements", "http://data.europa.eu/eli/ontology#applies"),
    ("basedOn", "http://data.europa.eu/eli/ontology#based_on"),
    ("cites", "http://data.europa.eu/eli/ontology#cites"),
    ("issuedBy", "http://data.europa.eu/eli/ontology#passed_by"),
    ("code", "http://data.europa.eu/eli/ontology#id_local"),
    ("date", "http://data.europa.eu/eli/ontology#date_document"),
    ("title", "http://purl.org/dc/terms/title"),
    ("subOrganizationOf", "http://www.w3.org/ns/org#subOrganizationOf"),
])
def test_alignment_with_public_vocabularies(ontology, prop, parent):
    assert (URIRef(DKG_NS + prop), RDFS.subPropertyOf, URIRef(parent)) in ontology


def test_levels_are_skos_concepts_in_one_scheme(ontology):
    for level in ("central", "province", "district", "commune"):
        node = URIRef(DKG_NS + level)
        assert (node, RDF.type, SKOS.Concept) in ontology
        assert (node, SKOS.inScheme, URIRef(DKG_NS + "Levels")) in ontology


@pytest.mark.parametrize("word,local", [
    ("Nghị quyết", "Resolution"), ("nghi quyet", "Resolution"), ("Quyết định", "Decision"), ("Quy định", "Regulation"),
    ("Chương trình hành động", "Programme"), ("Công văn", "OfficialLetter"), ("Kế hoạch", "Plan"),
    ("Thông tư liên tịch", "Circular"), ("Thông tri", "PartyCircular"), ("Phương án", "Document"), (None, "Document"),
])
def test_document_class_from_type_word(word, local):
    assert document_class(word) == local
