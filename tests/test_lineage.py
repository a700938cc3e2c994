"""dkg lineage: the bundled corpus read by the real parser into a real on-disk store, walked down and up; the
shaping functions on tiny graphs; cycles and shared ancestors on a store built from hand-made records."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

import cli
from graph.errors import QueryError
from graph.lineage import build_digraph, keep_level, lineage, render_tree, walk_view
from graph.store import open_read_only
from graph.vocab import fold
from visualize.lineage_input import check_lineage

from records_factory import document, record, reference, task


def run(store, *args):
    return CliRunner().invoke(cli.cli, ["lineage", *args, "--store", store])


def nodes_by(data, **fields):
    return [n for n in data["nodes"] if all(n.get(k) == v for k, v in fields.items())]


def code_of(data, iri):
    return next(n for n in data["nodes"] if n["id"] == iri).get("code")


# ---- the bundled corpus -------------------------------------------------------------------------------------


def test_down_from_12_nq_tw_reaches_the_district_letter_its_tasks_and_commune_bodies(corpus_store):
    data = lineage(corpus_store, "12-NQ/TW", evidence=True)
    check_lineage(data)
    letters = [n for n in nodes_by(data, kind="document") if (n["source"] or "").endswith("huyen-uy-xay-dung-cong-an-xa-2022.txt")]
    assert len(letters) == 1, data["nodes"]
    letter = letters[0]["id"]
    assert letters[0]["level"] == "district"
    assert any(e["from"] == letter and e["to"] == data["root"] and e["relation"] == "implements" for e in data["edges"])
    tasks = {e["to"] for e in data["edges"] if e["from"] == letter and e["relation"] == "has_task"}
    assert len(tasks) >= 3
    reached = {(fold(next(n["label"] for n in data["nodes"] if n["id"] == e["to"])), e["to"])
               for e in data["edges"] if e["from"] in tasks and e["relation"] in ("assigns_to", "lead", "cooperating")}
    commune = {name for name, iri in reached if next(n for n in data["nodes"] if n["id"] == iri)["level"] == "commune"}
    assert any("to chuc co so dang" in name for name in commune), reached
    assert any("cong an cac xa, thi tran" in name for name in commune), reached
    implementing = [e for e in data["edges"] if e["to"] == data["root"]]
    assert all(e["evidence"] and "12-NQ/TW" in e["evidence"] for e in implementing)


def test_down_tree_names_the_letter_tasks_and_commune_bodies(corpus_store):
    result = run(corpus_store, "12-NQ/TW")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.splitlines()[0].startswith("Nghị quyết 12-NQ/TW · central · 2022-03-16 · Bộ Chính trị")
    assert "thực hiện (implements): Công văn (không số) · district · Ban Thường vụ Huyện ủy" in out
    assert "có nhiệm vụ (has_task): Nhiệm vụ 3 · commune" in out
    assert "Công an các xã, thị trấn · commune" in out
    assert "Các tổ chức cơ sở đảng trực thuộc Huyện ủy · commune" in out
    assert out.rstrip().splitlines()[-1].startswith("12-NQ/TW reaches ")


def test_up_from_1123_reaches_18_qd_ttg_01_hd_btctw_and_through_it_343_qd_tw(corpus_store):
    data = lineage(corpus_store, "1123-CV/TU", direction="up", evidence=True)
    check_lineage(data)
    codes = {n["code"] for n in nodes_by(data, kind="document")}
    assert {"18/QĐ-TTg", "01-HD/BTCTW", "343-QĐ/TW"} <= codes
    stated = [(code_of(data, e["from"]), code_of(data, e["to"]), e["relation"]) for e in data["edges"]]
    assert ("01-HD/BTCTW", "343-QĐ/TW", "implements") in stated or ("01-HD/BTCTW", "343-QĐ/TW", "guides") in stated
    assert all(n["level"] == "central" for n in nodes_by(data, kind="document") if n["code"] in
               {"18/QĐ-TTg", "01-HD/BTCTW", "343-QĐ/TW"})
    assert not nodes_by(data, kind="organisation")


def test_up_tree_shows_343_once_and_points_back_to_it(corpus_store):
    result = run(corpus_store, "1123-CV/TU", "--up", "--evidence")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    full = [l for l in lines if "Quy định 343-QĐ/TW · central" in l]
    back = [l for l in lines if "see 343-QĐ/TW" in l]
    assert len(full) == 1 and len(back) >= 1, result.output
    assert any("18/QĐ-TTg" in l for l in lines) and any("01-HD/BTCTW" in l for l in lines)
    assert any("“" in l and "01-HD/BTCTW" in l for l in lines), "--evidence shows the sentences"


def test_level_commune_keeps_only_paths_ending_at_commune_level(corpus_store):
    data = lineage(corpus_store, "12-NQ/TW", level="commune")
    check_lineage(data)
    assert data["level"] == "commune"
    assert all(n["level"] == "commune" for n in nodes_by(data, kind="organisation"))
    assert all(n["level"] == "commune" for n in nodes_by(data, kind="task"))
    assert nodes_by(data, kind="task"), "the district letter has commune-level tasks"
    G = walk_view(build_digraph(data["root"], [(e["from"], e["relation"], e["to"]) for e in data["edges"]],
                                {n["id"]: n for n in data["nodes"]}, direction="down"))
    leaves = [n for n in G if G.out_degree(n) == 0]
    assert all(G.nodes[n]["level"] == "commune" for n in leaves)
    summary = render_tree(data).splitlines()[-1]
    assert summary.startswith("12-NQ/TW reaches ") and "commune-level task" in summary


@pytest.mark.parametrize("fmt", ["json", "csv", "tree"])
def test_formats_parse(corpus_store, fmt):
    result = run(corpus_store, "12-NQ/TW", "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.stdout)
        assert set(data) >= {"root", "nodes", "edges"}
        assert check_lineage(data)["root"] == data["root"]
        assert {"id", "kind", "code", "type", "level", "date", "issuer", "label", "title", "source",
                "jurisdiction"} <= set(data["nodes"][0])
        assert all(e["evidence"] for e in data["edges"] if e["relation"] == "implements")
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(result.output)))
        assert rows[0] == ["from", "from_code", "relation", "to", "to_code", "evidence"]
        assert len(rows) > 5 and all(len(r) == 6 for r in rows)
        assert any(r[2] == "implements" and r[4] == "12-NQ/TW" and "12-NQ/TW" in r[5] for r in rows[1:])
    else:
        assert "└── " in result.output


def test_depth_one_stops_after_one_document_step(corpus_store):
    full = lineage(corpus_store, "1123-CV/TU", direction="up")
    one = lineage(corpus_store, "1123-CV/TU", direction="up", depth=1)
    assert len(nodes_by(one, kind="document")) <= len(nodes_by(full, kind="document"))
    root = one["root"]
    docs = {n["id"] for n in nodes_by(one, kind="document")} - {root}
    tasks = {e["to"] for e in one["edges"] if e["relation"] == "has_task"}
    # every document of a one-step lineage is named by the root (or one of its tasks) itself
    assert all(any(e["to"] == d and e["from"] in {root} | tasks for e in one["edges"]) for d in docs)


def test_relations_choose_what_is_followed(corpus_store):
    only_cites = lineage(corpus_store, "1123-CV/TU", direction="up", relations=("cites",))
    rels = {e["relation"] for e in only_cites["edges"]}
    assert rels <= {"cites"}
    assert "18/QĐ-TTg" not in {n["code"] for n in only_cites["nodes"]}


# ---- names and bad input ------------------------------------------------------------------------------------


# fmt: off
BAD_NAMES = [
    # (arguments, exit code, text in the one-line error)
    (['x" } ; DROP ALL ; #'],            1, "no document or organisation named"),
    (["99-NQ/TW"],                       1, "no document or organisation named"),
    (["Đảng ủy Công an tỉnh"],           1, "is an organisation, not a document"),
    (["nghi quyet 12"],                  2, "is ambiguous"),
]
# fmt: on


@pytest.mark.parametrize("args,code,message", BAD_NAMES, ids=[b[0][0] for b in BAD_NAMES])
def test_bad_names_are_one_line_errors_and_the_store_is_intact(corpus_store, args, code, message):
    before = len(open_read_only(corpus_store))
    result = run(corpus_store, *args)
    assert result.exit_code == code, result.output
    assert result.output.splitlines()[0].startswith("Error: ") and message in result.output.splitlines()[0]
    assert "Traceback" not in result.output
    assert len(open_read_only(corpus_store)) == before


@pytest.mark.parametrize("args", [["--relations", "likes"], ["--level", "ward"], ["--depth", "0"]])
def test_bad_options_are_usage_errors(corpus_store, args):
    result = run(corpus_store, "12-NQ/TW", *args)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_unknown_relation_in_the_library_is_a_query_error(corpus_store):
    with pytest.raises(QueryError, match="unknown relation 'likes'"):
        lineage(corpus_store, "12-NQ/TW", relations=("likes",))


def test_missing_store_is_one_line(tmp_path):
    result = run(str(tmp_path / "none"), "12-NQ/TW")
    assert result.exit_code == 1 and result.output.startswith("Error: no store at")


# ---- cycles and shared ancestors, on a store built from hand-made records --------------------------------------


@pytest.fixture(scope="module")
def cyclic_store(tmp_path_factory):
    """A (25-KH/TU) and B (26-KH/TU) implement each other; C and D (district) both implement A and B (shared
    ancestors); D's only link to 12-NQ/TW is a task."""
    from graph import store
    from graph.rdf import record_to_quads
    from graph.resolve import Resolver, document_key

    def doc(code, level, jurisdiction="Bắc Ninh", **kw):
        issuer = {"province": "Ban Thường vụ Tỉnh ủy", "district": "Ban Thường vụ Huyện ủy Yên Phong"}[level]
        return document(code, "Kế hoạch", date="2022-06-01", issuer=issuer, level=level, jurisdiction=jurisdiction,
                        **kw)

    def ref(code, relation="implements", level="province", type_="Kế hoạch"):
        return reference(code, type_, date="2022-06-01", issuer="Ban Thường vụ Tỉnh ủy", level=level,
                         jurisdiction="Bắc Ninh", relation=relation,
                         evidence=f"Thực hiện {type_} số {code} của Ban Thường vụ Tỉnh ủy")

    nq = reference("12-NQ/TW", "Nghị quyết", date="2022-03-16", issuer="Bộ Chính trị", level="central",
                   relation="implements", evidence="Thực hiện Nghị quyết số 12-NQ/TW của Bộ Chính trị")
    records = [
        record(doc("25-KH/TU", "province"), [nq, ref("26-KH/TU")], source="mem/a.txt"),
        record(doc("26-KH/TU", "province"), [ref("25-KH/TU")], source="mem/b.txt"),
        record(doc("30-KH/HU", "district"), [ref("25-KH/TU"), ref("26-KH/TU", "cites")],
               [task(1, "Đảng ủy các xã thực hiện.", assignees=[("Đảng ủy các xã", "commune")])], source="mem/c.txt"),
        record(doc("31-KH/HU", "district"), [ref("25-KH/TU"), nq.__class__(**{**nq.__dict__, "relation": "cites"})],
               [task(1, "Công an xã thực hiện Nghị quyết số 12-NQ/TW.", assignees=[("Công an xã", "commune")],
                     implements=["12-NQ/TW"])], source="mem/d.txt"),
    ]
    resolver = Resolver(document_key(r) for r in records)
    quads = [q for r in records for q in record_to_quads(r, resolver).quads]
    path = tmp_path_factory.mktemp("cyclic") / "store"
    store.build(path, quads)
    return str(path)


def test_cycle_and_shared_ancestors_show_each_document_once(cyclic_store):
    data = lineage(cyclic_store, "12-NQ/TW")
    codes = sorted(n["code"] for n in nodes_by(data, kind="document"))
    assert codes == ["12-NQ/TW", "25-KH/TU", "26-KH/TU", "30-KH/HU", "31-KH/HU"]
    tree = render_tree(data)
    for code in ("25-KH/TU", "26-KH/TU", "30-KH/HU", "31-KH/HU"):
        assert sum(f"Kế hoạch {code} ·" in line for line in tree.splitlines()) == 1, tree
    assert "see 25-KH/TU above" in tree or "see 26-KH/TU above" in tree, tree


def test_cycle_going_up_terminates(cyclic_store):
    data = lineage(cyclic_store, "30-KH/HU", direction="up")
    assert sorted(n["code"] for n in nodes_by(data, kind="document")) == ["12-NQ/TW", "25-KH/TU", "26-KH/TU",
                                                                          "30-KH/HU"]


def test_a_task_that_implements_carries_its_document_down(cyclic_store):
    data = lineage(cyclic_store, "12-NQ/TW", relations=("implements",))
    d = next(n for n in nodes_by(data, kind="document") if n["code"] == "31-KH/HU")
    tasks = [e["to"] for e in data["edges"] if e["from"] == d["id"] and e["relation"] == "has_task"]
    assert any(e["from"] in tasks and e["to"] == data["root"] and e["relation"] == "implements" for e in data["edges"])
    assert "[qua Nhiệm vụ 1 / via its task]" in render_tree(data)


def test_a_task_iri_goes_up(cyclic_store):
    down = lineage(cyclic_store, "12-NQ/TW")
    task_iri = next(n["id"] for n in nodes_by(down, kind="task") if "Công an xã" in (n["title"] or ""))
    data = lineage(cyclic_store, task_iri, direction="up")
    assert [n["code"] for n in nodes_by(data, kind="document") if n["code"] == "12-NQ/TW"]
    assert any(e["relation"] == "has_task" and e["to"] == task_iri for e in data["edges"])


# ---- shaping functions on tiny graphs (networkx style) -----------------------------------------------------------


def test_one_edge_per_pair_keeps_the_strongest_relation():
    G = build_digraph("o", [("t", "assigns_to", "o"), ("t", "lead", "o"), ("d", "has_task", "t")],
                      {"t": {"kind": "task"}, "o": {"kind": "organisation", "level": "commune"}}, direction="up")
    assert G.edges["t", "o"]["relation"] == "lead"
    assert G.nodes["t"]["level"] == "commune"


# fmt: off
KEEP_CASES = [
    # (edges, levels of organisations, level kept, nodes kept)
    ([("d", "implements", "r"), ("d", "has_task", "t"), ("t", "assigns_to", "o")], {"o": "commune"},
     "commune", {"r", "d", "t", "o"}),
    ([("d", "implements", "r"), ("d", "has_task", "t"), ("t", "assigns_to", "o")], {"o": "district"},
     "commune", {"r"}),
    ([("d", "implements", "r"), ("e", "implements", "d"), ("e", "has_task", "t"), ("t", "lead", "o"),
      ("d", "has_task", "u"), ("u", "assigns_to", "p")], {"o": "commune", "p": "province"},
     "commune", {"r", "d", "e", "t", "o"}),
]
# fmt: on


@pytest.mark.parametrize("edges,levels,level,kept", KEEP_CASES)
def test_keep_level(edges, levels, level, kept):
    attrs = {n: {"kind": "organisation", "level": lvl} for n, lvl in levels.items()}
    attrs.update({t: {"kind": "task"} for s, r, t in edges if r == "has_task"})
    G = build_digraph("r", edges, attrs, direction="down")
    assert set(keep_level(G, level)) == kept
