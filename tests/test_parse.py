"""Table-driven tests of the parser: code forms, dates, references (type, issuer, shared facts, cue relations,
nested links), tasks (item forms, assignees) and organisation levels. Cases live in tests/cases/*.yaml."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import graph
from graph.organisations import level_of, lookup, split_names
from graph.patterns import date_pattern, normalize_code, parse_date
from graph.testing import differences, names_match

CASES_DIR = Path(__file__).parent / "cases"


def _cases(name: str) -> dict:
    return yaml.safe_load((CASES_DIR / name).read_text(encoding="utf-8"))


CODES = _cases("codes.yaml")
REFS = _cases("references.yaml")["references"]
TASKS = _cases("tasks.yaml")


# fmt: off
@pytest.mark.parametrize("printed,expect", CODES["codes"], ids=[c[0] for c in CODES["codes"]])
def test_code_forms(printed, expect):
    assert normalize_code(printed) == expect, printed


@pytest.mark.parametrize("printed,expect", CODES["dates"], ids=[c[0] for c in CODES["dates"]])
def test_date_styles(printed, expect):
    m = date_pattern().search(printed)
    assert m is not None, printed
    assert parse_date(m) == expect, printed
# fmt: on


@pytest.mark.parametrize("case", REFS, ids=[c["id"] for c in REFS])
def test_references(case):
    record = graph.extract_text(case["text"], source=case["id"])
    refs = [r.to_dict() for r in record.references]
    problems = differences(refs, case["expect"])
    assert not problems, f"{case['text']}\n" + "\n".join(problems)
    if "count" in case:
        assert len(refs) == case["count"], (case["text"], [r["id"] for r in refs])
    if "nested" in case:
        got = {(n.from_id, n.relation, n.to_id) for n in record.nested_relations}
        want = {(n["from"], n["relation"], n["to"]) for n in case["nested"]}
        assert got == want, case["text"]
    for r in record.references:  # evidence is the sentence the offsets point at
        assert record_text(case["text"])[r.start:r.end] == r.evidence


def record_text(text: str) -> str:
    from graph.normalize import normalize

    return normalize(text).text


def _assignee_rows(task) -> dict:
    return {"label": task.label, "assignees": [o.to_dict() for o in task.assignees],
            "lead": [o.to_dict() for o in task.lead], "cooperating": [o.to_dict() for o in task.cooperating]}


def _name_rows(expected: list[dict], actual: list[dict]) -> list[str]:
    problems = []
    for e in expected:
        hit = [a for a in actual if names_match(a["name"], e["name"])]
        if not hit:
            problems.append(f"missing {e['name']!r} in {[a['name'] for a in actual]}")
        elif "level" in e and hit[0]["level"] != e["level"]:
            problems.append(f"{e['name']!r}: level {hit[0]['level']!r}, expected {e['level']!r}")
    return problems


@pytest.mark.parametrize("case", TASKS["tasks"], ids=[c["id"] for c in TASKS["tasks"]])
def test_tasks(case):
    record = graph.extract_text(case["text"], source=case["id"])
    by_label = {t.label: _assignee_rows(t) for t in record.tasks}
    if "labels" in case:
        assert list(by_label) == case["labels"], case["text"]
    for exp in case["expect"]:
        got = by_label.get(exp["label"])
        assert got is not None, f"no task {exp['label']} in {list(by_label)}\n{case['text']}"
        for key in ("assignees", "lead", "cooperating"):
            if key in exp:
                if exp[key] == []:
                    assert got[key] == [], (case["text"], got[key])
                problems = _name_rows(exp[key], got[key])
                assert not problems, f"task {exp['label']} {key}: {problems}\n{case['text']}"
    for label, names in (case.get("not_assignees") or {}).items():
        got = [a["name"] for a in by_label[label]["assignees"]]
        assert not any(names_match(n, g) for n in names for g in got), (label, got)


@pytest.mark.parametrize("name,level", TASKS["levels"], ids=[c[0] for c in TASKS["levels"]])
def test_organisation_levels(name, level):
    assert level_of(name) == level, name


@pytest.mark.parametrize("written,canonical", TASKS["canonical"], ids=[c[0] for c in TASKS["canonical"]])
def test_gazetteer_lookup_ignores_tone_placement_and_short_forms(written, canonical):
    entry = lookup(written)
    assert entry is not None and entry.name == canonical, written


@pytest.mark.parametrize("text,parts", TASKS["splits"], ids=[c[0] for c in TASKS["splits"]])
def test_organisation_lists(text, parts):
    assert split_names(text) == parts


def test_patterns_compile_lazily():
    import importlib
    import sys

    import graph.patterns as patterns

    patterns.code_extractor.cache_clear()
    assert patterns.code_extractor.cache_info().currsize == 0
    importlib.reload(sys.modules["graph.patterns"])
    assert sys.modules["graph.patterns"].code_extractor.cache_info().currsize == 0


def test_extractor_runs_only_when_its_literals_occur():
    from graph.patterns import code_extractor

    ex = code_extractor()
    assert not ex.applies("Nghị quyết số 12 của Bộ Chính trị")
    assert list(ex.finditer("không có mã văn bản")) == []
    assert [m.group(0) for m in ex.finditer("Nghị quyết số 12-NQ/TW")] == ["12-NQ/TW"]


def test_header_lost_gives_stable_id_and_warning():
    text = ("Thực hiện Công văn số 1771-CV/TU, ngày 25/8/2022 của Ban Thường vụ Tỉnh ủy; Ban Thường vụ Huyện ủy "
            "yêu cầu các cấp ủy triển khai thực hiện Công văn này:\n1. Đẩy mạnh tuyên truyền.")
    a, b = graph.extract_text(text), graph.extract_text(text)
    assert a.document.code is None and a.document.number is None
    assert a.document.id == b.document.id
    assert a.document.id != graph.extract_text(text + " Thêm.").document.id
    assert a.document.issuer == "Ban Thường vụ Huyện ủy" and a.document.level == "district"
    assert a.document.type == "Công văn"
    assert any("number" in w for w in a.warnings)


def test_own_code_is_not_a_reference():
    text = "TỈNH ỦY BẮC NINH\nSố 1123-CV/TU\nBắc Ninh, ngày 15 tháng 5 năm 2026\nThực hiện Công văn số 1123-CV/TU."
    record = graph.extract_text(text)
    assert record.document.code == "1123-CV/TU"
    assert record.references == []


HEADERS = _cases("headers.yaml")["headers"]


@pytest.mark.parametrize("case", HEADERS, ids=[c["id"] for c in HEADERS])
def test_headers(case):
    record = graph.extract_text(case["text"], source=case["id"])
    problems = differences(record.document.to_dict(), case["expect"])
    assert not problems, f"{case['text']}\n" + "\n".join(problems)
