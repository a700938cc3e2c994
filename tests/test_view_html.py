"""Lineage pages as strings: offline, escaped, bounded, laid out by level. (The browser tests draw them.)"""
from __future__ import annotations

import json
import re
import unicodedata

import pytest

from visualize.html import json_for_script, load_styles, render_lineage_html, slug
from visualize.layout import LEVEL_ORDER, plan_page
from visualize.lineage_input import EDGE_RELATIONS, LineageError, check_lineage, lineage_to_digraph
from visualize.testing import HOSTILE, make_cascade

BUILT = "2026-05-15"


def page_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="dkg-data">(.*?)</script>', html, re.S)
    assert m, "the page has no embedded data"
    return json.loads(m.group(1))


def small(**kw) -> dict:
    return make_cascade(12, **kw)


# ---- the input contract ----------------------------------------------------------------------------------------

def _bad(mutate):
    lin = small()
    mutate(lin)
    return lin


# fmt: off
BAD_LINEAGES = [
    ("not a mapping",   lambda: ["x"],                                                     "must be a mapping"),
    ("no nodes",        lambda: {"root": "a", "edges": []},                                "'nodes' must be a list"),
    ("unknown root",    lambda: _bad(lambda l: l.update(root="nope")),                     "root 'nope'"),
    ("bad kind",        lambda: _bad(lambda l: l["nodes"][0].update(kind="doc")),         "nodes[0].kind: 'doc'"),
    ("bad level",       lambda: _bad(lambda l: l["nodes"][1].update(level="ward")),       "nodes[1].level: 'ward'"),
    ("empty id",        lambda: _bad(lambda l: l["nodes"][2].update(id="")),              "nodes[2].id"),
    ("duplicate id",    lambda: _bad(lambda l: l["nodes"].append(dict(l["nodes"][0]))),   "appears twice"),
    ("title not text",  lambda: _bad(lambda l: l["nodes"][0].update(title=["a"])),        "nodes[0].title"),
    ("dangling edge",   lambda: _bad(lambda l: l["edges"][0].update(to="ghost")),         "edges[0].to: 'ghost'"),
    ("bad relation",    lambda: _bad(lambda l: l["edges"][0].update(relation="likes")),   "edges[0].relation: 'likes'"),
    ("org has no out",  lambda: _bad(lambda l: l["edges"].append(
        {"from": "org/1", "to": "org/2", "relation": "assigns_to"})),                      "cannot leave a organisation"),
]
# fmt: on


@pytest.mark.parametrize("name,make,message", BAD_LINEAGES, ids=[b[0] for b in BAD_LINEAGES])
def test_malformed_lineage_is_refused_with_the_field(name, make, message):
    with pytest.raises(LineageError) as e:
        check_lineage(make())
    assert message in str(e.value)


def test_lineage_becomes_a_digraph_with_evidence():
    lin = small()
    G = lineage_to_digraph(lin)
    assert G.graph["root"] == lin["root"]
    assert G.number_of_nodes() == len(lin["nodes"])
    e = next(e for e in lin["edges"] if e["relation"] == "implements")
    assert G.edges[e["from"], e["to"]]["evidence"] == e["evidence"]


@pytest.mark.parametrize("n", [1, 2, 3, 12, 57, 400])
def test_cascade_factory_has_exactly_n_documents_and_is_valid(n):
    lin = make_cascade(n)
    check_lineage(lin)
    assert sum(x["kind"] == "document" for x in lin["nodes"]) == n
    assert make_cascade(n) == lin, "the factory must be deterministic"
    names = " ".join(x["label"] for x in lin["nodes"])
    assert "Nghị quyết 12-NQ/TW" in names and unicodedata.is_normalized("NFC", names)


# ---- offline, Vietnamese, escaped -------------------------------------------------------------------------------

def test_page_needs_nothing_from_the_network():
    html = render_lineage_html(small(), built=BUILT)
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", html, re.I)
    assert tags, "expected script tags"
    for tag in tags:
        assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", tag, re.I), tag
    assert "<link" not in html.lower(), "styles are in-line, not linked"
    assert "vis.Network" in html and "@version 9.1.2" in html, "vis-network is embedded"


def test_page_declares_utf8_and_keeps_vietnamese():
    html = render_lineage_html(small(), built=BUILT)
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html[:300]
    assert '<html lang="vi">' in html
    assert "<title>Dòng văn bản: Nghị quyết 12-NQ/TW</title>" in html
    assert "Dựng ngày 2026-05-15" in html and "cấp xã" in html


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_is_escaped_everywhere(hostile):
    lin = small(hostile=True)
    lin["nodes"][0]["code"] = "12-NQ/TW" + hostile           # the root code goes into <title> and the header
    html = render_lineage_html(lin, title="Trang " + hostile, built=BUILT)
    if "<" in hostile or '"' in hostile:
        assert hostile not in html, "raw hostile text reached the page"
    outside = re.sub(r"(<script\b[^>]*>).*?</script>", r"\1</script>", html, flags=re.S)
    assert len(re.findall(r"<script\b", outside)) == 3, "only the page's own three scripts"
    assert "alert(1)</script>" not in html
    data = page_data(html)
    texts = {v for n in data["nodes"] for v in n.values() if isinstance(v, str)}
    texts |= {e["evidence"] for e in data["edges"] if e.get("evidence")}
    assert any(hostile in t for t in texts), "the data must keep the text as it is, to show it"


@pytest.mark.parametrize("value", ["</script><script>alert(1)</script>", "<!--", "a & b", "\u2028", "x>y"])
def test_json_for_script_cannot_close_the_element(value):
    out = json_for_script({"t": value})
    assert "<" not in out and ">" not in out and "&" not in out and "\u2028" not in out
    assert json.loads(out) == {"t": value}


def test_same_input_gives_the_same_page():
    assert render_lineage_html(small(), built=BUILT) == render_lineage_html(small(), built=BUILT)


# ---- layout by level -----------------------------------------------------------------------------------------

def test_levels_go_from_top_to_bottom_and_organisations_sit_below_their_tasks():
    lin = make_cascade(60)
    data = page_data(render_lineage_html(lin, built=BUILT))
    y = {n["id"]: n["y"] for n in data["nodes"]}
    kind = {n["id"]: n["kind"] for n in data["nodes"]}
    level = {n["id"]: n.get("level") for n in data["nodes"]}
    rank = {lv: i for i, lv in enumerate(LEVEL_ORDER)}
    checked = 0
    for e in lin["edges"]:
        a, b = e["from"], e["to"]
        if e["relation"] == "implements" and kind[a] == kind[b] == "document":
            assert rank[level[a]] > rank[level[b]] and y[a] > y[b], e
            checked += 1
        if e["relation"] in ("assigns_to", "lead", "cooperating") and level[a] == level[b]:
            assert y[b] > y[a], f"organisation above its task: {e}"
        if e["relation"] == "has_task" and level[a] == level[b]:
            assert y[b] > y[a], f"task above its document: {e}"
    assert checked >= 50
    tops = [b["top"] for b in data["bands"]]
    assert tops == sorted(tops) and [b["level"] for b in data["bands"]] == list(LEVEL_ORDER[:4])


def test_nodes_of_a_row_do_not_overlap():
    data = page_data(render_lineage_html(make_cascade(80), built=BUILT))
    rows: dict[float, list[float]] = {}
    for n in data["nodes"]:
        rows.setdefault(n["y"], []).append(n["x"])
    for y, xs in rows.items():
        xs.sort()
        assert all(b - a >= 40 for a, b in zip(xs, xs[1:])), f"row y={y} has nodes closer than 40px"


def test_children_sit_under_their_parent():
    lin = make_cascade(200)
    data = page_data(render_lineage_html(lin, built=BUILT, max_nodes=5000))
    x = {n["id"]: n["x"] for n in data["nodes"]}
    kind = {n["id"]: n["kind"] for n in data["nodes"]}
    # A district plan is nearer to the province programme it implements than to the average other one.
    provinces = [n for n in x if n.startswith("doc/province/")]
    closer = total = 0
    for e in lin["edges"]:
        if e["relation"] == "implements" and e["from"].startswith("doc/district/") and kind[e["to"]] == "document":
            others = [abs(x[e["from"]] - x[p]) for p in provinces if p != e["to"]]
            total += 1
            closer += abs(x[e["from"]] - x[e["to"]]) <= sorted(others)[len(others) // 2]
    assert total and closer / total > 0.9


# ---- large lineages are grouped, never drawn beyond max_nodes ------------------------------------------------

@pytest.mark.parametrize("documents,max_nodes", [(30, 1500), (100, 120), (400, 300), (2000, 1500), (2000, 10)])
def test_drawn_nodes_never_exceed_max_nodes(documents, max_nodes):
    lin = make_cascade(documents)
    html = render_lineage_html(lin, built=BUILT, max_nodes=max_nodes)
    data = page_data(html)
    ids = {n["id"] for n in data["nodes"]}
    assert len(ids) == len(data["nodes"])
    assert len(ids) <= max(max_nodes, 10)
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])
    assert lin["root"] in ids
    groups = [n for n in data["nodes"] if n["kind"] == "group"]
    if len(lin["nodes"]) <= max_nodes:
        assert not groups and len(ids) == len(lin["nodes"]) and "được gộp" not in html
    else:
        assert groups and "được gộp" in html
        assert all(g["command"].startswith("dkg view ") for g in groups)


def test_grouping_accounts_for_every_node():
    lin = make_cascade(500)
    plan = plan_page(check_lineage(lin), max_nodes=200, styles=load_styles())
    drawn = sum(1 for n in plan.nodes if n["kind"] != "group")
    assert drawn + plan.grouped_nodes == len(lin["nodes"])
    counted = sum(sum(g["counts"].values()) for g in plan.nodes if g["kind"] == "group")
    assert counted == plan.grouped_nodes


def test_commune_plans_are_grouped_under_their_district_plan():
    lin = make_cascade(600)
    data = page_data(render_lineage_html(lin, built=BUILT, max_nodes=400))
    labels = [n["label"] for n in data["nodes"] if n["kind"] == "group"]
    assert any(re.match(r"\d+ kế hoạch cấp xã", lb) for lb in labels), labels[:5]
    group = next(n for n in data["nodes"] if n["kind"] == "group" and "cấp xã" in n["label"])
    assert re.fullmatch(r"dkg view \S+ --down -o [a-z0-9-]+\.html", group["command"]), group["command"]


# ---- styles and names ------------------------------------------------------------------------------------------

def test_every_relation_and_level_has_a_style():
    styles = load_styles()
    for rel in set().union(*EDGE_RELATIONS.values()):
        assert rel in styles["relations"], rel
        assert styles["relations"][rel]["label"]
    for lv in LEVEL_ORDER:
        assert styles["levels"][lv]["label"]


@pytest.mark.parametrize("name,expected", [
    ("12-NQ/TW", "12-nq-tw-"), ("1123-CV/TU", "1123-cv-tu-"), ("118-KH/ĐUCA", "118-kh-duca-"),
    ("../../etc/passwd", "etc-passwd-"), ("<img src=x>", "img-src-x-"), ("Đảng ủy xã Tân Lộc", "dang-uy-xa-tan-loc-"),
])
def test_slug_is_safe_ascii(name, expected):
    s = slug({"id": "x/" + name, "code": name})
    assert s.startswith(expected) and re.fullmatch(r"[a-z0-9-]+", s)


def test_an_upward_lineage_puts_the_commune_root_at_the_bottom_and_survives_cycles_and_missing_levels():
    lin = make_cascade(12)
    commune = next(n["id"] for n in lin["nodes"] if n.get("level") == "commune" and n["kind"] == "document")
    lin["root"] = commune
    lin["edges"].append({"from": "doc/tw/2022/nq/12", "to": "doc/tw/2022/hd/85", "relation": "cites",
                         "evidence": "a cycle"})
    for n in lin["nodes"]:
        if n["kind"] == "organisation":
            n["level"] = None
    data = page_data(render_lineage_html(lin, built=BUILT))
    y = {n["id"]: n["y"] for n in data["nodes"]}
    docs = [n["id"] for n in data["nodes"] if n["kind"] == "document"]
    assert y[commune] == max(y[d] for d in docs)
    band = {n["id"]: n["band"] for n in data["nodes"]}
    assert band["doc/tw/2022/nq/12"] == band["doc/tw/2022/hd/85"] == "central"   # a cycle inside one level
    assert max(y["doc/tw/2022/nq/12"], y["doc/tw/2022/hd/85"]) < min(y[d] for d in docs if band[d] != "central")
    assert all(band[n["id"]] == band[e["from"]] for e in lin["edges"] for n in data["nodes"]
               if n["id"] == e["to"] and n["kind"] == "organisation"), "an organisation without level joins its task"
    assert len(data["nodes"]) == len(lin["nodes"])
