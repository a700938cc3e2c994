"""Identity: which citations and headers are the same document, which names the same organisation."""
from __future__ import annotations

import re

import pytest
from records_factory import bac_ninh_1123, district_letter, document, record, reference, task

from graph.rdf import record_to_quads
from graph.resolve import DocKey, Resolver, document_key, organisation_id, reference_key


def _ref_iri(citing, ref, resolver=None):
    key = document_key(citing)
    k = reference_key(ref, citing.document, key)
    return (resolver.resolve(k).key if resolver else k).iri


def _doc(jurisdiction, code="1-KH/HU", level="district", **kw):
    return record(document(code, "Kế hoạch", date="2022-09-01", jurisdiction=jurisdiction, level=level, **kw),
                  source=f"mem/{jurisdiction}.txt")


# (citing record A, reference in A, citing record B, reference in B, same document?)
CASES = [
    ("same local code, two provinces",
     _doc("Bắc Ninh"), reference("1771-CV/TU", "Công văn", date="2022-08-25", level="province"),
     _doc("Thái Bình"), reference("1771-CV/TU", "Công văn", date="2022-08-25", level="province"), False),
    ("12-NQ/TW of 2022 is not 12-NQ/TW of 2017",
     _doc("Bắc Ninh"), reference("12-NQ/TW", "Nghị quyết", date="2022-03-16"),
     _doc("Bắc Ninh"), reference("12-NQ/TW", "Nghị quyết", date="2017-06-03"), False),
    ("a central code is the same everywhere",
     _doc("Bắc Ninh"), reference("12-NQ/TW", "Nghị quyết", date="2022-03-16"),
     _doc("Thái Bình"), reference("12-NQ/TW", "Nghị quyết", date="2022-03-16", level="central"), True),
    ("12-NQ/TW and 12-NQ/ĐUCA differ",
     _doc("Bắc Ninh"), reference("12-NQ/TW", "Nghị quyết", date="2022-03-16"),
     _doc("Bắc Ninh"), reference("12-NQ/ĐUCA", "Nghị quyết", date="2022-03-16"), False),
    ("QĐ: Quyết định and Quy định with one code are two documents",
     _doc("Bắc Ninh"), reference("343-QĐ/TW", "Quyết định", date="2025-07-23"),
     _doc("Bắc Ninh"), reference("343-QĐ/TW", "Quy định", date="2025-07-23"), False),
    ("TƯ is a spelling of TW",
     _doc("Bắc Ninh"), reference("10-NQ/TƯ", "Nghị quyết", date="2017-06-03"),
     _doc("Hà Nội"), reference("10-NQ/TW", "Nghị quyết", date="2017-06-03"), True),
    ("leading zero of the number does not matter",
     _doc("Bắc Ninh"), reference("01-HD/BTCTW", "Hướng dẫn", date="2026-04-21"),
     _doc("Bắc Ninh"), reference("1-HD/BTCTW", "Hướng dẫn", date="2026-04-21"), True),
    ("TU (Tỉnh ủy) is local, not TƯ (Trung ương)",
     _doc("Bắc Ninh"), reference("5-NQ/TU", "Nghị quyết", date="2021-01-05"),
     _doc("Thái Bình"), reference("5-NQ/TƯ", "Nghị quyết", date="2021-01-05"), False),
]


@pytest.mark.parametrize("name,a,ref_a,b,ref_b,same", CASES, ids=[c[0] for c in CASES])
def test_reference_identity(name, a, ref_a, b, ref_b, same):
    assert (_ref_iri(a, ref_a) == _ref_iri(b, ref_b)) is same


def test_unplaced_reference_takes_the_citing_documents_jurisdiction():
    """'Quyết định số 36-QĐ/TU ... của Ban Thường vụ Tỉnh ủy' inside a Bắc Ninh text is Bắc Ninh's 36-QĐ/TU."""
    bac_ninh = bac_ninh_1123()
    ref = bac_ninh.reference("36-QĐ/TU")
    assert ref.jurisdiction is None
    iri = _ref_iri(bac_ninh, ref)
    assert "/doc/bac-ninh/2025/quyet-dinh/36-qd-tu" in iri
    own = record(document("36-QĐ/TU", "Quyết định", date="2025-11-03", jurisdiction="tỉnh Bắc Ninh", level="province"),
                 source="mem/36.txt")
    assert document_key(own).iri == iri


def test_reference_in_a_document_of_unknown_place_is_never_merged():
    letter = district_letter()
    other = district_letter(source="mem/other.txt")
    other.document.signatory.name = "Nguyễn Văn An"  # another district's letter
    other.tasks = other.tasks[:1]
    iri_a = _ref_iri(letter, letter.reference("1771-CV/TU"))
    iri_b = _ref_iri(other, other.reference("1771-CV/TU"))
    assert iri_a != iri_b
    assert "/doc/unplaced-" in iri_a


def test_unnumbered_document_has_a_stable_id_of_its_own():
    a1, a2 = document_key(district_letter()), document_key(district_letter())
    assert a1 == a2 and a1.number is None and a1.anon
    other = district_letter()
    other.tasks[0].text = "Một nhiệm vụ khác hẳn."
    assert document_key(other) != a1


def test_two_texts_of_one_document_merge_into_one_node_in_two_graphs():
    a = record_to_quads(bac_ninh_1123(source="data/corpus/a.txt"))
    b = record_to_quads(bac_ninh_1123(source="scans/a-copy.pdf"))
    assert a.document == b.document
    assert a.graph != b.graph


@pytest.mark.parametrize("name_a,name_b,level,same", [
    ("UBND tỉnh", "Ủy ban nhân dân tỉnh", "province", True),
    ("Ủy ban nhân dân tỉnh", "Uỷ ban nhân dân tỉnh", "province", True),
    ("Ban Thường vụ Tỉnh ủy Bắc Ninh", "Ban Thường vụ Tỉnh ủy", "province", True),
    ("Đảng ủy Công an tỉnh", "Đảng ủy Công an huyện", None, False),
])
def test_organisation_names_in_one_scope(name_a, name_b, level, same):
    a = organisation_id(name_a, level, "bac-ninh")
    b = organisation_id(name_b, level, "bac-ninh")
    assert (a.iri == b.iri) is same


def test_local_organisation_of_two_districts_are_two_central_bodies_one():
    a = organisation_id("Đảng ủy Công an huyện", "district", "dong-hung")
    b = organisation_id("Đảng ủy Công an huyện", "district", "vu-thu")
    assert a.iri != b.iri
    assert organisation_id("Bộ Chính trị", None, "dong-hung").iri == organisation_id("Bộ Chính trị", None, "vu-thu").iri
    assert organisation_id("Đảng ủy Công an Trung ương", None, "x").scope == "central"


def test_year_less_reference_matches_the_one_corpus_document():
    corpus = DocKey("bac-ninh", "quyet-dinh", "36", "qd-tu", "2025")
    resolver = Resolver([corpus])
    undated = DocKey("bac-ninh", "quyet-dinh", "36", "qd-tu", None)
    assert resolver.resolve(undated).key == corpus
    assert resolver.resolve(undated).problem is None


def test_year_less_reference_with_several_candidates_stays_unresolved_and_is_reported():
    resolver = Resolver([DocKey("central", "nghi-quyet", "12", "nq-tw", "2022"),
                         DocKey("central", "nghi-quyet", "12", "nq-tw", "2017")])
    result = resolver.resolve(DocKey("central", "nghi-quyet", "12", "nq-tw", None))
    assert result.key.year is None
    assert "2017" in result.problem and "2022" in result.problem


def test_year_less_reference_in_a_record_is_reported():
    citing = record(document("7-KH/TU", "Kế hoạch", date="2023-01-01", jurisdiction="Bắc Ninh", level="province"),
                    [reference("12-NQ/TW", "Nghị quyết", relation="implements")])
    resolver = Resolver([DocKey("central", "nghi-quyet", "12", "nq-tw", "2022"),
                         DocKey("central", "nghi-quyet", "12", "nq-tw", "2017")])
    out = record_to_quads(citing, resolver)
    assert len(out.problems) == 1 and "12-nq-tw" in out.problems[0]


def test_iris_are_ascii_eli_like_and_follow_dkg_base(monkeypatch):
    rec = bac_ninh_1123()
    assert document_key(rec).iri == "https://w3id.org/dkg/id/doc/bac-ninh/2026/cong-van/1123-cv-tu"
    out = record_to_quads(rec)
    for q in out.quads:
        for term in (q.subject, q.graph_name):
            assert re.fullmatch(r"[\x21-\x7e]+", term.value), term.value
    monkeypatch.setenv("DKG_BASE", "http://example.org/kg")
    assert document_key(rec).iri == "http://example.org/kg/doc/bac-ninh/2026/cong-van/1123-cv-tu"


def test_task_iris_hang_under_their_document():
    rec = record(document("2-KH/TU", "Kế hoạch", date="2023-02-02", jurisdiction="Bắc Ninh", level="province"),
                 tasks=[task("III.2", "Sở Tư pháp chủ trì.", assignees=[("Sở Tư pháp", "province")])])
    out = record_to_quads(rec)
    tasks = {q.subject.value for q in out.quads if q.subject.value.endswith("/task/iii-2")}
    assert tasks == {out.document + "/task/iii-2"}
