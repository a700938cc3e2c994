"""The cascade-corpus generator (bench/generate_cascade.py): determinism, counts, lineage, realistic texts."""
from __future__ import annotations

import collections
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bench_scripts import load

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "generate_cascade.py"


gc = load("generate_cascade")

PRE_PROVINCES = ["Quảng Nam", "Hà Nội", "Bắc Ninh", "Khánh Hòa", "Hồ Chí Minh", "Thái Bình", "Cà Mau", "Lào Cai"]
POST_PROVINCES = ["Đà Nẵng", "Hồ Chí Minh", "Phú Thọ", "Khánh Hòa", "Cà Mau", "Huế"]
PRE = dict(era="pre2025", provinces=PRE_PROVINCES, districts_per_province=(2, 3), communes_per_district=(2, 4),
           roots=2, seed=11, wrap_fraction=0.3, ubnd_fraction=0.5, letter_fraction=0.3)
POST = dict(era="post2025", provinces=POST_PROVINCES, communes_per_province=(5, 8), roots=2, seed=5,
            wrap_fraction=0.3, ubnd_fraction=0.5, letter_fraction=0.3)
LEVEL_ABOVE = {"pre2025": {"province": "central", "district": "province", "commune": "district"},
               "post2025": {"province": "central", "commune": "province"}}


def _fold(text: str) -> str:
    """Fold the new tone-mark style onto the old one, so "UỶ"/"ỦY" and "HOÀ"/"HÒA" compare equal.

    Only open syllables move the mark ("Hoà" -> "Hòa"), never closed ones ("Hoàng" stays).
    """
    for new, old in (("UỶ", "ỦY"), ("Uỷ", "Ủy"), ("uỷ", "ủy"), ("OÀ", "ÒA"), ("oà", "òa"), ("OÁ", "ÓA"),
                     ("oá", "óa")):
        text = re.sub(new + r"(?![^\W\d_])", old, text)
    return text


def _unwrap(text: str) -> str:
    """Undo PDF-style wrapping: codes split after "-" or "/" re-join with nothing, other breaks with a space."""
    text = re.sub(r"(\d[-/]|[A-Za-zĐđ][-/]) ?\n+ ?(?=[A-Za-zĐđ0-9])", r"\1", text)
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def pre(tmp_path_factory):
    out = tmp_path_factory.mktemp("pre")
    summary = gc.generate(out, **PRE)
    return out, summary, gc.load_ground_truth(out)


@pytest.fixture(scope="module")
def post(tmp_path_factory):
    out = tmp_path_factory.mktemp("post")
    summary = gc.generate(out, **POST)
    return out, summary, gc.load_ground_truth(out)


@pytest.fixture(params=["pre", "post"])
def corpus(request):
    return request.getfixturevalue(request.param)


def _texts(out: Path) -> dict:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _text(out: Path, doc: dict) -> str:
    return (out / doc["file"]).read_text(encoding="utf-8")


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    small = dict(PRE, provinces=PRE_PROVINCES[:3])
    gc.generate(tmp_path / "a", **small)
    gc.generate(tmp_path / "b", **small)
    gc.generate(tmp_path / "c", **dict(small, seed=12))
    a, b, c = _texts(tmp_path / "a"), _texts(tmp_path / "b"), _texts(tmp_path / "c")
    assert a == b
    assert a != c


# fmt: off
COUNT_CASES = [
    # era, provinces, extra kwargs, documents per root
    ("pre2025",  ["Quảng Nam", "Hà Nội"], dict(districts_per_province=(2, 2), communes_per_district=(3, 3)), 1 + 2 * (1 + 2 * (1 + 3))),
    ("pre2025",  ["Cà Mau"],              dict(districts_per_province=4, communes_per_district=1),            1 + 1 * (1 + 4 * (1 + 1))),
    ("post2025", ["Huế", "Gia Lai", "An Giang"], dict(communes_per_province=(4, 4)),                          1 + 3 * (1 + 4)),
]
# fmt: on


@pytest.mark.parametrize("era,provinces,kwargs,per_root", COUNT_CASES)
@pytest.mark.parametrize("roots", [1, 3])
def test_document_counts_match_the_parameters(tmp_path, era, provinces, kwargs, per_root, roots):
    summary = gc.generate(tmp_path, era=era, provinces=provinces, roots=roots, ubnd_fraction=0, letter_fraction=0,
                          **kwargs)
    gt = gc.load_ground_truth(tmp_path)
    assert summary["documents"] == roots * per_root == len(gt["documents"])
    assert len(list(tmp_path.rglob("*.txt"))) == roots * per_root
    assert len(gt["roots"]) == roots
    assert summary["provinces"] == len(provinces)


def test_extras_are_counted_and_typed(pre):
    out, summary, gt = pre
    docs = gt["documents"]
    assert summary["documents"] == len(docs) == len(list(out.rglob("*.txt")))
    ubnd = [d for d in docs if d["cited_code"].endswith("/KH-UBND")]
    letters = [d for d in docs if d["type"] == "Công văn"]
    assert ubnd and letters, "with fractions of 0.5 and 0.3 both extras must occur"
    assert all(d["level"] == "province" and d["issuer"].startswith("Ủy ban nhân dân") for d in ubnd)
    assert all(re.fullmatch(r"\d+-CV/(HU|QU|TU|ĐU)", d["cited_code"]) for d in letters)


def test_every_document_has_a_parent_one_level_up_and_later(corpus):
    out, summary, gt = corpus
    era = gt["era"]
    ids = {d["id"]: d for d in gt["documents"]}
    for d in gt["documents"]:
        if d["id"] in gt["roots"]:
            assert d["parent"] is None and d["level"] == "central"
            continue
        parent = ids[d["parent"]]
        assert date.fromisoformat(d["date"]) > date.fromisoformat(parent["date"]), d["id"]
        if d["cited_code"].endswith("/KH-UBND"):   # the state plan carries out its own province's Party plan
            assert parent["level"] == "province" and parent["jurisdiction"] == d["jurisdiction"]
        else:
            assert parent["level"] == LEVEL_ABOVE[era][d["level"]], d["id"]
            if parent["level"] != "central":
                assert parent["jurisdiction"]["province"] == d["jurisdiction"]["province"]
        assert d["root"] == parent["root"]
    edges = {(e["from"], e["to"]) for e in gt["edges"]}
    assert edges == {(d["id"], d["parent"]) for d in gt["documents"] if d["parent"]}
    assert all(e["relation"] == "implements" for e in gt["edges"])


def test_era_dates_and_levels(pre, post):
    for d in pre[2]["documents"]:
        assert date.fromisoformat(d["date"]) < gc.REFORM_DATE
    assert {d["level"] for d in pre[2]["documents"]} == {"central", "province", "district", "commune"}
    for d in post[2]["documents"]:
        assert d["level"] != "district" and d["jurisdiction"]["district"] is None
        assert date.fromisoformat(d["date"]) >= gc.REFORM_DATE
        assert not re.search(r"HUYỆN [UỦ]|QUẬN [UỦ]|/HU\b|/QU\b", _fold(_text(post[0], d)))
    assert {d["level"] for d in post[2]["documents"]} == {"central", "province", "commune"}


def test_small_codes_collide_across_provinces(corpus):
    out, summary, gt = corpus
    provinces_by_code = collections.defaultdict(set)
    for d in gt["documents"]:
        if d["level"] != "central":
            provinces_by_code[d["cited_code"]].add(d["jurisdiction"]["province"])
    assert max(len(v) for v in provinces_by_code.values()) >= 2
    # and never twice for one issuer: jurisdiction + code + type identify a document
    keys = collections.Counter((d["issuer"], json.dumps(d["jurisdiction"]), d["cited_code"])
                               for d in gt["documents"])
    assert keys.most_common(1)[0][1] == 1


def test_each_text_cites_its_parent_and_names_its_place_in_the_header(corpus):
    out, summary, gt = corpus
    ids = {d["id"]: d for d in gt["documents"]}
    for d in gt["documents"]:
        raw = _text(out, d)
        text = _unwrap(_fold(raw))
        if d["parent"]:
            assert ids[d["parent"]]["cited_code"] in text, d["file"]
        header = _fold("\n".join(raw.splitlines()[:16])).upper()
        j = d["jurisdiction"]
        if d["level"] == "central":
            assert "BAN CHẤP HÀNH TRUNG ƯƠNG" in header
            continue
        if d["level"] in ("province", "district") or j["district"] is None:
            assert j["province"].upper() in header, d["file"]      # pre2025 communes name their district only
        if d["level"] == "district":
            assert re.search(r"ĐẢNG BỘ (TỈNH|THÀNH PHỐ) " + re.escape(j["province"].upper()), header), d["file"]
            assert j["district"].upper() in header
        if d["level"] == "commune":
            assert "ĐẢNG ỦY " in header and j["commune"].upper() in header, d["file"]
            superior = j["district"] if j["district"] else j["province"]
            assert re.search(r"ĐẢNG BỘ [^\n]*" + re.escape(superior.upper()), header), d["file"]
        if d["code"] is not None:
            assert d["code"].upper() in header, d["file"]


def test_parent_is_cited_without_its_place(pre):
    """"... của Ban Thường vụ Tỉnh ủy" without the province: the reader has to take it from the header."""
    out, summary, gt = pre
    ids = {d["id"]: d for d in gt["documents"]}
    seen = 0
    for d in gt["documents"]:
        if d["level"] in ("district", "commune") and d["type"] != "Công văn":
            parent = ids[d["parent"]]
            text = _unwrap(_fold(_text(out, d)))
            m = re.search(re.escape(parent["cited_code"]) + r".{0,60}? của (Ban Thường vụ [^ ]+ ủy|Đảng ủy)( [^ ,]+)?",
                          text)
            assert m, d["file"]
            assert parent["jurisdiction"][parent["level"]] not in m.group(0)
            seen += 1
    assert seen > 20


def test_wrapped_texts_split_a_code_across_lines(corpus):
    out, summary, gt = corpus
    ids = {d["id"]: d for d in gt["documents"]}
    wrapped = [d for d in gt["documents"] if d["wrapped"]]
    assert 0.15 * len(gt["documents"]) < len(wrapped) < 0.45 * len(gt["documents"])
    for d in wrapped:
        text = _text(out, d)
        assert max(len(line) for line in text.split("\n")[16:]) < 100, d["file"]
        if d["parent"]:
            code = ids[d["parent"]]["cited_code"]
            cut = min(i for i in (code.find("-"), code.find("/")) if i > 0) + 1
            assert re.search(re.escape(code[:cut]) + r" ?\n+" + re.escape(code[cut:]), text), d["file"]
    assert {d["layout"] for d in wrapped} >= {"pdf", "pdf-double"}
    assert any(" \n\n" in _text(out, d) for d in wrapped if d["layout"] == "pdf-double")


def test_markdown_texts_carry_marks(tmp_path):
    gc.generate(tmp_path, **dict(PRE, provinces=PRE_PROVINCES[:4], wrap_fraction=0, markdown_fraction=1))
    gt = gc.load_ground_truth(tmp_path)
    for d in gt["documents"]:
        text = _text(tmp_path, d)
        assert d["layout"] == "markdown"
        assert "**" in text and text.startswith("## ")
    assert any("\n#### " in _text(tmp_path, d) for d in gt["documents"])


def test_lost_numbers_are_marked_and_missing_from_the_header(tmp_path):
    gc.generate(tmp_path, **dict(PRE, provinces=PRE_PROVINCES[:2], lost_number_fraction=1.0))
    gt = gc.load_ground_truth(tmp_path)
    for d in gt["documents"]:
        header = "\n".join(_text(tmp_path, d).splitlines()[:16])
        if d["level"] == "central":
            assert d["code"] in header and not d["lost_number"]
        else:
            assert d["code"] is None and d["lost_number"] and d["cited_code"]
            assert d["cited_code"] not in header, d["file"]


def test_lost_numbers_are_rare_by_default(pre):
    docs = pre[2]["documents"]
    assert sum(d["lost_number"] for d in docs) <= max(3, 0.05 * len(docs))


def test_tasks_name_assignees_found_in_the_text(corpus):
    out, summary, gt = corpus
    for d in gt["documents"]:
        text = _unwrap(_fold(_text(out, d)))
        assert d["tasks"], d["file"]
        for task in d["tasks"]:
            assert task["label"].isdigit() and task["assignees"]
            assert {a["role"] for a in task["assignees"]} <= {"lead", "cooperating"}
            for a in task["assignees"]:
                assert a["level"] in ("central", "province", "district", "commune")
                assert _fold(a["name"]) in text, (d["file"], a["name"])


def test_texts_are_three_to_ten_kilobytes(corpus):
    out, summary, gt = corpus
    sizes = [os.path.getsize(out / d["file"]) for d in gt["documents"]]
    assert min(sizes) >= 2500 and max(sizes) <= 10 * 1024
    assert 3000 <= sum(sizes) / len(sizes) <= 8000


def test_descendants_of_a_root_are_all_documents_of_that_root(corpus):
    out, summary, gt = corpus
    assert len(gt["roots"]) == 2
    for root in gt["roots"]:
        expected = {d["id"] for d in gt["documents"] if d["root"] == root and d["id"] != root}
        assert gc.descendants(gt, root) == expected
    assert not gc.descendants(gt, gt["roots"][0]) & gc.descendants(gt, gt["roots"][1])


def test_roots_are_distinct_central_documents(corpus):
    out, summary, gt = corpus
    roots = [d for d in gt["documents"] if d["id"] in gt["roots"]]
    assert len({d["code"] for d in roots}) == len(roots)
    assert all(re.fullmatch(r"\d{2,3}-(NQ|CT|KL)/TW", d["code"]) for d in roots)
    for d in roots:
        text = _text(out, d)
        assert f"Số {d['code']}" in text and d["type"].upper() in text


@pytest.mark.parametrize("era", ["pre2025", "post2025"])
@pytest.mark.parametrize("documents,roots", [(300, 1), (2000, 1), (10000, 3), (100000, 2)])
def test_fanout_plan_reaches_about_the_wanted_size(era, documents, roots):
    kwargs = gc.plan_fanout(documents, era, roots)
    kwargs.pop("roots")
    ubnd, letter = kwargs.pop("ubnd_fraction"), kwargs.pop("letter_fraction")
    geo = gc.build_geography(kwargs.pop("era"), kwargs.get("provinces"), kwargs.get("districts_per_province", 1),
                             kwargs.get("communes_per_district", 1), kwargs.get("communes_per_province", 1), 0)
    per_root = 1 + sum(1 + ubnd + len(p.communes) * (1 + letter)
                       + sum(1 + letter + len(d.communes) for d in p.districts) for p in geo)
    assert abs(roots * per_root - documents) / documents < 0.12


@pytest.mark.parametrize("kwargs,message", [
    (dict(era="2030"), "era must be one of"),
    (dict(roots=0), "roots must be between"),
    (dict(provinces=["Atlantis"]), "unknown province"),
    (dict(era="post2025", start_year=2024), "before 1/7/2025"),
    (dict(wrap_fraction=2), "wrap_fraction"),
])
def test_bad_parameters_raise_a_clear_error(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        gc.generate(tmp_path, **kwargs)


def _run(*args, cwd):
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_command_line_writes_a_corpus_and_prints_a_summary(tmp_path):
    res = _run("tmp", "--documents", "300", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    m = re.match(r"([\d,]+) documents \(central 1, province \d+, district \d+, commune [\d,]+;", res.stdout)
    assert m, res.stdout
    n = int(m.group(1).replace(",", ""))
    assert 250 <= n <= 350
    gt = gc.load_ground_truth(tmp_path / "tmp")
    assert len(gt["documents"]) == n == len(list((tmp_path / "tmp").rglob("*.txt")))
    assert " s -> " in res.stdout


def test_command_line_refuses_bad_input_with_one_line(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("x")
    for args, needle in ((("full", "--documents", "300"), "not empty"),
                         (("new", "--documents", "1", "--roots", "3"), "too small")):
        res = _run(*args, cwd=tmp_path)
        assert res.returncode == 1
        assert res.stderr.count("\n") == 1 and needle in res.stderr and "Traceback" not in res.stderr
    assert (tmp_path / "full" / "keep.txt").read_text() == "x"


def test_force_replaces_only_the_previous_corpus(tmp_path):
    assert _run("c", "--documents", "300", cwd=tmp_path).returncode == 0
    (tmp_path / "c" / "notes.md").write_text("mine")
    res = _run("c", "--documents", "300", "--era", "post2025", "--force", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    gt = gc.load_ground_truth(tmp_path / "c")
    assert gt["era"] == "post2025"
    assert len(list((tmp_path / "c").rglob("*.txt"))) == len(gt["documents"])
    assert (tmp_path / "c" / "notes.md").read_text() == "mine"
