"""Acceptance: the two founding texts bundled in data/corpus/ give the facts of tests/cases/founding.yaml."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import graph
from graph.normalize import normalize
from graph.testing import differences, names_match

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "founding.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=sorted(CASES))
def founding(request, corpus_dir):
    path = corpus_dir / request.param
    text = path.read_text(encoding="utf-8-sig")
    return CASES[request.param], graph.extract_text(text, source=str(path)), text


def test_document(founding):
    case, record, _ = founding
    problems = differences(record.document.to_dict(), case["document"])
    assert not problems, problems


def test_exactly_the_numbered_references(founding):
    case, record, _ = founding
    assert sorted(r.code for r in record.references if r.code) == sorted(case["numbered_references"])


def test_reference_facts(founding):
    case, record, _ = founding
    problems = differences([r.to_dict() for r in record.references], case["references"])
    assert not problems, problems


def test_nested_relations(founding):
    case, record, _ = founding
    got = {(n.from_id, n.to_id) for n in record.nested_relations}
    for n in case.get("nested", []):
        assert (n["from"], n["to"]) in got, got


def test_task_labels(founding):
    case, record, _ = founding
    assert [t.label for t in record.tasks] == case["task_labels"]


def test_task_assignees(founding):
    case, record, _ = founding
    tasks = {t.label: t for t in record.tasks}
    for label, expected in case["tasks"].items():
        got = [o.to_dict() for o in tasks[label].assignees]
        assert got, f"task {label} has no assignee"
        if expected == "lead_in":
            for name in case["lead_in_addressees"]:
                assert any(names_match(name, g["name"]) for g in got), (label, name, got)
            continue
        for e in expected:
            hit = [g for g in got if names_match(g["name"], e["name"])]
            assert hit, f"task {label}: {e['name']!r} not in {[g['name'] for g in got]}"
            if "level" in e:
                assert hit[0]["level"] == e["level"], (label, hit[0])


def test_cooperating_bodies_are_kept_apart(founding):
    case, record, _ = founding
    tasks = {t.label: t for t in record.tasks}
    for label, expected in case.get("cooperating", {}).items():
        got = [o.to_dict() for o in tasks[label].cooperating]
        for e in expected:
            hit = [g for g in got if names_match(g["name"], e["name"])]
            assert hit, f"task {label}: {e['name']!r} not among cooperating {[g['name'] for g in got]}"
            assert hit[0]["level"] == e["level"], (label, hit[0])
            assigned = [a.name for a in tasks[label].assignees]
            assert not any(names_match(a, e["name"]) for a in assigned), f"{e['name']!r} cooperates, not assigned"


def test_named_assignees_have_a_level(founding):
    _, record, _ = founding
    for t in record.tasks:
        for o in t.assignees:
            if not o.name.lower().startswith(("các ", "những ")):
                assert o.level in ("central", "province", "district", "commune"), (t.label, o)


def test_no_number_gives_a_warning_and_a_stable_id(founding):
    case, record, text = founding
    again = graph.extract_text(text, source="elsewhere")
    assert record.document.id == again.document.id
    if case.get("warns_no_number"):
        assert any("number" in w for w in record.warnings)
        assert record.document.id and "/" not in record.document.id
    else:
        assert not any("number" in w for w in record.warnings)


def test_offsets_point_into_the_normalised_text(founding):
    _, record, text = founding
    normalised = normalize(text).text
    for r in record.references:
        for m in r.mentions:
            assert normalised[m.start:m.end] == m.evidence
            assert r.code is None or r.code.split("/")[0].split("-")[0] in m.evidence
    for t in record.tasks:
        assert normalised[t.start:t.end].strip() == t.text


def test_record_round_trips(founding):
    from graph.records import Record

    _, record, _ = founding
    assert Record.from_dict(record.to_dict()).to_dict() == record.to_dict()
