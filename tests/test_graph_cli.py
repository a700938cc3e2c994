"""The graph commands end to end (CliRunner, a real on-disk store in a temporary folder)."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from records_factory import document, record, reference

from cli import cli
from graph.load import record_text

pytest.importorskip("graph.parse.header", reason="the parser (issue 2) is needed for ingest")


def run(*args, ok=True):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output + (result.stderr if result.stderr_bytes else "")
    return result


@pytest.fixture()
def ingested(tmp_path, corpus_dir):
    store, records = tmp_path / "store", tmp_path / "records"
    result = run("ingest", corpus_dir, "--store", store, "--records", records)
    assert "Ingested 2 document(s) from 2 file(s)" in result.output
    return store, records


def _stats(store) -> dict:
    return json.loads(run("stats", "--store", store, "--format", "json").output)


def _card(store, name) -> dict:
    return json.loads(run("show", name, "--store", store, "--format", "json").output)


def test_ingest_validates_and_reingest_changes_nothing(ingested, corpus_dir):
    store, records = ingested
    assert "conforms" in run("validate", "--store", store).output
    before = _stats(store)
    run("ingest", corpus_dir, "--store", store, "--records", records)
    assert _stats(store) == before
    assert before["documents with text"] == 2
    assert len(list(records.glob("*.yaml"))) == 2


def test_show_1123_lists_nine_tasks_and_five_references_with_sentences(ingested):
    store, _ = ingested
    card = _card(store, "1123-CV/TU")
    assert len(card["tasks"]) == 9
    assert all(t["assignees"] for t in card["tasks"])
    refs = {link["code"]: link for link in card["outgoing"]}
    assert set(refs) == {"18/QĐ-TTg", "01-HD/BTCTW", "343-QĐ/TW", "36-QĐ/TU", "35-QĐ/TU"}
    for code, link in refs.items():
        assert any(code in ev["sentence"] for ev in link["evidence"]), code
    text = run("show", "1123-CV/TU", "--store", store).output
    assert "Tasks (9):" in text and "Links from this document (5):" in text


def test_identities_in_the_founding_texts(ingested):
    store, _ = ingested
    nq_tw, nq_duca = _card(store, "12-NQ/TW"), _card(store, "12-NQ/ĐUCA")
    assert nq_tw["iri"] != nq_duca["iri"]
    assert "/doc/central/2022/nghi-quyet/12-nq-tw" in nq_tw["iri"]
    assert _card(store, "36-QĐ/TU")["iri"].split("/doc/")[1].startswith("bac-ninh/")
    letter = [link for link in nq_duca["incoming"] if link["relation"] == "implements" and "/task/" not in link["iri"]]
    assert len(letter) == 1 and "/x-" in letter[0]["iri"]  # the unnumbered district letter is its own node
    assert nq_tw["known_only_by_citation"] and not _card(store, "1123-CV/TU")["known_only_by_citation"]
    implements = {link["code"] for link in nq_tw["incoming"]}
    assert "118-KH/ĐUCA" in implements  # the curated link, marked as such
    curated = next(link for link in nq_tw["incoming"] if link["code"] == "118-KH/ĐUCA")
    assert curated["evidence"][0]["provenance"] == "curated"
    # extracted evidence takes its provenance and source from its graph (lean evidence, graph.rdf)
    letter = _card(store, "1123-CV/TU")
    extracted = [e for link in letter["outgoing"] for e in link["evidence"]]
    assert extracted and {(e["provenance"], e["source"]) for e in extracted} == {("extracted", letter["iri"])}


@pytest.mark.parametrize("name", ["1123-CV/TU", "1123-cv/tu", "Công văn 1123", "cong van 1123", "công văn số 1123-CV/TU"])
def test_names_as_users_write_them(ingested, name):
    assert _card(ingested[0], name)["codes"] == ["1123-CV/TU"]


def test_organisation_card(ingested):
    card = _card(ingested[0], "Đảng ủy Công an tỉnh")
    assert card["kind"] == "organisation" and card["level"] == "province"
    assert {t["code"] for t in card["tasks"]} == {"1123-CV/TU"}


def test_ambiguous_and_unknown_and_hostile_names(ingested):
    store, records = ingested
    other = record(document("5-KH/TU", "Kế hoạch", date="2018-01-10", jurisdiction="Thái Bình", level="province"),
                   [reference("12-NQ/TW", "Nghị quyết", date="2017-06-03", relation="implements")], source="mem/tb.txt")
    (records / "thai-binh.yaml").write_text(record_text(other), encoding="utf-8")
    run("build", "--store", store, "--records", records)
    result = run("show", "12-NQ/TW", "--store", store, ok=False)
    assert result.exit_code == 2
    assert "ambiguous" in result.output and "2017-06-03" in result.output and "2022-03-16" in result.output
    assert _card(store, "12-NQ/TW 2017")["date"] == "2017-06-03"
    for name in ("99-NQ/TW", 'x" } ; DROP ALL ; #'):
        result = run("show", name, "--store", store, ok=False)
        assert result.exit_code == 1 and result.output.startswith("Error: no document")
    assert _stats(store)["documents with text"] == 3  # nothing was dropped


def test_export_round_trips(ingested, tmp_path):
    import networkx as nx
    from rdflib import Dataset, Graph

    store, _ = ingested
    out = tmp_path / "x.ttl"
    run("export", "--store", store, "--format", "ttl", "-o", out)
    graph = Graph().parse(out)
    nt = run("export", "--store", store, "--format", "nt").output
    assert len(graph) == len(set(line for line in nt.splitlines() if line.strip()))
    nq = tmp_path / "x.nq"
    run("export", "--store", store, "--format", "nq", "-o", nq)
    ds = Dataset()
    ds.parse(nq, format="nquads")
    assert len(list(ds.quads((None, None, None, None)))) == _stats(store)["triples"]
    gml = tmp_path / "x.graphml"
    run("export", "--store", store, "--format", "graphml", "-o", gml)
    g = nx.read_graphml(gml)
    assert g.number_of_nodes() > 20 and g.number_of_edges() > 20
    gexf = tmp_path / "x.gexf"
    run("export", "--store", store, "--format", "gexf", "-o", gexf)
    assert nx.read_gexf(gexf).number_of_nodes() == g.number_of_nodes()
    rows = run("export", "--store", store, "--format", "csv").output.splitlines()
    assert rows[0] == "source,source_label,relation,target,target_label" and len(rows) - 1 == g.number_of_edges()
    assert json.loads(run("export", "--store", store, "--format", "jsonld").output)


def test_a_bad_file_is_reported_and_the_batch_goes_on(tmp_path, corpus_dir):
    texts = tmp_path / "texts"
    shutil.copytree(corpus_dir, texts)
    (texts / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf\x00\x01")
    store, records = tmp_path / "store", tmp_path / "records"
    result = run("ingest", texts, "--store", store, "--records", records, ok=False)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "broken.pdf" in errors[0]
    assert "Traceback" not in result.output
    assert _stats(store)["documents with text"] == 2


def test_hand_edited_record_wins_over_re_extraction(ingested, corpus_dir):
    store, records = ingested
    path = next(p for p in records.glob("*.yaml") if "1123" in p.name)
    text = path.read_text(encoding="utf-8")
    edited = text.replace("subject: ", "subject: (đã sửa) ", 1)
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    result = run("ingest", corpus_dir, "--store", store, "--records", records)
    assert "kept hand-edited record" in result.output
    assert path.read_text(encoding="utf-8") == edited
    assert _card(store, "1123-CV/TU")["title"].startswith("(đã sửa)")


def test_build_refuses_a_malformed_record_and_keeps_the_store(ingested):
    store, records = ingested
    before = _stats(store)
    (records / "zz-broken.yaml").write_text("source: x\ndocument: [unclosed\n", encoding="utf-8")
    result = run("build", "--store", store, "--records", records, ok=False)
    assert result.exit_code == 1
    assert "zz-broken.yaml:" in result.output and "not changed" in result.output
    assert _stats(store) == before


def test_build_from_records_equals_ingest(ingested):
    store, records = ingested
    before = _stats(store)
    run("build", "--store", store, "--records", records)
    assert _stats(store) == before


def test_commands_on_a_missing_store_say_so(tmp_path):
    for args in (["stats"], ["show", "12-NQ/TW"], ["validate"], ["export"]):
        result = run(*args, "--store", tmp_path / "none", ok=False)
        assert result.exit_code == 1 and "run 'dkg ingest' first" in result.output


def test_validate_reports_violations_one_per_line(ingested):
    store, records = ingested
    clash = record(document("36-QĐ/TU", "Quyết định", date="2025-11-04", jurisdiction="Bắc Ninh", level="province",
                            issuer="Ban Thường vụ Tỉnh ủy"), source="mem/36.txt")
    (records / "clash.yaml").write_text(record_text(clash), encoding="utf-8")
    run("build", "--store", store, "--records", records)
    result = run("validate", "--store", store, ok=False)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "36-QĐ/TU" in line]
    assert any("dkg:date" in line for line in lines)


def test_a_text_read_under_a_new_identity_leaves_no_old_record_behind(tmp_path, corpus_dir):
    """When a better parser (or an edited text) changes a document's identity, its old record and graph go."""
    texts = tmp_path / "texts"
    texts.mkdir()
    text = (corpus_dir / "1123-CV-TU-bac-ninh-2026.txt").read_text(encoding="utf-8")
    letter = texts / "letter.txt"
    letter.write_text(text.replace("ngày 15 tháng 5 năm 2026", ""), encoding="utf-8")  # the date is lost
    store, records = tmp_path / "store", tmp_path / "records"
    run("ingest", texts, "--store", store, "--records", records)
    first = sorted(p.name for p in records.glob("*.yaml"))
    letter.write_text(text, encoding="utf-8")  # now the date is read: a new identity (year 2026)
    run("ingest", texts, "--store", store, "--records", records)
    second = sorted(p.name for p in records.glob("*.yaml"))
    assert len(first) == len(second) == 1 and first != second
    assert _stats(store)["documents with text"] == 1
    before = _stats(store)
    run("build", "--store", store, "--records", records)
    assert _stats(store) == before
