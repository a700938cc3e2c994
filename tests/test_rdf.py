"""Records -> quads: documents, tasks, organisations, evidence in PROV terms, one named graph per text."""
from __future__ import annotations

import pytest
from records_factory import bac_ninh_1123, district_letter

from graph import iri
from graph.rdf import curated_to_quads, derived_quads, record_to_quads
from graph.resolve import Resolver, document_key, reference_key
from graph.resources import data_path
from graph.vocab import DKG_NS, PREFIXES

RDF_SUBJECT = PREFIXES["rdf"] + "subject"
RDF_OBJECT = PREFIXES["rdf"] + "object"
RDF_TYPE = PREFIXES["rdf"] + "type"
RDF_PREDICATE = PREFIXES["rdf"] + "predicate"


def _triples(quads):
    return {(q.subject.value, q.predicate.value, q.object.value) for q in quads}


@pytest.fixture(scope="module")
def bac_ninh():
    return record_to_quads(bac_ninh_1123())


def test_all_quads_are_in_the_texts_named_graph(bac_ninh):
    assert {q.graph_name.value for q in bac_ninh.quads} == {bac_ninh.graph}
    assert bac_ninh.graph.startswith(iri.base() + "graph/doc/bac-ninh/2026/cong-van/1123-cv-tu/")


def test_same_record_gives_the_same_quads():
    assert record_to_quads(bac_ninh_1123()).quads == record_to_quads(bac_ninh_1123()).quads


def test_document_metadata(bac_ninh):
    t = _triples(bac_ninh.quads)
    d = bac_ninh.document
    assert (d, PREFIXES["rdf"] + "type", DKG_NS + "OfficialLetter") in t
    assert (d, DKG_NS + "code", "1123-CV/TU") in t
    assert (d, DKG_NS + "sourceFile", "data/corpus/1123-CV-TU-bac-ninh-2026.txt") in t
    dates = [q.object for q in bac_ninh.quads if q.predicate.value == DKG_NS + "date" and q.subject.value == d]
    assert [x.datatype.value for x in dates] == [PREFIXES["xsd"] + "date"]
    titles = [q.object for q in bac_ninh.quads if q.predicate.value == DKG_NS + "title" and q.subject.value == d]
    assert titles[0].language == "vi" and "Công an" in titles[0].value


@pytest.mark.parametrize("relation,code", [("implements", "18/QĐ-TTg"), ("implements", "01-HD/BTCTW"),
                                           ("cites", "36-QĐ/TU"), ("cites", "343-QĐ/TW")])
def test_each_link_has_a_direct_triple_and_evidence(bac_ninh, relation, code):
    t = _triples(bac_ninh.quads)
    target = next(s for s, p, o in t if p == DKG_NS + "code" and o == code)
    assert (bac_ninh.document, DKG_NS + relation, target) in t
    evidence = [s for s, p, o in t if p == RDF_OBJECT and o == target
                and (s, RDF_SUBJECT, bac_ninh.document) in t and (s, RDF_PREDICATE, DKG_NS + relation) in t]
    assert len(evidence) == 1
    e = evidence[0]
    # lean evidence: no class, source or provenance of its own; its graph states them once
    assert not [p for s, p, o in t if s == e and p in (RDF_TYPE, PREFIXES["prov"] + "wasDerivedFrom",
                                                        DKG_NS + "provenance")]
    assert e.startswith(bac_ninh.graph + "/evidence/")
    assert (bac_ninh.graph, PREFIXES["prov"] + "wasDerivedFrom", bac_ninh.document) in t
    assert (bac_ninh.graph, DKG_NS + "provenance", "extracted") in t
    assert [o for s, p, o in t if s == e and p == DKG_NS + "start"]
    sentences = [o for s, p, o in t if s == e and p == DKG_NS + "sentence"]
    assert code in sentences[0]


def test_tasks_and_assignees(bac_ninh):
    t = _triples(bac_ninh.quads)
    tasks = {o for s, p, o in t if s == bac_ninh.document and p == DKG_NS + "hasTask"}
    assert len(tasks) == 9
    task2 = bac_ninh.document + "/task/2"
    orgs = {o for s, p, o in t if s == task2 and p == DKG_NS + "assignsTo"}
    assert orgs == {iri.base() + "org/bac-ninh/dang-uy-uy-ban-nhan-dan-tinh"}
    assert (task2, DKG_NS + "implements", next(s for s, p, o in t if o == "18/QĐ-TTg")) in t
    org = next(iter(orgs))
    assert (org, DKG_NS + "level", DKG_NS + "province") in t


def test_lead_is_also_an_assignee_and_cooperation_is_kept_apart(bac_ninh):
    t = _triples(bac_ninh.quads)
    task3 = bac_ninh.document + "/task/3"
    lead = {o for s, p, o in t if s == task3 and p == DKG_NS + "leadBy"}
    assert lead and lead <= {o for s, p, o in t if s == task3 and p == DKG_NS + "assignsTo"}
    assert len({o for s, p, o in t if s == task3 and p == DKG_NS + "cooperatesWith"}) == 2
    # one sentence backs a lead: the evidence of its dkg:leadBy, not a second node for the dkg:assignsTo it implies
    stated = {o for e, p, o in t if p == RDF_PREDICATE and (e, RDF_SUBJECT, task3) in t
              and any((e, RDF_OBJECT, org) in t for org in lead)}
    assert stated == {DKG_NS + "leadBy"}


@pytest.mark.parametrize("in_corpus,stated", [
    (False, {"type", "label", "date", "identityKey", "code", "number", "symbol", "issuedBy", "level"}),
    (True, {"type", "label", "date"}),  # the rest is its own graph's; the date stays, `dkg validate` compares it
])
def test_a_cited_document_is_described_by_the_citing_graph_unless_its_text_is_in_the_corpus(in_corpus, stated):
    letter = bac_ninh_1123()
    ref = next(r for r in letter.references if r.code == "36-QĐ/TU")
    cited = reference_key(ref, letter.document, document_key(letter))
    rg = record_to_quads(letter, Resolver([cited] if in_corpus else []))
    t = _triples(rg.quads)
    assert {p.rsplit("#", 1)[-1] for s, p, o in t if s == cited.iri} == stated
    assert (rg.document, DKG_NS + "cites", cited.iri) in t


def test_nested_relation_between_cited_documents(bac_ninh):
    t = _triples(bac_ninh.quads)
    hd = next(s for s, p, o in t if o == "01-HD/BTCTW")
    qd = next(s for s, p, o in t if o == "343-QĐ/TW")
    assert (hd, DKG_NS + "guides", qd) in t


def test_signatory_is_a_person(bac_ninh):
    t = _triples(bac_ninh.quads)
    person = next(o for s, p, o in t if s == bac_ninh.document and p == DKG_NS + "signedBy")
    assert (person, PREFIXES["rdf"] + "type", DKG_NS + "Person") in t
    assert (person, DKG_NS + "role", "Bí thư") in t


def test_task_without_assignee_is_flagged():
    out = record_to_quads(district_letter())
    t = _triples(out.quads)
    assert (out.document + "/task/1", DKG_NS + "warning", "no assignee named in the text") in t


def test_derived_links_graph_and_citation_flag(bac_ninh):
    derived = derived_quads(bac_ninh.quads)
    links = {(q.subject.value, q.predicate.value, q.object.value) for q in derived
             if q.graph_name.value == iri.links_graph()}
    assert (bac_ninh.document, DKG_NS + "hasTask", bac_ninh.document + "/task/1") in links
    assert all(p[len(DKG_NS):] in ("implements", "basedOn", "cites", "guides", "amends", "replaces", "repeals",
                                   "partOf", "hasTask", "assignsTo", "leadBy", "cooperatesWith") for _, p, _ in links)
    cited = {q.subject.value for q in derived if q.predicate.value == DKG_NS + "knownOnlyByCitation"}
    assert bac_ninh.document not in cited
    assert len(cited) == 5


def test_curated_facts_say_where_they_come_from():
    quads = curated_to_quads(data_path("curated.yaml"))
    assert {q.graph_name.value for q in quads} == {iri.curated_graph()}
    t = _triples(quads)
    evidence = [s for s, p, o in t if p == DKG_NS + "provenance" and o == "curated" and s != iri.curated_graph()]
    assert evidence
    for e in evidence:
        assert any(p == PREFIXES["prov"] + "wasDerivedFrom" and o.startswith("http") for s, p, o in t if s == e)
        assert any(p == DKG_NS + "citation" for s, p, o in t if s == e)
    nq12 = iri.base() + "doc/central/2022/nghi-quyet/12-nq-tw"
    kh118 = iri.base() + "doc/central/2022/ke-hoach/118-kh-duca"
    assert (kh118, DKG_NS + "implements", nq12) in t


def test_curated_file_problems_name_the_file(tmp_path):
    from graph.errors import RecordError

    bad = tmp_path / "curated.yaml"
    bad.write_text("documents:\n  - id: a\n    type: Nghị quyết\nlinks:\n  - {from: a, relation: implements, to: b,"
                   " statement: x, source: s}\n", encoding="utf-8")
    with pytest.raises(RecordError, match="curated.yaml"):
        curated_to_quads(bad)


def _texts():
    from conftest import CORPUS, REAL

    return sorted(REAL.glob("raw/*.txt")) + sorted(CORPUS.glob("*.txt"))


@pytest.mark.parametrize("path", _texts(), ids=lambda p: p.name)
def test_evidence_ends_where_its_sentence_does(path):
    # dkg:end is not stated: an analyst finds the sentence at dkg:start, STRLEN(dkg:sentence) characters long
    import graph
    from graph.normalize import normalize

    text = path.read_text(encoding="utf-8-sig")
    normalised = normalize(text).text
    rg = record_to_quads(graph.extract_text(text, source=str(path)))
    t = _triples(rg.quads)
    sentences = {s: o for s, p, o in t if p == DKG_NS + "sentence"}
    starts = {s: int(o) for s, p, o in t if p == DKG_NS + "start"}
    assert sentences and set(starts) == set(sentences)
    for e, sentence in sentences.items():
        assert normalised[starts[e]:starts[e] + len(sentence)] == sentence, e
    assert not [p for s, p, o in t if p == DKG_NS + "end"]


def test_organisations_and_people_are_named_once_by_their_label(bac_ninh):
    t = _triples(bac_ninh.quads)
    named = {s for s, p, o in t if p == RDF_TYPE and o in (DKG_NS + "Organisation", DKG_NS + "Person")}
    assert len(named) > 3
    for node in named:
        assert len([o for s, p, o in t if s == node and p == PREFIXES["rdfs"] + "label"]) == 1, node
    assert not [p for s, p, o in t if p == DKG_NS + "name"]
